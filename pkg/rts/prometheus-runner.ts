/**
 * An RTS panel from Prometheus:
 * 1. discovery: `/api/v1/series` for every dialect's probe metrics in [from, to]; each series is one process and
 *    its probe name tells the dialect;
 * 2. the ghcprof selector is applied to those label sets through the label map (labels.ts), which also records
 *    through which Prometheus label each matcher matched, so the PromQL selects exactly the same processes;
 * 3. the scrape interval is measured from one process's raw samples (unless configured) and sets the rate()
 *    window: max(step + scrape interval, 4 × scrape interval), Grafana's `$__rate_interval` rule, so every window
 *    holds several samples and a counter reset inside a window is absorbed by rate(), never a negative spike;
 * 4. one `query_range` per dialect group and panel series, results kept only for the discovered processes (the
 *    byte names of prometheus-metrics-ghc and prometheus-ghc-stats coincide) and each process only once.
 */
import type { RtsPanel } from '../api/query';
import type { DataFrameJSON } from '../api/dataframe';
import type { LabelMatcher } from '../api/selector';
import { formatSelector } from '../api/selector';
import { DIALECTS, dialectOfProbe, PROBE_METRICS } from '../api/rts/dialects';
import type { Dialect } from '../api/rts/dialects';
import type { HttpError } from '../api/errors';
import { rtsError } from './errors';
import { rtsSeriesFrame, sampleValue } from './frames';
import { ghcprofLabels, labelCandidates, promqlMatchers, resolveMatchers } from './labels';
import { PANELS, seriesPromql } from '../api/rts/presets';
import { PrometheusClient } from './prometheus-client';
import type { Labels } from './prometheus-client';

export const DEFAULT_SCRAPE_INTERVAL_MS = 15_000;
/** Prometheus refuses range queries with more points per series. */
const MAX_POINTS = 11_000;
/** Points an automatic step aims at over the range. */
const AUTO_POINTS = 1_000;
const SCRAPE_PROBE_LOOKBACK_S = 300;

export interface PrometheusPanelOptions {
  url: string;
  labelMap?: Record<string, string>;
  fetch?: typeof fetch;
  /** Skip measuring the scrape interval. */
  scrapeIntervalMs?: number;
}

export interface TimeRange {
  from: number;
  to: number;
  stepMs?: number;
}

/** Processes of one dialect whose labels resolve the selector the same way: one PromQL selector covers them. */
interface ProcessGroup {
  dialect: Dialect;
  resolution: number[];
  /** identity key -> labels (without __name__). */
  processes: Map<string, Labels>;
  probe: string;
}

