/**
 * Benchmark queries: the `bench` artefacts of a selection, each result placed at its artefact's time (the upload's
 * time unless `start` was given), named by its version label. Series are kept apart by `suite`, so two suites'
 * benchmarks of one name never share a line.
 */
import type { FrameMetaJSON, FramesResponse } from '../api/dataframe';
import type { BenchCompareQuery, BenchmarksQuery, ProfileMeta, Selection } from '../api/query';
import { compileRegex } from '../api/selector';
import type { Benchmark } from '../model/bench';
import { compareBenchmarks } from '../model/bench-compare';
import {
  benchCompareFrame,
  type BenchPoint,
  type BenchSeries,
  benchSeriesFrames,
  benchVersionTable,
} from '../frames/bench';
import { badQuery } from '../api/errors';
import { cappedNotice, type QueryContext, selectProfiles } from './selection';

/** The label that separates suites in series keys. */
export const SUITE_LABEL = 'suite';

interface BenchResult {
  meta: ProfileMeta;
  benchmarks: Benchmark[];
}

function nameFilter(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined || pattern === '') return () => true;
  try {
    const re = compileRegex(pattern);
    return (name) => re.test(name);
  } catch (err) {
    throw badQuery(`benchmark: ${(err as Error).message}`);
  }
}

/** The selection's bench results, oldest first (so a later one overrides an earlier one of the same benchmark). */
async function selectResults(ctx: QueryContext, sel: Selection, pattern: string | undefined) {
  const keep = nameFilter(pattern);
  const selected = await selectProfiles(ctx, sel, undefined, 'bench');
  const ordered = [...selected.profiles].sort((a, b) => a.startTime - b.startTime || a.createdAt - b.createdAt);
  const results: BenchResult[] = [];
  for (const meta of ordered) {
    const bench = await ctx.store.getBench(ctx.tenant, meta.id);
    if (bench) results.push({ meta, benchmarks: bench.benchmarks.filter((b) => keep(b.name)) });
  }
  return { results, notices: cappedNotice(selected, ctx.maxProfiles) };
}

function seriesKey(meta: ProfileMeta, name: string): { key: string; labels: Record<string, string> } {
  const suite = meta.labels[SUITE_LABEL];
  const labels: Record<string, string> = suite === undefined ? {} : { [SUITE_LABEL]: suite };
  return { key: JSON.stringify([suite ?? null, name]), labels };
}

export async function benchmarksQuery(ctx: QueryContext, q: BenchmarksQuery, refId?: string): Promise<FramesResponse> {
  const { results, notices } = await selectResults(ctx, q, q.benchmark);
  const meta = {
    custom: { ghcprof: { profiles: results.length } },
    ...(notices.length > 0 ? { notices } : {}),
  };
  if (q.by === 'version') {
    return { frames: [versionTable(results, q.versionLabel, refId, meta)] };
  }
  const series = new Map<string, BenchSeries>();
  for (const r of results) {
    for (const b of r.benchmarks) {
      const { key, labels } = seriesKey(r.meta, b.name);
      const s = series.get(key) ?? { name: b.name, labels, points: [] };
      const point: BenchPoint = { timeMs: r.meta.startTime, version: r.meta.labels[q.versionLabel] ?? null, result: b };
      s.points.push(point);
      series.set(key, s);
    }
  }
  const sorted = [...series.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
  return { frames: benchSeriesFrames(sorted, { refId, meta }) };
}

function versionTable(results: BenchResult[], versionLabel: string, refId: string | undefined, meta: FrameMetaJSON) {
  const versions = new Map<string, { version: string; timeMs: number; means: Map<string, number> }>();
  const names = new Set<string>();
  for (const r of results) {
    const version = r.meta.labels[versionLabel];
    if (version === undefined) continue;
    const row = versions.get(version) ?? { version, timeMs: r.meta.startTime, means: new Map<string, number>() };
    row.timeMs = Math.max(row.timeMs, r.meta.startTime);
    for (const b of r.benchmarks) {
      row.means.set(b.name, b.mean); // results come oldest first: the newest wins
      names.add(b.name);
    }
    versions.set(version, row);
  }
  const rows = [...versions.values()].sort((a, b) => a.timeMs - b.timeMs);
  return benchVersionTable(rows, [...names], { refId, meta });
}

/** Every benchmark's newest result in a selection. */
async function newestByName(ctx: QueryContext, sel: Selection, pattern: string | undefined) {
  const { results, notices } = await selectResults(ctx, sel, pattern);
  const newest = new Map<string, Benchmark>();
  for (const r of results) {
    for (const b of r.benchmarks) newest.set(b.name, b);
  }
  return { benchmarks: [...newest.values()], profiles: results.length, notices };
}

export async function benchCompareQuery(
  ctx: QueryContext,
  q: BenchCompareQuery,
  refId?: string
): Promise<FramesResponse> {
  const [left, right] = await Promise.all([
    newestByName(ctx, q.left, q.benchmark),
    newestByName(ctx, q.right, q.benchmark),
  ]);
  const comparison = compareBenchmarks(left.benchmarks, right.benchmarks);
  const notices = [...left.notices, ...right.notices];
  const meta = {
    custom: {
      ghcprof: {
        profiles: { left: left.profiles, right: right.profiles },
        onlyOld: comparison.onlyOld,
        onlyNew: comparison.onlyNew,
      },
    },
    ...(notices.length > 0 ? { notices } : {}),
  };
  return { frames: [benchCompareFrame(comparison, { refId, meta })] };
}

/** The benchmark names of the selected results, sorted (the editor's picker, a dashboard variable). */
export async function benchmarkNames(ctx: QueryContext, sel: Selection): Promise<string[]> {
  const { results } = await selectResults(ctx, sel, undefined);
  return [...new Set(results.flatMap((r) => r.benchmarks.map((b) => b.name)))].sort();
}
