import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeTemplateSrv } from '../../../testing/FakeTemplateSrv';
import { instanceSettings } from '../../../testing/settings';
import { GhcprofDataSource } from '../../../datasource/datasource';
import { buildQueryRequest } from '../../../datasource/domain/buildRequest';
import type { GhcprofQuery, GhcprofVariableQuery } from '../../../datasource/types';
import { benchmarksDashboard } from '../benchmarks';

jest.mock('@grafana/runtime', () => ({ ...jest.requireActual('@grafana/runtime'), getBackendSrv: () => ({}) }));

const dashboard = benchmarksDashboard() as unknown as {
  uid: string;
  title: string;
  templating: { list: Array<{ name: string; type: string; query: GhcprofVariableQuery | string; multi?: boolean }> };
  annotations: { list: Array<{ target: GhcprofQuery }> };
  panels: Array<{ title: string; type: string; repeat?: string; targets: GhcprofQuery[] }>;
};
const WINDOW = { from: 1_000, to: 2_000 };

/** The data source as a dashboard runs it: suite=demo, base=v1, version=v2, two benchmarks chosen. */
function datasourceWith(benchmarks: string[]) {
  const templateSrv = new FakeTemplateSrv([
    { name: 'suite', current: ['demo'], options: ['demo', 'other'], multi: true },
    { name: 'benchmark', current: benchmarks, options: ['sort/insertion', 'fib/200', 'map/wordFreq'], multi: true },
    { name: 'base', current: ['v1'], options: ['v1', 'v2'] },
    { name: 'version', current: ['v2'], options: ['v1', 'v2'] },
  ]);
  return new GhcprofDataSource(instanceSettings(), templateSrv);
}

function requestOf(title: string, benchmarks: string[], scoped = {}) {
  const panel = dashboard.panels.find((p) => p.title === title)!;
  const query = datasourceWith(benchmarks).applyTemplateVariables(panel.targets[0], scoped);
  return buildQueryRequest(query, WINDOW);
}

describe('Benchmarks dashboard', () => {
  it('is the committed src/dashboards/benchmarks.json, included in the app', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../../benchmarks.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(benchmarksDashboard())));
    const plugin = JSON.parse(readFileSync(join(__dirname, '../../../plugin.json'), 'utf8'));
    expect(plugin.includes).toContainEqual(
      expect.objectContaining({ type: 'dashboard', path: 'dashboards/benchmarks.json', uid: dashboard.uid })
    );
  });

  it('has the variables $suite, $benchmark (benchmark names of the suite), $base and $version', () => {
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect([...vars.keys()]).toEqual(['ghcprof', 'suite', 'benchmark', 'base', 'version']);
    expect(vars.get('benchmark')!.query).toEqual({
      refId: 'benchmark',
      kind: 'benchmarkNames',
      selector: '{suite=~"$suite"}',
    });
    expect(vars.get('benchmark')!.multi).toBe(true);
    for (const name of ['base', 'version']) {
      expect(vars.get(name)!.query).toMatchObject({ kind: 'labelValues', label: 'version' });
    }
  });

  it('compare table: $base against $version, the chosen benchmarks as one escaped alternation', () => {
    expect(requestOf('What changed: $base → $version', ['sort/insertion', 'fib/200'])).toEqual({
      queryType: 'benchCompare',
      body: {
        left: { selector: '{suite=~"demo",version="v1"}', ...WINDOW },
        right: { selector: '{suite=~"demo",version="v2"}', ...WINDOW },
        benchmark: '(sort\\/insertion|fib\\/200)',
      },
    });
  });

  it('one time-series panel per benchmark (repeated over $benchmark), each asking for that benchmark only', () => {
    const panel = dashboard.panels.find((p) => p.type === 'timeseries')!;
    expect(panel.repeat).toBe('benchmark');
    const request = requestOf(panel.title, ['sort/insertion', 'fib/200'], {
      benchmark: { text: 'map/wordFreq', value: 'map/wordFreq' },
    });
    expect(request).toEqual({
      queryType: 'benchmarks',
      body: {
        selector: '{suite=~"demo"}',
        ...WINDOW,
        benchmark: 'map\\/wordFreq',
        by: 'time',
        versionLabel: 'version',
      },
    });
  });

  it('means by version: the table form of the benchmarks query', () => {
    expect(requestOf('Means by version', ['fib/200']).body).toMatchObject({ by: 'version', benchmark: 'fib\\/200' });
  });

  it("versions as annotations: the suite's stored results", () => {
    const anno = dashboard.annotations.list[0].target;
    expect(buildQueryRequest(datasourceWith([]).applyTemplateVariables(anno), WINDOW)).toEqual({
      queryType: 'annotations',
      body: { selector: '{suite=~"demo"}', ...WINDOW },
    });
  });
});
