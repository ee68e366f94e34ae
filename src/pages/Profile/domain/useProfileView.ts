import { dateTime, type TimeRange } from '@grafana/data';
import { useSearchParams } from 'react-router-dom';
import type { ProfileMeta } from '@ghcprof/api/query';
import type { GhcprofDataSource } from '../../../datasource/datasource';
import { formatSelector } from '../../../datasource/domain/selector';
import type { GhcprofQuery, Metric } from '../../../datasource/types';
import { useAsyncResult } from '../../../shared/domain/useAsyncResult';
import { useSelection, windowOf } from '../../../shared/domain/useSelection';

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
  const setMetric = (next: Metric) =>
    setParams((current) => {
      const updated = new URLSearchParams(current);
      updated.set('metric', next);
      return updated;
    });
  return {
    data: {
      id,
      scope,
      metric,
      selection: data.selection,
      profileError: profile.error,
      window: scope ? windowOf(scope.range) : undefined,
    },
    actions: { setSelection: actions.setSelection, setMetric },
  };
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
