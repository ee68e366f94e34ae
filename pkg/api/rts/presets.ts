/**
 * RTS panel definitions and their PromQL, per panel and per dialect, from the one alias table in dialects.ts.
 * Browser-safe (no node imports): the plugin's "GHC RTS overview" dashboard is generated from these exports, and
 * the server's query runner uses the same builders, so a dashboard panel and a ghcprof `rts` query agree.
 *
 * Exports:
 * - `PANELS: Record<RtsPanel, PanelDef>`: title, Grafana unit, description and the series each panel draws
 *   (`allocRate` -> one series `allocated`; `gcRate` -> `minor`, `major`; `mutatorVsGc` -> `mutator`, `gc`; ...),
 *   each series an expression (`SeriesExpr`) over dialect-neutral quantities.
 * - `panelPromql(panel, dialectId, ctx?) -> PanelQuery[]`: `{series, expr}` per series; `expr` is null where the
 *   dialect lacks what the series needs. Older names of the same exporter are `or` fallbacks inside one query.
 * - `anyDialectPromql(panel, ctx?) -> PanelQuery[]`: one query per series that works whatever the service exports
 *   (`(<dialect 1>) or (<dialect 2>) ...`): what a dashboard panel should use.
 * - `PRESETS: Record<RtsPanel, Record<DialectId, PanelQuery[]>>`: panelPromql for every pair with the dashboard
 *   context (`DASHBOARD_CONTEXT`: matchers on the `$service` and `$pod` variables, window `$__rate_interval`).
 * - `DASHBOARD_CONTEXT`, `PromqlContext`, `SeriesExpr`, `PanelDef`, `PanelQuery`, `seriesPromql`.
 *
 * PromQL shape: a counter becomes `rate(name{matchers}[window])` scaled to base units (`/ 1e3` for ekg's ms, `/ 1e9`
 * for ns) with `or` across the older names of the same exporter; rate() treats a drop as a process restart, so a
 * counter reset never gives a negative rate. Differences are wrapped in `clamp_min(..., 0)` for the same reason.
 */
import type { RtsPanel } from '../query';
import { DIALECTS, getDialect, QUANTITY_KIND, TO_BASE_UNIT } from './dialects';
import type { Dialect, DialectId, MetricAlias, Quantity } from './dialects';

/** A series as an expression over quantities (in base units; rates are per second). */
export type SeriesExpr =
  | { op: 'rate'; quantity: Quantity }
  | { op: 'level'; quantity: Quantity }
  | { op: 'ratio'; numerator: SeriesExpr; denominator: SeriesExpr }
  | { op: 'minus'; left: SeriesExpr; right: SeriesExpr }
  /** `value`, only for processes that do not publish `quantity` at all (PromQL `unless`). */
  | { op: 'unlessPublished'; value: SeriesExpr; quantity: Quantity };

export interface PanelSeries {
  /** Field name in the frame and legend suffix: `allocated`, `minor`, `major`, `mutator`, `gc`, ... */
  name: string;
  expr: SeriesExpr;
}

export interface PanelDef {
  id: RtsPanel;
  title: string;
  /** Grafana unit id for `config.unit`. */
  unit: 'bytes' | 'Bps' | 'percentunit' | 'short' | 's';
  description: string;
  series: PanelSeries[];
}

const rate = (quantity: Quantity): SeriesExpr => ({ op: 'rate', quantity });
const level = (quantity: Quantity): SeriesExpr => ({ op: 'level', quantity });

export const PANELS: Record<RtsPanel, PanelDef> = {
  allocRate: {
    id: 'allocRate',
    title: 'Allocation rate',
    unit: 'Bps',
    description: 'Bytes allocated per second (rate of the allocated-bytes counter).',
    series: [{ name: 'allocated', expr: rate('allocatedBytes') }],
  },
  gcCpuFraction: {
    id: 'gcCpuFraction',
    title: 'GC CPU fraction',
    unit: 'percentunit',
    description:
      "Share of the process's CPU time spent in the garbage collector: rate(GC CPU) / rate(total CPU), 0..1. " +
      'CPU over CPU, so it does not depend on the number of cores, and 1 - it is GHC\'s "productivity".',
    series: [{ name: 'gc', expr: { op: 'ratio', numerator: rate('gcCpuSeconds'), denominator: rate('cpuSeconds') } }],
  },
  liveBytes: {
    id: 'liveBytes',
    title: 'Live data',
    unit: 'bytes',
    description: 'Live bytes after the last GC (gcdetails_live_bytes).',
    series: [{ name: 'live', expr: level('liveBytes') }],
  },
  maxMemInUse: {
    id: 'maxMemInUse',
    title: 'Peak memory in use',
    unit: 'bytes',
    description: 'Most memory the RTS has had in use since the process started (max_mem_in_use_bytes).',
    series: [{ name: 'max in use', expr: level('maxMemInUseBytes') }],
  },
  gcRate: {
    id: 'gcRate',
    title: 'GCs per second',
    unit: 'short',
    description:
      'Collections per second: minor = all GCs - major GCs, major = oldest-generation GCs; `all` only for ' +
      'exporters that publish no major-GC count.',
    series: [
      { name: 'minor', expr: { op: 'minus', left: rate('gcs'), right: rate('majorGcs') } },
      { name: 'major', expr: rate('majorGcs') },
      // Exporters without a major-GC count (prometheus-metrics-ghc built with GHC < 8.4) can only say "all".
      { name: 'all', expr: { op: 'unlessPublished', value: rate('gcs'), quantity: 'majorGcs' } },
    ],
  },
  copiedRate: {
    id: 'copiedRate',
    title: 'Bytes copied by GC',
    unit: 'Bps',
    description: 'Bytes the copying collector copied per second.',
    series: [{ name: 'copied', expr: rate('copiedBytes') }],
  },
  mutatorVsGc: {
    id: 'mutatorVsGc',
    title: 'Mutator vs GC CPU',
    unit: 'percentunit',
    description: 'CPU seconds per wall-clock second of the mutator and of the GC (1 = one core busy; above 1 with -N).',
    series: [
      { name: 'mutator', expr: rate('mutatorCpuSeconds') },
      { name: 'gc', expr: rate('gcCpuSeconds') },
    ],
  },
};

