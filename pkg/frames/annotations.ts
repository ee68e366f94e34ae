/**
 * Annotation-topic frames: annotations (stored profiles as regions on the time axis, user markers from eventlogs)
 * and exemplars (one point per stored profile that links to its flame graph), following the Pyroscope datasource.
 */
import type { DataFrameJSON } from '../api/dataframe';
import { ownValue } from '../api/records';
import type { ProfileMeta } from '../api/query';
import { column, type DatasourceRef, flamegraphLinkConfig, formatLabels, frame } from './fields';

export interface Annotation {
  /** ms since the epoch. */
  timeMs: number;
  /** End of a region (ms); absent or equal to timeMs for a point. */
  timeEndMs?: number | null;
  text: string;
  /** CSS colour; Grafana's default when absent. */
  color?: string;
}

/** Colour of stored-profile regions and of eventlog markers on dashboards. */
export const PROFILE_COLOR = '#8F3BB8';
export const MARKER_COLOR = '#FF9830';

/** Frame `annotations` (dataTopic annotations): fields time, timeEnd, text, isRegion, color. */
export function annotationsFrame(items: Annotation[], opts: { refId?: string } = {}): DataFrameJSON {
  const sorted = [...items].sort((a, b) => a.timeMs - b.timeMs);
  const ends = sorted.map((a) => a.timeEndMs ?? a.timeMs);
  return frame({ name: 'annotations', refId: opts.refId, meta: { dataTopic: 'annotations' } }, [
    column(
      'time',
      'time',
      sorted.map((a) => a.timeMs)
    ),
    column('timeEnd', 'time', ends),
    column(
      'text',
      'string',
      sorted.map((a) => a.text)
    ),
    column(
      'isRegion',
      'boolean',
      sorted.map((a, i) => ends[i] > a.timeMs)
    ),
    column(
      'color',
      'string',
      sorted.map((a) => a.color ?? '')
    ),
  ]);
}

/** The annotation of one stored profile: a region over its run (a point when the end is unknown). */
export function profileAnnotation(meta: ProfileMeta): Annotation {
  const what = meta.has.tree ? 'profile' : meta.has.heap ? 'heap profile' : 'eventlog';
  return {
    timeMs: meta.startTime,
    timeEndMs: meta.endTime,
    text: `${meta.program} ${what} (${meta.kind}) ${formatLabels(meta.labels)}`,
    color: PROFILE_COLOR,
  };
}

/** An eventlog user marker (traceMarker/traceEvent) of a profile that started at `startTimeMs`. */
export function markerAnnotation(
  startTimeMs: number,
  marker: { timeNs: number; text: string; kind: 'marker' | 'message' }
): Annotation {
  return { timeMs: startTimeMs + marker.timeNs / 1e6, text: `${marker.kind}: ${marker.text}`, color: MARKER_COLOR };
}

export interface Exemplar {
  timeMs: number;
  /** What the point's height means, e.g. the profile's total time in ns or its total allocation. */
  value: number;
  /** The stored profile id. */
  id: string;
  labels: Record<string, string>;
}

/**
 * Frame `exemplar` (dataTopic annotations): fields Time, Value, Id, then one string field per label name (sorted, ''
 * where a profile lacks the label). With a datasource, Id links ("View profile") to a flamegraph query of that id.
 */
export function exemplarFrame(
  items: Exemplar[],
  opts: { refId?: string; datasource?: DatasourceRef; unit?: string } = {}
): DataFrameJSON {
  const sorted = [...items].sort((a, b) => a.timeMs - b.timeMs);
  const labelNames = [...new Set(sorted.flatMap((e) => Object.keys(e.labels)))].sort();
  const idConfig = opts.datasource ? flamegraphLinkConfig(opts.datasource, 'View profile') : {};
  return frame({ name: 'exemplar', refId: opts.refId, meta: { dataTopic: 'annotations' } }, [
    column(
      'Time',
      'time',
      sorted.map((e) => e.timeMs)
    ),
    column(
      'Value',
      'number',
      sorted.map((e) => e.value),
      opts.unit ? { unit: opts.unit } : {}
    ),
    column(
      'Id',
      'string',
      sorted.map((e) => e.id),
      idConfig
    ),
    ...labelNames.map((name) =>
      column(
        name,
        'string',
        sorted.map((e) => ownValue(e.labels, name) ?? '')
      )
    ),
  ]);
}
