/**
 * Pure operations on heap profiles: ranking bands by integrated size, collapsing to the top N plus `other`, the leak
 * table (least-squares growth per band), and placing several profiles on one absolute time axis.
 *
 * Census samples: a `.hp` opens with an empty sample at t=0 and closes with an empty one at exit, whatever the heap
 * held (the eventlog of the same run has neither). Integration and the leak table use only samples that hold at least
 * one band, so a `.hp` and the eventlog of one run rank and fit the same; timelines still show every sample.
 */
import { ownValue, recordOf, setOwn } from '../api/records';
import type { HeapMode, HeapProfile, HeapSample } from './types';

/** Name of the band holding the sum of the bands outside the top N. */
export const OTHER_BAND = 'other';

/** Samples that hold at least one band (the censuses proper). */
export function censusSamples(heap: HeapProfile): HeapSample[] {
  return heap.samples.filter(isCensus);
}

function isCensus(sample: HeapSample): boolean {
  for (const _ in sample.values) {
    return true;
  }
  return false;
}

/** Largest of the values, 0 for none (no spread: samples can number in the hundreds of thousands). */
function maxOf(values: Iterable<number>): number {
  let max = 0;
  for (const v of values) {
    max = Math.max(max, v);
  }
  return max;
}

/** A band's bytes in a sample (0 when absent). Band names come from files: `constructor` is a band like any other. */
function valueAt(sample: HeapSample, band: string): number {
  return ownValue(sample.values, band) ?? 0;
}

/**
 * Trapezoid weight of each sample: the area under a band is the sum over samples of value × weight, with weight half
 * the time span to the neighbouring samples. Lets every band be integrated in one pass over each sample's entries
 * instead of looking every band up in every sample (eventlogs have thousands of bands and censuses).
 */
function trapezoidWeights(samples: HeapSample[]): Float64Array {
  const w = new Float64Array(samples.length);
  for (let i = 1; i < samples.length; i++) {
    const half = (samples[i].time - samples[i - 1].time) / 2;
    w[i - 1] += half;
    w[i] += half;
  }
  return w;
}

interface BandStats {
  /** Integrated size (byte-seconds) over the census samples, per band of heap.bands. */
  sizes: Map<string, number>;
  /** Largest value per band of heap.bands. */
  peaks: Map<string, number>;
  /** Sum of each sample's values. */
  totals: Float64Array;
}

/**
 * Sizes, peaks and per-sample totals in one enumeration of each sample's record (a record can hold thousands of bands
 * in dictionary mode, where every `for...in` lists them all again).
 */
function bandStats(heap: HeapProfile): BandStats {
  const index = new Map(heap.bands.map((b, i) => [b, i]));
  const size = new Float64Array(heap.bands.length);
  const peak = new Float64Array(heap.bands.length);
  const totals = new Float64Array(heap.samples.length);
  const census = heap.samples.filter(isCensus);
  const weights = trapezoidWeights(census);
  let c = 0;
  heap.samples.forEach((sample, i) => {
    const values = sample.values;
    let total = 0;
    let any = false;
    const w = weights[c];
    for (const band in values) {
      any = true;
      const v = values[band];
      total += v;
      const b = index.get(band);
      if (b !== undefined) {
        size[b] += v * w;
        peak[b] = Math.max(peak[b], v);
      }
    }
    totals[i] = total;
    c += any ? 1 : 0;
  });
  return {
    sizes: new Map(heap.bands.map((b, i) => [b, size[i]])),
    peaks: new Map(heap.bands.map((b, i) => [b, peak[i]])),
    totals,
  };
}

/** Integrated size (byte-seconds) of every band over the census samples, in heap.bands order. */
export function integratedSizes(heap: HeapProfile): Map<string, number> {
  return bandStats(heap).sizes;
}

function rankedBands(heap: HeapProfile, { sizes, peaks }: BandStats): string[] {
  return [...heap.bands].sort(
    (a, b) => sizes.get(b)! - sizes.get(a)! || peaks.get(b)! - peaks.get(a)! || a.localeCompare(b)
  );
}

