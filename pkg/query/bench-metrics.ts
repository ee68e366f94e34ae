/**
 * Benchmark regressions as Prometheus gauges, so Grafana alerting (which evaluates backend data sources only, not
 * this plugin's frontend queries) can watch them with PromQL. Served per tenant on GET /api/v1/benchmarks/metrics
 * behind a read token (Prometheus scrapes it with `authorization: {credentials: TOKEN}`), never on the public
 * /metrics, which would show every tenant's suites to anyone.
 *
 * For each suite: its latest version (the version label of its newest result) against the version before it (of
 * the newest result with another version label), the newest result per benchmark on each side.
 */
import type { ProfileMeta } from '../api/query';
import { DEFAULT_VERSION_LABEL } from '../api/query';
import type { Benchmark } from '../model/bench';
import { compareBenchmarks } from '../model/bench-compare';
import { type QueryContext, selectProfiles } from './selection';
import { SUITE_LABEL } from './bench';

export const BENCH_METRICS = {
  ratio: 'ghcprof_benchmark_ratio',
  significant: 'ghcprof_benchmark_significant',
  mean: 'ghcprof_benchmark_mean_seconds',
} as const;

interface Line {
  labels: Record<string, string>;
  value: number;
}

/** The exposition text of the tenant's gauges (Prometheus text format 0.0.4). */
export async function benchMetricsText(ctx: QueryContext): Promise<string> {
  const selected = await selectProfiles(ctx, { selector: '{}', from: 0, to: 'now+1d' }, undefined, 'bench');
  const bySuite = new Map<string, ProfileMeta[]>();
  for (const meta of selected.profiles) {
    const suite = meta.labels[SUITE_LABEL];
    const version = meta.labels[DEFAULT_VERSION_LABEL];
    if (suite === undefined || version === undefined) continue;
    bySuite.set(suite, [...(bySuite.get(suite) ?? []), meta]);
  }
  const lines: Record<keyof typeof BENCH_METRICS, Line[]> = { ratio: [], significant: [], mean: [] };
  for (const [suite, metas] of [...bySuite].sort(([a], [b]) => a.localeCompare(b))) {
    const ordered = metas.sort((a, b) => b.startTime - a.startTime || b.createdAt - a.createdAt); // newest first
    const version = ordered[0].labels[DEFAULT_VERSION_LABEL];
    const base = ordered.find((m) => m.labels[DEFAULT_VERSION_LABEL] !== version)?.labels[DEFAULT_VERSION_LABEL];
    const latest = await newestPerBenchmark(
      ctx,
      ordered.filter((m) => m.labels[DEFAULT_VERSION_LABEL] === version)
    );
    for (const b of latest) lines.mean.push({ labels: { suite, benchmark: b.name, version }, value: b.mean });
    if (base === undefined) continue;
    const previous = await newestPerBenchmark(
      ctx,
      ordered.filter((m) => m.labels[DEFAULT_VERSION_LABEL] === base)
    );
    for (const c of compareBenchmarks(previous, latest).benchmarks) {
      const labels = { suite, benchmark: c.name, version, base };
      lines.ratio.push({ labels, value: c.ratio });
      lines.significant.push({ labels, value: c.significant ? 1 : 0 });
    }
  }
  return [
    gauge(
      BENCH_METRICS.ratio,
      "Mean of the suite's latest version over the version before it, per benchmark",
      lines.ratio
    ),
    gauge(BENCH_METRICS.significant, "1 when the two versions' confidence intervals do not overlap", lines.significant),
    gauge(BENCH_METRICS.mean, 'Mean time per iteration of the latest version, seconds', lines.mean),
  ].join('');
}

/** Newest first in, the newest result of each benchmark out. */
async function newestPerBenchmark(ctx: QueryContext, newestFirst: ProfileMeta[]): Promise<Benchmark[]> {
  const byName = new Map<string, Benchmark>();
  for (const meta of newestFirst) {
    const bench = await ctx.store.getBench(ctx.tenant, meta.id);
    for (const b of bench?.benchmarks ?? []) {
      if (!byName.has(b.name)) byName.set(b.name, b);
    }
  }
  return [...byName.values()];
}

function gauge(name: string, help: string, lines: Line[]): string {
  const body = lines.map((l) => `${name}{${formatLabels(l.labels)}} ${l.value}\n`).join('');
  return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${body}`;
}

/** Label values escaped as the text format requires (backslash, double quote, newline). */
function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}
