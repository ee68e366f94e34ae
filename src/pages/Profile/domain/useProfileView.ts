import { dateTime, type TimeRange } from '@grafana/data';
import { useSearchParams } from 'react-router-dom';
import { DEFAULT_MIN_R2, type ProfileMeta } from '@ghcprof/api/query';
import type { GhcprofDataSource } from '../../../datasource/datasource';
import { formatSelector } from '../../../datasource/domain/selector';
import type { GhcprofQuery, Metric } from '../../../datasource/types';
import { useAsyncResult } from '../../../shared/domain/useAsyncResult';
import { useSelection, windowOf } from '../../../shared/domain/useSelection';
import type { BandRef } from './focusBand';

/** Where the page looks: one stored profile (`?id=`) or a selection over a range (`?selector=&from=&to=`). */
export interface ProfileScope {
  /** For the flame graph and heap timeline. */
  base: Pick<GhcprofQuery, 'selector' | 'profileIds'>;
  /** For RTS metrics: the service (and pod) the profiles come from. */
  rtsSelector: string;
  range: TimeRange;
  profile?: ProfileMeta;
}

/** A single profile is shown over its own run plus a margin (a tenth of it, at least a second) on both sides. */
function marginOf(durationMs: number): number {
  return Math.max(1000, Math.round(durationMs / 10));
}

export function useProfileView(datasource: GhcprofDataSource) {
  const [params, setParams] = useSearchParams();
  const id = params.get('id');
  const metric = (params.get('metric') as Metric | null) ?? 'time';
  const minR2 = parseMinR2(params.get('minR2'));
  const band = params.get('band');
  const focus: BandRef | undefined = band !== null ? { band, series: params.get('series') ?? '{}' } : undefined;
  const { data, actions } = useSelection();
  const profile = useAsyncResult(
    () => (id ? datasource.api.getProfile(id) : Promise.resolve(undefined)),
    [datasource, id]
  );

  let scope: ProfileScope | undefined;
  if (!id) {
    scope = {
      base: { selector: data.selection.selector },
      rtsSelector: data.selection.selector,
      range: data.selection.range,
    };
  } else if (profile.value) {
    scope = scopeOfProfile(profile.value);
  }
  const setParam = (name: string, value: string | undefined) =>
    setParams((current) => {
      const updated = new URLSearchParams(current);
      if (value === undefined) {
        updated.delete(name);
      } else {
        updated.set(name, value);
      }
      return updated;
    });
  const setMetric = (next: Metric) => setParam('metric', next);
  const setMinR2 = (next: number) => setParam('minR2', String(next));
  /** This page with `target` focused on the heap timeline (a link: it can be copied and shared). */
  const focusLink = (target: BandRef | undefined) => {
    const updated = new URLSearchParams(params);
    updated.delete('band');
    updated.delete('series');
    if (target) {
      updated.set('band', target.band);
      updated.set('series', target.series);
    }
    return `?${updated}`;
  };
  return {
    data: {
      id,
      scope,
      metric,
      minR2,
      focus,
      selection: data.selection,
      profileError: profile.error,
      window: scope ? windowOf(scope.range) : undefined,
    },
    actions: { setSelection: actions.setSelection, setMetric, setMinR2, focusLink },
  };
}

/** `?minR2=` when it is a number in 0..1, else the server's default (DEFAULT_MIN_R2). */
function parseMinR2(value: string | null): number {
  const parsed = value === null ? NaN : Number(value);
  return parsed >= 0 && parsed <= 1 ? parsed : DEFAULT_MIN_R2;
}

export function scopeOfProfile(profile: ProfileMeta): ProfileScope {
  const end = profile.endTime ?? profile.startTime;
  const margin = marginOf(end - profile.startTime);
  const from = dateTime(profile.startTime - margin);
  const to = dateTime(end + margin);
  const rtsLabels = (['service', 'namespace', 'pod'] as const).filter((name) => profile.labels[name] !== undefined);
  return {
    base: { profileIds: [profile.id] },
    rtsSelector: formatSelector(rtsLabels.map((name) => ({ name, op: '=', value: profile.labels[name] }))),
    range: { from, to, raw: { from, to } },
    profile,
  };
}
