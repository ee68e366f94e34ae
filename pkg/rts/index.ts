/**
 * Entry point of live GHC RTS metrics: the server calls `runRtsQuery` for `POST /api/v1/query/rts`.
 * (Signature committed first so the server can code against it; the implementation follows.)
 */
import type { ProfileMeta, RtsQuery } from '../api/query';
import type { DataFrameJSON } from '../api/dataframe';
import { RtsError } from './errors';

export { RtsError } from './errors';
export type { RtsErrorCode } from './errors';

/** A poller of an ekg JSON (or Prometheus text) endpoint; see pkg/rts/poller.ts. */
export interface EkgPoller {
  readonly url: string;
}

export interface RtsDeps {
  /** Base URL of Prometheus (or anything speaking its HTTP API: Thanos, Mimir, VictoriaMetrics). */
  prometheusUrl?: string;
  /** ghcprof label -> Prometheus label, e.g. `{service: 'app'}` from `--prometheus-label service=app`. */
  labelMap?: Record<string, string>;
  /** Poller of `--ekg-url`, answering when there is no Prometheus. */
  ekg?: EkgPoller;
  /** Stored profiles overlapping the range, for the `exemplar` frame. */
  profilesInRange?: ProfileMeta[];
  fetch?: typeof fetch;
  /** Scrape interval when it cannot be measured from the samples (default 15 s). */
  scrapeIntervalMs?: number;
}

/** `query.from` / `query.to` must already be resolved to ms since the epoch. */
export async function runRtsQuery(query: RtsQuery, deps: RtsDeps): Promise<{ frames: DataFrameJSON[] }> {
  void query;
  void deps;
  throw new RtsError('no_source', 'RTS queries are not implemented yet');
}
