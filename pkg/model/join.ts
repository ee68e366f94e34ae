/**
 * Joins the deltas of a growing artefact's chunks (pkg/formats/incremental.ts) back into what reading the whole
 * artefact at once gives: censuses and series in time order, GC statistics added up, band definitions in order of
 * first appearance. Deltas come in chunk order; each one's times are relative to the artefact's start.
 */
import type { HeapProfile, HeapSample, RtsEvents, RtsSeries } from './types';

/** Stable sort by a time key, skipped when already in order (the usual case). */
function inTimeOrder<T>(items: T[], time: (item: T) => number): T[] {
  for (let i = 1; i < items.length; i++) {
    if (time(items[i]) < time(items[i - 1])) {
      return items.sort((a, b) => time(a) - time(b));
    }
  }
  return items;
}

/** The heap profile of consecutive chunks (null when none has one). */
export function joinHeaps(parts: HeapProfile[]): HeapProfile | null {
  const last = parts.at(-1);
  if (last === undefined) {
    return null;
  }
  const bands: string[] = [];
  const known = new Set<string>();
  const samples: HeapSample[] = [];
  const marks: number[] = [];
  // Labels come from the file: a Map, then Object.fromEntries (own properties, even for `__proto__`).
  const bandStacks = new Map<string, string[]>();
  for (const part of parts) {
    for (const band of part.bands) {
      if (!known.has(band)) {
        known.add(band);
        bands.push(band);
      }
    }
    samples.push(...part.samples);
    marks.push(...part.marks);
    for (const [label, stack] of Object.entries(part.bandStacks ?? {})) {
      if (!bandStacks.has(label)) {
        bandStacks.set(label, stack);
      }
    }
  }
  const heap: HeapProfile = { ...last, bands, samples: inTimeOrder(samples, (s) => s.time), marks };
  delete heap.bandStacks;
  if (bandStacks.size > 0) {
    heap.bandStacks = Object.fromEntries(bandStacks);
  }
  return heap;
}

/** The RTS series, GC statistics and markers of consecutive chunks (null when none has them). */
export function joinRts(parts: RtsEvents[]): RtsEvents | null {
  if (parts.length === 0) {
    return null;
  }
  const byName = new Map<string, RtsSeries>();
  const gc = { count: 0, totalNs: 0, maxPauseNs: 0 };
  const markers: RtsEvents['markers'] = [];
  let capabilities: number | undefined;
  for (const part of parts) {
    for (const s of part.series) {
      const joined = byName.get(s.name);
      if (joined) {
        joined.points.push(...s.points);
      } else {
        byName.set(s.name, { ...s, points: [...s.points] });
      }
    }
    gc.count += part.gc.count;
    gc.totalNs += part.gc.totalNs;
    gc.maxPauseNs = Math.max(gc.maxPauseNs, part.gc.maxPauseNs);
    markers.push(...part.markers);
    capabilities = part.capabilities ?? capabilities;
  }
  const series = [...byName.values()].map((s) => ({ ...s, points: inTimeOrder(s.points, (p) => p[0]) }));
  const rts: RtsEvents = { series, gc, markers: inTimeOrder(markers, (m) => m.timeNs) };
  if (capabilities !== undefined) {
    rts.capabilities = capabilities;
  }
  return rts;
}
