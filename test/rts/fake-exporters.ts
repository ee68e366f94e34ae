/**
 * Test endpoints that publish the same underlying RTS behaviour (TRUTH) in each exporter dialect, with the text
 * quirks real exporters have (no HELP, `2.7373448e7`, two spaces, a timestamp typed counter), plus a legacy
 * prometheus-metrics-ghc, a process that restarts every RESET_PERIOD_S, and ekg JSON for the poller.
 * Counters are computed from the clock at request time, so any two scrapes give exactly the TRUTH rates.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';

export const TRUTH = {
  allocBytesPerS: 8_000_000,
  copiedBytesPerS: 1_000_000,
  gcsPerS: 20,
  majorGcsPerS: 2,
  cpuPerS: 1.0,
  gcCpuPerS: 0.25,
  mutatorCpuPerS: 0.75,
  liveBytes: 50 * 1048576,
  maxMemInUseBytes: 128 * 1048576,
};

export const RESET_PERIOD_S = 4;

/** Underlying counter values after `e` seconds of process life. */
function counters(e: number) {
  return {
    allocated: Math.round(TRUTH.allocBytesPerS * e),
    copied: Math.round(TRUTH.copiedBytesPerS * e),
    // Fractional GC counts keep short-window rates exact (a real count steps by whole GCs).
    gcs: TRUTH.gcsPerS * e,
    majorGcs: TRUTH.majorGcsPerS * e,
    cpuS: TRUTH.cpuPerS * e,
    gcCpuS: TRUTH.gcCpuPerS * e,
    mutatorCpuS: TRUTH.mutatorCpuPerS * e,
  };
}

type Exposition = (e: number, nowMs: number) => string;

/** Go-like exponent notation without '+': 52428800 -> "5.24288e7". */
function exp(n: number): string {
  return n.toExponential().replace('e+', 'e');
}

const ms = (s: number) => Math.round(s * 1000);
const ns = (s: number) => Math.round(s * 1e9);

const prometheusMetricsGhc: Exposition = (e) => {
  const c = counters(e);
  return [
    '# HELP ghc_gcs_total Total number of GCs',
    '# TYPE ghc_gcs_total counter',
    `ghc_gcs_total ${c.gcs}`,
    '# HELP ghc_major_gcs_total Total number of major (oldest generation) GCs',
    '# TYPE ghc_major_gcs_total counter',
    `ghc_major_gcs_total ${c.majorGcs}`,
    '# TYPE ghc_allocated_bytes_total counter',
    `ghc_allocated_bytes_total ${c.allocated}`,
    '# TYPE ghc_copied_bytes_total counter',
    `ghc_copied_bytes_total ${c.copied}`,
    '# TYPE ghc_cpu_seconds_total counter',
    `ghc_cpu_seconds_total ${c.cpuS}`,
    '# TYPE ghc_gc_cpu_seconds_total counter',
    `ghc_gc_cpu_seconds_total ${c.gcCpuS}`,
    '# TYPE ghc_mutator_cpu_seconds_total counter',
    `ghc_mutator_cpu_seconds_total ${c.mutatorCpuS}`,
    '# TYPE ghc_gcdetails_live_bytes gauge',
    `ghc_gcdetails_live_bytes ${TRUTH.liveBytes}`,
    '# TYPE ghc_max_mem_in_use_bytes gauge',
    `ghc_max_mem_in_use_bytes ${TRUTH.maxMemInUseBytes}`,
    '# HELP ghc_gcdetails_mem_in_use_bytes Total amount of memory in use by the RTS',
    '# TYPE ghc_gcdetails_mem_in_use_bytes counter',
    `ghc_gcdetails_mem_in_use_bytes ${TRUTH.maxMemInUseBytes}`,
    '',
  ].join('\n');
};

