import type { GcStats, RtsEvents, RtsSeries } from '../../model/types';
import type { Payload } from './payload';
import { u64 } from './payload';
import { grown } from './typed-arrays';

type SeriesName =
  'heapSize' | 'heapLive' | 'blocksSize' | 'heapAllocated' | 'gcCopied' | 'gcSlop' | 'gcFragmentation' | 'gcPause';

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
/** A growable (time, value) column pair: no tuple per point while decoding, tuples once at the end. */
class PointBuffer {
  private times: Float64Array = new Float64Array(256);
  private values: Float64Array = new Float64Array(256);
  length = 0;

  push(time: number, value: number): void {
    if (this.length === this.times.length) {
      this.times = grown(this.times, this.length + 1);
      this.values = grown(this.values, this.length + 1);
    }
    this.times[this.length] = time;
    this.values[this.length] = value;
    this.length++;
  }

  /** The points sorted by time (stable; file order is per-capability blocks, not time order). */
  sortedPoints(): Array<[number, number]> {
    const points = new Array<[number, number]>(this.length);
    let sorted = true;
    for (let i = 0; i < this.length; i++) {
      points[i] = [this.times[i], this.values[i]];
      sorted &&= i === 0 || this.times[i] >= this.times[i - 1];
    }
    return sorted ? points : points.sort((a, b) => a[0] - b[0]);
  }
}

export interface RtsCollectorState {
  /** [capability, GC start ns] of GCs started and not ended yet. */
  openGcs: Array<[number, number]>;
  allocByCap: Array<[number, number]>;
  allocTotal: number;
  caps: number[];
  startupCaps: number;
}

export class RtsCollector {
  private readonly points = Object.fromEntries(SERIES.map(([name]) => [name, new PointBuffer()])) as Record<
    SeriesName,
    PointBuffer
  >;
  /** StartGC time by capability + 1 (index 0: events outside blocks); -1 when no GC is open. */
  private readonly gcStartByCap: number[] = [];
  private readonly gc: GcStats = { count: 0, totalNs: 0, maxPauseNs: 0 };
  private readonly allocByCap = new Map<number, number>();
  private allocTotal = 0;
  private readonly caps = new Set<number>();
  private startupCaps = 0;
  private readonly markers: RtsEvents['markers'] = [];

  /** HeapSize, HeapLive, BlocksSize: heap capset u32, bytes u64. */
  /** What later events need from earlier bytes: open GCs, per-capability allocation counters, capabilities. */
  exportState(): RtsCollectorState {
    const openGcs: Array<[number, number]> = [];
    this.gcStartByCap.forEach((t, i) => {
      if (t !== undefined && t >= 0) {
        openGcs.push([i - 1, t]);
      }
    });
    return {
      openGcs,
      allocByCap: [...this.allocByCap],
      allocTotal: this.allocTotal,
      caps: [...this.caps],
      startupCaps: this.startupCaps,
    };
  }

  restoreState(state: RtsCollectorState): void {
    for (const [cap, t] of state.openGcs) {
      this.gcStartByCap[cap + 1] = t;
    }
    for (const [cap, bytes] of state.allocByCap) {
      this.allocByCap.set(cap, bytes);
    }
    this.allocTotal = state.allocTotal;
    state.caps.forEach((c) => this.caps.add(c));
    this.startupCaps = state.startupCaps;
  }

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
    this.gcStartByCap[cap + 1] = timeNs;
  }

  gcEnd(timeNs: number, cap: number): void {
    const start = this.gcStartByCap[cap + 1] ?? -1;
    if (start < 0 || timeNs < start) {
      return;
    }
    this.gcStartByCap[cap + 1] = -1;
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
      const buffer = this.points[name];
      if (buffer.length > 0) {
        series.push({ name, unit, points: buffer.sortedPoints() });
      }
    }
    const markers = this.markers.every((m, i) => i === 0 || m.timeNs >= this.markers[i - 1].timeNs)
      ? this.markers
      : this.markers.sort((a, b) => a.timeNs - b.timeNs);
    const rts: RtsEvents = { series, gc: this.gc, markers };
    if (this.capabilities !== undefined) {
      rts.capabilities = this.capabilities;
    }
    return rts;
  }

  private point(name: SeriesName, timeNs: number, value: number): void {
    this.points[name].push(timeNs, value);
  }
}
