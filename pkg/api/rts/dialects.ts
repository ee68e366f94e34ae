/**
 * The alias table: which metric name each GHC RTS exporter ("dialect") uses for each quantity ghcprof's RTS panels
 * need, and in which unit. Everything that knows an exporter's metric names reads it from here: the PromQL presets
 * (presets.ts), the dashboard generator in src/, the ekg/direct-scrape evaluator (evaluate.ts) and
 * docs/rts-metrics.md. Browser-safe: plain data, no imports.
 *
 * Sources (read Nov 2026): fimad/prometheus-haskell `prometheus-metrics-ghc/src/Prometheus/Metric/GHC.hs` (three
 * generations of names), haskell-github-trust/ekg-core `System/Metrics.hs` (`registerGcMetrics`),
 * adinapoli/ekg-prometheus-adapter (ekg names with `.` -> `_`), hasura/ekg-prometheus `System/Metrics/Prometheus.hs`
 * and `Export.hs` (GHC.Stats field names, sanitised `.` -> `_`), bitnomial/prometheus
 * `prometheus-ghc-stats/src/lib/System/Metrics/Prometheus/GHCStats.hs`.
 */

export type DialectId = 'prometheus-metrics-ghc' | 'ekg' | 'ekg-prometheus' | 'prometheus-ghc-stats';

/** What the panels are computed from, always converted to base units: bytes, seconds, counts. */
export type Quantity =
  | 'allocatedBytes'
  | 'copiedBytes'
  | 'gcs'
  | 'majorGcs'
  | 'cpuSeconds'
  | 'gcCpuSeconds'
  | 'mutatorCpuSeconds'
  | 'liveBytes'
  | 'maxMemInUseBytes';

/** Counters only go up (until the process restarts); gauges are levels. */
export const QUANTITY_KIND: Record<Quantity, 'counter' | 'gauge'> = {
  allocatedBytes: 'counter',
  copiedBytes: 'counter',
  gcs: 'counter',
  majorGcs: 'counter',
  cpuSeconds: 'counter',
  gcCpuSeconds: 'counter',
  mutatorCpuSeconds: 'counter',
  liveBytes: 'gauge',
  maxMemInUseBytes: 'gauge',
};

/** The unit an exporter publishes a metric in. */
export type SourceUnit = 'bytes' | 'MiB' | 'count' | 's' | 'ms' | 'ns';

/** How to reach the base unit (bytes, seconds, counts) from a source unit: multiply or divide by a power. */
export const TO_BASE_UNIT: Record<SourceUnit, { op: '*' | '/'; by: number }> = {
  bytes: { op: '*', by: 1 },
  count: { op: '*', by: 1 },
  s: { op: '*', by: 1 },
  MiB: { op: '*', by: 1048576 },
  ms: { op: '/', by: 1e3 },
  ns: { op: '/', by: 1e9 },
};

export interface MetricAlias {
  /** The name as Prometheus stores it (and as the ekg poller flattens ekg JSON: `rts.gc.x` -> `rts_gc_x`). */
  name: string;
  unit: SourceUnit;
  /** Which exporter versions use this name, when not the current one. */
  era?: string;
}

/**
 * Where a dialect gets a quantity: the first alias the exporter publishes (newest name first), or the difference of
 * two other counters when the exporter's own metric is missing or unusable.
 */
export type QuantitySource = { aliases: MetricAlias[] } | { difference: [Quantity, Quantity]; why: string };

export interface Dialect {
  id: DialectId;
  /** The Haskell package that exports it. */
  exporter: string;
  /** Metric names that only this dialect publishes; their presence identifies it. */
  probes: string[];
  quantities: Partial<Record<Quantity, QuantitySource>>;
  /** Caveats worth a line in the docs. */
  notes: string[];
}

const aliases = (...list: MetricAlias[]): QuantitySource => ({ aliases: list });