/** The first prometheus-metrics-ghc releases: everything a gauge, GCStats names, no major-GC count. */
const prometheusMetricsGhcLegacy: Exposition = (e) => {
  const c = counters(e);
  const gauge = (name: string, v: number) => `# HELP ${name} ${name}\n# TYPE ${name} gauge\n${name} ${v}`;
  return [
    gauge('ghc_bytes_allocated', c.allocated),
    gauge('ghc_num_gcs', c.gcs),
    gauge('ghc_bytes_copied', c.copied),
    gauge('ghc_cpu_seconds', c.cpuS),
    gauge('ghc_gc_cpu_seconds', c.gcCpuS),
    gauge('ghc_mutator_cpu_seconds', c.mutatorCpuS),
    gauge('ghc_current_bytes_used', TRUTH.liveBytes),
    gauge('ghc_peak_megabytes_allocated', TRUTH.maxMemInUseBytes / 1048576),
    '',
  ].join('\n');
};

/** ekg through ekg-prometheus-adapter: no HELP, gauges in exponent notation, ms times, the timestamp a counter. */
const ekgAdapter: Exposition = (e, nowMs) => {
  const c = counters(e);
  return [
    '# TYPE ekg_server_timestamp_ms counter',
    `ekg_server_timestamp_ms ${nowMs}`,
    '# TYPE rts_gc_bytes_allocated counter',
    `rts_gc_bytes_allocated ${c.allocated}`,
    '# TYPE rts_gc_bytes_copied counter',
    `rts_gc_bytes_copied ${c.copied}`,
    '# TYPE rts_gc_num_gcs counter',
    `rts_gc_num_gcs ${c.gcs}`,
    '# TYPE rts_gc_num_bytes_usage_samples counter',
    `rts_gc_num_bytes_usage_samples ${c.majorGcs}`,
    '# TYPE rts_gc_cpu_ms counter',
    `rts_gc_cpu_ms ${ms(c.cpuS)}`,
    '# TYPE rts_gc_gc_cpu_ms counter',
    `rts_gc_gc_cpu_ms ${ms(c.gcCpuS)}`,
    '# TYPE rts_gc_mutator_cpu_ms counter',
    `rts_gc_mutator_cpu_ms ${ms(c.mutatorCpuS)}`,
    '# TYPE rts_gc_current_bytes_used gauge',
    `rts_gc_current_bytes_used ${exp(TRUTH.liveBytes)}`,
    '# TYPE rts_gc_peak_megabytes_allocated gauge',
    `rts_gc_peak_megabytes_allocated ${exp(TRUTH.maxMemInUseBytes / 1048576)}`,
    '',
  ].join('\n');
};

/**
 * hasura ekg-prometheus: two spaces before values, no HELP, ns times, and the rts_gc_cpu_ns collision: the per-GC
 * gauge comes first (Prometheus keeps it), the counter of the same name second (dropped as a duplicate).
 */
const ekgPrometheus: Exposition = (e) => {
  const c = counters(e);
  return [
    '# TYPE rts_gcs counter',
    `rts_gcs  ${c.gcs}`,
    '# TYPE rts_major_gcs counter',
    `rts_major_gcs  ${c.majorGcs}`,
    '# TYPE rts_allocated_bytes counter',
    `rts_allocated_bytes  ${c.allocated}`,
    '# TYPE rts_copied_bytes counter',
    `rts_copied_bytes  ${c.copied}`,
    '# TYPE rts_cpu_ns counter',
    `rts_cpu_ns  ${ns(c.cpuS)}`,
    '# TYPE rts_mutator_cpu_ns counter',
    `rts_mutator_cpu_ns  ${ns(c.mutatorCpuS)}`,
    '# TYPE rts_gc_cpu_ns gauge',
    'rts_gc_cpu_ns  1234567',
    '# TYPE rts_gc_live_bytes gauge',
    `rts_gc_live_bytes  ${TRUTH.liveBytes}`,
    '# TYPE rts_max_mem_in_use_bytes gauge',
    `rts_max_mem_in_use_bytes  ${TRUTH.maxMemInUseBytes}`,
    '',
  ].join('\n');
};

