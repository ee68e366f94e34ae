import type { ReactNode } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Alert, InlineField, Input, LinkButton, RadioButtonGroup, Stack, TagList, useStyles2 } from '@grafana/ui';
import { Link } from 'react-router-dom';
import { testIds } from '../../../shared/testIds';
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
import { focusBand, type BandRef } from '../domain/focusBand';
import { leakRowsOf, minR2Of } from '../domain/leakRows';
import { LeakTable } from './LeakTable';

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
          <Section title="Heap">
            <HeapSection
              datasource={datasource}
              scope={data.scope}
              window={data.window}
              focus={data.focus}
              showAllLink={actions.focusLink(undefined)}
            />
          </Section>
          <Section title="Leaks">
            <LeaksSection
              datasource={datasource}
              scope={data.scope}
              window={data.window}
              minR2={data.minR2}
              onMinR2={actions.setMinR2}
              linkOf={actions.focusLink}
            />
          </Section>
          <Section title={`RTS metrics ${data.scope.rtsSelector}`}>
            <RtsSection datasource={datasource} scope={data.scope} window={data.window} />
          </Section>
        </>
      )}
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.section}>
      <h3>{title}</h3>
      {children}
    </div>
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

function HeapSection({
  datasource,
  scope,
  window,
  focus,
  showAllLink,
}: SectionProps & { focus?: BandRef; showAllLink: string }) {
  const result = useQueryFrames(datasource, { refId: 'heap', queryType: 'heap', ...scope.base }, window);
  return (
    <QueryState title="Heap timeline" {...result} frames={result.value} noticeTestId={testIds.profilePage.notice}>
      {(frames) => (
        <>
          {focus && (
            <div data-testid={testIds.profilePage.focusedBand}>
              Showing {focus.band} {focus.series} only. <Link to={showAllLink}>Show every band</Link>
            </div>
          )}
          {/* A table legend: long cost-centre stacks are cut with an ellipsis and shown whole on hover. */}
          <TimeSeriesView
            frames={focusBand(frames, focus)}
            range={scope.range}
            height={360}
            testId={testIds.profilePage.heap}
            stacked
            legendCalcs={['max', 'lastNotNull']}
          />
        </>
      )}
    </QueryState>
  );
}

interface LeaksProps extends SectionProps {
  minR2: number;
  onMinR2: (minR2: number) => void;
  linkOf: (target: BandRef) => string;
}

function LeaksSection({ datasource, scope, window, minR2, onMinR2, linkOf }: LeaksProps) {
  const result = useQueryFrames(datasource, { refId: 'leaks', queryType: 'leaks', minR2, ...scope.base }, window);
  return (
    <>
      <InlineField label="R² threshold" tooltip="A rising band counts as growing steadily from this R² of its fit">
        <Input
          type="number"
          min={0}
          max={1}
          step={0.05}
          width={10}
          defaultValue={minR2}
          data-testid={testIds.profilePage.minR2}
          onBlur={(event) => {
            const value = Number(event.currentTarget.value);
            if (value >= 0 && value <= 1) {
              onMinR2(value);
            }
          }}
        />
      </InlineField>
      <QueryState title="Leak table" {...result} frames={result.value}>
        {(frames) => <LeakTable rows={leakRowsOf(frames[0])} minR2={minR2Of(frames[0]) ?? minR2} linkOf={linkOf} />}
      </QueryState>
    </>
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
