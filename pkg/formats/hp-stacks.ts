/**
 * Joins a `-hc` heap profile with the `.prof` report of the same run: a band `(306)applyLazy/simulateLaz...` names
 * cost-centre stack 306, which is row `no. 306` of the report, so its full stack (GHC cuts labels at 25 characters)
 * can be read from the report's tree.
 */
import type { CallTree, HeapProfile, TreeNode } from '../model/types';

/**
 * Fills `heap.bandStacks` (band label -> stack, innermost first, as `module.label`) for every band whose id is a
 * stack of `tree` and whose printed path agrees with that stack (so a report from another run is not joined by
 * accident). Returns the number of bands joined. Only for -hc profiles and trees that carry stack ids (.prof).
 */
export function attachBandStacks(heap: HeapProfile, tree: CallTree): number {
  if (heap.mode !== 'hc') {
    return 0;
  }
  const { byId, parent } = index(tree.root);
  const joined: Record<string, string[]> = {};
  let count = 0;
  for (const band of heap.bands) {
    const m = /^\((\d+)\)(.*)$/.exec(band);
    const stack: TreeNode[] = [];
    for (let n = m ? byId.get(Number(m[1])) : undefined; n !== undefined && n !== tree.root; n = parent.get(n)) {
      stack.push(n);
    }
    if (!m || stack.length === 0 || !printedPathMatches(m[2], stack)) {
      continue;
    }
    joined[band] = stack.map((n) => `${n.module}.${n.label}`);
    count++;
  }
  if (count > 0) {
    heap.bandStacks = { ...heap.bandStacks, ...joined };
  }
  return count;
}

/** Nodes by stack id and each node's parent (one pass, no recursion: trees can be thousands deep). */
function index(root: TreeNode): { byId: Map<number, TreeNode>; parent: Map<TreeNode, TreeNode> } {
  const byId = new Map<number, TreeNode>();
  const parent = new Map<TreeNode, TreeNode>();
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop() as TreeNode;
    if (node.ccsId >= 0) {
      byId.set(node.ccsId, node);
    }
    for (const c of node.children) {
      parent.set(c, node);
      pending.push(c);
    }
  }
  return { byId, parent };
}

/** GHC prints `label/caller/...` (CAFs as `Module.CAF`), cut with `...` when longer than the -L limit. */
function printedPathMatches(printed: string, stack: TreeNode[]): boolean {
  const full = stack.map((n) => (n.label === 'CAF' ? `${n.module}.CAF` : n.label)).join('/');
  return printed.endsWith('...') ? full.startsWith(printed.slice(0, -3)) : full === printed;
}
