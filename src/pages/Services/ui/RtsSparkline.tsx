import { formattedValueToString, getValueFormat, type DataFrame } from '@grafana/data';
import type { RtsPanel } from '@ghcprof/api/query';
import { PANELS } from '@ghcprof/api/rts/presets';
import type { GhcprofDataSource } from '../../../datasource/datasource';
import type { TimeWindow } from '../../../datasource/domain/buildRequest';
import { useQueryFrames } from '../../../shared/domain/useQueryFrames';
import { Sparkline } from '../../../shared/ui/Sparkline';
import { sparklineWindow } from '../domain/sparklineWindow';
import { serviceSelector } from '../domain/serviceLinks';

interface Props {
  datasource: GhcprofDataSource;
  service: string;
  panel: RtsPanel;
  window: TimeWindow;
  testId: string;
}

/** The values of the panel's first series (RTS frames are `time` + one value field per process and series). */
export function seriesValues(frames: DataFrame[]): Array<number | null> {
  const series = frames.find((f) => f.meta?.dataTopic === undefined && f.fields.length === 2);
  return (series?.fields[1].values ?? []) as Array<number | null>;
}

/**
 * One RTS preset (the dashboards' PromQL through the `rts` query) for one service as a sparkline with its latest
 * value. A service Prometheus has nothing for shows a dash, not an error: most services have no exporter.
 */
export function RtsSparkline({ datasource, service, panel, window, testId }: Props) {
  const { window: range, stepMs } = sparklineWindow(window);
  const result = useQueryFrames(
    datasource,
    { refId: panel, queryType: 'rts', rtsPanel: panel, selector: serviceSelector(service) },
    range,
    stepMs
  );
  const values = result.loading || result.error ? [] : seriesValues(result.value ?? []);
  const last = [...values].reverse().find((v) => v !== null);
  const unit = PANELS[panel].unit;
  // Decimals chosen by the unit's formatter, as a panel legend does.
  const text = last === undefined ? '–' : formattedValueToString(getValueFormat(unit)(last));
  return (
    <span data-testid={testId} style={{ display: 'inline-flex', alignItems: 'center', gap: 6, whiteSpace: 'nowrap' }}>
      <Sparkline values={values} width={90} height={24} title={`${PANELS[panel].title}: ${text}`} />
      <span>{result.loading && !result.value ? '…' : text}</span>
    </span>
  );
}
