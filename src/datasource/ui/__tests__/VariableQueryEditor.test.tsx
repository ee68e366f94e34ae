import { render, screen } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';
import { testIds } from '../../../shared/testIds';
import { FakeTemplateSrv } from '../../../testing/FakeTemplateSrv';
import { instanceSettings } from '../../../testing/settings';
import { GhcprofDataSource } from '../../datasource';
import { VariableQueryEditor } from '../VariableQueryEditor';

const userEvent = userEventLib.setup({ delay: null });
jest.setTimeout(30000);

const datasource = new GhcprofDataSource(instanceSettings(), new FakeTemplateSrv());

describe('VariableQueryEditor', () => {
  it('defaults to label values and edits label and selector', async () => {
    const onChange = jest.fn();
    render(
      <VariableQueryEditor
        datasource={datasource}
        query={{ refId: 'v' } as never}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    await userEvent.type(screen.getByTestId(testIds.variableEditor.label), 'pod');
    await userEvent.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'v', kind: 'labelValues', label: 'pod' });
    await userEvent.type(screen.getByTestId(testIds.variableEditor.selector), '{{service="$service"}');
    await userEvent.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'v', kind: 'labelValues', selector: '{service="$service"}' });
  });

  it('switches to label names and hides the label field', async () => {
    const onChange = jest.fn();
    const { rerender } = render(
      <VariableQueryEditor
        datasource={datasource}
        query={{ refId: 'v', kind: 'labelValues', label: 'pod' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    await userEvent.click(screen.getByRole('radio', { name: 'Label names' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'v', kind: 'labelNames', label: 'pod' });
    rerender(
      <VariableQueryEditor
        datasource={datasource}
        query={onChange.mock.calls.at(-1)[0]}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    expect(screen.queryByTestId(testIds.variableEditor.label)).not.toBeInTheDocument();
  });
});
