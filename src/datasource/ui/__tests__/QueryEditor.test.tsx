import '../../../testing/domShims';
import { render, screen, waitFor } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';
import { useState } from 'react';
import { testIds } from '../../../shared/testIds';
import { FakeTemplateSrv } from '../../../testing/FakeTemplateSrv';
import { recordingBackendSrv } from '../../../testing/recordingBackendSrv';
import { instanceSettings } from '../../../testing/settings';
import { GhcprofDataSource } from '../../datasource';
import type { GhcprofQuery } from '../../types';
import { QueryEditor } from '../QueryEditor';

// No delay between keystrokes; generous timeout for a busy 2-core machine.
const userEvent = userEventLib.setup({ delay: null });
jest.setTimeout(30000);

const recorder = recordingBackendSrv((request) =>
  request.url.endsWith('/labels')
    ? { data: { names: ['pod', 'service'] } }
    : { data: { name: 'service', values: ['api', 'search'] } }
);
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => recorder.backendSrv,
}));

const datasource = new GhcprofDataSource(instanceSettings(), new FakeTemplateSrv());

function Harness({
  initial,
  onChange,
  onRunQuery,
}: {
  initial: GhcprofQuery;
  onChange: jest.Mock;
  onRunQuery: jest.Mock;
}) {
  const [query, setQuery] = useState(initial);
  return (
    <QueryEditor
      datasource={datasource}
      query={query}
      onRunQuery={onRunQuery}
      onChange={(next) => {
        setQuery(next);
        onChange(next);
      }}
    />
  );
}

function setup(initial: GhcprofQuery = { refId: 'A', queryType: 'flamegraph', selector: '{}' }) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<Harness initial={initial} onChange={onChange} onRunQuery={onRunQuery} />);
  const lastQuery = (): GhcprofQuery => onChange.mock.calls.at(-1)[0];
  return { onChange, onRunQuery, lastQuery };
}

describe('QueryEditor', () => {
  it('switches query type and shows that type fields', async () => {
    const { lastQuery, onRunQuery } = setup();
    expect(screen.getByTestId(testIds.queryEditor.maxNodes)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('radio', { name: 'Heap timeline' }));
    expect(lastQuery()).toEqual({ refId: 'A', queryType: 'heap', selector: '{}' });
    expect(onRunQuery).toHaveBeenCalled();
    expect(screen.queryByTestId(testIds.queryEditor.maxNodes)).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.queryEditor.topN)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.queryEditor.splitBy)).toHaveAttribute('placeholder', 'pod');
  });

  it('commits a typed selector on blur, and numbers as numbers', async () => {
    const { lastQuery } = setup();
    const selector = screen.getByTestId(testIds.queryEditor.selector);
    await userEvent.clear(selector);
    await userEvent.type(selector, '{{service="$service"}');
    await userEvent.tab();
    expect(lastQuery().selector).toBe('{service="$service"}');
    await userEvent.type(screen.getByTestId(testIds.queryEditor.maxNodes), '500');
    await userEvent.tab();
    expect(lastQuery().maxNodes).toBe(500);
    await userEvent.click(screen.getByRole('radio', { name: 'Allocation' }));
    expect(lastQuery().metric).toBe('alloc');
  });

  it('builds a matcher from label names and values suggested by the server', async () => {
    const { lastQuery } = setup({ refId: 'A', queryType: 'flamegraph', selector: '{pod="p1"}' });
    await userEvent.click(screen.getByTestId(testIds.queryEditor.labelName));
    await userEvent.click(await screen.findByRole('option', { name: 'service' }));
    await userEvent.click(screen.getByTestId(testIds.queryEditor.labelValue));
    await userEvent.click(await screen.findByRole('option', { name: 'search' }));
    await userEvent.click(screen.getByTestId(testIds.queryEditor.addMatcher));
    expect(lastQuery().selector).toBe('{pod="p1",service="search"}');
    const urls = recorder.requests.map((r) => [r.url.replace('/api/datasources/proxy/uid/ghcprof-uid', ''), r.params]);
    expect(urls).toContainEqual(['/read/api/v1/labels', { selector: '{pod="p1"}' }]);
    expect(urls).toContainEqual(['/read/api/v1/labels/service/values', { selector: '{pod="p1"}' }]);
  });

  it('round-trips a diff query: every field shows what the query holds and edits keep the rest', async () => {
    const diff: GhcprofQuery = {
      refId: 'B',
      queryType: 'diff',
      selector: '{service="search"}',
      baselineSelector: '{service="search",version="1.0"}',
      baselineShift: '7d',
      baselineVersion: '1.0',
      metric: 'alloc',
      maxNodes: 2000,
    };
    const { lastQuery } = setup(diff);
    expect(screen.getByTestId(testIds.queryEditor.selector)).toHaveValue('{service="search"}');
    expect(screen.getByTestId(testIds.queryEditor.baselineSelector)).toHaveValue('{service="search",version="1.0"}');
    expect(screen.getByTestId(testIds.queryEditor.baselineVersion)).toHaveValue('1.0');
    expect(screen.getByTestId(testIds.queryEditor.baselineShift)).toHaveValue('1 week ago');
    expect(screen.getByTestId(testIds.queryEditor.maxNodes)).toHaveValue(2000);
    expect(screen.getByRole('radio', { name: 'Allocation' })).toBeChecked();
    await userEvent.clear(screen.getByTestId(testIds.queryEditor.baselineVersion));
    await userEvent.type(screen.getByTestId(testIds.queryEditor.baselineVersion), '0.9');
    await userEvent.tab();
    expect(lastQuery()).toEqual({ ...diff, baselineVersion: '0.9' });
  });

  it('picks an RTS panel', async () => {
    const { lastQuery } = setup({ refId: 'A', queryType: 'rts', selector: '{service="search"}' });
    await userEvent.click(screen.getByTestId(testIds.queryEditor.rtsPanel));
    await userEvent.click(await screen.findByRole('option', { name: 'GC CPU fraction' }));
    await waitFor(() => expect(lastQuery().rtsPanel).toBe('gcCpuFraction'));
  });
});
