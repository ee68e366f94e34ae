/**
 * Mounts the plugin's pages and editors outside Grafana, against a real ghcprof server. What Grafana would provide
 * is stood in for by the smallest real thing: getBackendSrv() is window.fetch (to the harness server, which plays
 * Grafana's data proxy: one route per token scope), the data source service hands out one GhcprofDataSource, and
 * the template service has no variables. Views are chosen by the page URL: `?view=app&path=/profile?id=...`,
 * `?view=queryEditor&query=<json>`, `?view=testDatasource&uid=<instance>`, `?view=benchmarksDashboard&dashboard=<json>`.
 */
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { MemoryRouter } from 'react-router-dom';
import {
  PluginContextProvider,
  PluginType,
  type AppPluginMeta,
  type AppRootProps,
  type DataSourceInstanceSettings,
} from '@grafana/data';
import {
  config,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
  type BackendSrv,
  type DataSourceSrv,
  type TemplateSrv,
} from '@grafana/runtime';
import { ThemeContext } from '@grafana/ui';
import { App } from '../../../src/components/App/App';
import { GhcprofDataSource } from '../../../src/datasource/datasource';
import { QueryEditor } from '../../../src/datasource/ui/QueryEditor';
import type { GhcprofOptions, GhcprofQuery } from '../../../src/datasource/types';
import { BenchmarksDashboardView } from './BenchmarksDashboardView';
import { fetchBackendSrv } from './fetchBackendSrv';

const params = new URLSearchParams(window.location.search);

const settings = {
  id: 1,
  uid: params.get('uid') ?? 'ghcprof',
  type: 'ghcprof-profiles-datasource',
  name: 'ghcprof',
  url: `/proxy/uid/${params.get('uid') ?? 'ghcprof'}`,
  access: 'proxy',
  readOnly: false,
  jsonData: { url: 'http://ghcprof', splitLabel: 'pod', prometheusUrl: params.get('prometheusUrl') ?? undefined },
  meta: { id: 'ghcprof-profiles-datasource', name: 'ghcprof', type: PluginType.datasource },
} as unknown as DataSourceInstanceSettings<GhcprofOptions>;

const noVariables: TemplateSrv = {
  getVariables: () => [],
  replace: (target?: string) => target ?? '',
  containsTemplate: (target?: string) => Boolean(target && /\$\w|\$\{|\[\[/.test(target)),
  updateTimeRange: () => {},
};

setBackendSrv(fetchBackendSrv() as unknown as BackendSrv);
setTemplateSrv(noVariables);
const datasource = new GhcprofDataSource(settings, noVariables);
setDataSourceSrv({
  get: async () => datasource,
  getInstanceSettings: () => settings,
  getList: () => [settings],
  reload: async () => {},
  registerRuntimeDataSource: () => {},
} as unknown as DataSourceSrv);
Object.assign(config.bootData.user, { orgRole: params.get('role') ?? 'Admin', isSignedIn: true });

const appMeta = {
  id: 'ghcprof-profiles-app',
  name: 'GHC profiles',
  type: PluginType.app,
  enabled: true,
  jsonData: { datasourceUid: 'ghcprof' },
  info: {},
} as unknown as AppPluginMeta;

function QueryEditorView({ initial }: { initial: GhcprofQuery }) {
  const [query, setQuery] = useState(initial);
  const [runs, setRuns] = useState(0);
  return (
    <>
      <QueryEditor datasource={datasource} query={query} onChange={setQuery} onRunQuery={() => setRuns((n) => n + 1)} />
      <pre data-testid="harness-query-json">{JSON.stringify(query)}</pre>
      <span data-testid="harness-runs">{runs}</span>
    </>
  );
}

/** What "Save & test" on the data source page would show. */
function TestDatasourceView() {
  const [result, setResult] = useState<string>('running');
  useEffect(() => {
    datasource.testDatasource().then(
      (answer) => setResult(JSON.stringify(answer)),
      (error: Error) => setResult(JSON.stringify({ thrown: error.message }))
    );
  }, []);
  return <pre data-testid="harness-test-result">{result}</pre>;
}

function View() {
  switch (params.get('view')) {
    case 'testDatasource':
      return <TestDatasourceView />;
    case 'benchmarksDashboard':
      return <BenchmarksDashboardView settings={settings} {...JSON.parse(params.get('dashboard') ?? '{}')} />;
    case 'queryEditor':
      return <QueryEditorView initial={JSON.parse(params.get('query') ?? '{"refId":"A"}')} />;
    default:
      return (
        <PluginContextProvider meta={appMeta}>
          <MemoryRouter initialEntries={[params.get('path') ?? '/profiles']}>
            <App {...({ meta: appMeta, query: {}, path: '', onNavChanged: () => {} } as unknown as AppRootProps)} />
          </MemoryRouter>
        </PluginContextProvider>
      );
  }
}

const theme = config.theme2;
Object.assign(document.body.style, {
  background: theme.colors.background.canvas,
  color: theme.colors.text.primary,
  fontFamily: theme.typography.fontFamily,
  fontSize: `${theme.typography.fontSize}px`,
  margin: '16px',
});
createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <View />
  </ThemeContext.Provider>
);
