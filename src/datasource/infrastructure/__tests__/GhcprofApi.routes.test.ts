/**
 * No request leaves the data source outside its three proxy routes (issue 12 §2). Grafana's data proxy
 * (pkg/api/pluginproxy/ds_proxy.go) matches `/api/datasources/proxy/uid/<uid>/<route path>/...` against plugin.json
 * `routes`; a path outside them is proxied without the route's headers, i.e. without a token and without its
 * reqRole/reqAction check. So every request the plugin makes must start with `read/`, `write/` or `admin/`, and a
 * route must be at least as strong as the ghcprof scope the call needs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { recordingBackendSrv } from '../../../testing/recordingBackendSrv';
import { GhcprofApi } from '../GhcprofApi';

const recorder = recordingBackendSrv(() => ({ data: { profiles: [], names: [], values: [], frames: [] } }));

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => recorder.backendSrv,
}));

const PROXY = '/api/datasources/proxy/uid/ghcprof-uid';
const ROUTES = ['read', 'write', 'admin'] as const;
type Route = (typeof ROUTES)[number];

/** Each API method called once, with the route its call needs at least (the ghcprof token scope of the endpoint). */
const CALLS: Record<string, { call: (api: GhcprofApi) => unknown; needs: Route }> = {
  health: { call: (api) => api.health(), needs: 'read' },
  authCheck: { call: (api) => api.authCheck('write'), needs: 'write' },
  query: { call: (api) => api.query('flamegraph', {}), needs: 'read' },
  listProfiles: { call: (api) => api.listProfiles({ selector: '{service="a"}' }), needs: 'read' },
  getProfile: { call: (api) => api.getProfile('p1'), needs: 'read' },
  downloadRaw: { call: (api) => api.downloadRaw('p1', 'prof'), needs: 'read' },
  deleteProfile: { call: (api) => api.deleteProfile('p1'), needs: 'admin' },
  labelNames: { call: (api) => api.labelNames('{a="b"}'), needs: 'read' },
  labelValues: { call: (api) => api.labelValues('service'), needs: 'read' },
  benchmarkNames: { call: (api) => api.benchmarkNames(), needs: 'read' },
  uploadUrl: { call: (api) => ({ url: api.uploadUrl({ service: 'a' }) }), needs: 'write' },
};

function routeOf(url: string): Route {
  const m = new RegExp(`^${PROXY}/(read|write|admin)(/.*)$`).exec(url);
  if (!m) {
    throw new Error(`${url} is outside the data source's routes`);
  }
  expect(m[2]).toMatch(/^\/(api\/v1\/|healthz$)/);
  return m[1] as Route;
}

describe('GhcprofApi: every request goes through a proxy route', () => {
  const api = new GhcprofApi(PROXY);

  it('has a case here for every method (a new one cannot slip past this test)', () => {
    const methods = Object.getOwnPropertyNames(GhcprofApi.prototype).filter(
      (m) => !['constructor', 'request', 'routeUrl'].includes(m)
    );
    expect(methods.sort()).toEqual(Object.keys(CALLS).sort());
  });

  it.each(Object.entries(CALLS))('%s uses a route at least as strong as it needs', async (_name, { call, needs }) => {
    recorder.requests.length = 0;
    const result = await call(api);
    const urls = recorder.requests.map((r) => r.url);
    if (urls.length === 0) {
      urls.push((result as { url: string }).url);
    }
    expect(urls).toHaveLength(1);
    expect(ROUTES.indexOf(routeOf(urls[0]))).toBeGreaterThanOrEqual(ROUTES.indexOf(needs));
  });

  it('downloads raw eventlogs through the admin route (the server gives them to admin tokens only)', async () => {
    recorder.requests.length = 0;
    await api.downloadRaw('p1', 'eventlog');
    expect(routeOf(recorder.requests[0].url)).toBe('admin');
  });

  it('nothing else in src/ reaches the data source URL: only GhcprofApi builds request URLs from it', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (name !== '__tests__' && name !== 'testing') {
            walk(path);
          }
        } else if (/\.tsx?$/.test(name)) {
          files.push(path);
        }
      }
    };
    walk('src');
    const users = files.filter((f) =>
      /instanceSettings\.url|proxyUrl|\/api\/datasources\/proxy/.test(readFileSync(f, 'utf8'))
    );
    expect(users.sort()).toEqual(['src/datasource/datasource.ts', 'src/datasource/infrastructure/GhcprofApi.ts']);
    // datasource.ts only hands the URL to GhcprofApi.
    const ds = readFileSync('src/datasource/datasource.ts', 'utf8');
    expect(ds.match(/instanceSettings\.url/g)).toHaveLength(1);
    expect(ds).toMatch(/new GhcprofApi\(instanceSettings\.url/);
  });
});
