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

interface FamilyStyle {
  help?: boolean;
  /** Between name and value: real exporters print one space, hasura's two. */
  sep?: string;
  /** Value formatting, e.g. exponent notation. */
  format?: (v: number) => string;
}

/** One metric family as text: optional HELP, TYPE, one unlabelled sample. */
function family(type: 'counter' | 'gauge', name: string, value: number, style: FamilyStyle = {}): string {
  const help = style.help ? `# HELP ${name} ${name.replace(/_/g, ' ')}\n` : '';
  return `${help}# TYPE ${name} ${type}\n${name}${style.sep ?? ' '}${(style.format ?? String)(value)}`;
}

const lines = (...families: string[]) => [...families, ''].join('\n');

const prometheusMetricsGhc: Exposition = (e) => {
  const c = counters(e);
  const h = { help: true };
  return lines(
    family('counter', 'ghc_gcs_total', c.gcs, h),
    family('counter', 'ghc_major_gcs_total', c.majorGcs, h),
    family('counter', 'ghc_allocated_bytes_total', c.allocated, h),
    family('counter', 'ghc_copied_bytes_total', c.copied, h),
    family('counter', 'ghc_cpu_seconds_total', c.cpuS, h),
    family('counter', 'ghc_gc_cpu_seconds_total', c.gcCpuS, h),
    family('counter', 'ghc_mutator_cpu_seconds_total', c.mutatorCpuS, h),
    family('gauge', 'ghc_gcdetails_live_bytes', TRUTH.liveBytes, h),
    family('gauge', 'ghc_max_mem_in_use_bytes', TRUTH.maxMemInUseBytes, h),
    // Declared a counter upstream although it is a level.
    family('counter', 'ghc_gcdetails_mem_in_use_bytes', TRUTH.maxMemInUseBytes, h)
  );
};

/** The first prometheus-metrics-ghc releases: everything a gauge, GCStats names, no major-GC count. */
const prometheusMetricsGhcLegacy: Exposition = (e) => {
  const c = counters(e);
  const h = { help: true };
  return lines(
    family('gauge', 'ghc_bytes_allocated', c.allocated, h),
    family('gauge', 'ghc_num_gcs', c.gcs, h),
    family('gauge', 'ghc_bytes_copied', c.copied, h),
    family('gauge', 'ghc_cpu_seconds', c.cpuS, h),
    family('gauge', 'ghc_gc_cpu_seconds', c.gcCpuS, h),
    family('gauge', 'ghc_mutator_cpu_seconds', c.mutatorCpuS, h),
    family('gauge', 'ghc_current_bytes_used', TRUTH.liveBytes, h),
    family('gauge', 'ghc_peak_megabytes_allocated', TRUTH.maxMemInUseBytes / 1048576, h)
  );
};

/** ekg through ekg-prometheus-adapter: no HELP, gauges in exponent notation, ms times, the timestamp a counter. */
const ekgAdapter: Exposition = (e, nowMs) => {
  const c = counters(e);
  const g = { format: exp };
  return lines(
    family('counter', 'ekg_server_timestamp_ms', nowMs),
    family('counter', 'rts_gc_bytes_allocated', c.allocated),
    family('counter', 'rts_gc_bytes_copied', c.copied),
    family('counter', 'rts_gc_num_gcs', c.gcs),
    family('counter', 'rts_gc_num_bytes_usage_samples', c.majorGcs),
    family('counter', 'rts_gc_cpu_ms', ms(c.cpuS)),
    family('counter', 'rts_gc_gc_cpu_ms', ms(c.gcCpuS)),
    family('counter', 'rts_gc_mutator_cpu_ms', ms(c.mutatorCpuS)),
    family('gauge', 'rts_gc_current_bytes_used', TRUTH.liveBytes, g),
    family('gauge', 'rts_gc_peak_megabytes_allocated', TRUTH.maxMemInUseBytes / 1048576, g)
  );
};

/**
 * hasura ekg-prometheus: two spaces before values, no HELP, ns times, and the rts_gc_cpu_ns collision: the per-GC
 * gauge comes first (Prometheus keeps it), the counter of the same name second (dropped as a duplicate).
 */
const ekgPrometheus: Exposition = (e) => {
  const c = counters(e);
  const two = { sep: '  ' };
  return lines(
    family('counter', 'rts_gcs', c.gcs, two),
    family('counter', 'rts_major_gcs', c.majorGcs, two),
    family('counter', 'rts_allocated_bytes', c.allocated, two),
    family('counter', 'rts_copied_bytes', c.copied, two),
    family('counter', 'rts_cpu_ns', ns(c.cpuS), two),
    family('counter', 'rts_mutator_cpu_ns', ns(c.mutatorCpuS), two),
    family('gauge', 'rts_gc_cpu_ns', 1234567, two),
    family('counter', 'rts_gc_cpu_ns', ns(c.gcCpuS), two),
    family('gauge', 'rts_gc_live_bytes', TRUTH.liveBytes, two),
    family('gauge', 'rts_max_mem_in_use_bytes', TRUTH.maxMemInUseBytes, two)
  );
};

const prometheusGhcStats: Exposition = (e) => {
  const c = counters(e);
  return lines(
    family('counter', 'ghc_gcs_total', c.gcs),
    family('counter', 'ghc_major_gcs_total', c.majorGcs),
    family('counter', 'ghc_allocated_bytes_total', c.allocated),
    family('counter', 'ghc_copied_bytes_total', c.copied),
    family('counter', 'ghc_cpu_ns_total', ns(c.cpuS)),
    family('counter', 'ghc_gc_cpu_ns_total', ns(c.gcCpuS)),
    family('counter', 'ghc_mutator_cpu_ns_total', ns(c.mutatorCpuS)),
    family('gauge', 'ghc_gcdetails_live_bytes', TRUTH.liveBytes),
    family('gauge', 'ghc_max_mem_in_use_bytes', TRUTH.maxMemInUseBytes)
  );
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
    app: {
      version: { type: 'l', val: '1.2.3' },
      latency: { type: 'd', mean: 1, variance: 0, count: 3, sum: 3, min: 1, max: 1 },
    },
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
