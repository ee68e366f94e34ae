import { dataFrameFromJSON, type DataFrame } from '@grafana/data';
import type { DataFrameJSON } from '@ghcprof/api/dataframe';
import type { QueryType } from '@ghcprof/api/query';

export const APP_PROFILE_PAGE = '/a/ghcprof-profiles-app/profile';

/** Query types whose empty answer means "nothing stored here", worth a hint on how to get profiles in. */
const PROFILE_BACKED: QueryType[] = ['flamegraph', 'diff', 'top', 'heap', 'leaks', 'profiles', 'services'];

/** Server frames as Grafana DataFrames, tagged with the panel query's refId; nothing recomputed. */
export function framesFromJSON(frames: DataFrameJSON[], refId: string): DataFrame[] {
  return frames.map((json) => {
    const frame = dataFrameFromJSON(json as Parameters<typeof dataFrameFromJSON>[0]);
    frame.refId = refId;
    return frame;
  });
}

/**
 * An answer without profiles gets a notice that says which selector matched nothing and how to get profiles in.
 * Empty means no rows, or the server's facts (`meta.custom.ghcprof.profiles`, per side for a diff) count none: for
 * a flame graph it still sends a lone root so the panel draws.
 */
export function withEmptyState(
  frames: DataFrame[],
  queryType: QueryType,
  selector: string | undefined,
  baselineSelector?: string,
  profileIds?: string[]
): DataFrame[] {
  if (!PROFILE_BACKED.includes(queryType) || frames.length === 0) {
    return frames;
  }
  const texts: string[] = [];
  const facts = frames[0].meta?.custom?.ghcprof as
    { profiles?: number; left?: { profiles?: number }; right?: { profiles?: number } } | undefined;
  if (frames.every((frame) => frame.length === 0) || facts?.profiles === 0 || facts?.right?.profiles === 0) {
    texts.push(profileIds && profileIds.length > 0 ? missingDataText(profileIds, queryType) : emptyStateText(selector));
  }
  if (facts?.left?.profiles === 0) {
    texts.push(`baseline: ${emptyStateText(baselineSelector ?? selector)}`);
  }
  if (texts.length === 0) {
    return frames;
  }
  const [first, ...rest] = frames;
  const notices = [...texts.map((text) => ({ severity: 'info' as const, text })), ...(first.meta?.notices ?? [])];
  // Pages hide the (empty) visualisation when the answer carries this flag and show the notice alone.
  const custom = { ...first.meta?.custom, noProfiles: true };
  return [{ ...first, meta: { ...first.meta, notices, custom } }, ...rest];
}

/** Explicitly opened profiles that hold nothing for this query type (a .prof has no heap samples). */
function missingDataText(profileIds: string[], queryType: QueryType): string {
  const what = queryType === 'heap' || queryType === 'leaks' ? 'heap samples' : 'cost-centre tree';
  return `profile ${profileIds.join(', ')} holds no ${what}`;
}

export function emptyStateText(selector: string | undefined): string {
  const shown = selector && selector.trim() !== '' ? selector : '{}';
  return `no profiles for ${shown} in this range; upload with ghcprof push or the agent`;
}

/** The stored-profiles table's `id` opens the app's Profile page, unless the server linked it already. */
export function linkProfileIdsToApp(frame: DataFrame): void {
  const id = frame.fields.find((field) => field.name === 'id');
  if (id && !(id.config.links && id.config.links.length > 0)) {
    id.config.links = [{ title: 'Open profile', url: `${APP_PROFILE_PAGE}?id=\${__value.raw}` }];
  }
}
