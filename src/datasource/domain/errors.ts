import type { RouteScope } from '../types';

/** What a failed call through a data proxy route looked like: Grafana's FetchError shape. */
export interface FailedFetch {
  status?: number;
  statusText?: string;
  data?: unknown;
  message?: string;
}

const TOKEN_FIELD: Record<RouteScope, string> = { read: 'Read token', write: 'Upload token', admin: 'Admin token' };

/**
 * One sentence that says what went wrong and where to fix it, for a failed call through the `scope` route.
 * ghcprof answers `{error:{code,message}}`; Grafana's data proxy answers `{message}` (role denied, target down).
 */
export function describeFailure(failure: unknown, scope: RouteScope): string {
  const f = (failure ?? {}) as FailedFetch;
  const server = serverError(f.data);
  const proxyMessage = messageOf(f.data) ?? f.message ?? f.statusText ?? '';
  const status = f.status ?? 0;
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return `ghcprof server unreachable (${status || 'network error'}${proxyMessage ? `: ${proxyMessage}` : ''}); check the server URL in the data source settings and that ghcprof serve is running`;
  }
  if (status === 401) {
    return `ghcprof rejected the ${TOKEN_FIELD[scope].toLowerCase()} (401${server ? ` ${server.code}: ${server.message}` : ''}); set a valid token in the data source settings ("${TOKEN_FIELD[scope]}")`;
  }
  if (status === 403 && server) {
    return `the ${TOKEN_FIELD[scope].toLowerCase()} lacks the scope for this call (403 ${server.code}: ${server.message}); create one with ghcprof token create --scope ${scope}`;
  }
  if (status === 403) {
    return `Grafana denied the ${scope} route for your role (403${proxyMessage ? `: ${proxyMessage}` : ''})`;
  }
  if (server) {
    return `ghcprof ${status} ${server.code}: ${server.message}`;
  }
  return `ghcprof ${status}${proxyMessage ? `: ${proxyMessage}` : ''}`;
}

function serverError(data: unknown): { code: string; message: string } | undefined {
  const error = (data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return { code: error.code, message: error.message };
  }
  return undefined;
}

function messageOf(data: unknown): string | undefined {
  const message = (data as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

/** An Error carrying the route failure's description; `status` kept for callers that branch on it. */
export class GhcprofRequestError extends Error {
  /** ghcprof's error code (`unauthorized`, `no_series`, ...) when the server answered. */
  readonly code: string | undefined;

  constructor(
    message: string,
    readonly status: number | undefined,
    data?: unknown
  ) {
    super(message);
    this.name = 'GhcprofRequestError';
    this.code = serverError(data)?.code;
  }
}

/** Server answers that mean "nothing to show here" rather than a failure (no RTS source, no series in range). */
export const NOTHING_TO_SHOW_CODES = ['no_source', 'no_series'];
