import { getBackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import type { FramesResponse } from '@ghcprof/api/dataframe';
import type {
  AuthCheckResponse,
  BenchmarkNamesResponse,
  LabelNamesResponse,
  LabelValuesResponse,
  ProfileListQuery,
  ProfileListResponse,
  ProfileMeta,
  QueryType,
} from '@ghcprof/api/query';
import { describeFailure, GhcprofRequestError, type FailedFetch } from '../domain/errors';
import type { RouteScope } from '../types';
import { API_PREFIX } from '@ghcprof/api/paths';

export type ProfileListParams = Partial<ProfileListQuery>;

/**
 * The ghcprof HTTP API as seen through the data source's proxy routes (plugin.json `routes`): `read` (Viewer),
 * `write` (Editor) and `admin` (Admin); each route injects its own token, the browser never sees one.
 */
export class GhcprofApi {
  constructor(private readonly proxyUrl: string) {}

  /** `${instanceSettings.url}/read/api/v1/...` */
  routeUrl(scope: RouteScope, path: string): string {
    return `${this.proxyUrl}/${scope}${path}`;
  }

  async request<T>(scope: RouteScope, path: string, options: Omit<BackendSrvRequest, 'url'> = {}): Promise<T> {
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<T>({
          ...options,
          url: this.routeUrl(scope, path),
          showErrorAlert: false,
          showSuccessAlert: false,
        })
      );
      return response.data;
    } catch (failure) {
      const failed = failure as FailedFetch | undefined;
      throw new GhcprofRequestError(describeFailure(failure, scope), failed?.status, failed?.data);
    }
  }

  health(): Promise<unknown> {
    return this.request('read', '/healthz');
  }

  authCheck(scope: RouteScope): Promise<AuthCheckResponse> {
    return this.request<AuthCheckResponse>(scope, `${API_PREFIX}/auth/check`);
  }

  query(queryType: QueryType, body: unknown, requestId?: string): Promise<FramesResponse> {
    return this.request<FramesResponse>('read', `${API_PREFIX}/query/${queryType}`, {
      method: 'POST',
      data: body,
      requestId,
    });
  }

  listProfiles(params: ProfileListParams): Promise<ProfileMeta[]> {
    return this.request<ProfileListResponse>('read', `${API_PREFIX}/profiles`, { params: withoutEmpty(params) }).then(
      (answer) => answer.profiles
    );
  }

  getProfile(id: string): Promise<ProfileMeta> {
    return this.request<ProfileMeta>('read', `${API_PREFIX}/profiles/${encodeURIComponent(id)}`);
  }

  /**
   * The stored artefact. An eventlog holds the program's environment, so the server gives it out for admin tokens
   * only (unless it runs with --raw-download read): it goes through the admin route.
   */
  downloadRaw(id: string, kind: ProfileMeta['kind']): Promise<Blob> {
    const route = kind === 'eventlog' ? 'admin' : 'read';
    return this.request<Blob>(route, `${API_PREFIX}/profiles/${encodeURIComponent(id)}/raw`, { responseType: 'blob' });
  }

  deleteProfile(id: string): Promise<unknown> {
    return this.request('admin', `${API_PREFIX}/profiles/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  labelNames(selector?: string): Promise<string[]> {
    return this.request<LabelNamesResponse>('read', `${API_PREFIX}/labels`, {
      params: withoutEmpty({ selector }),
    }).then((answer) => answer.names);
  }

  labelValues(name: string, selector?: string): Promise<string[]> {
    return this.request<LabelValuesResponse>('read', `${API_PREFIX}/labels/${encodeURIComponent(name)}/values`, {
      params: withoutEmpty({ selector }),
    }).then((answer) => answer.values);
  }

  /** Benchmark names of the bench results matching `selector` (GET /api/v1/benchmarks/names). */
  benchmarkNames(selector?: string): Promise<string[]> {
    return this.request<BenchmarkNamesResponse>('read', `${API_PREFIX}/benchmarks/names`, {
      params: withoutEmpty({ selector }),
    }).then((answer) => answer.names);
  }

  /** `POST /api/v1/profiles?label=k%3Dv` URL for a raw upload (see uploadWithProgress). */
  uploadUrl(labels: Record<string, string>): string {
    const query = Object.entries(labels)
      .map(([name, value]) => `label=${encodeURIComponent(`${name}=${value}`)}`)
      .join('&');
    return this.routeUrl('write', `${API_PREFIX}/profiles${query ? `?${query}` : ''}`);
  }
}

function withoutEmpty<T extends object>(params: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(params).filter(([, value]) => value !== undefined && value !== '')
  ) as Partial<T>;
}
