import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';
import { testIds } from '../../shared/testIds';
import type { GhcprofDataSource } from '../datasource';
import type { GhcprofOptions, GhcprofQuery, GhcprofVariableQuery } from '../types';

type Props = QueryEditorProps<GhcprofDataSource, GhcprofQuery, GhcprofOptions, GhcprofVariableQuery>;

const KIND_OPTIONS: Array<SelectableValue<GhcprofVariableQuery['kind']>> = [
  { label: 'Label values', value: 'labelValues' },
  { label: 'Label names', value: 'labelNames' },
  { label: 'Benchmark names', value: 'benchmarkNames', description: 'Benchmarks in the selected bench results' },
];

/** Variable query: label names, or one label's values, among profiles matching a selector (`$service` allowed). */
export function VariableQueryEditor({ query, onChange }: Props) {
  const current: GhcprofVariableQuery = { ...query, kind: query.kind ?? 'labelValues' };
  const update = (patch: Partial<GhcprofVariableQuery>) => onChange({ ...current, ...patch });
  return (
    <>
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={14}>
          <div data-testid={testIds.variableEditor.kind}>
            <RadioButtonGroup options={KIND_OPTIONS} value={current.kind} onChange={(kind) => update({ kind })} />
          </div>
        </InlineField>
        {current.kind === 'labelValues' && (
          <InlineField label="Label">
            <Input
              width={20}
              data-testid={testIds.variableEditor.label}
              defaultValue={current.label}
              placeholder="service"
              onBlur={(event) => update({ label: event.currentTarget.value })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Selector" labelWidth={14} tooltip='Only profiles matching this, e.g. {service="$service"}'>
          <Input
            width={50}
            data-testid={testIds.variableEditor.selector}
            defaultValue={current.selector}
            placeholder="{}"
            onBlur={(event) => update({ selector: event.currentTarget.value || undefined })}
          />
        </InlineField>
      </InlineFieldRow>
    </>
  );
}
