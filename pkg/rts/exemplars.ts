/**
 * Exemplar-style links from RTS panels to stored profiles: a frame named `exemplar` (`meta.dataTopic:
 * 'annotations'`, fields `Time`, `Value`, `Id` and one string field per label), Grafana's exemplar shape as the
 * Pyroscope datasource sends it. A spike on an RTS panel then shows the profiles taken around it; the plugin's
 * datasource adds the "View profile" internal link on `Id` (only it knows its datasource uid).
 */
import type { DataFrameJSON } from '../api/dataframe';
import type { ProfileMeta } from '../api/query';

export interface ExemplarOptions {
  /** Keep profiles starting in [from, to] (ms); default: all given. */
  from?: number;
  to?: number;
  /** The panel's series frames: an exemplar sits on the value of its own process's series nearest in time. */
  series?: readonly DataFrameJSON[];
}

export function profileExemplarFrame(profiles: readonly ProfileMeta[], opts: ExemplarOptions = {}): DataFrameJSON {
  const inRange = profiles
    .filter(
      (p) => (opts.from === undefined || p.startTime >= opts.from) && (opts.to === undefined || p.startTime <= opts.to)
    )
    .sort((a, b) => a.startTime - b.startTime);
  const labelNames = [...new Set(inRange.flatMap((p) => Object.keys(p.labels)))].sort();
  return {
    schema: {
      name: 'exemplar',
      meta: { dataTopic: 'annotations', custom: { ghcprof: { exemplars: 'profiles' } } },
      fields: [
        { name: 'Time', type: 'time', config: {} },
        { name: 'Value', type: 'number', config: {} },
        { name: 'Id', type: 'string', config: { displayName: 'Profile' } },
        { name: 'kind', type: 'string', config: {} },
        ...labelNames.map((name) => ({ name, type: 'string' as const, config: {} })),
      ],
    },
    data: {
      values: [
        inRange.map((p) => p.startTime),
        inRange.map((p) => valueNear(p, opts.series ?? [])),
        inRange.map((p) => p.id),
        inRange.map((p) => p.kind),
        ...labelNames.map((name) => inRange.map((p) => p.labels[name] ?? '')),
      ],
    },
  };
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
