/**
 * `--ekg-url`: RTS panels for a service without Prometheus. The poller GETs the endpoint every `intervalMs` and
 * keeps the last `capacity` samples in memory (a ring: old ones fall out, memory stays bounded). The endpoint may
 * serve ekg JSON or Prometheus text (any of the four dialects); which one is decided per response (JSON when the
 * content type says so or the body starts with `{`). Panels are then computed from consecutive samples
 * (evaluate.ts), answering the same `rts` queries a Prometheus would.
 */
import type { RtsPanel } from '../api/query';
import type { DataFrameJSON } from '../api/dataframe';
import { matchLabels } from '../api/selector';
import type { LabelMatcher } from '../api/selector';
import { detectDialect } from '../api/rts/dialects';
import type { Dialect } from '../api/rts/dialects';
import { parseEkgJson } from './ekg-json';
import { rtsError } from './errors';
import { evaluateSeries } from './evaluate';
import type { RawSample } from './evaluate';
import { rtsSeriesFrame } from './frames';
import { PANELS } from '../api/rts/presets';
import { parsePrometheusText } from './prom-text';

export interface EkgPollerOptions {
  url: string;
  /** Default 5 s. */
  intervalMs?: number;
  /** Samples kept; default 720 (an hour at 5 s). */
  capacity?: number;
  /** Labels of the process behind the URL (`service`, `pod`, ...), matched by selectors and put on frames. */
  labels?: Record<string, string>;
  fetch?: typeof fetch;
  /** Per request; default the interval, at most 10 s. */
  timeoutMs?: number;
}

/** Fixed-capacity ring of samples in time order. */
class SampleRing {
  private readonly items: RawSample[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  push(sample: RawSample): void {
    if (this.items.length < this.capacity) {
      this.items.push(sample);
    } else {
      this.items[this.head] = sample;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  toArray(): RawSample[] {
    return [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }
}

export class EkgPoller {
  readonly url: string;
  readonly labels: Record<string, string>;
  readonly intervalMs: number;
  private readonly ring: SampleRing;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | null = null;
  private lastSampleTime = -Infinity;
  /** The last poll's failure, cleared by the next success; shown in errors when there are no samples. */
  lastError: Error | null = null;

  constructor(opts: EkgPollerOptions) {
    this.url = opts.url;
    this.intervalMs = opts.intervalMs ?? 5000;
    this.ring = new SampleRing(Math.max(2, opts.capacity ?? 720));
    this.labels = { instance: instanceOf(opts.url), ...opts.labels };
    this.fetchImpl = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? Math.min(this.intervalMs, 10_000);
  }

  /** Polls now and then every interval until stop(); failures are kept in lastError, never thrown. */
  start(): void {
    if (this.timer) {
      return;
    }
    const tick = () => void this.pollOnce().catch((e: Error) => (this.lastError = e));
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** One GET; the sample is stored (unless its timestamp did not advance) and returned. */
  async pollOnce(): Promise<RawSample> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.url, {
        headers: { accept: 'application/json, text/plain;version=0.0.4;q=0.5' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
      throw rtsError('upstream_unreachable', `ekg endpoint ${this.url} is unreachable: ${cause}`);
    }
    const receivedAt = Date.now();
    const body = await response.text();
    if (!response.ok) {
      throw rtsError(
        'upstream_error',
        `ekg endpoint ${this.url} answered HTTP ${response.status}: ${body.slice(0, 200)}`
      );
    }
    const sample = parseSample(body, response.headers.get('content-type') ?? '', this.url, receivedAt);
    if (sample.t > this.lastSampleTime) {
      this.ring.push(sample);
      this.lastSampleTime = sample.t;
    }
    this.lastError = null;
    return sample;
  }

  /** Samples in [from, to], plus the one just before `from` so the first rate in range has a predecessor. */
  samples(from = -Infinity, to = Infinity): RawSample[] {
    const all = this.ring.toArray();
    const first = all.findIndex((s) => s.t >= from);
    if (first < 0) {
      return [];
    }
    return all.slice(Math.max(0, first - 1)).filter((s) => s.t <= to);
  }
}

function parseSample(body: string, contentType: string, url: string, receivedAt: number): RawSample {
  if (contentType.includes('json') || body.trimStart().startsWith('{')) {
    const { values, serverTimeMs } = parseEkgJson(body, url);
    return { t: serverTimeMs ?? receivedAt, values };
  }
  const { samples } = parsePrometheusText(body, url);
  const values = new Map<string, number>();
  let t: number | undefined;
  for (const s of samples) {
    // One process per endpoint: the first sample of each name (exporters put constant labels on all of them).
    if (!values.has(s.name)) {
      values.set(s.name, s.value);
    }
    t ??= s.timestampMs;
  }
  return { t: t ?? receivedAt, values };
}

function instanceOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    throw rtsError('no_source', `--ekg-url ${JSON.stringify(url)} is not a URL`);
  }
}

/** The panel's frames from the poller's samples in [from, to]. */
export function pollerPanelFrames(
  poller: EkgPoller,
  panel: RtsPanel,
  matchers: readonly LabelMatcher[],
  from: number,
  to: number
): DataFrameJSON[] {
  if (!matchLabels(poller.labels, matchers)) {
    throw rtsError(
      'no_series',
      `the selector matches no process: the only one ghcprof reads (${poller.url}) has labels ${JSON.stringify(poller.labels)}`
    );
  }
  const samples = poller.samples(from, to);
  const dialect = dialectOf(poller, samples);
  const def = PANELS[panel];
  return def.series.flatMap((s) => {
    const values = evaluateSeries(dialect, s.expr, samples);
    if (values.every((v) => v === null)) {
      return [];
    }
    // The sample before `from` only served as the first rate's predecessor.
    const keep = samples.map((sample) => sample.t >= from);
    return [
      rtsSeriesFrame({
        panel: def,
        series: s.name,
        labels: poller.labels,
        times: samples.filter((_, i) => keep[i]).map((sample) => sample.t),
        values: values.filter((_, i) => keep[i]),
        source: { dialect: dialect.id, ekgUrl: poller.url, intervalMs: poller.intervalMs },
      }),
    ];
  });
}

function dialectOf(poller: EkgPoller, samples: readonly RawSample[]): Dialect {
  const latest = samples[samples.length - 1];
  if (!latest) {
    const why = poller.lastError ? `: ${poller.lastError.message}` : ' yet';
    throw rtsError('no_series', `no samples from ${poller.url} in the requested range${why}`);
  }
  const dialect = detectDialect(latest.values.keys());
  if (!dialect) {
    throw rtsError(
      'no_series',
      `${poller.url} publishes no GHC RTS metrics ghcprof knows (is the service running with +RTS -T and an ekg or Prometheus exporter?)`
    );
  }
  return dialect;
}
