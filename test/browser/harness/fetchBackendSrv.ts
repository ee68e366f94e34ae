import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';

/**
 * getBackendSrv().fetch done with window.fetch: JSON bodies, query parameters, blob responses, and failures thrown
 * in Grafana's FetchError shape ({status, statusText, data}) as the data source expects.
 */
export function fetchBackendSrv() {
  return {
    fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
      return new Observable<FetchResponse<T>>((subscriber) => {
        send<T>(options).then(
          (response) => {
            subscriber.next(response);
            subscriber.complete();
          },
          (error) => subscriber.error(error)
        );
      });
    },
  };
}

async function send<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
  const search = new URLSearchParams();
  Object.entries(options.params ?? {}).forEach(([key, value]) => value !== undefined && search.set(key, String(value)));
  const url = search.toString() ? `${options.url}?${search}` : options.url;
  const json = options.data !== undefined && !(options.data instanceof Blob);
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: json ? { 'Content-Type': 'application/json' } : undefined,
      body: json ? JSON.stringify(options.data) : (options.data as Blob | undefined),
    });
  } catch (error) {
    throw { status: 0, statusText: String(error), data: { message: String(error) } };
  }
  const data = options.responseType === 'blob' ? await response.blob() : await parseBody(response);
  if (!response.ok) {
    throw { status: response.status, statusText: response.statusText, data };
  }
  return {
    data: data as T,
    status: response.status,
    statusText: response.statusText,
    ok: true,
    headers: response.headers,
    redirected: false,
    type: response.type,
    url,
    config: options,
  } as FetchResponse<T>;
}

async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return { message: text };
  }
}
