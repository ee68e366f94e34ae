/** The stored-profiles table and the annotations (profile runs as regions, eventlog user markers as points). */
import type { AnnotationsQuery, Selection } from '../api/query';
import type { FramesResponse } from '../api/dataframe';
import { type Annotation, annotationsFrame, markerAnnotation, profileAnnotation } from '../frames/annotations';
import { profilesTableFrame } from '../frames/profiles';
import { cappedNotice, type QueryContext, selectProfiles } from './selection';
import { resolveRange } from './time';

/** Most eventlog markers one annotations query returns (a chatty traceEvent loop must not flood a dashboard). */
export const MAX_MARKERS = 2000;

export async function profilesQuery(ctx: QueryContext, q: Selection, refId?: string): Promise<FramesResponse> {
  const selected = await selectProfiles(ctx, q);
  const frame = profilesTableFrame(selected.profiles, { refId });
  const notices = cappedNotice(selected, ctx.maxProfiles);
  if (notices.length > 0) {
    frame.schema.meta = { ...frame.schema.meta, notices };
  }
  return { frames: [frame] };
}

export async function annotationsQuery(
  ctx: QueryContext,
  q: AnnotationsQuery,
  refId?: string
): Promise<FramesResponse> {
  const { profiles } = await selectProfiles(ctx, q);
  const range = resolveRange(q.from, q.to, ctx.now);
  const inRange = (t: number) =>
    (range.from === undefined || t >= range.from) && (range.to === undefined || t <= range.to);
  const items: Annotation[] = profiles.map(profileAnnotation);
  let markers = 0;
  for (const meta of profiles) {
    if (!meta.has.rts || markers >= MAX_MARKERS) {
      continue;
    }
    const rts = await ctx.store.getRts(ctx.tenant, meta.id);
    for (const m of rts?.markers ?? []) {
      const a = markerAnnotation(meta.startTime, m);
      if (inRange(a.timeMs) && markers < MAX_MARKERS) {
        items.push(a);
        markers++;
      }
    }
  }
  return { frames: [annotationsFrame(items, { refId })] };
}
