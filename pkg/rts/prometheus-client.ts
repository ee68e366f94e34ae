/**
 * The few calls of Prometheus' HTTP API ghcprof needs (`/api/v1/series`, `/api/v1/query`, `/api/v1/query_range`),
 * sent as form-encoded POSTs so long PromQL does not hit URL limits. Works with anything that speaks the API
 * (Thanos, Mimir, VictoriaMetrics). Failures become HttpError (rtsError): 502 `upstream_unreachable` when nothing answers,
 * 502 `upstream_error` when Prometheus refuses the request (its own error text is kept).
 */
import { rtsError } from './errors';

export type Labels = Record<string, string>;

/** One series of a matrix result; values are [seconds, "value"] as Prometheus sends them. */
export interface MatrixSeries {
  metric: Labels;
  values: Array<[number, string]>;
}

interface ApiEnvelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

const REQUEST_TIMEOUT_MS = 30_000;

export class PrometheusClient {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Label sets of the series matching any of `match` with samples in [startMs, endMs]. */
  series(match: readonly string[], startMs: number, endMs: number): Promise<Labels[]> {
    const params = new URLSearchParams();
    for (const m of match) {
      params.append('match[]', m);
    }
    params.set('start', seconds(startMs));
    params.set('end', seconds(endMs));
    return this.call<Labels[]>('/api/v1/series', params);
  }

  async queryRange(expr: string, startMs: number, endMs: number, stepMs: number): Promise<MatrixSeries[]> {
    const params = new URLSearchParams({
      query: expr,
      start: seconds(startMs),
      end: seconds(endMs),
      step: seconds(stepMs),
    });
    const data = await this.call<{ resultType: string; result: MatrixSeries[] }>('/api/v1/query_range', params);
    return data.result;
  }

  /** An instant query whose result is a matrix (a range selector such as `x[5m]`): raw samples. */
  async rawSamples(expr: string, timeMs: number): Promise<MatrixSeries[]> {
    const params = new URLSearchParams({ query: expr, time: seconds(timeMs) });
    const data = await this.call<{ resultType: string; result: MatrixSeries[] }>('/api/v1/query', params);
    if (data.resultType !== 'matrix') {
      throw rtsError('upstream_error', `Prometheus answered ${expr} with a ${data.resultType}, expected a matrix`);
    }
    return data.result;
  }

  private async call<T>(path: string, params: URLSearchParams): Promise<T> {
    const url = this.baseUrl + path;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: params.toString(),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
      throw rtsError('upstream_unreachable', `Prometheus at ${this.baseUrl} is unreachable: ${cause}`);
    }
    const text = await response.text();
    let body: ApiEnvelope<T>;
    try {
      body = JSON.parse(text) as ApiEnvelope<T>;
    } catch {
      throw rtsError(
        'upstream_error',
        `${url} answered HTTP ${response.status} with something that is not Prometheus' JSON API: ${text.slice(0, 200)}`
      );
    }
    if (body.status !== 'success' || body.data === undefined) {
      throw rtsError(
        'upstream_error',
        `Prometheus refused ${path} (HTTP ${response.status}, ${body.errorType ?? 'error'}): ${body.error ?? text.slice(0, 200)}`
      );
    }
    return body.data;
  }
}

function seconds(ms: number): string {
  return String(ms / 1000);
}
