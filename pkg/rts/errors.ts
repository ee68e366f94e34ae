/**
 * The failures of pkg/rts, as HttpError: `code` is the stable machine-readable reason that goes into
 * `{error: {code, message}}`, and it decides the HTTP status.
 */
import { HttpError } from '../api/errors';

export type RtsErrorCode =
  | 'bad_selector' // 400: the selector does not parse
  | 'bad_range' // 400: from/to/step make no sense
  | 'no_source' // 404: neither Prometheus nor an ekg endpoint is configured
  | 'no_series' // 422: the selector matches no GHC RTS series
  | 'panel_unavailable' // 422: the service's exporter does not publish what the panel needs
  | 'upstream_unreachable' // 502: Prometheus / the ekg endpoint did not answer
  | 'upstream_error'; // 502: Prometheus answered with an error or something that is not its API

const STATUS: Record<RtsErrorCode, number> = {
  bad_selector: 400,
  bad_range: 400,
  no_source: 404,
  no_series: 422,
  panel_unavailable: 422,
  upstream_unreachable: 502,
  upstream_error: 502,
};

/** An RTS failure as the HTTP error the server answers with; a 502's message (upstream details) stays in the log. */
export function rtsError(code: RtsErrorCode, message: string, details?: unknown): HttpError {
  return new HttpError(STATUS[code], code, message, details, 'the RTS metrics source failed');
}
