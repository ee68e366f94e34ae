#!/bin/sh
# One-shot compose service: creates the tokens the stack needs, once, into the shared `ghcprof-tokens` volume.
# Grafana's provisioning reads them with $__file{...}; the agent with --token-file. Re-running keeps existing ones.
#   grafana-read / grafana-write / grafana-admin   tenant "demo": the main ghcprof datasource (one token per scope)
#   agent                                          tenant "demo", write: the demo service's sidecar
#   team-a-read / team-b-read                      tenants "team-a" / "team-b": the team-folder example
set -eu
DB="${GHCPROF_DB:-/data/ghcprof.db}"
OUT="${TOKENS_DIR:-/tokens}"

create() { # NAME TENANT SCOPE
  if [ -s "$OUT/$1" ]; then
    echo "token $1 exists"
    return
  fi
  token=$(node /app/bin/ghcprof.js token create --db "$DB" --tenant "$2" --scope "$3" --name "compose-$1" | tail -n 1)
  # No trailing newline: the file's content is the secret, as Grafana's $__file{} reads it.
  printf '%s' "$token" > "$OUT/$1.tmp"
  mv "$OUT/$1.tmp" "$OUT/$1"
  echo "created token $1 (tenant $2, scope $3)"
}

create grafana-read demo read
create grafana-write demo write
create grafana-admin demo admin
create agent demo write
create team-a-read team-a read
create team-b-read team-b read
