import '../../../../testing/domShims';
import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { config } from '@grafana/runtime';
import { testIds } from '../../../../shared/testIds';
import { GhcprofDataSource } from '../../../../datasource/datasource';
import { FakeTemplateSrv } from '../../../../testing/FakeTemplateSrv';
import { recordingBackendSrv, type Answer, type RecordedRequest } from '../../../../testing/recordingBackendSrv';
import { instanceSettings } from '../../../../testing/settings';
import { ProfilesView } from '../ProfilesPage';

jest.setTimeout(30000);

let route: (request: RecordedRequest) => Answer = () => ({ data: { profiles: [] } });
const recorder = recordingBackendSrv((request) => route(request));
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => recorder.backendSrv,
}));

const datasource = new GhcprofDataSource(instanceSettings(), new FakeTemplateSrv());

function renderAt(path: string, role: string) {
  Object.assign(config.bootData.user, { orgRole: role, isGrafanaAdmin: false });
  render(
    <MemoryRouter initialEntries={[path]}>
      <ProfilesView datasource={datasource} />
    </MemoryRouter>
  );
}

describe('ProfilesView', () => {
  beforeEach(() => {
    recorder.requests.length = 0;
  });

  it('lists by the selector and range in the URL, and says how to upload when nothing matches', async () => {
    route = () => ({ data: { profiles: [] } });
    renderAt('/profiles?selector=%7Bservice%3D%22x%22%7D&from=1000&to=2000', 'Viewer');
    expect(await screen.findByTestId(testIds.profilesPage.empty)).toHaveTextContent(
      'no profiles for {service="x"} in this range; upload with ghcprof push or the agent'
    );
    expect(recorder.requests[0]).toMatchObject({
      url: '/api/datasources/proxy/uid/ghcprof-uid/read/api/v1/profiles',
      params: { selector: '{service="x"}', from: 1000, to: 2000, limit: 500 },
    });
    expect(screen.queryByTestId(testIds.profilesPage.dropzone)).not.toBeInTheDocument();
  });

  it('shows why listing failed, in the data source words', async () => {
    route = () => ({ status: 403, data: { message: 'plugin proxy route access denied' } });
    renderAt('/profiles', 'Editor');
    expect(await screen.findByTestId(testIds.profilesPage.error)).toHaveTextContent(
      'Grafana denied the read route for your role (403: plugin proxy route access denied)'
    );
    expect(screen.getByTestId(testIds.profilesPage.dropzone)).toBeInTheDocument();
    // The relative default range (now-7d) is resolved once: the answer does not trigger another request.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recorder.requests).toHaveLength(1);
  });
});
