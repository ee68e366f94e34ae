import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { of, throwError, type Observable } from 'rxjs';

export interface RecordedRequest {
  url: string;
  method: string;
  data?: unknown;
  params?: Record<string, unknown>;
}

/** An answer to a request: a body (status 200) or a failure in Grafana's FetchError shape. */
export type Answer = { data: unknown } | { status: number; data?: unknown; statusText?: string };

/**
 * A getBackendSrv() stand-in for jest: records every fetch and answers from `route(url, method)`, the way
 * Grafana's data proxy would (failures are thrown as FetchError-shaped objects).
 */
export function recordingBackendSrv(route: (request: RecordedRequest) => Answer) {
  const requests: RecordedRequest[] = [];
  const fetch = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> => {
    const request: RecordedRequest = {
      url: options.url,
      method: options.method ?? 'GET',
      data: options.data,
      params: options.params,
    };
    requests.push(request);
    const answer = route(request);
    if ('status' in answer) {
      return throwError(() => ({ ...answer, config: options }));
    }
    return of({ data: answer.data as T, status: 200, ok: true } as FetchResponse<T>);
  };
  return { requests, backendSrv: { fetch } };
}
