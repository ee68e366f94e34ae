/**
 * Benchmark frames: a time series per benchmark (mean with its lower and upper bound, seconds), a table by version,
 * and the comparison table of two selections (name, old, new, ratio, change, significant, then the geometric mean).
 */
import type { DataFrameJSON, FrameMetaJSON } from '../api/dataframe';
import { GEOMEAN_ROW } from '../api/query';
import type { Benchmark } from '../model/bench';
import type { BenchComparison } from '../model/bench-compare';
import { column, frame } from './fields';

/** One result of one benchmark, placed in time and version. */
export interface BenchPoint {
  timeMs: number;
  version: string | null;
  result: Benchmark;
}

export interface BenchSeries {
  name: string;
  /** Labels that keep two suites' benchmarks of the same name apart (`suite`). */
  labels: Record<string, string>;
  points: BenchPoint[];
}

interface FrameOptions {
  refId?: string;
  meta?: FrameMetaJSON;
}

/** Each series as one frame: time, mean, lower, upper (unit s), version; labels `benchmark` plus the series'. */
export function benchSeriesFrames(series: BenchSeries[], opts: FrameOptions = {}): DataFrameJSON[] {
  return series.map((s, i) => {
    const labels = { benchmark: s.name, ...s.labels };
    const seconds = (field: 'mean' | 'meanLower' | 'meanUpper', name: string, display: string) =>
      column(
        name,
        'number',
        s.points.map((p) => p.result[field]),
        { unit: 's', displayNameFromDS: display },
        labels
      );
    return frame({ name: s.name, refId: opts.refId, ...(i === 0 && opts.meta ? { meta: opts.meta } : {}) }, [
      column(
        'time',
        'time',
        s.points.map((p) => p.timeMs)
      ),
      seconds('mean', 'mean', s.name),
      seconds('meanLower', 'lower', `${s.name} lower`),
      seconds('meanUpper', 'upper', `${s.name} upper`),
      column(
        'version',
        'string',
        s.points.map((p) => p.version ?? '')
      ),
    ]);
  });
}

/** One row per version (in time order), one column per benchmark: the mean of that version's newest result. */
export function benchVersionTable(
  versions: Array<{ version: string; timeMs: number; means: Map<string, number> }>,
  names: string[],
  opts: FrameOptions = {}
): DataFrameJSON {
  return frame(
    { name: 'benchmarks by version', refId: opts.refId, meta: { preferredVisualisationType: 'table', ...opts.meta } },
    [
      column(
        'version',
        'string',
        versions.map((v) => v.version)
      ),
      column(
        'time',
        'time',
        versions.map((v) => v.timeMs)
      ),
      ...names.map((n) =>
        column(
          n,
          'number',
          versions.map((v) => v.means.get(n) ?? null),
          { unit: 's' }
        )
      ),
    ]
  );
}

/** The comparison table; its last row is the geometric mean (ratio and change only). */
export function benchCompareFrame(c: BenchComparison, opts: FrameOptions = {}): DataFrameJSON {
  const rows = c.benchmarks;
  const g = c.geomean;
  const meta: FrameMetaJSON = {
    preferredVisualisationType: 'table',
    ...opts.meta,
    custom: { ...opts.meta?.custom, ghcprof: { ...(opts.meta?.custom?.ghcprof as object), geomean: g } },
  };
  return frame({ name: 'benchmark comparison', refId: opts.refId, meta }, [
    column('name', 'string', [...rows.map((r) => r.name), GEOMEAN_ROW]),
    column('old', 'number', [...rows.map((r) => r.old), null], { unit: 's' }),
    column('new', 'number', [...rows.map((r) => r.new), null], { unit: 's' }),
    column('ratio', 'number', [...rows.map((r) => r.ratio), g], { decimals: 3 }),
    column('change', 'number', [...rows.map((r) => r.change), g === null ? null : (g - 1) * 100], {
      unit: 'percent',
      decimals: 1,
    }),
    column('significant', 'boolean', [...rows.map((r) => r.significant), null]),
  ]);
}
