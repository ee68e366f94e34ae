#!/usr/bin/env node
'use strict';
// The CLI is compiled from pkg/cli by `npm run build:pkg` (run by `npm ci` through `prepare`).
require('../build/pkg/cli/main.js').main(process.argv).catch((err) => {
  process.stderr.write(`ghcprof: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