export async function prometheusPanelFrames(
  panel: RtsPanel,
  matchers: readonly LabelMatcher[],
  range: TimeRange,
  opts: PrometheusPanelOptions
): Promise<DataFrameJSON[]> {
  const labelMap = opts.labelMap ?? {};
  const client = new PrometheusClient(opts.url, opts.fetch);
  const discovered = await client.series([`{__name__=~"${PROBE_METRICS.join('|')}"}`], range.from, range.to);
  const groups = groupProcesses(discovered, matchers, labelMap, range);
  const scrapeIntervalMs = opts.scrapeIntervalMs ?? (await measureScrapeInterval(client, groups[0], range.to));
  const stepMs = chooseStep(range, scrapeIntervalMs);
  const windowMs = Math.max(stepMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
  const def = PANELS[panel];
  // One query per panel series and dialect group, all in flight at once.
  const queries = def.series.flatMap((s) =>
    groups.map((group) => {
      const ctx = { matchers: promqlMatchers(matchers, group.resolution, labelMap), window: `${windowMs}ms` };
      return { series: s.name, group, expr: seriesPromql(group.dialect, s.expr, ctx) };
    })
  );
  if (queries.every((q) => q.expr === null)) {
    const dialects = [...new Set(groups.map((g) => g.dialect.id))].join(', ');
    throw rtsError('panel_unavailable', `panel ${panel} needs metrics that ${dialects} does not publish`);
  }
  const results = await Promise.all(
    queries.map((q) => (q.expr === null ? [] : client.queryRange(q.expr, range.from, range.to, stepMs)))
  );
  const frames: DataFrameJSON[] = [];
  const done = new Set<string>();
  queries.forEach(({ series, group, expr }, i) => {
    for (const result of results[i]) {
      const key = `${series} ${identity(result.metric)}`;
      if (!group.processes.has(identity(result.metric)) || done.has(key)) {
        continue;
      }
      done.add(key);
      frames.push(
        rtsSeriesFrame({
          panel: def,
          series,
          labels: ghcprofLabels(result.metric, labelMap),
          times: result.values.map(([t]) => Math.round(t * 1000)),
          values: result.values.map(([, v]) => sampleValue(v)),
          source: { dialect: group.dialect.id, query: expr ?? undefined, stepMs, windowMs, scrapeIntervalMs },
        })
      );
    }
  });
  return frames;
}

/** Discovered probe series -> dialect groups of the processes the selector matches; 422 when none does. */
function groupProcesses(
  discovered: readonly Labels[],
  matchers: readonly LabelMatcher[],
  labelMap: Record<string, string>,
  range: TimeRange
): ProcessGroup[] {
  const groups = new Map<string, ProcessGroup>();
  const claimed = new Set<string>();
  // Dialect order decides which dialect a process publishing two is read through.
  const ordered = [...discovered].sort((a, b) => dialectRank(a.__name__) - dialectRank(b.__name__));
  for (const series of ordered) {
    const dialect = dialectOfProbe(series.__name__ ?? '');
    const resolution = dialect ? resolveMatchers(series, matchers, labelMap) : null;
    const key = identity(series);
    if (!dialect || !resolution || claimed.has(key)) {
      continue;
    }
    claimed.add(key);
    const groupKey = `${dialect.id}|${resolution.join(',')}`;
    const group = groups.get(groupKey) ?? { dialect, resolution, processes: new Map(), probe: series.__name__ };
    group.processes.set(key, withoutName(series));
    groups.set(groupKey, group);
  }
  if (groups.size === 0) {
    throw noSeriesError(discovered, matchers, labelMap, range);
  }
  return [...groups.values()];
}

function noSeriesError(
  discovered: readonly Labels[],
  matchers: readonly LabelMatcher[],
  labelMap: Record<string, string>,
  range: TimeRange
): HttpError {
  const when = `between ${new Date(range.from).toISOString()} and ${new Date(range.to).toISOString()}`;
  if (discovered.length === 0) {
    return rtsError(
      'no_series',
      `Prometheus has no GHC RTS metrics ${when} (looked for ${PROBE_METRICS.join(', ')}; the services need +RTS -T ` +
        'and one of the exporters prometheus-metrics-ghc, ekg, ekg-prometheus, prometheus-ghc-stats)'
    );
  }
  const known = matchers.map((m) => {
    const candidates = labelCandidates(m.name, labelMap);
    const values = new Set(
      discovered.map((s) => candidates.map((c) => s[c]).find((v) => v !== undefined && v !== '') ?? '').filter(Boolean)
    );
    const list = [...values].sort().slice(0, 10);
    return `${m.name} (Prometheus label ${candidates.join(' or ')}): ${list.length ? list.join(', ') : 'none'}`;
  });
  return rtsError(
    'no_series',
    `no GHC RTS series match ${formatSelector(matchers)} ${when}; ${discovered.length} series exist, with ${known.join('; ')}`,
    { selector: formatSelector(matchers), knownValues: known }
  );
}

/** Median spacing of one process's raw samples over the last minutes before `to`; the default when unknown. */
async function measureScrapeInterval(client: PrometheusClient, group: ProcessGroup, to: number): Promise<number> {
  const [labels] = group.processes.values();
  const exact = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  const series = await client.rawSamples(`${group.probe}{${exact}}[${SCRAPE_PROBE_LOOKBACK_S}s]`, to);
  const gaps: number[] = [];
  for (const s of series) {
    for (let i = 1; i < s.values.length; i++) {
      gaps.push(Math.round((s.values[i][0] - s.values[i - 1][0]) * 1000));
    }
  }
  if (gaps.length === 0) {
    return DEFAULT_SCRAPE_INTERVAL_MS;
  }
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

/** The requested step (or ~1000 points, at least one scrape interval), raised so no series exceeds 11,000 points. */
export function chooseStep(range: TimeRange, scrapeIntervalMs: number): number {
  const span = range.to - range.from;
  const wanted = range.stepMs ?? Math.max(scrapeIntervalMs, Math.ceil(span / AUTO_POINTS));
  return Math.max(wanted, Math.ceil(span / MAX_POINTS), 1);
}

function dialectRank(probe: string | undefined): number {
  const dialect = dialectOfProbe(probe ?? '');
  return dialect ? DIALECTS.indexOf(dialect) : DIALECTS.length;
}

function withoutName(labels: Labels): Labels {
  const { __name__: _name, ...rest } = labels;
  void _name;
  return rest;
}

/** A process's identity: its labels without the metric name, in a canonical order. */
function identity(labels: Labels): string {
  return JSON.stringify(Object.entries(withoutName(labels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
