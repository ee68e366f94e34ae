import { dateTime, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { lastValueFrom } from 'rxjs';
import type { DataFrameJSON } from '@ghcprof/api/dataframe';
import { FakeTemplateSrv } from '../../testing/FakeTemplateSrv';
import { recordingBackendSrv, type Answer, type RecordedRequest } from '../../testing/recordingBackendSrv';
import { instanceSettings } from '../../testing/settings';
import { GhcprofDataSource } from '../datasource';
import type { GhcprofQuery } from '../types';

let route: (request: RecordedRequest) => Answer = () => ({ data: {} });
const recorder = recordingBackendSrv((request) => route(request));

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => recorder.backendSrv,
}));

const PROXY = '/api/datasources/proxy/uid/ghcprof-uid';
const FROM = Date.UTC(2026, 10, 20);
const TO = Date.UTC(2026, 10, 21);

/** A flame graph frame as pkg/frames emits it: nested set, enum labels. */
const FLAME: DataFrameJSON = {
  schema: {
    name: 'flamegraph',
    meta: { preferredVisualisationType: 'flamegraph' },
    fields: [
      { name: 'level', type: 'number', config: {} },
      { name: 'value', type: 'number', config: { unit: 'ns' } },
      { name: 'self', type: 'number', config: { unit: 'ns' } },
      { name: 'label', type: 'enum', config: { type: { enum: { text: ['total', 'main', 'search'] } } } },
    ],
  },
  data: {
    values: [
      [0, 1, 2],
      [100, 90, 60],
      [10, 30, 60],
      [0, 1, 2],
    ],
  },
};
const EMPTY_FLAME: DataFrameJSON = { ...FLAME, data: { values: [[], [], [], []] } };

const variables = new FakeTemplateSrv([
  { name: 'service', current: ['search', 'api'], options: ['search', 'api'], multi: true },
]);
const datasource = new GhcprofDataSource(instanceSettings(), variables);

function request(targets: GhcprofQuery[]): DataQueryRequest<GhcprofQuery> {
  const range = { from: dateTime(FROM), to: dateTime(TO), raw: { from: 'now-1d', to: 'now' } };
  return {
    targets,
    range,
    intervalMs: 60000,
    scopedVars: {},
    requestId: 'r',
    interval: '1m',
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  };
}

const run = (targets: GhcprofQuery[]): Promise<DataQueryResponse> => lastValueFrom(datasource.query(request(targets)));

beforeEach(() => {
  recorder.requests.length = 0;
});