const prometheusGhcStats: Exposition = (e) => {
  const c = counters(e);
  const counter = (name: string, v: number) => `# TYPE ${name} counter\n${name} ${v}`;
  return [
    counter('ghc_gcs_total', c.gcs),
    counter('ghc_major_gcs_total', c.majorGcs),
    counter('ghc_allocated_bytes_total', c.allocated),
    counter('ghc_copied_bytes_total', c.copied),
    counter('ghc_cpu_ns_total', ns(c.cpuS)),
    counter('ghc_gc_cpu_ns_total', ns(c.gcCpuS)),
    counter('ghc_mutator_cpu_ns_total', ns(c.mutatorCpuS)),
    `# TYPE ghc_gcdetails_live_bytes gauge\nghc_gcdetails_live_bytes ${TRUTH.liveBytes}`,
    `# TYPE ghc_max_mem_in_use_bytes gauge\nghc_max_mem_in_use_bytes ${TRUTH.maxMemInUseBytes}`,
    '',
  ].join('\n');
};

/** Nested ekg JSON as ekg's server sends it, with its own timestamp. */
export function ekgJson(e: number, nowMs: number): string {
  const c = counters(e);
  const counter = (val: number) => ({ type: 'c', val });
  const gauge = (val: number) => ({ type: 'g', val });
  return JSON.stringify({
    ekg: { server_timestamp_ms: counter(nowMs) },
    rts: {
      gc: {
        bytes_allocated: counter(c.allocated),
        bytes_copied: counter(c.copied),
        num_gcs: counter(c.gcs),
        num_bytes_usage_samples: counter(c.majorGcs),
        cpu_ms: counter(ms(c.cpuS)),
        gc_cpu_ms: counter(ms(c.gcCpuS)),
        mutator_cpu_ms: counter(ms(c.mutatorCpuS)),
        current_bytes_used: gauge(TRUTH.liveBytes),
        peak_megabytes_allocated: gauge(TRUTH.maxMemInUseBytes / 1048576),
      },
    },
    app: { version: { type: 'l', val: '1.2.3' }, latency: { type: 'd', mean: 1, variance: 0, count: 3, sum: 3, min: 1, max: 1 } },
  });
}

export const EXPOSITIONS: Record<string, Exposition> = {
  'prometheus-metrics-ghc': prometheusMetricsGhc,
  'prometheus-metrics-ghc-legacy': prometheusMetricsGhcLegacy,
  ekg: ekgAdapter,
  'ekg-prometheus': ekgPrometheus,
  'prometheus-ghc-stats': prometheusGhcStats,
};

export interface FakeExporters {
  address: string;
  /** Restart the clock of every process (all counters go back to 0). */
  restartAll(): void;
  close(): Promise<void>;
}

/**
 * Serves `/metrics/<exposition>` (`/metrics/<exposition>/restarting` for a process that restarts every
 * RESET_PERIOD_S) and
 * `/ekg` (JSON; `Accept: application/json` required, as ekg's server wants).
 */
export async function startFakeExporters(): Promise<FakeExporters> {
  let start = Date.now();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const now = Date.now();
    const restarting = url.pathname.endsWith('/restarting');
    const e = ((now - start) / 1000) % (restarting ? RESET_PERIOD_S : Infinity);
    if (url.pathname === '/ekg') {
      if (!(req.headers.accept ?? '').includes('application/json')) {
        res.writeHead(406).end('ekg serves JSON only with Accept: application/json');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(ekgJson(e, now));
      return;
    }
    const exposition = EXPOSITIONS[url.pathname.replace(/^\/metrics\//, '').replace(/\/restarting$/, '')];
    if (!exposition) {
      res.writeHead(404).end('no such exporter');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(e, now));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    address: `127.0.0.1:${port}`,
    restartAll: () => (start = Date.now()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
