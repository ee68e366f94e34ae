import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import {
  Combobox,
  InlineField,
  InlineFieldRow,
  InlineSwitch,
  Input,
  RadioButtonGroup,
  Stack,
  type ComboboxOption,
} from '@grafana/ui';
import { DEFAULT_MAX_NODES, RtsPanelSchema, type QueryType, type RtsPanel } from '@ghcprof/api/query';
import { PANELS } from '@ghcprof/api/rts/presets';
import { testIds } from '../../shared/testIds';
import type { GhcprofDataSource } from '../datasource';
import type { GhcprofOptions, GhcprofQuery, HeapMode, Metric } from '../types';
import { LabelSelectorField } from '../../shared/ui/LabelSelectorField';
import { labelSourceOf } from '../../shared/domain/labelSource';
import { BenchQueryFields } from './BenchQueryFields';

type Props = QueryEditorProps<GhcprofDataSource, GhcprofQuery, GhcprofOptions>;

export const QUERY_TYPE_OPTIONS: Array<SelectableValue<QueryType>> = [
  { label: 'Flame graph', value: 'flamegraph' },
  { label: 'Diff', value: 'diff' },
  { label: 'Top table', value: 'top' },
  { label: 'Heap timeline', value: 'heap' },
  { label: 'Leaks', value: 'leaks' },
  { label: 'RTS metrics', value: 'rts' },
  { label: 'Profiles', value: 'profiles', description: 'List of stored profiles' },
  { label: 'Benchmarks', value: 'benchmarks', description: 'Benchmark results over time or by version' },
  { label: 'Bench compare', value: 'benchCompare', description: 'Benchmarks of a base version against the selection' },
  {
    label: 'Services',
    value: 'services',
    description: 'One row per service: counts, newest profile, steepest heap band',
  },
];

const METRIC_OPTIONS: Array<SelectableValue<Metric>> = [
  { label: 'Time', value: 'time' },
  { label: 'Allocation', value: 'alloc' },
  { label: 'Entries', value: 'entries' },
];

/** '' = any band kind (Combobox values cannot be undefined). */
export const HEAP_MODE_OPTIONS: Array<ComboboxOption<HeapMode | ''>> = [
  { label: 'Any', value: '', description: 'Whatever band kind the profiles have' },
  { label: 'Cost centre (-hc)', value: 'hc' },
  { label: 'Module (-hm)', value: 'hm' },
  { label: 'Closure description (-hd)', value: 'hd' },
  { label: 'Type (-hy)', value: 'hy' },
  { label: 'Retainer (-hr)', value: 'hr' },
  { label: 'Biography (-hb)', value: 'hb' },
  { label: 'Closure type (-hT)', value: 'hT' },
  { label: 'Info table (-hi)', value: 'hi' },
  { label: 'Era (-he)', value: 'he' },
];

/** The RTS panels in the API's order, titled as the server's presets title them (one source for both). */
export const RTS_PANEL_OPTIONS: Array<ComboboxOption<RtsPanel>> = RtsPanelSchema.options.map((panel) => ({
  label: PANELS[panel].title,
  value: panel,
}));

const SHIFT_OPTIONS: Array<ComboboxOption<string>> = [
  { label: 'Same range', value: '' },
  { label: '1 hour ago', value: '1h' },
  { label: '1 day ago', value: '1d' },
  { label: '1 week ago', value: '7d' },
  { label: '4 weeks ago', value: '28d' },
];

const TREE_TYPES: QueryType[] = ['flamegraph', 'diff', 'top'];
const HEAP_TYPES: QueryType[] = ['heap', 'leaks'];
const BENCH_TYPES: QueryType[] = ['benchmarks', 'benchCompare'];

