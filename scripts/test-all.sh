#!/usr/bin/env bash
# The one test command (`npm test`): types, lint, backend tests (with a real PostgreSQL and Prometheus that the
# tests start themselves), plugin unit tests, and the real-browser tests of the plugin.
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium, PostgreSQL 15 and Prometheus first: installed when missing (as root with apt-get), else a clear stop.
node --import tsx scripts/preflight.ts test

# Tests run the built CLI and the built plugin: rebuild so they test the sources as they are
# (in CI, `npm ci` has just built both through `prepare`).
if [ -z "${CI:-}" ] || [ ! -f build/pkg/cli/main.js ] || [ ! -f dist/module.js ]; then
  npm run build
fi
npm run typecheck
npm run lint

# Each runner's output is kept to add up one total line at the end (the runners print theirs per suite).
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
npm run test:pkg 2>&1 | tee "$logs/pkg.log"
npm run test:plugin 2>&1 | tee "$logs/plugin.log"
npm run test:browser 2>&1 | tee "$logs/browser.log"

# node's runner ends with "ℹ pass N" / "ℹ fail N", jest with "Tests: [N failed, ]N passed, N total".
count() {
  awk -v node="$1" -v jest="$2" '
    $1 == "ℹ" && $2 == node { total += $3 }
    $1 == "Tests:" { for (i = 2; i < NF; i++) if ($(i + 1) ~ "^" jest) total += $i }
    END { print total + 0 }' "$logs"/*.log
}
echo
echo "ghcprof: $(count pass passed) passed, $(count fail failed) failed"