const PROMETHEUS_METRICS_GHC: Dialect = {
  id: 'prometheus-metrics-ghc',
  exporter: 'prometheus-metrics-ghc (fimad/prometheus-haskell)',
  probes: ['ghc_cpu_seconds_total', 'ghc_cpu_seconds'],
  quantities: {
    allocatedBytes: aliases(
      { name: 'ghc_allocated_bytes_total', unit: 'bytes' },
      { name: 'ghc_bytes_allocated', unit: 'bytes', era: 'first releases (all gauges)' }
    ),
    copiedBytes: aliases(
      { name: 'ghc_copied_bytes_total', unit: 'bytes' },
      { name: 'ghc_bytes_copied', unit: 'bytes', era: 'first releases' }
    ),
    gcs: aliases(
      { name: 'ghc_gcs_total', unit: 'count' },
      { name: 'ghc_num_gcs', unit: 'count', era: 'first releases, and later ones built with GHC < 8.4' }
    ),
    majorGcs: aliases({ name: 'ghc_major_gcs_total', unit: 'count' }),
    cpuSeconds: aliases(
      { name: 'ghc_cpu_seconds_total', unit: 's' },
      { name: 'ghc_cpu_seconds', unit: 's', era: 'first releases' }
    ),
    gcCpuSeconds: aliases(
      { name: 'ghc_gc_cpu_seconds_total', unit: 's' },
      { name: 'ghc_gc_cpu_seconds', unit: 's', era: 'first releases' }
    ),
    mutatorCpuSeconds: aliases(
      { name: 'ghc_mutator_cpu_seconds_total', unit: 's' },
      { name: 'ghc_mutator_cpu_seconds', unit: 's', era: 'first releases' }
    ),
    liveBytes: aliases(
      { name: 'ghc_gcdetails_live_bytes', unit: 'bytes' },
      { name: 'ghc_current_used_bytes', unit: 'bytes', era: 'built with GHC < 8.4' },
      { name: 'ghc_current_bytes_used', unit: 'bytes', era: 'first releases' }
    ),
    maxMemInUseBytes: aliases(
      { name: 'ghc_max_mem_in_use_bytes', unit: 'bytes' },
      { name: 'ghc_peak_allocated_megabytes', unit: 'MiB', era: 'built with GHC < 8.4' },
      { name: 'ghc_peak_megabytes_allocated', unit: 'MiB', era: 'first releases' }
    ),
  },
  notes: [
    'Builds with GHC < 8.4 (GHC.Stats.GCStats) publish no major-GC count: the GC-rate panel then shows only "all".',
    '`ghc_gcdetails_mem_in_use_bytes` is declared a counter but is a level; ghcprof does not use it.',
  ],
};

const EKG: Dialect = {
  id: 'ekg',
  exporter: 'ekg / ekg-core (through ekg-prometheus-adapter, or read directly with --ekg-url)',
  probes: ['rts_gc_bytes_allocated', 'rts_gc_num_gcs'],
  quantities: {
    allocatedBytes: aliases({ name: 'rts_gc_bytes_allocated', unit: 'bytes' }),
    copiedBytes: aliases({ name: 'rts_gc_bytes_copied', unit: 'bytes' }),
    gcs: aliases({ name: 'rts_gc_num_gcs', unit: 'count' }),
    // ekg-core fills num_bytes_usage_samples from GHC.Stats.major_gcs (GHC >= 8.2) or numByteUsageSamples, which
    // the old RTS also bumped once per major GC.
    majorGcs: aliases({ name: 'rts_gc_num_bytes_usage_samples', unit: 'count' }),
    cpuSeconds: aliases({ name: 'rts_gc_cpu_ms', unit: 'ms' }),
    gcCpuSeconds: aliases({ name: 'rts_gc_gc_cpu_ms', unit: 'ms' }),
    mutatorCpuSeconds: aliases({ name: 'rts_gc_mutator_cpu_ms', unit: 'ms' }),
    // current_bytes_used is gcdetails_live_bytes (live data after the last GC).
    liveBytes: aliases({ name: 'rts_gc_current_bytes_used', unit: 'bytes' }),
    maxMemInUseBytes: aliases({ name: 'rts_gc_peak_megabytes_allocated', unit: 'MiB' }),
  },
  notes: [
    'Times are whole milliseconds, so rates over windows shorter than a few seconds are coarse.',
    'rts.gc.peak_megabytes_allocated is max_mem_in_use_bytes divided by 2^20 and truncated: maxMemInUse is exact to 1 MiB.',
  ],
};

