import { dataFrameFromJSON, type DataFrame } from '@grafana/data';
import type { DataFrameJSON } from '../../../pkg/api/dataframe';
import type { QueryType } from '../../../pkg/api/query';

export const APP_PROFILE_PAGE = '/a/ghcprof-profiles-app/profile';

/** Query types whose empty answer means "nothing stored here", worth a hint on how to get profiles in. */
const PROFILE_BACKED: QueryType[] = ['flamegraph', 'diff', 'top', 'heap', 'leaks', 'profiles'];

/** Server frames as Grafana DataFrames, tagged with the panel query's refId; nothing recomputed. */
export function framesFromJSON(frames: DataFrameJSON[], refId: string): DataFrame[] {
  return frames.map((json) => {
    const frame = dataFrameFromJSON(json as Parameters<typeof dataFrameFromJSON>[0]);
    frame.refId = refId;
    return frame;
  });
}

/** An empty answer gets a notice that says which selector matched nothing and how to get profiles in. */
export function withEmptyState(frames: DataFrame[], queryType: QueryType, selector: string | undefined): DataFrame[] {
  if (!PROFILE_BACKED.includes(queryType) || frames.length === 0 || frames.some((frame) => frame.length > 0)) {
    return frames;
  }
  const [first, ...rest] = frames;
  const notices = [...(first.meta?.notices ?? []), { severity: 'info' as const, text: emptyStateText(selector) }];
  return [{ ...first, meta: { ...first.meta, notices } }, ...rest];
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
