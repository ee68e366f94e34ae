/**
 * Format benchmark (`npm run bench`, i.e. `node --import tsx bench/formats.ts`): ghcprof's readers, through the
 * BUILT CLI (`node bin/ghcprof.js ...`, so Node start-up and module loading are included), against GHC's own tools
 * on the same large inputs, all in one run:
 *
 *   (a) eventlog: `ghcprof heap FILE --format json` vs bench/reference/DecodeEvents.hs (ghc-events' incremental
 *       decoder decoding every event); goal <= 0.33x its wall time. `ghcprof inspect` peak RSS on the first quarter
 *       and on the whole shows streaming: goal <= 96 MiB, flat in the file size.
 *   (b) .hp:      `ghcprof heap FILE --top 20` vs `hp2ps -c FILE`; goal <= 0.5x.
 *   (c) .prof:    `ghcprof inspect FILE` vs Node reading the file and splitting it into lines; goal <= 2x that floor,
 *       peak RSS <= 2x the file size (issue 13).
 *
 * Inputs: bench/large/large.{eventlog,hp,prof} (git-ignored), made by GHC's fixture generator
 * (`generate.sh --only-large bench/large`, ~100 s, needs Debian ghc + ghc-prof) when missing. Options (env):
 * BENCH_REPS (default 3, median reported), GHCPROF_FIXTURE_GENERATOR (path of generate.sh to use).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const LARGE = join(ROOT, 'bench/large');
const REPS = Number(process.env.BENCH_REPS ?? 3);
const TIME = '/usr/bin/time';
const RSS_PRELOAD = join(ROOT, 'bench/reference/report-rss.cjs');

interface Run {
  wallMs: number;
  /** Peak resident set size in KiB, null when it could not be measured. */
  rssKiB: number | null;
}

function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(1);
}

/** The generator script that can build the large synthetic program (its src/large/GenLarge.hs must exist). */
function findGenerator(): string | null {
  const candidates = [
    process.env.GHCPROF_FIXTURE_GENERATOR,
    join(ROOT, 'test/fixtures/ghc/generate.sh'),
    '/work/shared/fixtures/ghc/generate.sh',
  ].filter((c): c is string => c !== undefined);
  return candidates.find((c) => existsSync(c) && existsSync(join(c, '..', 'src/large/GenLarge.hs'))) ?? null;
}

function ensureInputs(): void {
  const wanted = ['large.eventlog', 'large.hp', 'large.prof'].map((f) => join(LARGE, f));
  if (wanted.every((f) => existsSync(f))) {
    return;
  }
  const generator = findGenerator();
  if (generator === null) {
    fail(
      'bench/large/large.{eventlog,hp,prof} are missing and no generator with src/large/GenLarge.hs was found: ' +
        'set GHCPROF_FIXTURE_GENERATOR to a generate.sh next to src/large/GenLarge.hs'
    );
  }
  if (!have('ghc')) {
    fail('bench/large inputs are missing and ghc is not installed: apt-get install -y ghc ghc-prof');
  }
  log(`generating the large inputs: ${generator} --only-large bench/large (about 100 s)`);
  const r = spawnSync(generator, ['--only-large', LARGE], { stdio: 'inherit' });
  if (r.status !== 0) {
    fail(`${generator} failed (exit ${r.status})`);
  }
}

/** A second, smaller eventlog (the first quarter of the large one, cut mid-stream) for the streaming comparison. */
function ensureQuarterEventlog(): string {
  const quarter = join(LARGE, 'quarter.eventlog');
  if (!existsSync(quarter)) {
    const full = readFileSync(join(LARGE, 'large.eventlog'));
    writeFileSync(quarter, full.subarray(0, Math.floor(full.length / 4)));
  }
  return quarter;
}

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) {
      newest = Math.max(newest, newestMtime(path, ext));
    } else if (name.endsWith(ext)) {
      newest = Math.max(newest, st.mtimeMs);
    }
  }
  return newest;
}