/**
 * Bands ordered by integrated size, largest first. Ties (bands that only appear in one census integrate to 0 there)
 * fall back to the peak value, then the name, so the order is stable.
 */
export function rankBands(heap: HeapProfile): string[] {
  return rankedBands(heap, bandStats(heap));
}

/**
 * The same profile with every sample holding a value (0 when absent) for each band, keeping the top `n` bands by
 * integrated size (in rank order) and summing the rest into `other` (added only when something was cut: the sample's
 * total less its kept bands, exact for byte counts). Without `n`, all bands stay in their order of first appearance.
 * With `n`, a real band named `other` always goes into the `other` band (one name, one meaning).
 */
export function topBands(heap: HeapProfile, n?: number): HeapProfile {
  if (n === undefined) {
    return { ...heap, samples: heap.samples.map((s) => ({ time: s.time, values: denseValues(s, heap.bands) })) };
  }
  const stats = bandStats(heap);
  const keep = rankedBands(heap, stats)
    .filter((b) => b !== OTHER_BAND)
    .slice(0, n);
  const cut = heap.bands.length > keep.length;
  const bands = cut ? [...keep, OTHER_BAND] : [...keep];
  const samples = heap.samples.map((s, i) => {
    const values = denseValues(s, keep);
    if (cut) {
      let kept = 0;
      for (const b of keep) {
        kept += values[b];
      }
      values[OTHER_BAND] = stats.totals[i] - kept;
    }
    return { time: s.time, values };
  });
  return { ...heap, bands, samples };
}

function denseValues(sample: HeapSample, bands: string[]): Record<string, number> {
  const values: Record<string, number> = {};
  for (const b of bands) {
    setOwn(values, b, valueAt(sample, b));
  }
  return values;
}

export interface LeakRow {
  band: string;
  /** Least-squares growth in bytes per second of the profile's time base. */
  slope: number;
  /** The fitted line's value at time 0 of the profile (its start), in bytes. */
  intercept: number;
  /** Coefficient of determination of the fit, 0..1: how much of the band's variation the line explains. */
  r2: number;
  /** Population standard deviation of the band's bytes over the censuses. */
  stddev: number;
  /** Area under the band's curve in byte-seconds. */
  integrated: number;
  max: number;
  /** Bytes in the last census. */
  last: number;
  /** The band's bytes at each census (0 where absent), for a sparkline. */
  values: number[];
}

export interface LineFit {
  slope: number;
  intercept: number;
  /**
   * R² = 1 - SS_res / SS_tot. 0 when the values (or the times) do not vary: R² is undefined there, and a flat band
   * is not growing steadily, which is what the number is used to decide.
   */
  r2: number;
}

/** Least-squares line through (t, v) and its R²; flat through the mean when the times do not vary. */
export function fitLine(times: number[], values: number[]): LineFit {
  const n = times.length;
  if (n === 0) {
    return { slope: 0, intercept: 0, r2: 0 };
  }
  const meanT = times.reduce((a, b) => a + b, 0) / n;
  const meanV = values.reduce((a, b) => a + b, 0) / n;
  let sTV = 0;
  let sTT = 0;
  let sVV = 0;
  for (let i = 0; i < n; i++) {
    sTV += (times[i] - meanT) * (values[i] - meanV);
    sTT += (times[i] - meanT) ** 2;
    sVV += (values[i] - meanV) ** 2;
  }
  const slope = sTT === 0 ? 0 : sTV / sTT;
  // For a least-squares line SS_res = SS_tot - slope² · S_tt, so R² = slope² · S_tt / S_tt of v = S_tv² / (S_tt·S_vv).
  const r2 = sTT === 0 || sVV === 0 ? 0 : (sTV * sTV) / (sTT * sVV);
  return { slope, intercept: meanV - slope * meanT, r2 };
}

