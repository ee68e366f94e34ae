#!/usr/bin/env bash
# The one test command (`npm test`): types, lint, backend tests (with a real PostgreSQL and Prometheus that the
# tests start themselves), plugin unit tests, and the real-browser tests of the plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
# Tests run the built CLI and the built plugin: rebuild so they test the sources as they are
# (in CI, `npm ci` has just built both through `prepare`).
if [ -z "${CI:-}" ] || [ ! -f build/pkg/cli/main.js ] || [ ! -f dist/module.js ]; then
  npm run build
fi
npm run typecheck
npm run lint
npm run test:pkg
npm run test:plugin
npm run test:browser
