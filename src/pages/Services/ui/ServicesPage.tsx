import { Alert, InlineField, Input, LoadingPlaceholder, Stack } from '@grafana/ui';
import { useState } from 'react';
import { DEFAULT_MIN_R2 } from '@ghcprof/api/query';
import { testIds } from '../../../shared/testIds';
import type { GhcprofDataSource } from '../../../datasource/datasource';
import { useQueryFrames } from '../../../shared/domain/useQueryFrames';
import { useSelection, windowOf } from '../../../shared/domain/useSelection';
import { DatasourcePage } from '../../../shared/ui/DatasourcePage';
import { SelectionBar } from '../../../shared/ui/SelectionBar';
import { filterServices, serviceRowsOf } from '../domain/serviceRows';
import { GetDataIn } from './GetDataIn';
import { ServicesTable } from './ServicesTable';

export function ServicesPage() {
  return (
    <DatasourcePage testId={testIds.servicesPage.container}>
      {(datasource) => <ServicesView datasource={datasource} />}
    </DatasourcePage>
  );
}

/** "Which of our Haskell services is in trouble?": every service of the tenant in the range, steepest leak first. */
export function ServicesView({ datasource }: { datasource: GhcprofDataSource }) {
  const { data, actions } = useSelection();
  const [filter, setFilter] = useState('');
  const window = windowOf(data.selection.range);
  const result = useQueryFrames(
    datasource,
    { refId: 'services', queryType: 'services', selector: data.selection.selector, minR2: DEFAULT_MIN_R2 },
    window
  );
  const rows = serviceRowsOf(result.value?.[0]);
  const shown = filterServices(rows, filter);
  return (
    <Stack direction="column" gap={2}>
      <Stack direction="row" gap={1} wrap="wrap" alignItems="center">
        <SelectionBar
          datasource={datasource}
          selection={data.selection}
          onChange={actions.setSelection}
          label="Labels"
        />
        <InlineField label="Service">
          <Input
            width={24}
            placeholder="filter by name"
            value={filter}
            onChange={(event) => setFilter(event.currentTarget.value)}
            data-testid={testIds.servicesPage.filter}
          />
        </InlineField>
      </Stack>
      {result.error && (
        <Alert severity="error" title="Listing services failed" data-testid={testIds.servicesPage.error}>
          {result.error.message}
        </Alert>
      )}
      {result.loading && !result.value && <LoadingPlaceholder text="Loading services..." />}
      {!result.loading && !result.error && rows.length === 0 && <GetDataIn selector={data.selection.selector} />}
      {shown.length > 0 && (
        <ServicesTable datasource={datasource} rows={shown} window={window} minR2={DEFAULT_MIN_R2} />
      )}
    </Stack>
  );
}