/** Population standard deviation (0 for no values). */
export function standardDeviation(values: number[]): number {
  if (values.length === 0) {
    return 0;
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length);
}

/**
 * A band grows steadily: it rises, and the straight line explains at least `minR2` of its variation (the query's
 * threshold, default DEFAULT_MIN_R2 in pkg/api/query.ts). A band that jumps once and stays has a slope but a poor fit.
 */
export function growsSteadily(row: Pick<LeakRow, 'slope' | 'r2'>, minR2: number): boolean {
  return row.slope > 0 && row.r2 >= minR2;
}

/**
 * One row per band over the census samples, steepest growth first: the bands most likely to leak. With `n`, the
 * table covers the top `n` bands by integrated size plus `other` (topBands).
 */
export function leakTable(heap: HeapProfile, n?: number): LeakRow[] {
  const shaped = topBands(heap, n);
  // topBands maps samples one to one, so the census positions are the original's.
  const samples = shaped.samples.filter((_, i) => isCensus(heap.samples[i]));
  const times = samples.map((s) => s.time);
  const weights = trapezoidWeights(samples);
  const rows = shaped.bands.map((band) => {
    const values = samples.map((s) => valueAt(s, band));
    return {
      band,
      ...fitLine(times, values),
      stddev: standardDeviation(values),
      integrated: values.reduce((area, v, i) => area + v * weights[i], 0),
      max: maxOf(values),
      last: values.length > 0 ? values[values.length - 1] : 0,
      values,
    };
  });
  return rows.sort((a, b) => b.slope - a.slope || b.integrated - a.integrated || a.band.localeCompare(b.band));
}

/** One heap profile of a run, with the run's absolute start. */
export interface HeapRun {
  heap: HeapProfile;
  /** Wall-clock start of the run, ms since the epoch. */
  startTimeMs: number;
}

/** Heap profiles on one absolute axis: sample times are seconds since `originMs`. */
export interface CombinedHeap {
  /** ms since the epoch of time 0 (the earliest run start). */
  originMs: number;
  heap: HeapProfile;
  /** What a reader of the timeline must know about it, e.g. that times are mutator CPU seconds. */
  notices: string[];
}

/**
 * Places runs on one time axis: each sample at its run's startTimeMs + sample time. Samples of different runs that
 * fall on the same instant add up (split runs that overlap by a label before combining them, or they stack).
 * `.hp` sample times are the program's mutator CPU seconds, not wall-clock (GC and profiling time excluded, faster
 * than wall time with -N>1): such runs are drawn compressed, and a notice says so; the combined profile's time base
 * is `mutator-cpu` if any run's is.
 */
export function combineHeapProfiles(runs: HeapRun[]): CombinedHeap {
  const originMs = runs.length > 0 ? Math.min(...runs.map((r) => r.startTimeMs)) : 0;
  const bySecond = new Map<number, Record<string, number>>();
  const bands: string[] = [];
  const seen = new Set<string>();
  const marks: number[] = [];
  for (const { heap, startTimeMs } of runs) {
    const offset = (startTimeMs - originMs) / 1000;
    for (const b of heap.bands) {
      if (!seen.has(b)) {
        seen.add(b);
        bands.push(b);
      }
    }
    for (const s of heap.samples) {
      addValues(bySecond, offset + s.time, s.values);
    }
    marks.push(...heap.marks.map((m) => offset + m));
  }
  const samples = [...bySecond.entries()].sort((a, b) => a[0] - b[0]).map(([time, values]) => ({ time, values }));
  const cpuRuns = runs.filter((r) => r.heap.timeBase === 'mutator-cpu').length;
  const notices =
    cpuRuns > 0
      ? [
          `${cpuRuns} of ${runs.length} heap profile(s) time their samples in mutator CPU seconds (.hp), not wall-clock: ` +
            'each is placed at its start time plus that CPU time, so it looks shorter than it ran',
        ]
      : [];
  const heap: HeapProfile = {
    mode: commonMode(runs.map((r) => r.heap.mode)),
    job: runs.length === 1 ? runs[0].heap.job : [...new Set(runs.map((r) => r.heap.job))].join('; '),
    timeBase: cpuRuns > 0 ? 'mutator-cpu' : 'wall-clock',
    sampleUnit: 'seconds',
    valueUnit: 'bytes',
    bands,
    samples,
    marks: marks.sort((a, b) => a - b),
    bandStacks: mergeBandRecords(runs.map((r) => r.heap.bandStacks)),
    bandInfo: mergeBandRecords(runs.map((r) => r.heap.bandInfo)),
  };
  return { originMs, heap, notices };
}

