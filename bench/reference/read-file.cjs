'use strict';
// Fallback "ghcprof" for bench/formats.ts while the built CLI cannot start: reads one artefact with the built
// readers (build/pkg/formats) in this process and prints a one-line summary, as `inspect` would.
const { readProfileFile } = require('../../build/pkg/formats/index.js');
readProfileFile(process.argv[2]).then(
  (d) => process.stdout.write(`${d.kind} ${d.program} samples=${d.heap ? d.heap.samples.length : 0} warnings=${d.warnings.length}\n`),
  (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
);
