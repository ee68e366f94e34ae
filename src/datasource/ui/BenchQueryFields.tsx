import type { SelectableValue } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, Input, RadioButtonGroup, type ComboboxOption } from '@grafana/ui';
import { testIds } from '../../shared/testIds';
import type { GhcprofDataSource } from '../datasource';
import type { GhcprofQuery } from '../types';

interface Props {
  query: GhcprofQuery;
  datasource: GhcprofDataSource;
  update: (patch: Partial<GhcprofQuery>) => void;
}

const BY_OPTIONS: Array<SelectableValue<'time' | 'version'>> = [
  { label: 'Over time', value: 'time', description: 'One series per benchmark: mean with lower and upper bound' },
  {
    label: 'By version',
    value: 'version',
    description: 'A table: one row per version label, one column per benchmark',
  },
];

/**
 * The fields of the `benchmarks` and `benchCompare` query types: a benchmark picker (names of the bench results the
 * selector matches, through the label-values-like GET /api/v1/benchmarks/names; a typed regex or `$benchmark` is
 * kept as written), and per type the series/table switch or the baseline to compare with.
 */
export function BenchQueryFields({ query, datasource, update }: Props) {
  const loadNames = async (input: string): Promise<Array<ComboboxOption<string>>> => {
    const found = await datasource.metricFind({
      refId: 'benchmarks',
      kind: 'benchmarkNames',
      selector: query.selector,
    });
    return found
      .map((value) => value.text)
      .filter((name) => name.toLowerCase().includes(input.toLowerCase()))
      .map((name) => ({ label: name, value: name }));
  };
  return (
    <>
      <InlineFieldRow>
        <InlineField
          label="Benchmark"
          labelWidth={14}
          tooltip="Benchmark names as the tool wrote them; a regex (RE2, anchored) or $benchmark works too. Empty: all"
        >
          <Combobox<string>
            data-testid={testIds.benchQuery.benchmark}
            width={40}
            options={loadNames}
            value={query.benchmark ?? null}
            placeholder="all benchmarks"
            createCustomValue
            isClearable
            onChange={(option) => update({ benchmark: option?.value || undefined })}
          />
        </InlineField>
        {query.queryType === 'benchmarks' && (
          <InlineField label="Show">
            <div data-testid={testIds.benchQuery.by}>
              <RadioButtonGroup<'time' | 'version'>
                options={BY_OPTIONS}
                value={query.benchBy ?? 'time'}
                onChange={(benchBy) => update({ benchBy })}
              />
            </div>
          </InlineField>
        )}
      </InlineFieldRow>
      {query.queryType === 'benchCompare' && (
        <InlineFieldRow>
          <InlineField
            label="Base version"
            labelWidth={14}
            tooltip='The old side: the selector with version="X" (the new side is the selector itself)'
          >
            <Input
              width={24}
              data-testid={testIds.benchQuery.baseline}
              defaultValue={query.baselineVersion}
              placeholder="$base"
              onBlur={(event) => update({ baselineVersion: event.currentTarget.value || undefined })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </>
  );
}