function addValues(bySecond: Map<number, Record<string, number>>, time: number, values: Record<string, number>): void {
  let target = bySecond.get(time);
  if (target === undefined) {
    target = {};
    bySecond.set(time, target);
  }
  for (const [band, bytes] of Object.entries(values)) {
    setOwn(target, band, (ownValue(target, band) ?? 0) + bytes);
  }
}

function commonMode(modes: HeapMode[]): HeapMode {
  return modes.length > 0 && modes.every((m) => m === modes[0]) ? modes[0] : 'unknown';
}

function mergeBandRecords<T>(all: Array<Record<string, T> | undefined>): Record<string, T> | undefined {
  const present = all.filter((s): s is Record<string, T> => s !== undefined);
  return present.length === 0 ? undefined : recordOf(present.flatMap((records) => Object.entries(records)));
}

/** The censuses of a combined heap timeline that lie inside [fromMs, toMs] (either end open when undefined). */
export function clipHeap(combined: CombinedHeap, fromMs?: number, toMs?: number): CombinedHeap {
  if (fromMs === undefined && toMs === undefined) {
    return combined;
  }
  const inside = (t: number) => {
    const ms = combined.originMs + t * 1000;
    return (fromMs === undefined || ms >= fromMs) && (toMs === undefined || ms <= toMs);
  };
  const heap = {
    ...combined.heap,
    samples: combined.heap.samples.filter((s) => inside(s.time)),
    marks: combined.heap.marks.filter(inside),
  };
  return { ...combined, heap };
}

/** How a timeline was thinned to at most `maxPoints` points (frame meta). */
export interface Downsampling {
  censuses: number;
  points: number;
  /** Width of each interval, seconds. */
  intervalSeconds: number;
}

/**
 * At most `maxPoints` points: the time span is cut into `maxPoints` equal intervals and the censuses in each are
 * averaged (a band missing from a census counts as 0 bytes in it), placed at the mean time of those censuses.
 * Null when there are no more censuses than points (nothing to do).
 */
export function downsampleHeap(
  heap: HeapProfile,
  maxPoints: number
): { heap: HeapProfile; downsampling: Downsampling } | null {
  const samples = heap.samples;
  if (samples.length <= maxPoints || samples.length === 0) {
    return null;
  }
  const first = samples[0].time;
  const span = samples[samples.length - 1].time - first;
  const width = span / maxPoints;
  const out: HeapSample[] = [];
  let i = 0;
  while (i < samples.length) {
    const interval = Math.min(maxPoints - 1, Math.floor((samples[i].time - first) / width));
    const sums = new Map<string, number>();
    let timeSum = 0;
    let n = 0;
    for (
      ;
      i < samples.length && Math.min(maxPoints - 1, Math.floor((samples[i].time - first) / width)) === interval;
      i++
    ) {
      for (const [band, bytes] of Object.entries(samples[i].values)) {
        sums.set(band, (sums.get(band) ?? 0) + bytes);
      }
      timeSum += samples[i].time;
      n++;
    }
    const values: Record<string, number> = {};
    for (const [band, sum] of sums) {
      setOwn(values, band, sum / n);
    }
    out.push({ time: timeSum / n, values });
  }
  return {
    heap: { ...heap, samples: out },
    downsampling: { censuses: samples.length, points: out.length, intervalSeconds: width },
  };
}
