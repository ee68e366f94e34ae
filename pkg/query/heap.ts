/**
 * Heap timeline and leak queries. Profiles are placed on Grafana's time axis (profile start + sample time) and
 * grouped into series by the split label (default `pod`): two pods' heaps side by side, never summed. Profiles of
 * different `-h` modes (bands by cost centre vs by type) are kept apart too, since adding their bands means nothing.
 */
import type { HeapQuery, LeaksQuery, ProfileMeta } from '../api/query';
import type { FramesResponse } from '../api/dataframe';
import { ownValue, setOwn } from '../api/records';
import { clipHeap, combineHeapProfiles, downsampleHeap, type Downsampling, type HeapRun } from '../model/heap';
import { heapTimelineFrames, type HeapSeries, leakTableFrame } from '../frames/heap';
import { cappedNotice, type QueryContext, selectProfiles } from './selection';
import { resolveRange } from './time';
import { warningNotices } from './trees';

interface Group {
  labels: Record<string, string>;
  profiles: ProfileMeta[];
}

/** Profiles by split-label value (and by heap mode when the selection mixes modes), in a stable order. */
export function groupForHeap(profiles: ProfileMeta[], splitBy: string): Group[] {
  const mixedModes = new Set(profiles.map((p) => p.heapMode)).size > 1;
  const groups = new Map<string, Group>();
  for (const p of profiles) {
    // The split label's name comes from the query: read and written as an own property only.
    const labels: Record<string, string> = {};
    const value = splitBy === '' ? undefined : ownValue(p.labels, splitBy);
    if (value !== undefined) {
      setOwn(labels, splitBy, value);
    }
    if (mixedModes) {
      labels.mode = p.heapMode ?? 'unknown';
    }
    const key = JSON.stringify(labels);
    const g = groups.get(key) ?? { labels, profiles: [] };
    g.profiles.push(p);
    groups.set(key, g);
  }
  return [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([, g]) => g);
}

/** The profiles' heaps as series: one per split-label value (and heap mode), each on one absolute time axis. */
export async function heapSeriesOf(ctx: QueryContext, profiles: ProfileMeta[], splitBy: string): Promise<HeapSeries[]> {
  const series: HeapSeries[] = [];
  for (const group of groupForHeap(profiles, splitBy)) {
    const runs: HeapRun[] = [];
    for (const meta of group.profiles) {
      const heap = await ctx.store.getHeap(ctx.tenant, meta.id);
      if (heap) {
        runs.push({ heap, startTimeMs: meta.startTime });
      }
    }
    if (runs.length > 0) {
      series.push({ labels: group.labels, combined: combineHeapProfiles(runs) });
    }
  }
  return series;
}

async function heapSeries(ctx: QueryContext, q: HeapQuery) {
  const selected = await selectProfiles(ctx, q, 'heap');
  const profiles = q.mode ? selected.profiles.filter((p) => p.heapMode === q.mode) : selected.profiles;
  const series = await heapSeriesOf(ctx, profiles, q.splitBy);
  const notices = [...cappedNotice(selected, ctx.maxProfiles), ...warningNotices(profiles)];
  return { series, profiles, notices };
}

/** Adds the query-level facts and notices to a frame the frames module built. */
function annotate(
  frame: FramesResponse['frames'][number],
  profiles: ProfileMeta[],
  notices: ReturnType<typeof warningNotices>
) {
  const meta = frame.schema.meta ?? {};
  const custom = meta.custom ?? {};
  const ghcprof = (custom.ghcprof ?? {}) as Record<string, unknown>;
  frame.schema.meta = {
    ...meta,
    custom: { ...custom, ghcprof: { ...ghcprof, profiles: profiles.length } },
    ...(notices.length > 0 ? { notices: [...(meta.notices ?? []), ...notices] } : {}),
  };
  return frame;
}

/**
 * The heap timeline: only the censuses inside [from, to] (a profile overlapping the range contributes what lies in
 * it), at most `maxDataPoints` points per series (censuses averaged per interval; the frame meta says so).
 */
export async function heapQuery(ctx: QueryContext, q: HeapQuery, refId?: string): Promise<FramesResponse> {
  const { series, profiles, notices } = await heapSeries(ctx, q);
  const thinned: Array<Downsampling | null> = [];
  const shown = inRange(series, q, ctx.now).map((s) => {
    const clipped = s.combined;
    const down = downsampleHeap(clipped.heap, q.maxDataPoints);
    thinned.push(down?.downsampling ?? null);
    return { ...s, combined: down ? { ...clipped, heap: down.heap } : clipped };
  });
  const frames = heapTimelineFrames(shown, { refId, topN: q.topN });
  return {
    frames: frames.map((f, i) => withDownsampling(annotate(f, profiles, i === 0 ? notices : []), thinned[i] ?? null)),
  };
}

function withDownsampling(frame: FramesResponse['frames'][number], d: Downsampling | null) {
  if (d === null) {
    return frame;
  }
  const meta = frame.schema.meta ?? {};
  const custom = meta.custom ?? {};
  const ghcprof = (custom.ghcprof ?? {}) as Record<string, unknown>;
  const text =
    `${d.censuses} censuses averaged into ${d.points} points of ${d.intervalSeconds.toFixed(3)} s each ` +
    `(maxDataPoints): each point is the mean of the censuses in its interval`;
  frame.schema.meta = {
    ...meta,
    custom: { ...custom, ghcprof: { ...ghcprof, downsampled: { ...d, method: 'mean' } } },
    notices: [...(meta.notices ?? []), { severity: 'info', text }],
  };
  return frame;
}

/** Leak evidence from the censuses inside [from, to] only. */
export async function leaksQuery(ctx: QueryContext, q: LeaksQuery, refId?: string): Promise<FramesResponse> {
  const { series, profiles, notices } = await heapSeries(ctx, q);
  const shown = inRange(series, q, ctx.now);
  return { frames: [annotate(leakTableFrame(shown, { refId, topN: q.topN, minR2: q.minR2 }), profiles, notices)] };
}

/** Each series cut to the censuses inside the query's range (profileIds: the whole profiles, as selected). */
function inRange(series: HeapSeries[], q: HeapQuery, now?: number): HeapSeries[] {
  if (q.profileIds) {
    return series;
  }
  const range = resolveRange(q.from, q.to, now);
  return series.map((s) => ({ ...s, combined: clipHeap(s.combined, range.from, range.to) }));
}
