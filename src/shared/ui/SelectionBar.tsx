import { InlineField, Stack, TimeRangeInput } from '@grafana/ui';
import type { GhcprofDataSource } from '../../datasource/datasource';
import { LabelSelectorField } from './LabelSelectorField';
import { labelSourceOf } from '../domain/labelSource';
import { testIds } from '../testIds';
import type { Selection } from '../domain/useSelection';

interface Props {
  datasource: GhcprofDataSource;
  selection: Selection;
  onChange: (selection: Selection) => void;
  label?: string;
}

/** Label selector with autocomplete and a time range: the "which profiles" of every page. */
export function SelectionBar({ datasource, selection, onChange, label = 'Profiles' }: Props) {
  return (
    <Stack direction="row" gap={1} wrap="wrap" alignItems="center">
      <InlineField label={label} labelWidth={12}>
        <LabelSelectorField
          value={selection.selector}
          onChange={(selector) => onChange({ ...selection, selector })}
          labels={labelSourceOf(datasource)}
          testIds={{ selector: testIds.shared.selectionSelector }}
          width={40}
        />
      </InlineField>
      <TimeRangeInput
        value={selection.range}
        onChange={(range) => onChange({ ...selection, range })}
        clearable={false}
      />
    </Stack>
  );
}
