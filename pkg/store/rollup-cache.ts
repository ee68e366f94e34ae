/**
 * Decoded rollup trees kept in memory, keyed by the rollup row's revision: a random id every write of the row sets
 * (rollups.ts), so a revision names one exact content, on every replica. A reader looks the revision up in the same
 * snapshot it reads the row in, so it never serves a tree the row no longer holds. A bucket keeps one entry: caching
 * a new revision of it drops the one before (this process wrote or read past it). Bounded by the number of tree nodes
 * held, least recently used out first.
 *
 * Cached trees are shared by every caller, so they are frozen: mergeTrees/TreeAccumulator only read their inputs,
 * and any other code that tried to change one would throw instead of corrupting later queries.
 */
import type { CallTree, TreeNode } from '../model/types';

/** About 110 MiB of decoded trees at most (217 bytes per node measured on -pj rollups). */
export const DEFAULT_ROLLUP_CACHE_NODES = 500_000;

interface Entry {
  bucket: string;
  tree: CallTree;
  nodes: number;
}

export class RollupCache {
  private readonly entries = new Map<string, Entry>();
  /** The revision cached for each bucket (an identity string the caller chooses). */
  private readonly revisionOf = new Map<string, string>();
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

  /**
   * Freezes the tree (it is shared from now on) and keeps it as the bucket's, in place of the bucket's previous
   * revision, unless the tree alone exceeds the budget.
   */
  put(bucket: string, revision: string, tree: CallTree): CallTree {
    const nodes = deepFreeze(tree);
    if (nodes > this.maxNodes || this.entries.has(revision)) {
      return tree;
    }
    const previous = this.revisionOf.get(bucket);
    if (previous !== undefined) {
      this.remove(previous);
    }
    this.entries.set(revision, { bucket, tree, nodes });
    this.revisionOf.set(bucket, revision);
    this.nodes += nodes;
    for (const oldest of this.entries.keys()) {
      if (this.nodes <= this.maxNodes) {
        break;
      }
      this.remove(oldest);
    }
    return tree;
  }

  private remove(revision: string): void {
    const entry = this.entries.get(revision);
    if (entry) {
      this.entries.delete(revision);
      this.revisionOf.delete(entry.bucket);
      this.nodes -= entry.nodes;
    }
  }

  /** Nodes held (for tests and metrics). */
  get nodeCount(): number {
    return this.nodes;
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