/** The CLI is compiled to build/ by `npm run build:pkg`; rebuilt here when pkg/ is newer. */
function ensureCliBuilt(): void {
  const main = join(ROOT, 'build/pkg/cli/main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(ROOT, 'pkg'), '.ts')) {
    return;
  }
  log('building the CLI: tsc -p pkg/tsconfig.json (npm run build:pkg)');
  spawnSync('npx', ['tsc', '-p', 'pkg/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(main)) {
    fail('build/pkg/cli/main.js was not produced');
  }
}

/**
 * How "ghcprof" is run: the built CLI when it starts, else (while other parts of the CLI are mid-change) the built
 * readers in-process through bench/reference/read-file.cjs. The output says which.
 */
function ghcprofCommand(): {
  heap: (f: string) => string[];
  heapJson: (f: string) => string[];
  inspect: (f: string) => string[];
  how: string;
  cli: boolean;
} {
  const cli = join(ROOT, 'bin/ghcprof.js');
  const probe = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
  if (probe.status === 0) {
    return {
      heap: (f) => [process.execPath, cli, 'heap', f, '--top', '20'],
      heapJson: (f) => [process.execPath, cli, 'heap', f, '--format', 'json'],
      inspect: (f) => [process.execPath, cli, 'inspect', f],
      how: `the built CLI (node bin/ghcprof.js heap FILE --format json | --top 20 / inspect FILE)`,
      cli: true,
    };
  }
  const reader = join(ROOT, 'bench/reference/read-file.cjs');
  log(
    `note: the built CLI does not start (${probe.stderr.split('\n').find((l) => l.startsWith('Error')) ?? 'exit ' + probe.status}); measuring the readers in-process instead`
  );
  return {
    heap: (f) => [process.execPath, reader, f],
    heapJson: (f) => [process.execPath, reader, f],
    inspect: (f) => [process.execPath, reader, f],
    how: 'in-process readProfileFile of the built readers (node bench/reference/read-file.cjs FILE), NOT the CLI',
    cli: false,
  };
}

function ensureReference(): string {
  const exe = join(LARGE, 'decode-events');
  const src = join(ROOT, 'bench/reference/DecodeEvents.hs');
  if (existsSync(exe) && statSync(exe).mtimeMs >= statSync(src).mtimeMs) {
    return exe;
  }
  log('building bench/reference/DecodeEvents.hs against ghc-events (Debian libghc-ghc-events-dev)');
  const out = join(LARGE, 'ref-build');
  mkdirSync(out, { recursive: true });
  const r = spawnSync('ghc', ['-O2', '-package', 'ghc-events', src, '-outputdir', out, '-o', exe], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    fail('could not build the ghc-events reference (apt-get install -y ghc libghc-ghc-events-dev)');
  }
  return exe;
}

/** Runs a command once: wall time, and peak RSS from /usr/bin/time -v (or, for node, the preload's report). */
function runOnce(cmd: string[], cwd = ROOT): Run {
  const useTime = existsSync(TIME);
  const rssFile = join(tmpdir(), `ghcprof-bench-rss-${process.pid}`);
  let argv = cmd;
  if (!useTime && cmd[0] === process.execPath) {
    argv = [cmd[0], '--require', RSS_PRELOAD, ...cmd.slice(1)];
  }
  const full = useTime ? [TIME, '-v', ...argv] : argv;
  const started = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), {
    cwd,
    env: { ...process.env, GHCPROF_BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const stderr = r.stderr.toString();
  if (r.status !== 0) {
    fail(`${cmd.join(' ')} exited ${r.status}:\n${stderr.slice(-2000)}`);
  }
  let rssKiB: number | null = null;
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (m) {
    rssKiB = Number(m[1]);
  } else if (existsSync(rssFile)) {
    rssKiB = Number(readFileSync(rssFile, 'utf8'));
    rmSync(rssFile);
  }
  return { wallMs, rssKiB };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Runs ghcprof (as the CLI), ghcprof's readers alone (built, in-process, no CLI start-up or post-processing:
 * bench/reference/read-file.cjs) and the reference in turn, REPS times, so machine load hits all three alike;
 * medians of wall time and RSS.
 */
function compare(ours: string[], file: string, theirs: string[], cwd = ROOT): { ours: Run; readers: Run; theirs: Run } {
  const readers = [process.execPath, join(ROOT, 'bench/reference/read-file.cjs'), file];
  const runs: Run[][] = [[], [], []];
  for (let i = 0; i < REPS; i++) {
    [ours, readers, theirs].forEach((cmd, k) => runs[k].push(runOnce(cmd, cwd)));
  }
  const summarise = (rs: Run[]): Run => ({
    wallMs: median(rs.map((r) => r.wallMs)),
    rssKiB: rs[0].rssKiB === null ? null : median(rs.map((r) => r.rssKiB as number)),
  });
  return { ours: summarise(runs[0]), readers: summarise(runs[1]), theirs: summarise(runs[2]) };
}

const MB = 1024 * 1024;
const fmtMs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtRss = (kib: number | null) => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
const verdict = (ok: boolean) => (ok ? 'meets goal' : 'MISSES goal');

function main(): void {
  for (const tool of ['hp2ps', 'ghc']) {
    if (!have(tool)) {
      fail(`${tool} not found: apt-get install -y ghc ghc-prof libghc-ghc-events-dev`);
    }
  }
  ensureInputs();
  ensureCliBuilt();
  const reference = ensureReference();
  const quarter = ensureQuarterEventlog();
  const node = process.execPath;
  const ghcprof = ghcprofCommand();
  const eventlog = join(LARGE, 'large.eventlog');
  const hp = join(LARGE, 'large.hp');
  const prof = join(LARGE, 'large.prof');
  const size = (f: string) => statSync(f).size;
  const results: Record<string, unknown> = {};
  log(`ghcprof format benchmark: node ${process.version}, ${REPS} runs each (median); ghcprof = ${ghcprof.how}`);
  log(`RSS from ${existsSync(TIME) ? '/usr/bin/time -v' : 'process.resourceUsage() in the child (node only)'}`);
  log(
    `load average at the start (1/5/15 min): ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} on ${cpus().length} cores\n`
  );
  results.loadAverageStart = loadavg();

  // (a) eventlog
  const ev = compare(ghcprof.heapJson(eventlog), eventlog, [reference, eventlog]);
  const evQuarterOurs = runOnce(ghcprof.inspect(quarter));
  const evWholeOurs = runOnce(ghcprof.inspect(eventlog));
  const evQuarterRef = runOnce([reference, quarter]);
  const evRatio = ev.ours.wallMs / ev.theirs.wallMs;
  log(
    `(a) eventlog ${(size(eventlog) / MB).toFixed(0)} MB: ghcprof heap --format json ${fmtMs(ev.ours.wallMs)} (peak RSS ${fmtRss(ev.ours.rssKiB)}) ` +
      `vs ghc-events decode ${fmtMs(ev.theirs.wallMs)}`
  );
  log(`    ratio ${evRatio.toFixed(2)}x (goal <= 0.33x): ${verdict(evRatio <= 0.33)}`);
  const flat =
    evQuarterOurs.rssKiB !== null && evWholeOurs.rssKiB !== null ? evWholeOurs.rssKiB / evQuarterOurs.rssKiB : null;
  log(
    `    ghcprof inspect peak RSS, ${(size(quarter) / MB).toFixed(0)} MB -> ${(size(eventlog) / MB).toFixed(0)} MB input: ${fmtRss(evQuarterOurs.rssKiB)} -> ${fmtRss(evWholeOurs.rssKiB)} ` +
      `(goal <= 96 MiB, flat): ${verdict(evWholeOurs.rssKiB !== null && evWholeOurs.rssKiB <= 96 * 1024 && flat !== null && flat <= 1.1)}; ` +
      `ghc-events ${fmtRss(evQuarterRef.rssKiB)} -> ${fmtRss(ev.theirs.rssKiB)}`
  );
  const evReader = ev.readers;
  log(
    `    readers alone (read-file.cjs): ${fmtMs(evReader.wallMs)} = ${(evReader.wallMs / ev.theirs.wallMs).toFixed(2)}x, peak RSS ${fmtRss(evReader.rssKiB)}`
  );
  results.eventlog = {
    readerOnly: evReader,
    bytes: size(eventlog),
    ours: ev.ours,
    reference: ev.theirs,
    ratio: evRatio,
    inspect: { whole: evWholeOurs, quarter: evQuarterOurs },
    quarter: { bytes: size(quarter), reference: evQuarterRef },
  };

  // (b) .hp: hp2ps writes FILE.ps next to where it runs, so it runs in a scratch directory on a copy
  const scratch = mkdtempSync(join(tmpdir(), 'ghcprof-bench-'));
  try {
    const hpCopy = join(scratch, 'large.hp');
    copyFileSync(hp, hpCopy);
    const h = compare(ghcprof.heap(hp), hp, ['hp2ps', '-c', hpCopy], scratch);
    const hpRatio = h.ours.wallMs / h.theirs.wallMs;
    log(
      `\n(b) .hp ${(size(hp) / MB).toFixed(0)} MB: ghcprof ${fmtMs(h.ours.wallMs)} vs hp2ps -c ${fmtMs(h.theirs.wallMs)}`
    );
    log(
      `    ratio ${hpRatio.toFixed(2)}x (goal <= 0.5x): ${verdict(hpRatio <= 0.5)}; peak RSS ${fmtRss(h.ours.rssKiB)} vs ${fmtRss(h.theirs.rssKiB)}`
    );
    const hpReader = h.readers;
    log(
      `    readers alone (read-file.cjs): ${fmtMs(hpReader.wallMs)} = ${(hpReader.wallMs / h.theirs.wallMs).toFixed(2)}x, peak RSS ${fmtRss(hpReader.rssKiB)}`
    );
    results.hp = { readerOnly: hpReader, bytes: size(hp), ours: h.ours, reference: h.theirs, ratio: hpRatio };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  // (c) .prof against the floor: Node reading the file and splitting it into lines
  const floorScript = `const t=require('fs').readFileSync(process.argv[1],'utf8');const n=t.split('\\n').length;if(n<0)console.log(n);`;
  const p = compare(ghcprof.inspect(prof), prof, [node, '-e', floorScript, prof]);
  const profRatio = p.ours.wallMs / p.theirs.wallMs;
  const rssRatio = p.ours.rssKiB === null ? null : (p.ours.rssKiB * 1024) / size(prof);
  const baseline = runOnce([node, '-e', '0']);
  log(
    `\n(c) .prof ${(size(prof) / MB).toFixed(0)} MB: ghcprof ${fmtMs(p.ours.wallMs)} vs read + split lines ${fmtMs(p.theirs.wallMs)}`
  );
  log(`    ratio ${profRatio.toFixed(2)}x (goal <= 2x): ${verdict(profRatio <= 2)}`);
  log(
    `    peak RSS ${fmtRss(p.ours.rssKiB)} = ${rssRatio === null ? 'n/a' : rssRatio.toFixed(2)}x the file (goal <= 2x): ` +
      `${rssRatio === null ? 'not measured' : verdict(rssRatio <= 2)}; floor ${fmtRss(p.theirs.rssKiB)}, an empty node ${fmtRss(baseline.rssKiB)}`
  );
  const profReader = p.readers;
  log(
    `    readers alone (read-file.cjs): ${fmtMs(profReader.wallMs)} = ${(profReader.wallMs / p.theirs.wallMs).toFixed(2)}x, peak RSS ${fmtRss(profReader.rssKiB)}`
  );
  const cliStart = ghcprof.cli ? runOnce([node, join(ROOT, 'bin/ghcprof.js'), '--version']) : null;
  if (cliStart) {
    log(`    for scale: \`ghcprof --version\` alone takes ${fmtMs(cliStart.wallMs)} and ${fmtRss(cliStart.rssKiB)}`);
  }
  results.prof = {
    readerOnly: profReader,
    cliStart,
    bytes: size(prof),
    ours: p.ours,
    floor: p.theirs,
    ratio: profRatio,
    rssRatio,
    nodeBaseline: baseline,
  };
  results.loadAverageEnd = loadavg();
  log(
    `\nload average at the end (1/5/15 min): ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`
  );
  writeFileSync(join(LARGE, 'results.json'), JSON.stringify(results, null, 2));
  log(`\nraw numbers: bench/large/results.json`);
  // (d) a growing eventlog tailed into a running server (bench/stream.ts; its own numbers: stream-results.json).
  if (spawnSync(node, ['--import', 'tsx', join(ROOT, 'bench/stream.ts')], { stdio: 'inherit' }).status !== 0) {
    fail('the streaming phase failed');
  }
}

main();
