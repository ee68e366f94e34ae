/**
 * Comparing two benchmark results by name: the ratio of the means, whether the change is significant (the two
 * confidence intervals do not overlap) and the geometric mean of the ratios. Pure functions shared by
 * `ghcprof bench --compare`, the benchCompare query and the Prometheus gauges.
 */
import type { Benchmark } from './bench';

export interface BenchChange {
  name: string;
  /** Mean of the old and the new result, seconds. */
  old: number;
  new: number;
  /** new / old. */
  ratio: number;
  /** (ratio - 1) × 100: positive = slower. */
  change: number;
  /** The intervals [meanLower, meanUpper] of old and new do not overlap. */
  significant: boolean;
}

export interface BenchComparison {
  /** Benchmarks present in both, in the new result's order. */
  benchmarks: BenchChange[];
  /** Geometric mean of the ratios; null when no benchmark is in both. */
  geomean: number | null;
  onlyOld: string[];
  onlyNew: string[];
}

export function intervalsOverlap(a: Benchmark, b: Benchmark): boolean {
  return a.meanLower <= b.meanUpper && b.meanLower <= a.meanUpper;
}

/** By name; a name twice in one list keeps its last entry (the newest, when the list is in time order). */
export function compareBenchmarks(oldList: Benchmark[], newList: Benchmark[]): BenchComparison {
  const oldByName = new Map(oldList.map((b) => [b.name, b]));
  const newByName = new Map(newList.map((b) => [b.name, b]));
  const benchmarks: BenchChange[] = [];
  for (const [name, n] of newByName) {
    const o = oldByName.get(name);
    if (o === undefined) continue;
    const ratio = n.mean / o.mean;
    benchmarks.push({
      name,
      old: o.mean,
      new: n.mean,
      ratio,
      change: (ratio - 1) * 100,
      significant: !intervalsOverlap(o, n),
    });
  }
  return {
    benchmarks,
    geomean: geometricMean(benchmarks.map((b) => b.ratio)),
    onlyOld: [...oldByName.keys()].filter((k) => !newByName.has(k)),
    onlyNew: [...newByName.keys()].filter((k) => !oldByName.has(k)),
  };
}

/** exp of the mean log; null for no values. Ratios of 0 or ∞ (a mean of 0) are left out, as log cannot take them. */
export function geometricMean(values: number[]): number | null {
  const usable = values.filter((v) => v > 0 && Number.isFinite(v));
  if (usable.length === 0) return null;
  return Math.exp(usable.reduce((s, v) => s + Math.log(v), 0) / usable.length);
}

/** The CI gate: benchmarks slower by more than `pct` % with a significant change. */
export function regressions(c: BenchComparison, pct: number): BenchChange[] {
  return c.benchmarks.filter((b) => b.significant && b.change > pct);
}