describe('GhcprofDataSource.query', () => {
  it('posts the interpolated query through the read route and returns the server frames as they are', async () => {
    route = () => ({ data: { frames: [FLAME] } });
    const response = await run([
      { refId: 'A', queryType: 'flamegraph', selector: '{service="$service"}', metric: 'alloc' },
    ]);
    expect(recorder.requests).toEqual([
      {
        url: `${PROXY}/read/api/v1/query/flamegraph`,
        method: 'POST',
        data: {
          selector: '{service=~"search|api"}',
          from: FROM,
          to: TO,
          metric: 'alloc',
          maxNodes: 16384,
          excludeSystem: false,
        },
        params: undefined,
      },
    ]);
    const [frame] = response.data;
    expect(frame.refId).toBe('A');
    expect(frame.meta.preferredVisualisationType).toBe('flamegraph');
    expect(frame.fields.map((f: { name: string }) => f.name)).toEqual(['level', 'value', 'self', 'label']);
    expect(frame.fields[3].values).toEqual([0, 1, 2]);
    expect(frame.fields[3].config.type.enum.text).toEqual(['total', 'main', 'search']);
    expect(frame.fields[1].config.unit).toBe('ns');
  });

  it('skips hidden queries and runs the others in parallel, keeping refIds', async () => {
    route = (r) => ({ data: { frames: [{ ...FLAME, schema: { ...FLAME.schema, name: r.url.split('/').pop() } }] } });
    const response = await run([
      { refId: 'A', queryType: 'heap', selector: '{}' },
      { refId: 'B', queryType: 'top', selector: '{}', hide: true },
      { refId: 'C', queryType: 'leaks', selector: '{}' },
    ]);
    expect(recorder.requests.map((r) => r.url.replace(PROXY, ''))).toEqual([
      '/read/api/v1/query/heap',
      '/read/api/v1/query/leaks',
    ]);
    expect(response.data.map((f) => [f.refId, f.name])).toEqual([
      ['A', 'heap'],
      ['C', 'leaks'],
    ]);
    expect(recorder.requests[0].data).toMatchObject({ splitBy: 'pod', topN: 10 });
  });

  it('says which selector matched nothing and how to upload', async () => {
    route = () => ({ data: { frames: [EMPTY_FLAME] } });
    const response = await run([{ refId: 'A', queryType: 'flamegraph', selector: '{service="x"}' }]);
    expect(response.data[0].meta.notices).toEqual([
      { severity: 'info', text: 'no profiles for {service="x"} in this range; upload with ghcprof push or the agent' },
    ]);
    expect(response.data[0].fields).toHaveLength(4);
    expect(response.data[0].meta.custom.noProfiles).toBe(true);
  });

  it('reads the server facts: a lone root built from zero profiles is empty too, per side for a diff', async () => {
    const lonely = (custom: object): DataFrameJSON => ({
      ...FLAME,
      schema: {
        ...FLAME.schema,
        meta: { ...FLAME.schema.meta, custom: { ghcprof: custom }, notices: [{ severity: 'warning', text: 'server' }] },
      },
    });
    route = () => ({ data: { frames: [lonely({ profiles: 0 })] } });
    const single = await run([{ refId: 'A', queryType: 'flamegraph', selector: '{service="x"}' }]);
    expect(single.data[0].meta.notices.map((n: { text: string }) => n.text)).toEqual([
      'no profiles for {service="x"} in this range; upload with ghcprof push or the agent',
      'server',
    ]);
    route = () => ({ data: { frames: [lonely({ left: { profiles: 0 }, right: { profiles: 2 } })] } });
    const diff = await run([{ refId: 'A', queryType: 'diff', selector: '{service="x"}', baselineVersion: '1.0' }]);
    expect(diff.data[0].meta.notices[0].text).toBe(
      'baseline: no profiles for {service="x",version="1.0"} in this range; upload with ghcprof push or the agent'
    );
    route = () => ({ data: { frames: [lonely({ profiles: 2 })] } });
    const full = await run([{ refId: 'A', queryType: 'flamegraph', selector: '{service="x"}' }]);
    expect(full.data[0].meta.notices).toEqual([{ severity: 'warning', text: 'server' }]);
    expect(full.data[0].meta.custom.noProfiles).toBeUndefined();
  });

  it('says which opened profile lacks the data asked for', async () => {
    route = () => ({ data: { frames: [{ ...EMPTY_FLAME, schema: { ...EMPTY_FLAME.schema, name: 'heap' } }] } });
    const response = await run([{ refId: 'A', queryType: 'heap', profileIds: ['p1'] }]);
    expect(response.data[0].meta.notices[0].text).toBe('profile p1 holds no heap samples');
  });

  it('lists stored profiles with the server table, its id linked to the app Profile page', async () => {
    const table: DataFrameJSON = {
      schema: {
        name: 'profiles',
        meta: { preferredVisualisationType: 'table' },
        fields: [
          { name: 'time', type: 'time', config: {} },
          { name: 'id', type: 'string', config: {} },
          { name: 'labels', type: 'string', config: {} },
        ],
      },
      data: {
        values: [
          [FROM, TO],
          ['p2', 'p1'],
          ['service=api', 'service=search'],
        ],
      },
    };
    route = () => ({ data: { frames: [table] } });
    const response = await run([{ refId: 'P', queryType: 'profiles', selector: '{service=~".+"}' }]);
    expect(recorder.requests[0]).toMatchObject({
      url: `${PROXY}/read/api/v1/query/profiles`,
      method: 'POST',
      data: { selector: '{service=~".+"}', from: FROM, to: TO },
    });
    const frame = response.data[0];
    expect(frame.fields[1].values).toEqual(['p2', 'p1']);
    expect(frame.fields[1].config.links[0].url).toBe('/a/ghcprof-profiles-app/profile?id=${__value.raw}');
    expect(frame.fields[2].values).toEqual(['service=api', 'service=search']);
  });

  it('reports each failing query with the reason, in the datasource words', async () => {
    route = (r) =>
      r.url.endsWith('/heap')
        ? { status: 401, data: { error: { code: 'unauthorized', message: 'unknown token' } } }
        : { data: { frames: [FLAME] } };
    const response = await run([
      { refId: 'A', queryType: 'flamegraph', selector: '{}' },
      { refId: 'B', queryType: 'heap', selector: '{}' },
    ]);
    expect(response.data).toHaveLength(1);
    expect(response.errors).toEqual([
      {
        refId: 'B',
        message:
          'ghcprof rejected the read token (401 unauthorized: unknown token); set a valid token in the data source settings ("Read token")',
      },
    ]);
  });

  it('reports a malformed query without calling the server', async () => {
    const response = await run([{ refId: 'A', queryType: 'flamegraph', maxNodes: -1 }]);
    expect(recorder.requests).toHaveLength(0);
    expect(response.errors?.[0].refId).toBe('A');
  });
});

