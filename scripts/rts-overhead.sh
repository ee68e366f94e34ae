#!/usr/bin/env bash
# The run-time cost of each RTS flag set the collection modes use, measured on the fixture generator's programs
# (test/fixtures/ghc/src) in one run, as ratios to the same program built without profiling and run without flags.
#   scripts/rts-overhead.sh [rounds]     (needs ghc + ghc-prof and /usr/bin/time)
# Each round runs every (program, flag set) once, in turn, so a busy moment on a shared machine hits every flag set
# alike; the ratio is median CPU time (user + system) of the flag set / median of the plain build with no flags.
# Prints a Markdown table.
set -euo pipefail
ROUNDS=${1:-5}
HERE=$(cd "$(dirname "$0")/../test/fixtures/ghc" && pwd)
WORK=$(mktemp -d -t ghcprof-rts-overhead.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
GHC_COMMON=(-O1 -rtsopts -eventlog -threaded)
WORKLOADS=("jsonagg JsonAgg 4000" "leaky Leaky 400000" "search Search 10 8")
# label | build | RTS flags (every run also gets -A4m, as in generate.sh)
SETS=(
  "none|plain|"
  "-T|plain|-T"
  "-l|plain|-l"
  "-hT -i0.1|plain|-hT -i0.1"
  "-T -hT -i1 -l|plain|-T -hT -i1 -l"
  "no flags|prof|"
  "-p|prof|-p"
  "-p -hc -i0.1|prof|-p -hc -i0.1"
  "-p -hc -l -i0.1|prof|-p -hc -l -i0.1"
)

for w in "${WORKLOADS[@]}"; do
  read -r name mod _ <<<"$w"
  (cd "$HERE" && ghc "${GHC_COMMON[@]}" -prof -fprof-auto -outputdir "$WORK/o/prof/$name" -o "$WORK/prof-$name" "src/$mod.hs" >/dev/null)
  (cd "$HERE" && ghc "${GHC_COMMON[@]}" -outputdir "$WORK/o/plain/$name" -o "$WORK/plain-$name" "src/$mod.hs" >/dev/null)
done

for round in $(seq "$ROUNDS"); do
  for s in $(seq 0 $((${#SETS[@]} - 1))); do
    IFS='|' read -r _ build flags <<<"${SETS[$s]}"
    for w in "${WORKLOADS[@]}"; do
      read -r name _ args <<<"$w"
      dir="$WORK/run/$round-$s-$name"
      mkdir -p "$dir"
      # shellcheck disable=SC2086
      (cd "$dir" && /usr/bin/time -f '%U %S' -o "$WORK/t" "$WORK/$build-$name" $args +RTS -A4m $flags -RTS >/dev/null)
      awk -v s="$s" -v n="$name" '{print s, n, $1 + $2}' "$WORK/t" >>"$WORK/times"
      rm -rf "$dir"
    done
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
header="| RTS flags (GHC 9.0.2) | build |"
sep="|---|---|"
for w in "${WORKLOADS[@]}"; do read -r name _ <<<"$w"; header+=" $name |"; sep+="---|"; done
echo "$header"
echo "$sep"
declare -A BASE
for s in $(seq 0 $((${#SETS[@]} - 1))); do
  IFS='|' read -r label build _ <<<"${SETS[$s]}"
  row="| \`$label\` | $build |"
  for w in "${WORKLOADS[@]}"; do
    read -r name _ <<<"$w"
    m=$(awk -v s="$s" -v n="$name" '$1 == s && $2 == n {print $3}' "$WORK/times" | median)
    [ -z "${BASE[$name]:-}" ] && BASE[$name]=$m
    row+=" $(awk -v m="$m" -v b="${BASE[$name]}" 'BEGIN {printf "%.2fx", m / b}') |"
  done
  echo "$row"
done
echo
for w in "${WORKLOADS[@]}"; do
  read -r name _ args <<<"$w"
  echo "baseline $name $args (plain build, no flags): ${BASE[$name]} s CPU, median of $ROUNDS"
done
