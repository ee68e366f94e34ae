import '../../../testing/domShims';
import { render, screen, waitFor } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';
import { PluginType, type AppPluginMeta, type DataSourceInstanceSettings } from '@grafana/data';
import { setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';
import { recordingBackendSrv } from '../../../testing/recordingBackendSrv';
import { instanceSettings } from '../../../testing/settings';
import type { AppSettings } from '../../../constants';
import { testIds } from '../../../shared/testIds';
import { AppConfig } from '../AppConfig';

const userEvent = userEventLib.setup({ delay: null });
jest.setTimeout(30000);

const recorder = recordingBackendSrv(() => ({ data: { message: 'Plugin settings updated' } }));
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => recorder.backendSrv,
}));

const teamA = { ...instanceSettings(), uid: 'ghcprof-team-a', name: 'ghcprof team A' };
const teamB = { ...instanceSettings(), uid: 'ghcprof-team-b', name: 'ghcprof team B' };
const prometheus = { ...instanceSettings(), uid: 'prom', name: 'Prometheus', type: 'prometheus' };
const all = [teamA, teamB, prometheus] as DataSourceInstanceSettings[];

setDataSourceSrv({
  getList: (filters: { pluginId?: string }) => all.filter((ds) => !filters?.pluginId || ds.type === filters.pluginId),
  // Like Grafana's: a data source by uid or by name (the picker's options carry names).
  getInstanceSettings: (ref: string | { uid: string } | null | undefined) => {
    const key = typeof ref === 'string' ? ref : ref?.uid;
    return all.find((ds) => ds.uid === key || ds.name === key);
  },
  get: async () => undefined,
  reload: async () => {},
  registerRuntimeDataSource: () => {},
} as unknown as DataSourceSrv);

const meta = {
  id: 'ghcprof-profiles-app',
  name: 'GHC profiles',
  type: PluginType.app,
  enabled: true,
  pinned: true,
  jsonData: { datasourceUid: 'ghcprof-team-a' },
  info: {},
} as unknown as AppPluginMeta<AppSettings>;

describe('AppConfig (Settings)', () => {
  beforeAll(() => {
    // jsdom cannot reload; the settings page reloads after saving so Grafana picks the new settings up.
    Object.defineProperty(window, 'location', { value: { ...window.location, reload: jest.fn() }, writable: true });
  });

  it('offers only ghcprof data sources, saves the chosen one into the app jsonData and reloads', async () => {
    render(<AppConfig plugin={{ meta } as never} query={{}} />);
    const picker = screen.getByTestId(testIds.appConfig.datasource);
    expect(picker).toHaveTextContent('ghcprof team A');
    await userEvent.click(picker.querySelector('input')!);
    expect(await screen.findByText('ghcprof team B')).toBeInTheDocument();
    expect(screen.queryByText('Prometheus')).not.toBeInTheDocument();
    await userEvent.click(screen.getByText('ghcprof team B'));
    expect(picker).toHaveTextContent('ghcprof team B');
    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(window.location.reload).toHaveBeenCalled());
    expect(recorder.requests).toEqual([
      {
        url: '/api/plugins/ghcprof-profiles-app/settings',
        method: 'POST',
        data: { enabled: true, pinned: true, jsonData: { datasourceUid: 'ghcprof-team-b' } },
        params: undefined,
      },
    ]);
  });

  it('links to creating a ghcprof data source', () => {
    render(<AppConfig plugin={{ meta } as never} query={{}} />);
    expect(screen.getByTestId(testIds.appConfig.createLink)).toHaveAttribute(
      'href',
      '/connections/datasources/ghcprof-profiles-datasource'
    );
  });
});
