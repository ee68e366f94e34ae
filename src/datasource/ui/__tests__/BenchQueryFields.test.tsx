import '../../../testing/domShims';
import { render, screen, waitFor } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';
import { useState } from 'react';
import { testIds } from '../../../shared/testIds';
import { FakeTemplateSrv } from '../../../testing/FakeTemplateSrv';
import { recordingBackendSrv } from '../../../testing/recordingBackendSrv';
import { instanceSettings } from '../../../testing/settings';
import { GhcprofDataSource } from '../../datasource';
import { buildQueryRequest } from '../../domain/buildRequest';
import type { GhcprofQuery } from '../../types';
import { QueryEditor } from '../QueryEditor';

const userEvent = userEventLib.setup({ delay: null });
jest.setTimeout(30000);

const NAMES = ['fib/200', 'map/wordFreq', 'sort/insertion', 'sort/library'];
const recorder = recordingBackendSrv((request) =>
  request.url.endsWith('/benchmarks/names') ? { data: { names: NAMES } } : { data: { names: [] } }
);
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => recorder.backendSrv,
}));

const datasource = new GhcprofDataSource(instanceSettings(), new FakeTemplateSrv());

function setup(initial: GhcprofQuery) {
  const onChange = jest.fn();
  function Harness() {
    const [query, setQuery] = useState(initial);
    return (
      <QueryEditor
        datasource={datasource}
        query={query}
        onRunQuery={jest.fn()}
        onChange={(next) => {
          setQuery(next);
          onChange(next);
        }}
      />
    );
  }
  render(<Harness />);
  return { lastQuery: (): GhcprofQuery => onChange.mock.calls.at(-1)[0] };
}

describe('QueryEditor: benchmark query types', () => {
  it('offers both bench query types; switching shows the benchmark picker', async () => {
    const { lastQuery } = setup({ refId: 'A', queryType: 'flamegraph', selector: '{}' });
    expect(screen.queryByTestId(testIds.benchQuery.benchmark)).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('radio', { name: 'Benchmarks' }));
    expect(lastQuery().queryType).toBe('benchmarks');
    expect(screen.getByTestId(testIds.benchQuery.benchmark)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.queryEditor.maxNodes)).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('radio', { name: 'Bench compare' }));
    expect(lastQuery().queryType).toBe('benchCompare');
    expect(screen.getByTestId(testIds.benchQuery.baseline)).toBeInTheDocument();
  });

  it('the picker lists the names from GET /api/v1/benchmarks/names for the query selector; picking one sets it', async () => {
    const { lastQuery } = setup({ refId: 'A', queryType: 'benchmarks', selector: '{suite="demo"}' });
    await userEvent.click(screen.getByTestId(testIds.benchQuery.benchmark));
    for (const name of NAMES) {
      expect(await screen.findByRole('option', { name })).toBeInTheDocument();
    }
    await userEvent.click(screen.getByRole('option', { name: 'sort/insertion' }));
    await waitFor(() => expect(lastQuery().benchmark).toBe('sort/insertion'));
    const call = recorder.requests.find((r) => r.url.endsWith('/read/api/v1/benchmarks/names'));
    expect(call?.params).toEqual({ selector: '{suite="demo"}' });
  });

  it('switches benchmarks between series over time and the table by version', async () => {
    const { lastQuery } = setup({ refId: 'A', queryType: 'benchmarks', selector: '{}' });
    expect(screen.getByRole('radio', { name: 'Over time' })).toBeChecked();
    await userEvent.click(screen.getByRole('radio', { name: 'By version' }));
    expect(lastQuery().benchBy).toBe('version');
  });

  it('benchCompare: the base version becomes the left selection of the request, the selector the right', async () => {
    const { lastQuery } = setup({ refId: 'A', queryType: 'benchCompare', selector: '{suite="demo",version="v2"}' });
    await userEvent.type(screen.getByTestId(testIds.benchQuery.baseline), 'v1');
    await userEvent.tab();
    expect(lastQuery().baselineVersion).toBe('v1');
    const request = buildQueryRequest({ ...lastQuery(), benchmark: 'sort/.*' }, { from: 1, to: 2 });
    expect(request).toEqual({
      queryType: 'benchCompare',
      body: {
        left: { selector: '{suite="demo",version="v1"}', from: 1, to: 2 },
        right: { selector: '{suite="demo",version="v2"}', from: 1, to: 2 },
        benchmark: 'sort/.*',
      },
    });
  });

  it('benchmarks request: the selection, the benchmark regex and the shape', () => {
    const request = buildQueryRequest(
      { refId: 'A', queryType: 'benchmarks', selector: '{suite="demo"}', benchmark: 'fib/200', benchBy: 'version' },
      { from: 1, to: 2 }
    );
    expect(request.body).toEqual({
      selector: '{suite="demo"}',
      from: 1,
      to: 2,
      benchmark: 'fib/200',
      by: 'version',
      versionLabel: 'version',
    });
  });
});
