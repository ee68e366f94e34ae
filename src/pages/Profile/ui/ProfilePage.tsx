import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Alert, LinkButton, RadioButtonGroup, Stack, TagList, useStyles2 } from '@grafana/ui';
import { testIds } from '../../../components/testIds';
import type { GhcprofDataSource } from '../../../datasource/datasource';
import type { Metric } from '../../../datasource/types';
import { useQueryFrames } from '../../../shared/domain/useQueryFrames';
import type { TimeWindow } from '../../../datasource/domain/buildRequest';
import { DatasourcePage } from '../../../shared/ui/DatasourcePage';
import { FlameGraphView } from '../../../shared/ui/FlameGraphView';
import { QueryState } from '../../../shared/ui/QueryState';
import { SelectionBar } from '../../../shared/ui/SelectionBar';
import { TimeSeriesView } from '../../../shared/ui/TimeSeriesView';
import { prometheusGraphUrl } from '../domain/prometheusGraphUrl';
import { useProfileView, type ProfileScope } from '../domain/useProfileView';

const METRICS: Array<SelectableValue<Metric>> = [
  { label: 'Time', value: 'time' },
  { label: 'Allocation', value: 'alloc' },
  { label: 'Entries', value: 'entries' },
];

export function ProfilePage() {
  return (
    <DatasourcePage testId={testIds.profilePage.container}>
      {(datasource) => <ProfileView datasource={datasource} />}
    </DatasourcePage>
  );
}

export function ProfileView({ datasource }: { datasource: GhcprofDataSource }) {
  const styles = useStyles2(getStyles);
  const { data, actions } = useProfileView(datasource);
  return (
    <Stack direction="column" gap={2}>
      {data.id ? (
        <ProfileHeading scope={data.scope} id={data.id} />
      ) : (
        <SelectionBar datasource={datasource} selection={data.selection} onChange={actions.setSelection} />
      )}
      {data.profileError && (
        <Alert severity="error" title="Opening the profile failed" data-testid={testIds.profilePage.error}>
          {data.profileError.message}
        </Alert>
      )}
      {data.scope && data.window && (
        <>
          <RadioButtonGroup options={METRICS} value={data.metric} onChange={actions.setMetric} />
          <FlameGraphSection datasource={datasource} scope={data.scope} window={data.window} metric={data.metric} />
          <div className={styles.section}>
            <h3>Heap</h3>
            <HeapSection datasource={datasource} scope={data.scope} window={data.window} />
          </div>
          <div className={styles.section}>
            <h3>RTS metrics {data.scope.rtsSelector}</h3>
            <RtsSection datasource={datasource} scope={data.scope} window={data.window} />
          </div>
        </>
      )}
    </Stack>
  );
}

interface SectionProps {
  datasource: GhcprofDataSource;
  scope: ProfileScope;
  window: TimeWindow;
}

function ProfileHeading({ scope, id }: { scope?: ProfileScope; id: string }) {
  const profile = scope?.profile;
  return (
    <Stack direction="row" gap={2} alignItems="center">
      <h2>{profile ? `${profile.program} (${profile.kind})` : id}</h2>
      {profile && <TagList tags={Object.entries(profile.labels).map(([name, value]) => `${name}=${value}`)} />}
    </Stack>
  );
}

function FlameGraphSection({ datasource, scope, window, metric }: SectionProps & { metric: Metric }) {
  const result = useQueryFrames(
    datasource,
    { refId: 'flamegraph', queryType: 'flamegraph', metric, ...scope.base },
    window
  );
  return (
    <QueryState
      title="Flame graph"
      {...result}
      frames={result.value}
      errorTestId={testIds.profilePage.error}
      noticeTestId={testIds.profilePage.notice}
    >
      {(frames) => <FlameGraphView frame={frames[0]} testId={testIds.profilePage.flameGraph} />}
    </QueryState>
  );
}

function HeapSection({ datasource, scope, window }: SectionProps) {
  const result = useQueryFrames(datasource, { refId: 'heap', queryType: 'heap', ...scope.base }, window);
  return (
    <QueryState title="Heap timeline" {...result} frames={result.value} noticeTestId={testIds.profilePage.notice}>
      {(frames) => (
        <TimeSeriesView frames={frames} range={scope.range} height={260} testId={testIds.profilePage.heap} stacked />
      )}
    </QueryState>
  );
}

function RtsSection({ datasource, scope, window }: SectionProps) {
  const prometheusLink =
    datasource.prometheusUrl &&
    prometheusGraphUrl(datasource.prometheusUrl, 'liveBytes', scope.rtsSelector, scope.range);
  const result = useQueryFrames(
    datasource,
    { refId: 'rts', queryType: 'rts', rtsPanel: 'liveBytes', selector: scope.rtsSelector },
    window
  );
  return (
    <>
      {prometheusLink && (
        <LinkButton href={prometheusLink} target="_blank" variant="secondary" size="sm" icon="external-link-alt">
          Open in Prometheus
        </LinkButton>
      )}
      <QueryState title="RTS metrics" {...result} frames={result.value}>
        {(frames) => (
          <TimeSeriesView
            frames={frames}
            range={scope.range}
            height={200}
            testId={testIds.profilePage.rts}
            legendCalcs={['lastNotNull', 'max']}
          />
        )}
      </QueryState>
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginTop: theme.spacing(2) }),
});
