/**
 * Pure operations on cost-centre call trees: values per metric, merge, diff, prune, focus, system-node filter and
 * the per-function table. Nothing here mutates its input. Every walk is iterative (GHC stacks can be thousands of
 * frames deep, deeper than the JS call stack allows for recursion).
 *
 * Truncation is represented in the tree itself: what pruneTree cuts under a parent becomes one child with module ''
 * and label `other` (OTHER_LABEL). Real cost centres always have a module, so that identity is unambiguous, and it
 * survives merging (two `other` nodes at the same path merge like any other node). Grafana's flame graph also reads
 * a node labelled exactly `other` as truncated.
 */
import { newNode } from './builder';
import { RankQueue } from './rank-queue';
import type { CallTree, Metric, TreeNode } from './types';

/** The per-node values every side of a tree carries (a TreeNode is one; a DiffNode has a second in `right`). */
export interface SideValues {
  entries: number;
  ticks: number;
  alloc: number;
}

/** A node of a diff: the left (baseline) values are the TreeNode fields, the right (comparison) ones in `right`. */
export interface DiffNode extends TreeNode {
  right: SideValues;
  children: DiffNode[];
}

/** Two trees aligned by (module, label) path, both in ticks of one common `tickIntervalUs`. */
export interface DiffTree {
  root: DiffNode;
  tickIntervalUs: number;
  approximate: boolean;
}

/** Identifies a cost centre: the merge identity of a node under its parent. */
export interface FrameRef {
  module: string;
  label: string;
}

export type ValueOf = (v: SideValues) => number;

/** Label of the node that stands for everything pruneTree cut under one parent. */
export const OTHER_LABEL = 'other';
/** Module of that node: empty, which no real cost centre has. */
export const OTHER_MODULE = '';

/** Display units of the metrics, as Grafana field units: ns for time, bytes for allocation, plain counts. */
export const METRIC_UNITS: Record<Metric, 'ns' | 'bytes' | 'short'> = { time: 'ns', alloc: 'bytes', entries: 'short' };

/** True for the node pruneTree puts where it cut children. */
export function isTruncatedNode(node: FrameRef): boolean {
  return node.module === OTHER_MODULE && node.label === OTHER_LABEL;
}

/**
 * The self value of a node in the metric's display unit: time in ns (ticks × tickIntervalUs × 1000), allocation in
 * bytes, entries as counts. Works on a TreeNode (left side) and on a DiffNode's `right`.
 */
export function selfValueOf(metric: Metric, tickIntervalUs: number): ValueOf {
  switch (metric) {
    case 'time': {
      const nsPerTick = tickIntervalUs * 1000;
      return (v) => v.ticks * nsPerTick;
    }
    case 'alloc':
      return (v) => v.alloc;
    case 'entries':
      return (v) => v.entries;
  }
}

/** A tree laid out in depth-first pre-order (children in stored order): the order Grafana's flame graph wants. */
export interface FlatTree<N extends TreeNode = TreeNode> {
  /** nodes[0] is the root. */
  nodes: N[];
  /** Depth of each node, the root at 0. */
  levels: Int32Array;
  /** Index of each node's parent in `nodes`, -1 for the root. A parent always comes before its children. */
  parents: Int32Array;
}

export function flattenTree<N extends TreeNode>(root: N): FlatTree<N> {
  const nodes: N[] = [];
  const levels: number[] = [];
  const parents: number[] = [];
  // Parallel stacks rather than an object per entry: trees reach hundreds of thousands of nodes.
  const stackNodes: N[] = [root];
  const stackLevels: number[] = [0];
  const stackParents: number[] = [-1];
  while (stackNodes.length > 0) {
    const node = stackNodes.pop()!;
    const level = stackLevels.pop()!;
    const index = nodes.length;
    nodes.push(node);
    levels.push(level);
    parents.push(stackParents.pop()!);
    for (let i = node.children.length - 1; i >= 0; i--) {
      stackNodes.push(node.children[i] as N);
      stackLevels.push(level + 1);
      stackParents.push(index);
    }
  }
  return { nodes, levels: Int32Array.from(levels), parents: Int32Array.from(parents) };
}

/** Inclusive (self + all descendants) values of a flattened tree, index-aligned with `flat.nodes`. */
export function inclusiveValues<N extends TreeNode>(flat: FlatTree<N>, selfOf: (n: N) => number): Float64Array {
  const inclusive = new Float64Array(flat.nodes.length);
  for (let i = 0; i < flat.nodes.length; i++) {
    inclusive[i] = selfOf(flat.nodes[i]);
  }
  // Children come after their parent in pre-order, so a reverse sweep finishes every child before its parent.
  for (let i = flat.nodes.length - 1; i > 0; i--) {
    inclusive[flat.parents[i]] += inclusive[i];
  }
  return inclusive;
}