export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  const queryType = query.queryType ?? 'flamegraph';
  const update = (patch: Partial<GhcprofQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  /** A free-text field committed on blur; empty means "not set". */
  const textInput = (
    key: 'baselineSelector' | 'baselineVersion' | 'splitBy',
    testId: string,
    placeholder: string,
    width: number
  ) => (
    <Input
      width={width}
      data-testid={testId}
      defaultValue={query[key]}
      placeholder={placeholder}
      onBlur={(event) => update({ [key]: event.currentTarget.value || undefined })}
    />
  );
  const numberInput = (key: 'maxNodes' | 'limit' | 'topN', testId: string, placeholder: string) => (
    <Input
      width={12}
      type="number"
      data-testid={testId}
      defaultValue={query[key]}
      placeholder={placeholder}
      onBlur={(event) =>
        update({ [key]: event.currentTarget.value === '' ? undefined : Number(event.currentTarget.value) })
      }
    />
  );

  return (
    <Stack direction="column" gap={1}>
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={14}>
          <div data-testid={testIds.queryEditor.queryType}>
            <RadioButtonGroup<QueryType>
              options={QUERY_TYPE_OPTIONS}
              value={queryType}
              onChange={(value) => update({ queryType: value })}
            />
          </div>
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField
          label={queryType === 'diff' ? 'Selection' : 'Selector'}
          labelWidth={14}
          tooltip="Which stored profiles: labels and the dashboard's time range"
        >
          <LabelSelectorField
            value={query.selector ?? ''}
            onChange={(selector) => update({ selector })}
            labels={labelSourceOf(datasource)}
            testIds={testIds.queryEditor}
          />
        </InlineField>
      </InlineFieldRow>
      {TREE_TYPES.includes(queryType) && (
        <InlineFieldRow>
          <InlineField label="Metric" labelWidth={14}>
            <div data-testid={testIds.queryEditor.metric}>
              <RadioButtonGroup<Metric>
                options={METRIC_OPTIONS}
                value={query.metric ?? 'time'}
                onChange={(metric) => update({ metric })}
              />
            </div>
          </InlineField>
          <InlineField label="Max nodes" tooltip="Prune the tree to this many nodes (the rest is marked truncated)">
            {numberInput('maxNodes', testIds.queryEditor.maxNodes, String(DEFAULT_MAX_NODES))}
          </InlineField>
          <InlineField label="Hide GC/overhead" tooltip="Leave out GHC's GC and OVERHEAD_of nodes">
            <InlineSwitch
              value={query.excludeSystem ?? false}
              onChange={(event) => update({ excludeSystem: event.currentTarget.checked })}
            />
          </InlineField>
          {queryType === 'top' && (
            <InlineField label="Rows">{numberInput('limit', testIds.queryEditor.limit, '1000')}</InlineField>
          )}
        </InlineFieldRow>
      )}
      {queryType === 'diff' && (
        <InlineFieldRow>
          <InlineField label="Baseline" labelWidth={14} tooltip="Empty: the same selector">
            {textInput('baselineSelector', testIds.queryEditor.baselineSelector, 'same selector', 40)}
          </InlineField>
          <InlineField label="Compare with">
            <Combobox<string>
              data-testid={testIds.queryEditor.baselineShift}
              width={18}
              options={SHIFT_OPTIONS}
              value={query.baselineShift ?? ''}
              createCustomValue
              onChange={(option) => update({ baselineShift: option.value || undefined })}
            />
          </InlineField>
          <InlineField label="Version" tooltip='Compare with version X: sets version="X" in the baseline selector'>
            {textInput('baselineVersion', testIds.queryEditor.baselineVersion, 'any', 16)}
          </InlineField>
        </InlineFieldRow>
      )}
      {HEAP_TYPES.includes(queryType) && (
        <InlineFieldRow>
          <InlineField label="Band kind" labelWidth={14}>
            <Combobox<HeapMode | ''>
              data-testid={testIds.queryEditor.mode}
              width={28}
              options={HEAP_MODE_OPTIONS}
              value={query.mode ?? ''}
              onChange={(option) => update({ mode: option.value || undefined })}
            />
          </InlineField>
          <InlineField label="Top bands">{numberInput('topN', testIds.queryEditor.topN, '10')}</InlineField>
          <InlineField label="Split by" tooltip="Label that keeps overlapping processes apart">
            {textInput('splitBy', testIds.queryEditor.splitBy, datasource.splitLabel, 14)}
          </InlineField>
        </InlineFieldRow>
      )}
      {BENCH_TYPES.includes(queryType) && <BenchQueryFields query={query} datasource={datasource} update={update} />}
      {queryType === 'rts' && (
        <InlineFieldRow>
          <InlineField label="RTS panel" labelWidth={14}>
            <Combobox<RtsPanel>
              data-testid={testIds.queryEditor.rtsPanel}
              width={28}
              options={RTS_PANEL_OPTIONS}
              value={query.rtsPanel ?? 'allocRate'}
              onChange={(option) => update({ rtsPanel: option.value })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </Stack>
  );
}
