/**
 * The "Benchmarks" dashboard's panels (src/dashboards/build/benchmarks.ts) run in the browser as Grafana would run
 * them: each panel's query through the data source with the dashboard's variables (from the page URL) interpolated,
 * the repeated time-series panel once per chosen benchmark. Time series are drawn with the plugin's own
 * TimeSeriesView (Grafana's uPlot chart); tables as plain HTML tables of the frames' display values.
 */
import { useEffect, useState } from 'react';
import { dateTime, type DataFrame, type DataSourceInstanceSettings } from '@grafana/data';
import { benchmarksDashboard } from '../../../src/dashboards/build/benchmarks';
import { GhcprofDataSource } from '../../../src/datasource/datasource';
import type { GhcprofOptions, GhcprofQuery } from '../../../src/datasource/types';
import { TimeSeriesView } from '../../../src/shared/ui/TimeSeriesView';
import { FakeTemplateSrv } from '../../../src/testing/FakeTemplateSrv';

interface Props {
  settings: DataSourceInstanceSettings<GhcprofOptions>;
  vars: { suite: string; base: string; version: string; benchmarks: string[]; allBenchmarks: string[] };
  window: { from: number; to: number };
}

interface PanelJson {
  title: string;
  type: string;
  repeat?: string;
  targets: GhcprofQuery[];
}

export function BenchmarksDashboardView({ settings, vars, window }: Props) {
  const templateSrv = new FakeTemplateSrv([
    { name: 'suite', current: [vars.suite], options: [vars.suite], multi: true },
    { name: 'benchmark', current: vars.benchmarks, options: vars.allBenchmarks, multi: true },
    { name: 'base', current: [vars.base], options: [vars.base, vars.version] },
    { name: 'version', current: [vars.version], options: [vars.base, vars.version] },
  ]);
  const datasource = new GhcprofDataSource(settings, templateSrv);
  const panels = (benchmarksDashboard() as unknown as { panels: PanelJson[] }).panels.flatMap((panel) =>
    panel.repeat === 'benchmark'
      ? vars.benchmarks.map((b) => ({ panel, title: b, scoped: { benchmark: { text: b, value: b } } }))
      : [{ panel, title: templateSrv.replace(panel.title), scoped: {} }]
  );
  return (
    <div>
      {panels.map(({ panel, title, scoped }) => (
        <PanelView key={title} datasource={datasource} panel={panel} title={title} scoped={scoped} window={window} />
      ))}
    </div>
  );
}

function PanelView(props: {
  datasource: GhcprofDataSource;
  panel: PanelJson;
  title: string;
  scoped: Record<string, { text: string; value: string }>;
  window: { from: number; to: number };
}) {
  const { datasource, panel, title, scoped, window } = props;
  const [frames, setFrames] = useState<DataFrame[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    datasource
      .runQuery(datasource.applyTemplateVariables(panel.targets[0], scoped), window)
      .then(setFrames, (e: Error) => setError(e.message));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const range = { from: dateTime(window.from), to: dateTime(window.to), raw: { from: '', to: '' } };
  return (
    <section data-testid="bench-panel" data-title={title} data-type={panel.type} style={{ marginBottom: 16 }}>
      <h3 style={{ margin: '4px 0' }}>{title}</h3>
      {error && <pre data-testid="bench-panel-error">{error}</pre>}
      {frames && panel.type === 'timeseries' && <TimeSeriesView frames={frames} range={range} height={220} />}
      {frames && panel.type === 'table' && <FrameTable frame={frames[0]} />}
    </section>
  );
}

function FrameTable({ frame }: { frame: DataFrame }) {
  const cell = (value: unknown, unit?: string) =>
    typeof value === 'number'
      ? unit === 's'
        ? `${(value * 1e6).toFixed(2)} µs`
        : unit === 'percent'
          ? `${value.toFixed(1)} %`
          : value.toFixed(3)
      : value === null || value === undefined
        ? ''
        : String(value);
  return (
    <table data-testid="bench-table" style={{ borderCollapse: 'collapse' }}>
      <thead>
        <tr>
          {frame.fields.map((f) => (
            <th key={f.name} style={{ textAlign: 'left', padding: '2px 12px' }}>
              {f.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: frame.length }, (_, row) => (
          <tr key={row} data-testid="bench-row">
            {frame.fields.map((f) => (
              <td key={f.name} data-field={f.name} data-raw={String(f.values[row])} style={{ padding: '2px 12px' }}>
                {f.type === 'time'
                  ? new Date(f.values[row] as number).toISOString().slice(0, 16)
                  : cell(f.values[row], f.config.unit)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
