/**
 * Server benchmark and load test (`npm run bench:server`, i.e. `node --import tsx bench/server.ts`): `ghcprof serve`
 * as a child process on 127.0.0.1, once per store (a SQLite file, then a private PostgreSQL 15), three phases each:
 *
 *   1. flame graph over N stored -pj profiles of one service spread across a week vs over 1 profile
 *      (goal <= 10x the time), medians of cold (first query after a restart) and warm runs;
 *   2. ingest of ~1 MiB text .prof uploads by 16 concurrent clients (goal >= 50 uploads/s), then every
 *      acknowledged id must be listed and download byte-identical;
 *   3. autocannon mixing uploads and queries for BENCH_LOAD_SECONDS, with the server's RSS sampled.
 *
 * Prints one table (with the ratios) and writes the numbers as JSON. Everything it starts (servers, PostgreSQL,
 * temp dirs) is stopped and removed at the end, on failure, on SIGINT/SIGTERM and after BENCH_TIMEOUT_S.
 *
 * Options (env): BENCH_SMALL=1 (20 profiles, 16 uploads, 3 s load: the CI smoke test), BENCH_STORES
 * (sqlite,postgres), BENCH_PROFILES (1000), BENCH_INGEST_UPLOADS (400), BENCH_INGEST_CLIENTS (16),
 * BENCH_INGEST_BYTES (1048576), BENCH_LOAD_SECONDS (60), BENCH_LOAD_CONNECTIONS (16), BENCH_RSS_EVERY_MS (2000),
 * BENCH_COLD_RUNS (3), BENCH_WARM_RUNS (5), BENCH_CLI (build: run bin/ghcprof.js as users do, compiling pkg/ first
 * when build/ is older than it;
 * source: run pkg/ through tsx), BENCH_RESULTS (JSON output, default bench/server/results.json), BENCH_TIMEOUT_S.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { benchServer, type StoreKind } from './server/context';
import { flamegraphPhase } from './server/flamegraph';
import { buildCli, buildIsStale, Cleanup, closeHttp, ROOT } from './server/harness';
import { ingestPhase } from './server/ingest';
import { loadPhase } from './server/load';
import { formatTable } from './server/report';
import type { BenchOptions, BenchResults, StoreResult } from './server/results';

function intOf(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const text = env[name];
  if (text === undefined || text === '') {
    return fallback;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${name}=${text}: expected an integer >= ${min}`);
  }
  return n;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const small = env.BENCH_SMALL === '1';
  const stores = (env.BENCH_STORES ?? 'sqlite,postgres')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of stores) {
    if (s !== 'sqlite' && s !== 'postgres') {
      throw new Error(`BENCH_STORES: unknown store "${s}" (sqlite, postgres)`);
    }
  }
  const cli = env.BENCH_CLI ?? (small ? 'source' : 'build');
  if (cli !== 'build' && cli !== 'source') {
    throw new Error(`BENCH_CLI=${cli}: expected build or source`);
  }
  return {
    small,
    stores: stores as StoreKind[],
    profiles: intOf(env, 'BENCH_PROFILES', small ? 20 : 1000, 2),
    uploadConcurrency: intOf(env, 'BENCH_UPLOAD_CONCURRENCY', 8),
    coldRuns: intOf(env, 'BENCH_COLD_RUNS', small ? 1 : 3),
    warmRuns: intOf(env, 'BENCH_WARM_RUNS', small ? 2 : 5),
    ingestUploads: intOf(env, 'BENCH_INGEST_UPLOADS', small ? 16 : 400),
    ingestClients: intOf(env, 'BENCH_INGEST_CLIENTS', 16),
    ingestBytes: intOf(env, 'BENCH_INGEST_BYTES', 1024 * 1024),
    loadSeconds: intOf(env, 'BENCH_LOAD_SECONDS', small ? 3 : 60),
    loadConnections: intOf(env, 'BENCH_LOAD_CONNECTIONS', 16),
    rssEveryMs: intOf(env, 'BENCH_RSS_EVERY_MS', small ? 500 : 2000, 100),
    cli,
    results: env.BENCH_RESULTS ?? join(ROOT, 'bench/server/results.json'),
    timeoutS: intOf(env, 'BENCH_TIMEOUT_S', small ? 120 : 3600),
  };
}

const started = performance.now();
const log = (msg: string) => process.stdout.write(`${msg}\n`);
/** A progress line with the seconds since the bench started. */
const progress = (msg: string) => log(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${msg}`);

async function benchStore(kind: StoreKind, opts: BenchOptions, cleanup: Cleanup): Promise<StoreResult> {
  progress(`[${kind}] starting ghcprof serve (${opts.cli === 'build' ? 'bin/ghcprof.js' : 'sources through tsx'})`);
  const server = await benchServer(kind, opts.cli, cleanup);
  progress(`[${kind}] 1. uploading ${opts.profiles} -pj profiles across a week, timing flame graphs`);
  const flamegraph = await flamegraphPhase(server, { ...opts, concurrency: opts.uploadConcurrency });
  progress(
    `[${kind}] 2. ingest: ${opts.ingestUploads} uploads of at least ${opts.ingestBytes} bytes, ${opts.ingestClients} clients`
  );
  const ingest = await ingestPhase(server, {
    uploads: opts.ingestUploads,
    clients: opts.ingestClients,
    bodyBytes: opts.ingestBytes,
  });
  progress(`[${kind}] 3. autocannon: ${opts.loadConnections} connections, ${opts.loadSeconds} s`);
  // A 6-hour window in the middle of the stored week: what a dashboard panel typically asks for.
  const mid = Math.floor((flamegraph.from + flamegraph.to) / 2);
  const load = await loadPhase(server, {
    seconds: opts.loadSeconds,
    connections: opts.loadConnections,
    rssEveryMs: opts.rssEveryMs,
    window: { from: mid - 3 * 3_600_000, to: mid + 3 * 3_600_000 },
  });
  await server.stop();
  return { store: kind, flamegraph, ingest, load };
}

export async function runServerBench(opts: BenchOptions): Promise<BenchResults> {
  const cleanup = new Cleanup();
  const stopOnSignal = (signal: NodeJS.Signals) => {
    log(`bench: ${signal}: stopping servers and removing temp data`);
    void cleanup.run().finally(() => process.exit(1));
  };
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: not finished after BENCH_TIMEOUT_S=${opts.timeoutS} s: giving up\n`);
    void cleanup.run().finally(() => process.exit(1));
  }, opts.timeoutS * 1000);
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    if (opts.cli === 'build' && buildIsStale()) {
      log('compiling pkg/ (npx tsc -p pkg/tsconfig.json) for bin/ghcprof.js: build/ is older than pkg/');
      buildCli();
    }
    const results: BenchResults = {
      startedAt: new Date().toISOString(),
      options: opts,
      machine: { node: process.version, cpus: cpus().length, loadAverageStart: loadavg()[0], loadAverageEnd: NaN },
      stores: [],
    };
    for (const kind of opts.stores) {
      results.stores.push(await benchStore(kind, opts, cleanup));
    }
    results.machine.loadAverageEnd = loadavg()[0];
    return results;
  } finally {
    clearTimeout(watchdog);
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await cleanup.run();
    closeHttp();
  }
}

async function main(): Promise<void> {
  const opts = optionsFromEnv();
  const results = await runServerBench(opts);
  log('');
  log(formatTable(results));
  mkdirSync(dirname(opts.results), { recursive: true });
  writeFileSync(opts.results, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nresults: ${opts.results}`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`bench:server failed: ${err.message}\n`);
    process.exit(1);
  });
}
