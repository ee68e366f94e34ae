#!/usr/bin/env bash
# The one test command (`npm test`): types, lint, backend tests (with a real PostgreSQL and Prometheus that the
# tests start themselves), plugin unit tests, and the real-browser tests of the plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/pkg/cli/main.js ] || npm run build:pkg
[ -f dist/module.js ] || npm run build:plugin
npm run typecheck
npm run lint
npm run test:pkg
npm run test:plugin
npm run test:browser
