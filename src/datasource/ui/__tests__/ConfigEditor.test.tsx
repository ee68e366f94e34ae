import { render, screen } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';
import { useState } from 'react';
import type { DataSourceSettings } from '@grafana/data';
import { testIds } from '../../../shared/testIds';
import type { GhcprofOptions, GhcprofSecureOptions } from '../../types';
import { ConfigEditor } from '../ConfigEditor';

// No delay between keystrokes; generous timeout for a busy 2-core machine.
const userEvent = userEventLib.setup({ delay: null });
jest.setTimeout(30000);

type Settings = DataSourceSettings<GhcprofOptions, GhcprofSecureOptions>;

const initial = {
  jsonData: { url: '' },
  secureJsonFields: { adminToken: true },
  secureJsonData: {},
} as unknown as Settings;

/** The editor is controlled: keep its options in state the way Grafana's data source page does. */
function Harness({ onChange }: { onChange: (settings: Settings) => void }) {
  const [options, setOptions] = useState(initial);
  return (
    <ConfigEditor
      options={options}
      onOptionsChange={(next) => {
        setOptions(next);
        onChange(next);
      }}
    />
  );
}

describe('ConfigEditor', () => {
  it('stores the URL and defaults in jsonData and tokens in secureJsonData', async () => {
    const onChange = jest.fn();
    render(<Harness onChange={onChange} />);
    await userEvent.type(screen.getByTestId(testIds.configEditor.url), 'http://ghcprof:4040');
    await userEvent.type(screen.getByTestId(testIds.configEditor.readToken), 'gp_read_1');
    await userEvent.type(screen.getByTestId(testIds.configEditor.writeToken), 'gp_write_2');
    await userEvent.type(screen.getByTestId(testIds.configEditor.prometheusUrl), 'http://prom:9090');
    await userEvent.type(screen.getByTestId(testIds.configEditor.splitLabel), 'instance');
    const last: Settings = onChange.mock.calls.at(-1)[0];
    expect(last.jsonData).toEqual({
      url: 'http://ghcprof:4040',
      prometheusUrl: 'http://prom:9090',
      splitLabel: 'instance',
    });
    expect(last.secureJsonData).toEqual({ readToken: 'gp_read_1', writeToken: 'gp_write_2' });
    expect(JSON.stringify(last.jsonData)).not.toContain('gp_');
  });

  it('shows a configured token as set and lets it be reset', async () => {
    const onChange = jest.fn();
    render(<Harness onChange={onChange} />);
    expect(screen.getByTestId(testIds.configEditor.adminToken)).toBeDisabled();
    await userEvent.click(screen.getAllByRole('button', { name: 'Reset' })[0]);
    const last: Settings = onChange.mock.calls.at(-1)[0];
    expect(last.secureJsonFields.adminToken).toBe(false);
    expect(last.secureJsonData).toEqual({ adminToken: '' });
  });
});
