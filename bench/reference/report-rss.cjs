'use strict';
// Preloaded (`node --require`) by bench/formats.ts when /usr/bin/time is missing: writes the process's peak RSS
// (KiB) to $GHCPROF_BENCH_RSS_FILE on exit.
process.on('exit', () => {
  const file = process.env.GHCPROF_BENCH_RSS_FILE;
  if (file) {require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS));}
});
