/**
 * The whole path from loaded profiles to the frames of one query type, so the server's routes (and the CLI) call
 * one function per query: merge -> (exclude system nodes) -> function table of the UNPRUNED tree -> prune -> frame.
 */
import type { DataFrameJSON } from '../api/dataframe';
import { combineHeapProfiles } from '../model/heap';
import {
  diffFunctionTable,
  diffTrees,
  excludeSystemNodes,
  functionTable,
  mergeTrees,
  pruneDiffTree,
  pruneTree,
  totalValue,
} from '../model/tree';
import type { CallTree, HeapMode, HeapProfile, Metric } from '../model/types';
import { diffFlamegraphFrame, emptyFlamegraphFrame, type FlamegraphOptions, flamegraphFrame } from './flamegraph';
import { type HeapSeries } from './heap';
import { topTableFrame } from './table';

export interface TreeQuery {
  metric: Metric;
  maxNodes: number;
  /** Leave out GC, IDLE, OVERHEAD_of, SYSTEM, PINNED, DONT_CARE (what -pj adds and the text report hides). */
  excludeSystem: boolean;
}

function mergedOrNull(trees: Iterable<CallTree>, excludeSystem: boolean): CallTree | null {
  const list = [...trees];
  if (list.length === 0) {
    return null;
  }
  const merged = mergeTrees(list);
  return excludeSystem ? excludeSystemNodes(merged) : merged;
}

/** The flamegraph query's frame: the merged trees, pruned to maxNodes, with the exact function table in meta. */
export function flamegraphFromTrees(
  trees: Iterable<CallTree>,
  q: TreeQuery,
  opts: FlamegraphOptions = {}
): DataFrameJSON {
  const merged = mergedOrNull(trees, q.excludeSystem);
  if (merged === null) {
    return emptyFlamegraphFrame(q.metric, { refId: opts.refId });
  }
  const table = functionTable(merged, q.metric);
  return flamegraphFrame(pruneTree(merged, q.metric, q.maxNodes), q.metric, { ...opts, functionTable: table });
}

/** The diff query's frame: each side merged, aligned, pruned by left + right. No profile on either side: empty. */
export function diffFromTrees(
  left: Iterable<CallTree>,
  right: Iterable<CallTree>,
  q: TreeQuery,
  opts: FlamegraphOptions = {}
): DataFrameJSON {
  const l = mergedOrNull(left, q.excludeSystem);
  const r = mergedOrNull(right, q.excludeSystem);
  if (l === null && r === null) {
    return emptyFlamegraphFrame(q.metric, { refId: opts.refId, diff: true });
  }
  const diff = diffTrees(l ?? mergeTrees([]), r ?? mergeTrees([]));
  const table = diffFunctionTable(diff, q.metric);
  return diffFlamegraphFrame(pruneDiffTree(diff, q.metric, q.maxNodes), q.metric, { ...opts, functionTable: table });
}

/** The top query's table: per cost centre over the merged trees, largest self first, `limit` rows. */
export function topTableFromTrees(
  trees: Iterable<CallTree>,
  q: Omit<TreeQuery, 'maxNodes'> & { limit: number },
  opts: { refId?: string } = {}
): DataFrameJSON {
  const merged = mergedOrNull(trees, q.excludeSystem) ?? mergeTrees([]);
  return topTableFrame(functionTable(merged, q.metric), q.metric, {
    refId: opts.refId,
    limit: q.limit,
    total: totalValue(merged, q.metric),
  });
}

/** One stored heap profile with what grouping needs. */
export interface HeapInput {
  heap: HeapProfile;
  /** Wall-clock start of the run, ms since the epoch. */
  startTimeMs: number;
  labels: Record<string, string>;
}

/**
 * Groups heap profiles into series by the value of the `splitBy` label (profiles without it form one series with
 * empty labels) and, when `mode` is given, keeps only profiles of that mode. Bands of different modes mean different
 * things (cost-centre stacks vs closure types), so mixed modes also split: those series get a `mode` label.
 * Series are sorted by their labels (code-point order; the unlabelled series first).
 */
export function groupHeapSeries(inputs: HeapInput[], splitBy: string, mode?: HeapMode): HeapSeries[] {
  const kept = mode === undefined ? inputs : inputs.filter((i) => i.heap.mode === mode);
  const mixedModes = new Set(kept.map((i) => i.heap.mode)).size > 1;
  const groups = new Map<string, { labels: Record<string, string>; runs: HeapInput[] }>();
  for (const input of kept) {
    const labels: Record<string, string> = {};
    if (input.labels[splitBy] !== undefined) {
      labels[splitBy] = input.labels[splitBy];
    }
    if (mixedModes) {
      labels.mode = input.heap.mode;
    }
    const key = Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join('\u0000');
    const group = groups.get(key) ?? { labels, runs: [] };
    group.runs.push(input);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({ labels: g.labels, combined: combineHeapProfiles(g.runs) }));
}