describe('GhcprofDataSource variables and labels', () => {
  it('finds label values among profiles matching the interpolated selector', async () => {
    route = () => ({ data: { name: 'pod', values: ['search-1', 'search-2'] } });
    const values = await datasource.metricFind({
      refId: 'v',
      kind: 'labelValues',
      label: 'pod',
      selector: '{service="$service"}',
    });
    expect(values).toEqual([
      { text: 'search-1', value: 'search-1' },
      { text: 'search-2', value: 'search-2' },
    ]);
    expect(recorder.requests[0]).toMatchObject({
      url: `${PROXY}/read/api/v1/labels/pod/values`,
      params: { selector: '{service=~"search|api"}' },
    });
  });

  it('finds label names (also the ad hoc filter keys)', async () => {
    route = () => ({ data: { names: ['pod', 'service'] } });
    expect((await datasource.getTagKeys()).map((v) => v.text)).toEqual(['pod', 'service']);
    expect(recorder.requests[0]).toMatchObject({ url: `${PROXY}/read/api/v1/labels`, params: {} });
  });

  it('runs variable queries through its variable support', async () => {
    route = () => ({ data: { names: ['service'] } });
    const variableSupport = datasource.variables as unknown as {
      query: (r: unknown) => ReturnType<GhcprofDataSource['query']>;
    };
    const response = await lastValueFrom(
      variableSupport.query({ targets: [{ refId: 'v', kind: 'labelNames' }], scopedVars: {} })
    );
    expect(response.data).toEqual([{ text: 'service', value: 'service' }]);
  });

  it('turns an annotation into an annotations query', () => {
    const prepared = datasource.annotations?.prepareQuery?.({
      target: { refId: 'X', selector: '{service="search"}' },
    } as never);
    expect(prepared).toEqual({ refId: 'Anno', queryType: 'annotations', selector: '{service="search"}' });
  });
});

describe('GhcprofDataSource.testDatasource', () => {
  const auth =
    (scopes: Record<string, Answer>) =>
    (r: RecordedRequest): Answer => {
      if (r.url.endsWith('/healthz')) {
        return { data: { status: 'ok' } };
      }
      const scope = r.url.replace(`${PROXY}/`, '').split('/')[0];
      return scopes[scope];
    };
  const ok = (scope: string): Answer => ({ data: { tenant: 't1', scope, tokenId: 'id', tokenName: 'n' } });
  const unauthorized: Answer = {
    status: 401,
    data: { error: { code: 'unauthorized', message: 'missing bearer token' } },
  };

  it('reports success with tenant and every token scope', async () => {
    route = auth({ read: ok('read'), write: ok('write'), admin: ok('admin') });
    const result = await datasource.testDatasource();
    expect(result.status).toBe('success');
    expect(result.message).toBe(
      'Connected to ghcprof (tenant "t1"). read token: tenant "t1", scope "read"; write token: scope "write"; admin token: scope "admin"'
    );
    expect(recorder.requests.map((r) => r.url.replace(PROXY, ''))).toEqual([
      '/read/healthz',
      '/read/api/v1/auth/check',
      '/write/api/v1/auth/check',
      '/admin/api/v1/auth/check',
    ]);
  });

  it('says the server is unreachable when the proxy cannot reach it', async () => {
    route = () => ({ status: 502, data: { message: 'Bad Gateway' } });
    const result = await datasource.testDatasource();
    expect(result).toEqual({
      status: 'error',
      message:
        'ghcprof server unreachable (502: Bad Gateway); check the server URL in the data source settings and that ghcprof serve is running',
    });
  });

  it('says the read token was rejected', async () => {
    route = auth({ read: unauthorized });
    const result = await datasource.testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toContain('ghcprof rejected the read token (401 unauthorized: missing bearer token)');
  });

  it('says which optional token has the wrong scope, and treats a missing one as disabled', async () => {
    route = auth({ read: ok('read'), write: ok('read'), admin: unauthorized });
    const result = await datasource.testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toBe(
      'Connected to ghcprof, but wrong write token: it has scope "read", needs write or admin'
    );
    expect((result.details as { message: string }).message).toContain('admin token: not set (deletes disabled)');
  });
});

describe('GhcprofDataSource ad hoc filters', () => {
  it('adds the dashboard filters to every selector as extra matchers', async () => {
    route = () => ({ data: { frames: [FLAME] } });
    const withFilters = {
      ...request([
        { refId: 'A', queryType: 'diff', selector: '{service="$service"}', baselineSelector: '{service="old"}' },
      ]),
    };
    withFilters.filters = [
      { key: 'pod', operator: '!=', value: 'canary-1' },
      { key: 'version', operator: '=|', value: '1.0', values: ['1.0', '1.1'] },
    ];
    await lastValueFrom(datasource.query(withFilters));
    expect(recorder.requests[0].data).toMatchObject({
      left: { selector: '{service="old",pod!="canary-1",version=~"1\\\\.0|1\\\\.1"}' },
      right: { selector: '{service=~"search|api",pod!="canary-1",version=~"1\\\\.0|1\\\\.1"}' },
    });
  });

  it('reports a filter operator selectors cannot express', async () => {
    const withFilters = { ...request([{ refId: 'A', queryType: 'flamegraph', selector: '{}' }]) };
    withFilters.filters = [{ key: 'size', operator: '>', value: '5' }];
    const response = await lastValueFrom(datasource.query(withFilters));
    expect(recorder.requests).toHaveLength(0);
    expect(response.errors?.[0].message).toContain('ad hoc filter size > 5');
  });
});
