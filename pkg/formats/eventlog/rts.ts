import type { GcStats, RtsEvents, RtsSeries } from '../../model/types';
import type { Payload } from './payload';
import { u64 } from './payload';

type SeriesName = 'heapSize' | 'heapLive' | 'blocksSize' | 'heapAllocated' | 'gcCopied' | 'gcSlop' | 'gcFragmentation' | 'gcPause';

const SERIES: ReadonlyArray<[SeriesName, RtsSeries['unit']]> = [
  ['heapSize', 'bytes'],
  ['heapLive', 'bytes'],
  ['blocksSize', 'bytes'],
  ['heapAllocated', 'bytes'],
  ['gcCopied', 'bytes'],
  ['gcSlop', 'bytes'],
  ['gcFragmentation', 'bytes'],
  ['gcPause', 'ns'],
];

/**
 * RTS time series, GC pauses, capabilities and user markers. Events come in per-capability blocks, so file order is
 * not time order: GC pauses pair StartGC and EndGC of the same capability (both are posted by the capability that
 * leads the collection), and every series is sorted by time at the end.
 */
export class RtsCollector {
  private readonly points = new Map<SeriesName, Array<[number, number]>>(SERIES.map(([name]) => [name, []]));
  private readonly gcStartByCap = new Map<number, number>();
  private readonly gc: GcStats = { count: 0, totalNs: 0, maxPauseNs: 0 };
  private readonly allocByCap = new Map<number, number>();
  private allocTotal = 0;
  private readonly caps = new Set<number>();
  private startupCaps = 0;
  private readonly markers: RtsEvents['markers'] = [];

  /** HeapSize, HeapLive, BlocksSize: heap capset u32, bytes u64. */
  heapValue(name: 'heapSize' | 'heapLive' | 'blocksSize', p: Payload, timeNs: number): void {
    if (p.end - p.start >= 12) {
      this.point(name, timeNs, u64(p.view, p.start + 4));
    }
  }

  /** HeapAllocated is posted per capability (its own running total); the series is the sum over capabilities. */
  heapAllocated(p: Payload, timeNs: number, cap: number): void {
    if (p.end - p.start < 12) {
      return;
    }
    const bytes = u64(p.view, p.start + 4);
    this.allocTotal += bytes - (this.allocByCap.get(cap) ?? 0);
    this.allocByCap.set(cap, bytes);
    this.point('heapAllocated', timeNs, this.allocTotal);
  }

  /** GCStatsGHC: heap capset u32, generation u16, copied u64, slop u64, fragmentation u64, ... */
  gcStats(p: Payload, timeNs: number): void {
    if (p.end - p.start < 30) {
      return;
    }
    this.point('gcCopied', timeNs, u64(p.view, p.start + 6));
    this.point('gcSlop', timeNs, u64(p.view, p.start + 14));
    this.point('gcFragmentation', timeNs, u64(p.view, p.start + 22));
  }

  gcStart(timeNs: number, cap: number): void {
    this.gc.count++;
    this.gcStartByCap.set(cap, timeNs);
  }

  gcEnd(timeNs: number, cap: number): void {
    const start = this.gcStartByCap.get(cap);
    if (start === undefined || timeNs < start) {
      return;
    }
    this.gcStartByCap.delete(cap);
    const pause = timeNs - start;
    this.gc.totalNs += pause;
    this.gc.maxPauseNs = Math.max(this.gc.maxPauseNs, pause);
    this.point('gcPause', start, pause);
  }

  /** CapCreate: cap u16. */
  capCreate(p: Payload): void {
    if (p.end - p.start >= 2) {
      this.caps.add(p.view.getUint16(p.start));
    }
  }

  /** Startup (GHC < 7.6): number of capabilities u16. */
  startup(p: Payload): void {
    if (p.end - p.start >= 2) {
      this.startupCaps = p.view.getUint16(p.start);
    }
  }

  marker(timeNs: number, text: string, kind: 'marker' | 'message'): void {
    this.markers.push({ timeNs, text, kind });
  }

  markerTimes(): number[] {
    return this.markers.filter((m) => m.kind === 'marker').map((m) => m.timeNs);
  }

  /** Total bytes allocated (the sum of the capabilities' last HeapAllocated values), when known. */
  get allocatedBytes(): number | undefined {
    return this.allocByCap.size > 0 ? this.allocTotal : undefined;
  }

  get capabilities(): number | undefined {
    const n = Math.max(this.caps.size, this.startupCaps);
    return n > 0 ? n : undefined;
  }

  build(): RtsEvents {
    const series: RtsSeries[] = [];
    for (const [name, unit] of SERIES) {
      const points = this.points.get(name) ?? [];
      if (points.length > 0) {
        series.push({ name, unit, points: sortByTime(points) });
      }
    }
    const rts: RtsEvents = { series, gc: this.gc, markers: sortByTime(this.markers, (m) => m.timeNs) };
    if (this.capabilities !== undefined) {
      rts.capabilities = this.capabilities;
    }
    return rts;
  }

  private point(name: SeriesName, timeNs: number, value: number): void {
    this.points.get(name)?.push([timeNs, value]);
  }
}

/** Stable sort by time (Array.prototype.sort is stable); skipped when already in order, the common case. */
function sortByTime<T>(items: T[], time: (item: T) => number = (item) => (item as unknown as [number, number])[0]): T[] {
  for (let i = 1; i < items.length; i++) {
    if (time(items[i]) < time(items[i - 1])) {
      return items.sort((a, b) => time(a) - time(b));
    }
  }
  return items;
}