const EKG_PROMETHEUS: Dialect = {
  id: 'ekg-prometheus',
  exporter: 'ekg-prometheus (hasura)',
  probes: ['rts_allocated_bytes', 'rts_gcs'],
  quantities: {
    allocatedBytes: aliases({ name: 'rts_allocated_bytes', unit: 'bytes' }),
    copiedBytes: aliases({ name: 'rts_copied_bytes', unit: 'bytes' }),
    gcs: aliases({ name: 'rts_gcs', unit: 'count' }),
    majorGcs: aliases({ name: 'rts_major_gcs', unit: 'count' }),
    cpuSeconds: aliases({ name: 'rts_cpu_ns', unit: 'ns' }),
    mutatorCpuSeconds: aliases({ name: 'rts_mutator_cpu_ns', unit: 'ns' }),
    gcCpuSeconds: {
      difference: ['cpuSeconds', 'mutatorCpuSeconds'],
      why:
        'the counter rts.gc_cpu_ns and the per-GC gauge rts.gc.cpu_ns both sanitise to rts_gc_cpu_ns; the gauge is ' +
        'written first, so Prometheus keeps it and drops the counter as a duplicate sample',
    },
    liveBytes: aliases({ name: 'rts_gc_live_bytes', unit: 'bytes' }),
    maxMemInUseBytes: aliases({ name: 'rts_max_mem_in_use_bytes', unit: 'bytes' }),
  },
  notes: [
    'GC CPU is cpu - mutator CPU (rate of rts_cpu_ns minus rate of rts_mutator_cpu_ns); it includes the nonmoving ' +
      "collector's CPU time, which is GC work too.",
  ],
};

const PROMETHEUS_GHC_STATS: Dialect = {
  id: 'prometheus-ghc-stats',
  exporter: 'prometheus-ghc-stats (bitnomial/prometheus)',
  probes: ['ghc_cpu_ns_total'],
  quantities: {
    allocatedBytes: aliases({ name: 'ghc_allocated_bytes_total', unit: 'bytes' }),
    copiedBytes: aliases({ name: 'ghc_copied_bytes_total', unit: 'bytes' }),
    gcs: aliases({ name: 'ghc_gcs_total', unit: 'count' }),
    majorGcs: aliases({ name: 'ghc_major_gcs_total', unit: 'count' }),
    cpuSeconds: aliases({ name: 'ghc_cpu_ns_total', unit: 'ns' }),
    gcCpuSeconds: aliases({ name: 'ghc_gc_cpu_ns_total', unit: 'ns' }),
    mutatorCpuSeconds: aliases({ name: 'ghc_mutator_cpu_ns_total', unit: 'ns' }),
    liveBytes: aliases({ name: 'ghc_gcdetails_live_bytes', unit: 'bytes' }),
    maxMemInUseBytes: aliases({ name: 'ghc_max_mem_in_use_bytes', unit: 'bytes' }),
  },
  notes: [
    'Shares the byte and count names with prometheus-metrics-ghc; only the *_ns_total time names tell them apart.',
  ],
};

/** Every dialect, in the order discovery prefers them when a process publishes two. */
export const DIALECTS: readonly Dialect[] = [PROMETHEUS_METRICS_GHC, PROMETHEUS_GHC_STATS, EKG_PROMETHEUS, EKG];

export const DIALECT_IDS: readonly DialectId[] = DIALECTS.map((d) => d.id);

export function getDialect(id: DialectId): Dialect {
  const dialect = DIALECTS.find((d) => d.id === id);
  if (!dialect) {
    throw new Error(`unknown GHC RTS metric dialect ${JSON.stringify(id)} (known: ${DIALECT_IDS.join(', ')})`);
  }
  return dialect;
}

/** Every probe name of every dialect: what discovery asks Prometheus for. */
export const PROBE_METRICS: readonly string[] = DIALECTS.flatMap((d) => d.probes);

/** The dialect a set of metric names belongs to (first in DIALECTS order), or null. */
export function detectDialect(metricNames: Iterable<string>): Dialect | null {
  const names = new Set(metricNames);
  return DIALECTS.find((d) => d.probes.some((p) => names.has(p))) ?? null;
}

/** The dialect whose probe list contains this metric name. */
export function dialectOfProbe(metricName: string): Dialect | null {
  return DIALECTS.find((d) => d.probes.includes(metricName)) ?? null;
}
