/** RTS metric queries: resolve the range, find the stored profiles in it (exemplars), hand over to pkg/rts. */
import type { RtsQuery } from '../api/query';
import type { FramesResponse } from '../api/dataframe';
import { runRtsQuery, type RtsDeps } from '../rts';
import { type QueryContext, selectProfiles } from './selection';
import { resolveRange } from './time';

export async function rtsQuery(
  ctx: QueryContext,
  q: RtsQuery,
  sources: Omit<RtsDeps, 'profilesInRange'>
): Promise<FramesResponse> {
  const range = resolveRange(q.from, q.to, ctx.now);
  const inRange = await selectProfiles(ctx, { selector: q.selector, from: range.from, to: range.to });
  return runRtsQuery({ ...q, from: range.from!, to: range.to! }, { ...sources, profilesInRange: inRange.profiles });
}
