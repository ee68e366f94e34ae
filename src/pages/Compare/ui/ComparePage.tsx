import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Stack, useStyles2 } from '@grafana/ui';
import { testIds } from '../../../shared/testIds';
import type { GhcprofDataSource } from '../../../datasource/datasource';
import type { GhcprofQuery } from '../../../datasource/types';
import { useQueryFrames } from '../../../shared/domain/useQueryFrames';
import { useSelection, windowOf, type Selection } from '../../../shared/domain/useSelection';
import { DatasourcePage } from '../../../shared/ui/DatasourcePage';
import { FlameGraphView } from '../../../shared/ui/FlameGraphView';
import { QueryState } from '../../../shared/ui/QueryState';
import { SelectionBar } from '../../../shared/ui/SelectionBar';
import { diffQueryOf } from '../domain/diffQueryOf';
import { shiftedBaseline, TIME_PRESETS } from '../domain/comparePresets';

export function ComparePage() {
  return (
    <DatasourcePage testId={testIds.comparePage.container}>
      {(datasource) => <CompareView datasource={datasource} />}
    </DatasourcePage>
  );
}

export function CompareView({ datasource }: { datasource: GhcprofDataSource }) {
  const styles = useStyles2(getStyles);
  const left = useSelection('left.', { from: 'now-14d', to: 'now-7d' });
  const right = useSelection('right.');
  const diff = diffQueryOf(left.data.selection, right.data.selection);
  const diffResult = useQueryFrames(datasource, diff, windowOf(right.data.selection.range));
  return (
    <>
      <div className={styles.sides}>
        <Side
          datasource={datasource}
          title="Baseline"
          selection={left.data.selection}
          onChange={left.actions.setSelection}
          testId={testIds.comparePage.left}
        />
        <Side
          datasource={datasource}
          title="Comparison"
          selection={right.data.selection}
          onChange={right.actions.setSelection}
          testId={testIds.comparePage.right}
        />
      </div>
      <Stack direction="row" gap={1} alignItems="center">
        <span>Baseline presets:</span>
        {TIME_PRESETS.map((preset) => (
          <Button
            key={preset.label}
            size="sm"
            variant="secondary"
            onClick={() => left.actions.setSelection(shiftedBaseline(right.data.selection, preset.shiftMs))}
          >
            {preset.label}
          </Button>
        ))}
      </Stack>
      <h3>Diff (baseline to comparison)</h3>
      <QueryState title="Diff flame graph" {...diffResult} frames={diffResult.value}>
        {(frames) => <FlameGraphView frame={frames[0]} testId={testIds.comparePage.diff} />}
      </QueryState>
    </>
  );
}

interface SideProps {
  datasource: GhcprofDataSource;
  title: string;
  selection: Selection;
  onChange: (selection: Selection) => void;
  testId: string;
}

function Side({ datasource, title, selection, onChange, testId }: SideProps) {
  const query: GhcprofQuery = { refId: title, queryType: 'flamegraph', selector: selection.selector };
  const result = useQueryFrames(datasource, query, windowOf(selection.range));
  return (
    <div>
      <h3>{title}</h3>
      <SelectionBar datasource={datasource} selection={selection} onChange={onChange} label={title} />
      <QueryState title={`${title} flame graph`} {...result} frames={result.value}>
        {(frames) => <FlameGraphView frame={frames[0]} testId={testId} vertical />}
      </QueryState>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  // minmax(0, 1fr): a column may shrink below its content's width (the selection bar wraps instead of overflowing).
  sides: css({ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: theme.spacing(2) }),
});
