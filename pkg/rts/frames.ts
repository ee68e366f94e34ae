/**
 * RTS time series as Grafana frames: one frame per process and panel series, a `Time` field (ms) and one number
 * field named after the series (`allocated`, `minor`, ...) carrying the process's labels and the panel's unit.
 */
import type { DataFrameJSON } from '../api/dataframe';
import type { DialectId } from '../api/rts/dialects';
import type { PanelDef } from '../api/rts/presets';
import { column, frame } from '../frames/fields';

export interface RtsSeriesData {
  panel: PanelDef;
  series: string;
  /** ghcprof view of the process's labels (see labels.ts `ghcprofLabels`). */
  labels: Record<string, string>;
  times: number[];
  values: Array<number | null>;
  /** Where the numbers came from, for the query inspector. */
  source: { dialect: DialectId | null; query?: string; [key: string]: unknown };
}

export function rtsSeriesFrame(d: RtsSeriesData): DataFrameJSON {
  const meta = {
    preferredVisualisationType: 'graph' as const,
    custom: { ghcprof: { panel: d.panel.id, series: d.series, ...d.source } },
  };
  const config = { unit: d.panel.unit, displayNameFromDS: `${d.series} ${processName(d.labels)}`.trim() };
  return frame({ name: d.panel.id, meta }, [
    column('Time', 'time', d.times),
    column(d.series, 'number', d.values, config, d.labels),
  ]);
}

/** The shortest label that tells processes apart in a legend. */
export function processName(labels: Record<string, string>): string {
  return labels.pod || labels.instance || labels.service || labels.job || '';
}

/** Prometheus sample value text -> number; NaN and infinities (0/0 ratios) become null, i.e. gaps. */
export function sampleValue(text: string): number | null {
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}
