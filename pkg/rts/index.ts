/**
 * Live GHC RTS metrics: the server calls `runRtsQuery` for `POST /api/v1/query/rts`.
 *
 * Sources, in order: Prometheus (`deps.prometheusUrl`), else the `--ekg-url` poller (`deps.ekg`). The answer is
 * one frame per process and panel series (frames.ts), plus an `exemplar` frame linking to stored profiles when
 * `deps.profilesInRange` is given. Errors are HttpError (rtsError) with the HTTP status to answer: 400 bad selector or range,
 * 404 no source configured, 422 no matching series / panel unavailable, 502 Prometheus or ekg unreachable or
 * refusing.
 */
import type { ProfileMeta, RtsQuery } from '../api/query';
import type { DataFrameJSON } from '../api/dataframe';
import { parseSelector } from '../api/selector';
import type { LabelMatcher } from '../api/selector';
import { rtsError } from './errors';
import { profileExemplarFrame } from './exemplars';
import { EkgPoller, pollerPanelFrames } from './poller';
import { PANELS } from '../api/rts/presets';
import { prometheusPanelFrames } from './prometheus-runner';

export type { RtsErrorCode } from './errors';
export { EkgPoller } from './poller';
export type { EkgPollerOptions } from './poller';
export { parseLabelMapOptions } from './labels';
export { profileExemplarFrame } from './exemplars';

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
  /** Scrape interval to assume instead of measuring it from the samples. */
  scrapeIntervalMs?: number;
}

/** `query.from` / `query.to` must already be resolved to ms since the epoch. */
export async function runRtsQuery(query: RtsQuery, deps: RtsDeps): Promise<{ frames: DataFrameJSON[] }> {
  const { from, to } = checkRange(query);
  const matchers = parseQuerySelector(query.selector);
  let frames: DataFrameJSON[];
  if (deps.prometheusUrl) {
    frames = await prometheusPanelFrames(
      query.panel,
      matchers,
      { from, to, stepMs: query.stepMs },
      { url: deps.prometheusUrl, labelMap: deps.labelMap, fetch: deps.fetch, scrapeIntervalMs: deps.scrapeIntervalMs }
    );
  } else if (deps.ekg) {
    frames = pollerPanelFrames(deps.ekg, query.panel, matchers, from, to);
  } else {
    throw rtsError('no_source', 'RTS metrics need a source: start ghcprof with --prometheus-url or --ekg-url');
  }
  if (deps.profilesInRange && deps.profilesInRange.length > 0) {
    frames.push(
      profileExemplarFrame(deps.profilesInRange, { from, to, series: frames, unit: PANELS[query.panel].unit })
    );
  }
  return { frames };
}

function checkRange(query: RtsQuery): { from: number; to: number } {
  const { from, to } = query;
  if (typeof from !== 'number' || typeof to !== 'number' || !Number.isFinite(from) || !Number.isFinite(to)) {
    throw rtsError(
      'bad_range',
      `from and to must be resolved to ms since the epoch, got ${JSON.stringify({ from, to })}`
    );
  }
  if (to <= from) {
    throw rtsError('bad_range', `the range is empty: to (${to}) is not after from (${from})`);
  }
  return { from, to };
}

function parseQuerySelector(selector: string | undefined): LabelMatcher[] {
  try {
    return parseSelector(selector ?? '');
  } catch (e) {
    throw rtsError('bad_selector', (e as Error).message);
  }
}