/** Inclusive value of the whole tree (the root's) in the metric's display unit. */
export function totalValue(tree: CallTree, metric: Metric): number {
  const valueOf = selfValueOf(metric, tree.tickIntervalUs);
  let total = 0;
  forEachNode(tree.root, (n) => {
    total += valueOf(n);
  });
  return total;
}

/** Visits every node once, in pre-order, without recursion. */
export function forEachNode<N extends TreeNode>(root: N, visit: (node: N, depth: number) => void): void {
  const stackNodes: N[] = [root];
  const stackDepths: number[] = [0];
  while (stackNodes.length > 0) {
    const node = stackNodes.pop()!;
    const depth = stackDepths.pop()!;
    visit(node, depth);
    for (let i = node.children.length - 1; i >= 0; i--) {
      stackNodes.push(node.children[i] as N);
      stackDepths.push(depth + 1);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Merge and diff

/** Nanoseconds per tick as an exact integer (GHC's tick intervals are whole microseconds). */
function tickIntervalNs(tickIntervalUs: number): number {
  const ns = Math.round(tickIntervalUs * 1000);
  if (!Number.isFinite(tickIntervalUs) || tickIntervalUs <= 0 || ns < 1) {
    throw new RangeError(`tick interval must be a positive number of microseconds, got ${tickIntervalUs}`);
  }
  return ns;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    [a, b] = [b, a % b];
  }
  return a;
}

/**
 * The largest tick interval (µs) that divides every given one, so ticks of each convert to it by an integer factor:
 * merging 1000 µs and 250 µs trees counts in 250 µs ticks, and no value is rounded.
 */
export function commonTickIntervalUs(intervalsUs: number[]): number {
  let common = 0;
  for (const us of intervalsUs) {
    common = gcd(common, tickIntervalNs(us));
  }
  return common === 0 ? 1000 : common / 1000;
}

function frameKey(f: FrameRef): string {
  return `${f.module}\u0000${f.label}`;
}

function copyFrame<N extends TreeNode>(n: N): TreeNode {
  return newNode({ label: n.label, module: n.module, src: n.src });
}

/** The right-side values of a diff node; undefined for a plain TreeNode. */
function rightOf(n: TreeNode): SideValues | undefined {
  return (n as { right?: SideValues }).right;
}

/** Adds `src`'s self values (ticks scaled to the common interval) to one side of `dst`. */
type AddValues = (dst: TreeNode, src: TreeNode, tickScale: number) => void;

function addSides(dst: SideValues, src: SideValues, tickScale = 1): void {
  dst.entries += src.entries;
  dst.ticks += src.ticks * tickScale;
  dst.alloc += src.alloc;
}

const addLeft: AddValues = (dst, src, tickScale) => addSides(dst, src, tickScale);
const addRight: AddValues = (dst, src, tickScale) => addSides((dst as DiffNode).right, src, tickScale);

/** Children counts up to which a linear scan finds a child faster than a Map lookup. */
const SCAN_LIMIT = 16;

/**
 * Accumulates trees into one, node by (module, label) path. Trees may arrive one at a time (the server streams them
 * from the store) and with different tick intervals: when a new interval does not divide the current common one,
 * the ticks accumulated so far are rescaled by an integer factor, so the result stays exact.
 */
export class TreeAccumulator {
  private root: TreeNode | null = null;
  private tickIntervalUs = 0;
  private approximate = false;
  private readonly childIndex = new Map<TreeNode, Map<string, TreeNode>>();

  constructor(private readonly makeNode: (src: TreeNode) => TreeNode = copyFrame) {}

  add(tree: CallTree, addValues: AddValues = addLeft): void {
    this.approximate ||= tree.approximate;
    const common = commonTickIntervalUs(
      this.tickIntervalUs === 0 ? [tree.tickIntervalUs] : [this.tickIntervalUs, tree.tickIntervalUs]
    );
    if (this.root !== null && common !== this.tickIntervalUs) {
      this.rescaleTicks(tickIntervalNs(this.tickIntervalUs) / tickIntervalNs(common));
    }
    this.tickIntervalUs = common;
    const tickScale = tickIntervalNs(tree.tickIntervalUs) / tickIntervalNs(common);
    if (this.root === null) {
      this.root = this.makeNode(tree.root);
    }
    // A root with another identity (never seen from GHC, whose roots are all MAIN) hangs under the first root.
    const rootTarget = frameKey(tree.root) === frameKey(this.root) ? this.root : this.childFor(this.root, tree.root);
    // Two parallel stacks (source node, target node): no pair allocated per node.
    const srcStack: TreeNode[] = [tree.root];
    const dstStack: TreeNode[] = [rootTarget];
    while (srcStack.length > 0) {
      const src = srcStack.pop()!;
      const dst = dstStack.pop()!;
      addValues(dst, src, tickScale);
      for (const child of src.children) {
        srcStack.push(child);
        dstStack.push(this.childFor(dst, child));
      }
    }
  }

  result(): CallTree {
    return {
      root: this.root ?? this.makeNode(newNode({ label: 'MAIN', module: 'MAIN', src: '<built-in>' })),
      tickIntervalUs: this.tickIntervalUs === 0 ? 1000 : this.tickIntervalUs,
      approximate: this.approximate,
    };
  }

  /**
   * The child of `parent` with the frame's identity, created when missing. Most nodes have a few children, where a
   * scan beats hashing; wide nodes (thousands of children under one parent happen) get an index on first need.
   */
  private childFor(parent: TreeNode, frame: TreeNode): TreeNode {
    const kids = parent.children;
    if (kids.length <= SCAN_LIMIT) {
      for (const c of kids) {
        if (c.label === frame.label && c.module === frame.module) {
          return c;
        }
      }
      return this.appendChild(parent, frame);
    }
    let index = this.childIndex.get(parent);
    if (index === undefined) {
      index = new Map(kids.map((c) => [frameKey(c), c]));
      this.childIndex.set(parent, index);
    }
    return index.get(frameKey(frame)) ?? this.appendChild(parent, frame);
  }

  private appendChild(parent: TreeNode, frame: TreeNode): TreeNode {
    const child = this.makeNode(frame);
    parent.children.push(child);
    this.childIndex.get(parent)?.set(frameKey(child), child);
    return child;
  }

  private rescaleTicks(factor: number): void {
    forEachNode(this.root!, (n) => {
      n.ticks *= factor;
      const right = rightOf(n);
      if (right !== undefined) {
        right.ticks *= factor;
      }
    });
  }
}

/**
 * Merges trees into one: nodes at the same (module, label) path are one node and their self values add up. Ticks are
 * counted in the common tick interval (commonTickIntervalUs), `approximate` is true if any input is. Merged nodes
 * have ccId/ccsId -1. No input: a lone MAIN root.
 */
export function mergeTrees(trees: Iterable<CallTree>): CallTree {
  const acc = new TreeAccumulator();
  for (const t of trees) {
    acc.add(t);
  }
  return acc.result();
}

function newDiffNode(src: TreeNode): TreeNode {
  const n = copyFrame(src) as DiffNode;
  n.right = { entries: 0, ticks: 0, alloc: 0 };
  return n;
}

/**
 * Aligns two trees by (module, label) path: each node carries the left tree's self values in its TreeNode fields and
 * the right tree's in `right` (zero where a side lacks the node). Ticks of both sides are in one common interval.
 */
export function diffTrees(left: CallTree, right: CallTree): DiffTree {
  const acc = new TreeAccumulator(newDiffNode);
  acc.add(left, addLeft);
  acc.add(right, addRight);
  const merged = acc.result();
  return { root: merged.root as DiffNode, tickIntervalUs: merged.tickIntervalUs, approximate: merged.approximate };
}

// ---------------------------------------------------------------------------------------------------------------
// Prune

/** Copies a node's frame and values (both sides for a diff node), without children. */
function copyNode<N extends TreeNode>(n: N): N {
  const { children: _children, ...rest } = n;
  const copy = { ...rest, children: [] } as unknown as N;
  const right = rightOf(n);
  if (right !== undefined) {
    (copy as unknown as DiffNode).right = { ...right };
  }
  return copy;
}

function otherNodeLike<N extends TreeNode>(parent: N): N {
  const other = newNode({ label: OTHER_LABEL, module: OTHER_MODULE, src: '' }) as N;
  if (rightOf(parent) !== undefined) {
    (other as unknown as DiffNode).right = { entries: 0, ticks: 0, alloc: 0 };
  }
  return other;
}

/** Number of nodes in each node's subtree, itself included: node i's children start at i + 1, each after the last. */
function subtreeSizes(flat: FlatTree): Int32Array {
  const size = new Int32Array(flat.nodes.length).fill(1);
  for (let i = flat.nodes.length - 1; i > 0; i--) {
    size[flat.parents[i]] += size[i];
  }
  return size;
}

/** Calls `visit` with the index of each child of node i, found from the pre-order layout. */
function forEachChildIndex(i: number, size: Int32Array, visit: (c: number) => void): void {
  for (let c = i + 1; c < i + size[i]; c += size[c]) {
    visit(c);
  }
}

/**
 * Chooses which nodes to keep: best first by `rank` (an inclusive value, never larger than the parent's), a node
 * only once its parent is kept, at most `maxNodes` rows counting the `other` each cut parent gets. Nodes with rank 0
 * are never kept. Only kept nodes and their children are looked at: pruning a huge tree to a few thousand rows does
 * not sort the whole tree.
 */
function chooseKept(flat: FlatTree, rank: Float64Array, size: Int32Array, maxNodes: number): Uint8Array {
  const kept = new Uint8Array(flat.nodes.length);
  // Per node: its valued children not kept (yet), which its `other` would hold. Zero-valued ones are dropped.
  const unkept = new Int32Array(flat.nodes.length);
  for (let i = 1; i < flat.nodes.length; i++) {
    if (rank[i] > 0) {
      unkept[flat.parents[i]]++;
    }
  }
  const queue = new RankQueue(rank);
  const keep = (i: number) => {
    kept[i] = 1;
    forEachChildIndex(i, size, (c) => rank[c] > 0 && queue.push(c));
  };
  keep(0);
  let rows = 1 + (unkept[0] > 0 ? 1 : 0);
  while (queue.size > 0) {
    const i = queue.pop();
    const p = flat.parents[i];
    // Keeping i adds its row and an `other` under it if it has valued children, and removes p's `other` if i was
    // p's last. A node that does not fit is skipped with its subtree; a later one may still fit (a parent's last
    // child costs nothing: it replaces the parent's `other`).
    const delta = 1 + (unkept[i] > 0 ? 1 : 0) - (unkept[p] === 1 ? 1 : 0);
    if (rows + delta <= maxNodes) {
      keep(i);
      unkept[p]--;
      rows += delta;
    }
  }
  return kept;
}

type SideOf = (n: TreeNode) => SideValues | undefined;
const leftSide: SideOf = (n) => n;

/** Subtree totals of each side's values (one side, or two for a diff), for filling `other` nodes in one step. */
function subtreeTotals(flat: FlatTree): Array<{ side: SideOf; sums: Record<keyof SideValues, Float64Array> }> {
  return [leftSide, rightOf]
    .filter((side) => side(flat.nodes[0]) !== undefined)
    .map((side) => ({
      side,
      sums: {
        entries: inclusiveValues(flat, (n) => side(n)!.entries),
        ticks: inclusiveValues(flat, (n) => side(n)!.ticks),
        alloc: inclusiveValues(flat, (n) => side(n)!.alloc),
      },
    }));
}

function pruneFlat<T extends { root: N }, N extends TreeNode>(
  tree: T,
  rank: Float64Array,
  flat: FlatTree<N>,
  maxNodes: number
): T {
  const size = subtreeSizes(flat as FlatTree);
  const kept = chooseKept(flat as FlatTree, rank, size, maxNodes);
  const totals = subtreeTotals(flat as FlatTree);
  const copies: N[] = new Array(flat.nodes.length);
  copies[0] = copyNode(flat.nodes[0]);
  // Pre-order: a kept node's copy exists before its children's. Each `other` goes after its kept siblings.
  for (let i = 0; i < flat.nodes.length; i++) {
    if (!kept[i]) {
      continue;
    }
    let other: N | undefined;
    forEachChildIndex(i, size, (c) => {
      if (kept[c]) {
        copies[c] = copyNode(flat.nodes[c]);
        copies[i].children.push(copies[c]);
      } else if (rank[c] > 0) {
        other ??= otherNodeLike(copies[i]);
        for (const { side, sums } of totals) {
          addSides(side(other)!, { entries: sums.entries[c], ticks: sums.ticks[c], alloc: sums.alloc[c] });
        }
      }
    });
    if (other !== undefined) {
      copies[i].children.push(other);
    }
  }
  return { ...tree, root: copies[0] };
}

/**
 * Keeps the nodes with the largest inclusive value of `metric`, at most `maxNodes` rows including the truncation
 * nodes: under every parent whose children were cut, one node (module '', label `other`, see isTruncatedNode) holds
 * the summed values of everything cut there. Nodes whose inclusive value is 0 for the metric are dropped (zero-width
 * in a flame graph). The root always stays; a root with children needs at least 2 rows. Derive function tables from
 * the tree BEFORE pruning (functionTable).
 */
export function pruneTree(tree: CallTree, metric: Metric, maxNodes: number): CallTree {
  const flat = flattenTree(tree.root);
  const rank = inclusiveValues(flat, selfValueOf(metric, tree.tickIntervalUs));
  return pruneFlat(tree, rank, flat, maxNodes);
}

/** pruneTree for a diff: ranks nodes by left + right inclusive value; `other` nodes carry both sides. */
export function pruneDiffTree(tree: DiffTree, metric: Metric, maxNodes: number): DiffTree {
  const flat = flattenTree(tree.root);
  const valueOf = selfValueOf(metric, tree.tickIntervalUs);
  const rank = inclusiveValues(flat, (n) => valueOf(n) + valueOf(n.right));
  return pruneFlat(tree, rank, flat, maxNodes);
}

// ---------------------------------------------------------------------------------------------------------------
// Focus and filter

/**
 * The subtree at `path` (frames from the root, the root included: `[{MAIN,MAIN},{Main,main}]`), or null when no node
 * has that path. With `keepAncestors`, the result keeps the path's ancestors (with zero self values and only the one
 * child each) so a flame graph still shows where the subtree sits. Shares nodes with the input: treat as read-only.
 */
export function focusSubtree<T extends CallTree | DiffTree>(
  tree: T,
  path: FrameRef[],
  opts: { keepAncestors?: boolean } = {}
): T | null {
  if (path.length === 0 || frameKey(path[0]) !== frameKey(tree.root)) {
    return null;
  }
  const chain: TreeNode[] = [tree.root];
  for (const frame of path.slice(1)) {
    const key = frameKey(frame);
    const next = chain[chain.length - 1].children.find((c) => frameKey(c) === key);
    if (next === undefined) {
      return null;
    }
    chain.push(next);
  }
  let root = chain[chain.length - 1];
  if (opts.keepAncestors) {
    for (let i = chain.length - 2; i >= 0; i--) {
      const ancestor = copyNode(chain[i]);
      zeroValues(ancestor);
      ancestor.children.push(root);
      root = ancestor;
    }
  }
  return { ...tree, root };
}

function zeroValues(n: TreeNode): void {
  n.entries = 0;
  n.ticks = 0;
  n.alloc = 0;
  const right = rightOf(n);
  if (right !== undefined) {
    right.entries = 0;
    right.ticks = 0;
    right.alloc = 0;
  }
}

/**
 * Copies the tree without the nodes `keep` rejects (and without their subtrees; their values are dropped, not moved
 * to the parent). The root is always kept.
 */
export function filterTree<T extends CallTree | DiffTree>(tree: T, keep: (n: TreeNode) => boolean): T {
  const root = copyNode(tree.root as TreeNode);
  const stack: Array<[TreeNode, TreeNode]> = [[tree.root, root]];
  while (stack.length > 0) {
    const [src, dst] = stack.pop()!;
    for (const child of src.children) {
      if (keep(child)) {
        const copy = copyNode(child);
        dst.children.push(copy);
        stack.push([child, copy]);
      }
    }
  }
  return { ...tree, root };
}

/**
 * The RTS's built-in cost centres that `-pj` reports and the text `.prof` hides (GHC's `ignoreCC`): GC time, idle
 * time, profiling overhead, SYSTEM/PINNED and DONT_CARE. Keys are `module\0label`.
 */
const SYSTEM_FRAMES = new Set(
  [
    { module: 'GC', label: 'GC' },
    { module: 'IDLE', label: 'IDLE' },
    { module: 'PROFILING', label: 'OVERHEAD_of' },
    { module: 'SYSTEM', label: 'SYSTEM' },
    { module: 'SYSTEM', label: 'PINNED' },
    { module: 'MAIN', label: 'DONT_CARE' },
  ].map(frameKey)
);

export function isSystemNode(n: FrameRef): boolean {
  return SYSTEM_FRAMES.has(frameKey(n));
}

/** Leaves out the RTS's built-in nodes (isSystemNode) with their subtrees: what the text `.prof` report shows. */
export function excludeSystemNodes<T extends CallTree | DiffTree>(tree: T): T {
  return filterTree(tree, (n) => !isSystemNode(n));
}

// ---------------------------------------------------------------------------------------------------------------
// Function table

export interface FunctionRow {
  module: string;
  label: string;
  /** Sum of the self values of every node of this cost centre. */
  self: number;
  /** Inclusive value, counting a cost centre that recurses (appears again below itself) once: its outermost node. */
  total: number;
  selfRight?: number;
  totalRight?: number;
}

/** Function index of every node: nodes of one (module, label) share an index, numbered in pre-order of first sight. */
function functionIndices(flat: FlatTree): { ofNode: Int32Array; frames: FrameRef[] } {
  const byModule = new Map<string, Map<string, number>>();
  const frames: FrameRef[] = [];
  const ofNode = new Int32Array(flat.nodes.length);
  flat.nodes.forEach((node, i) => {
    let byLabel = byModule.get(node.module);
    if (byLabel === undefined) {
      byLabel = new Map();
      byModule.set(node.module, byLabel);
    }
    let f = byLabel.get(node.label);
    if (f === undefined) {
      f = frames.length;
      byLabel.set(node.label, f);
      frames.push({ module: node.module, label: node.label });
    }
    ofNode[i] = f;
  });
  return { ofNode, frames };
}

/** Self and total per function index (see functionIndices). */
function aggregateFunctions<N extends TreeNode>(
  flat: FlatTree<N>,
  fns: { ofNode: Int32Array; frames: FrameRef[] },
  selfOf: (n: N) => number
): { self: Float64Array; total: Float64Array } {
  const inclusive = inclusiveValues(flat, selfOf);
  const self = new Float64Array(fns.frames.length);
  const total = new Float64Array(fns.frames.length);
  // How often each function is on the path from the root to the current node: only its outermost node adds a total.
  const onPath = new Int32Array(fns.frames.length);
  const path: number[] = [];
  for (let i = 0; i < flat.nodes.length; i++) {
    // Leave the frames of the previous branch that are not ancestors of this node.
    while (path.length > flat.levels[i]) {
      onPath[path.pop()!]--;
    }
    const f = fns.ofNode[i];
    self[f] += selfOf(flat.nodes[i]);
    if (onPath[f] === 0) {
      total[f] += inclusive[i];
    }
    onPath[f]++;
    path.push(f);
  }
  return { self, total };
}

function sortRows(rows: FunctionRow[]): FunctionRow[] {
  return rows.sort(
    (a, b) =>
      b.self + (b.selfRight ?? 0) - (a.self + (a.selfRight ?? 0)) ||
      b.total + (b.totalRight ?? 0) - (a.total + (a.totalRight ?? 0)) ||
      a.module.localeCompare(b.module) ||
      a.label.localeCompare(b.label)
  );
}

/**
 * Self and total per cost centre (module, label) in the metric's display unit, largest self first; cost centres with
 * zero self and zero total are left out. Pass the UNPRUNED tree: pruning folds nodes into `other`.
 */
export function functionTable(tree: CallTree, metric: Metric): FunctionRow[] {
  const flat = flattenTree(tree.root);
  const fns = functionIndices(flat);
  const { self, total } = aggregateFunctions(flat, fns, selfValueOf(metric, tree.tickIntervalUs));
  const rows = fns.frames.map((f, i) => ({ ...f, self: self[i], total: total[i] }));
  return sortRows(rows.filter((r) => r.self !== 0 || r.total !== 0));
}

/** functionTable of both sides of a diff: `self`/`total` are the left side, `selfRight`/`totalRight` the right. */
export function diffFunctionTable(tree: DiffTree, metric: Metric): FunctionRow[] {
  const flat = flattenTree(tree.root);
  const fns = functionIndices(flat);
  const valueOf = selfValueOf(metric, tree.tickIntervalUs);
  const left = aggregateFunctions(flat, fns, valueOf);
  const right = aggregateFunctions(flat, fns, (n) => valueOf(n.right));
  const rows = fns.frames.map((f, i) => ({
    ...f,
    self: left.self[i],
    total: left.total[i],
    selfRight: right.self[i],
    totalRight: right.total[i],
  }));
  return sortRows(rows.filter((r) => r.self !== 0 || r.total !== 0 || r.selfRight !== 0 || r.totalRight !== 0));
}

/** The text a frame shows for a node: `Module.label`, or just `other` for a truncation node. */
export function frameName(n: FrameRef): string {
  return isTruncatedNode(n) ? OTHER_LABEL : `${n.module}.${n.label}`;
}
