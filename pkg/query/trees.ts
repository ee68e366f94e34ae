/**
 * Flame graph, diff and top queries: selected profiles -> their trees merged one at a time -> optional system-node
 * filter -> frames. The function table is computed on the UNPRUNED tree, the flame graph is pruned to maxNodes.
 */
import type { DiffQuery, FlamegraphQuery, ProfileMeta, Selection, TopQuery } from '../api/query';
import type { FramesResponse } from '../api/dataframe';
import type { CallTree } from '../model/types';
import {
  diffFunctionTable,
  diffTrees,
  excludeSystemNodes,
  functionTable,
  pruneDiffTree,
  pruneTree,
  TreeAccumulator,
  totalValue,
} from '../model/tree';
import { diffFlamegraphFrame, flamegraphFrame } from '../frames/flamegraph';
import { topTableFrame } from '../frames/table';
import { filterOf, type QueryContext, selectProfiles } from './selection';

type Notice = { severity: 'info' | 'warning' | 'error'; text: string };

export interface SelectedTree {
  tree: CallTree;
  /** For meta.custom.ghcprof: how many profiles were merged, how many hourly rollups stood in for some of them. */
  facts: { profiles: number; rollups: number; profileIds: string[] };
  notices: Notice[];
  /** Every approximate input is a stored profile whose reader warning is in `notices` (no rollup hides one). */
  approximationExplained: boolean;
}

/** Readers' warnings (truncated input, skipped damage) of the profiles a frame is made of, at most a few. */
export function warningNotices(profiles: ProfileMeta[], max = 5): Notice[] {
  const all = profiles.flatMap((p) => p.warnings.map((w) => `profile ${p.id} (${p.program}): ${w}`));
  const shown = all.slice(0, max).map((text) => ({ severity: 'warning' as const, text }));
  return all.length > max
    ? [...shown, { severity: 'warning', text: `… and ${all.length - max} more warnings` }]
    : shown;
}

/**
 * The merged tree of every profile the selection matches (a lone MAIN root when none does). A selector and range go
 * through the store's getTreesForQuery, which hands whole hours as pre-merged rollups, so a week of profiles costs
 * about 168 merges per label set rather than one per profile; explicit profile ids read those profiles' trees.
 */
export async function selectedTree(ctx: QueryContext, sel: Selection, excludeSystem: boolean): Promise<SelectedTree> {
  const acc = new TreeAccumulator();
  const used: ProfileMeta[] = [];
  let count = 0;
  let rollups = 0;
  if (sel.profileIds && sel.profileIds.length > 0) {
    for (const meta of (await selectProfiles(ctx, sel, 'tree')).profiles) {
      const tree = await ctx.store.getTree(ctx.tenant, meta.id);
      if (tree) {
        acc.add(tree);
        used.push(meta);
      }
    }
    count = used.length;
  } else {
    const result = await ctx.store.getTreesForQuery(ctx.tenant, filterOf(sel, {}, ctx.now));
    for (const source of result.sources) {
      acc.add(source.tree);
      if (source.type === 'profile') {
        used.push(source.meta);
      } else {
        rollups++;
      }
    }
    count = result.profileCount;
  }
  const merged = acc.result();
  return {
    tree: excludeSystem ? excludeSystemNodes(merged) : merged,
    facts: { profiles: count, rollups, profileIds: used.slice(0, 100).map((p) => p.id) },
    notices: warningNotices(used),
    approximationExplained: rollups === 0,
  };
}

export async function flamegraphQuery(ctx: QueryContext, q: FlamegraphQuery, refId?: string): Promise<FramesResponse> {
  const { tree, facts, notices, approximationExplained } = await selectedTree(ctx, q, q.excludeSystem);
  const frame = flamegraphFrame(pruneTree(tree, q.metric, q.maxNodes), q.metric, {
    refId,
    functionTable: functionTable(tree, q.metric),
    facts,
    notices,
    approximationExplained,
  });
  return { frames: [frame] };
}

export async function diffQuery(ctx: QueryContext, q: DiffQuery, refId?: string): Promise<FramesResponse> {
  // The two sides are independent reads: fetch and decode them together.
  const [left, right] = await Promise.all([
    selectedTree(ctx, q.left, q.excludeSystem),
    selectedTree(ctx, q.right, q.excludeSystem),
  ]);
  const diff = diffTrees(left.tree, right.tree);
  const frame = diffFlamegraphFrame(pruneDiffTree(diff, q.metric, q.maxNodes), q.metric, {
    refId,
    functionTable: diffFunctionTable(diff, q.metric),
    facts: { left: left.facts, right: right.facts },
    notices: [...left.notices, ...right.notices],
    approximationExplained: left.approximationExplained && right.approximationExplained,
  });
  return { frames: [frame] };
}

export async function topQuery(ctx: QueryContext, q: TopQuery, refId?: string): Promise<FramesResponse> {
  const { tree, facts, notices } = await selectedTree(ctx, q, q.excludeSystem);
  const frame = topTableFrame(functionTable(tree, q.metric), q.metric, {
    refId,
    limit: q.limit,
    total: totalValue(tree, q.metric),
    facts,
    notices,
  });
  return { frames: [frame] };
}
