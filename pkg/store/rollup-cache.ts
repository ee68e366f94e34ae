/**
 * Decoded rollup trees kept in memory, keyed by the rollup row's revision: a random id every write of the row sets
 * (rollups.ts), so a revision names one exact content, on every replica. A reader looks the revision up in the same
 * snapshot it reads the row in, so it never serves a tree the row no longer holds; revisions no row holds any more
 * are never asked for again and age out. Bounded by the number of tree nodes held (least recently used first out).
 *
 * Cached trees are shared by every caller, so they are frozen: mergeTrees/TreeAccumulator only read their inputs,
 * and any other code that tried to change one would throw instead of corrupting later queries.
 */
import type { CallTree, TreeNode } from '../model/types';

/** About 100-150 MiB of decoded nodes at most. */
export const DEFAULT_ROLLUP_CACHE_NODES = 500_000;

export class RollupCache {
  private readonly entries = new Map<string, { tree: CallTree; nodes: number }>();
  private nodes = 0;

  constructor(readonly maxNodes = DEFAULT_ROLLUP_CACHE_NODES) {}

  get(revision: string): CallTree | undefined {
    const entry = this.entries.get(revision);
    if (entry) {
      // Map iteration follows insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(revision);
      this.entries.set(revision, entry);
    }
    return entry?.tree;
  }

  /** Freezes the tree (it is shared from now on) and keeps it unless it alone exceeds the budget. */
  put(revision: string, tree: CallTree): CallTree {
    const nodes = deepFreeze(tree);
    if (nodes > this.maxNodes || this.entries.has(revision)) {
      return tree;
    }
    this.entries.set(revision, { tree, nodes });
    this.nodes += nodes;
    for (const [oldest, entry] of this.entries) {
      if (this.nodes <= this.maxNodes) {
        break;
      }
      this.entries.delete(oldest);
      this.nodes -= entry.nodes;
    }
    return tree;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Freezes every node and children array (iteratively: GHC stacks go deeper than the JS stack); returns the count. */
function deepFreeze(tree: CallTree): number {
  let count = 0;
  const stack: TreeNode[] = [tree.root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    count++;
    for (const child of node.children) {
      stack.push(child);
    }
    Object.freeze(node.children);
    Object.freeze(node);
  }
  Object.freeze(tree);
  return count;
}