export interface PromqlContext {
  /** Label matchers inside the braces, e.g. `service="api",pod=~"api-.*"`; '' for none. */
  matchers: string;
  /** Range of rate(): a PromQL duration (`20s`) or a Grafana variable (`$__rate_interval`). */
  window: string;
}

/** What the generated dashboard uses: its variables, Grafana's rate interval. */
export const DASHBOARD_CONTEXT: PromqlContext = {
  matchers: 'service=~"$service",pod=~"$pod"',
  window: '$__rate_interval',
};

export interface PanelQuery {
  series: string;
  /** null: the dialect does not publish what this series needs. */
  expr: string | null;
}

/** PromQL of each series of a panel for one dialect. */
export function panelPromql(
  panel: RtsPanel,
  dialectId: DialectId,
  ctx: PromqlContext = DASHBOARD_CONTEXT
): PanelQuery[] {
  const dialect = getDialect(dialectId);
  return PANELS[panel].series.map((s) => ({ series: s.name, expr: seriesPromql(dialect, s.expr, ctx) }));
}

/** One query per series that answers for whichever dialect a process publishes. */
export function anyDialectPromql(panel: RtsPanel, ctx: PromqlContext = DASHBOARD_CONTEXT): PanelQuery[] {
  return PANELS[panel].series.map((s) => {
    const parts = DIALECTS.map((d) => seriesPromql(d, s.expr, ctx)).filter((e): e is string => e !== null);
    return { series: s.name, expr: parts.length === 0 ? null : parts.map((p) => `(${p})`).join(' or ') };
  });
}

/** PromQL of a series expression for one dialect, or null when a quantity it needs is missing. */
export function seriesPromql(dialect: Dialect, expr: SeriesExpr, ctx: PromqlContext): string | null {
  switch (expr.op) {
    case 'rate':
      return quantityPromql(dialect, expr.quantity, 'rate', ctx);
    case 'level':
      return quantityPromql(dialect, expr.quantity, 'level', ctx);
    case 'ratio': {
      const n = seriesPromql(dialect, expr.numerator, ctx);
      const d = seriesPromql(dialect, expr.denominator, ctx);
      return n && d ? `(${n}) / (${d})` : null;
    }
    case 'minus': {
      const l = seriesPromql(dialect, expr.left, ctx);
      const r = seriesPromql(dialect, expr.right, ctx);
      return l && r ? `clamp_min((${l}) - (${r}), 0)` : null;
    }
    case 'unlessPublished': {
      const value = seriesPromql(dialect, expr.value, ctx);
      const mode = QUANTITY_KIND[expr.quantity] === 'counter' ? 'rate' : 'level';
      const published = quantityPromql(dialect, expr.quantity, mode, ctx);
      return value && published ? `(${value}) unless (${published})` : value;
    }
  }
}

function quantityPromql(
  dialect: Dialect,
  quantity: Quantity,
  mode: 'rate' | 'level',
  ctx: PromqlContext
): string | null {
  const source = dialect.quantities[quantity];
  if (!source) {
    return null;
  }
  if ((mode === 'rate') !== (QUANTITY_KIND[quantity] === 'counter')) {
    throw new Error(`${quantity} is a ${QUANTITY_KIND[quantity]}: it cannot be read as a ${mode}`);
  }
  if ('difference' in source) {
    const [a, b] = source.difference;
    const left = quantityPromql(dialect, a, mode, ctx);
    const right = quantityPromql(dialect, b, mode, ctx);
    return left && right ? `clamp_min((${left}) - (${right}), 0)` : null;
  }
  return source.aliases.map((alias) => aliasPromql(alias, mode, ctx)).join(' or ');
}

function aliasPromql(alias: MetricAlias, mode: 'rate' | 'level', ctx: PromqlContext): string {
  const selector = ctx.matchers ? `${alias.name}{${ctx.matchers}}` : alias.name;
  const value = mode === 'rate' ? `rate(${selector}[${ctx.window}])` : selector;
  const { op, by } = TO_BASE_UNIT[alias.unit];
  return by === 1 ? value : `${value} ${op} ${formatNumber(by)}`;
}

function formatNumber(n: number): string {
  return n >= 1000 && Number.isInteger(Math.log10(n)) ? `1e${Math.log10(n)}` : String(n);
}

/** panelPromql for every panel and dialect, with the dashboard context. */
export const PRESETS: Record<RtsPanel, Record<DialectId, PanelQuery[]>> = Object.fromEntries(
  (Object.keys(PANELS) as RtsPanel[]).map((panel) => [
    panel,
    Object.fromEntries(DIALECTS.map((d) => [d.id, panelPromql(panel, d.id)])),
  ])
) as Record<RtsPanel, Record<DialectId, PanelQuery[]>>;
