/**
 * Where a week-long flame graph query's server time goes (`node --import tsx bench/server/query-stages.ts`): a
 * SQLite store in a temp dir gets BENCH_PROFILES (1000) -pj profiles spread over a week, exactly as phase 1 of
 * bench/server.ts uploads them, then the query's stages run in-process, each the median of BENCH_STAGE_REPS (7):
 *
 *   getTreesForQuery (read + gunzip + JSON.parse of the hourly rollups and of the partly covered hours' profiles),
 *   the merge of those trees (TreeAccumulator), and the whole flamegraphQuery (adds prune, function table, frame),
 *   and how long a `SELECT 1` issued meanwhile waits (SQLite runs one statement or transaction at a time per file);
 *
 * for the week and for the range of one profile. Explains the ratio that bench/server.ts measures over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TreeAccumulator } from '../../pkg/model/tree';
import { ingest } from '../../pkg/query/ingest';
import { flamegraphQuery } from '../../pkg/query/trees';
import { openStore } from '../../pkg/store';
import type { Store } from '../../pkg/store/store';
import { MINUTE_MS, PjVariants } from './artefacts';
import { median } from './harness';
import { SERVICE, WEEK_MS } from './flamegraph';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1000);
const REPS = Number(process.env.BENCH_STAGE_REPS ?? 7);
const TENANT = 'bench';

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; last: T }> {
  const samples: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    last = await fn();
    samples.push(performance.now() - t0);
  }
  return { ms: median(samples), last: last as T };
}

async function fill(store: Store, weekEnd: number): Promise<Array<{ start: number; end: number }>> {
  const variants = new PjVariants();
  const spans: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < PROFILES; i++) {
    const t = weekEnd - WEEK_MS + Math.floor(((i + 0.5) * WEEK_MS) / PROFILES);
    const end = t - (t % MINUTE_MS);
    const { meta } = await ingest(store, Buffer.from(variants.make(i, end).text), {
      tenant: TENANT,
      labels: { service: SERVICE },
      uploader: null,
      maxBytes: 1 << 30,
    });
    spans.push({ start: meta.startTime, end });
  }
  return spans;
}

async function stages(store: Store, name: string, from: number, to: number): Promise<Record<string, string | number>> {
  const matchers = [{ name: 'service', op: '=' as const, value: SERVICE }];
  const read = await timed(() => store.getTreesForQuery(TENANT, { matchers, from, to }));
  const sources = read.last.sources;
  const merge = await timed(async () => {
    const acc = new TreeAccumulator();
    sources.forEach((s) => acc.add(s.tree));
    return acc.result();
  });
  const ctx = { store, tenant: TENANT, maxProfiles: 5000 };
  const query = {
    selector: `{service="${SERVICE}"}`,
    from,
    to,
    metric: 'time' as const,
    maxNodes: 16384,
    excludeSystem: false,
  };
  const whole = await timed(() => flamegraphQuery(ctx, query));
  // How long another request's statement (a token lookup, an insert) waits while this query reads its trees.
  const blocked = await timed(async () => {
    const reading = store.getTreesForQuery(TENANT, { matchers, from, to });
    await new Promise((r) => setImmediate(r));
    const t0 = performance.now();
    await store.ping();
    const waited = performance.now() - t0;
    await reading;
    return waited;
  });
  return {
    range: name,
    profiles: read.last.profileCount,
    rollups: sources.filter((s) => s.type === 'rollup').length,
    profileTrees: sources.filter((s) => s.type === 'profile').length,
    getTreesForQueryMs: read.ms,
    mergeMs: merge.ms,
    flamegraphQueryMs: whole.ms,
    pingDuringReadMs: blocked.ms,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ghcprof-query-stages-'));
  const store = await openStore(join(dir, 'ghcprof.db'));
  try {
    await store.migrate();
    const now = Date.now();
    const weekEnd = now - (now % MINUTE_MS) - 60 * MINUTE_MS;
    const t0 = performance.now();
    const spans = await fill(store, weekEnd);
    process.stdout.write(
      `stored ${PROFILES} -pj profiles in ${((performance.now() - t0) / 1000).toFixed(1)} s (in-process)\n`
    );
    const one = spans[Math.floor(PROFILES / 2)];
    const rows = [
      await stages(store, 'week', weekEnd - WEEK_MS - MINUTE_MS, weekEnd + MINUTE_MS),
      await stages(store, '1 profile', one.start - MINUTE_MS, one.end + MINUTE_MS),
    ];
    const keys = Object.keys(rows[0]);
    const width = Math.max(...keys.map((k) => k.length));
    const fmt = (v: string | number) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v));
    for (const k of keys) {
      process.stdout.write(`${k.padEnd(width)}  ${rows.map((r) => fmt(r[k]).padStart(10)).join('  ')}\n`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`query-stages: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
