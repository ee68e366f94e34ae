/**
 * Exemplar-style links from RTS panels to stored profiles: pkg/frames' `exemplar` frame (`meta.dataTopic:
 * 'annotations'`, fields `Time`, `Value`, `Id` and one string field per label), Grafana's exemplar shape as the
 * Pyroscope datasource sends it. A spike on an RTS panel then shows the profiles taken around it; the plugin's
 * datasource adds the "View profile" internal link on `Id` (only it knows its datasource uid).
 */
import type { DataFrameJSON } from '../api/dataframe';
import type { ProfileMeta } from '../api/query';
import { exemplarFrame } from '../frames/annotations';

export interface ExemplarOptions {
  /** Keep profiles starting in [from, to] (ms); default: all given. */
  from?: number;
  to?: number;
  /** The panel's series frames: an exemplar sits on the value of its own process's series nearest in time. */
  series?: readonly DataFrameJSON[];
  /** The panel's unit, for `Value`. */
  unit?: string;
}

/** pkg/frames' `exemplar` frame, with each profile's height read off its process's RTS series. */
export function profileExemplarFrame(profiles: readonly ProfileMeta[], opts: ExemplarOptions = {}): DataFrameJSON {
  const inRange = profiles.filter(
    (p) => (opts.from === undefined || p.startTime >= opts.from) && (opts.to === undefined || p.startTime <= opts.to)
  );
  const items = inRange.map((p) => ({
    timeMs: p.startTime,
    value: valueNear(p, opts.series ?? []),
    id: p.id,
    labels: p.labels,
  }));
  return exemplarFrame(items, { unit: opts.unit });
}

/** The value of the profile's process series nearest its start time; 0 when no series belongs to it. */
function valueNear(profile: ProfileMeta, series: readonly DataFrameJSON[]): number {
  for (const frame of series) {
    const valueField = frame.schema.fields[1];
    if (frame.schema.fields.length !== 2 || !valueField?.labels || !sameProcess(profile.labels, valueField.labels)) {
      continue;
    }
    const [times, values] = frame.data.values as [number[], Array<number | null>];
    let best: number | null = null;
    let bestDistance = Infinity;
    times.forEach((t, i) => {
      const distance = Math.abs(t - profile.startTime);
      if (values[i] !== null && distance < bestDistance) {
        best = values[i];
        bestDistance = distance;
      }
    });
    if (best !== null) {
      return best;
    }
  }
  return 0;
}

/** Labels the two sides share all agree, and they share at least one. */
function sameProcess(a: Record<string, string>, b: Record<string, string>): boolean {
  const shared = Object.keys(a).filter((k) => b[k] !== undefined);
  return shared.length > 0 && shared.every((k) => a[k] === b[k]);
}
