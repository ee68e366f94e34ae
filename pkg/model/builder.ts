import type { CallTree, TreeNode } from './types';

/** A cost centre as a reader knows it; interned by (module, label) under each parent. */
export interface FrameInfo {
  label: string;
  module: string;
  src?: string;
  ccId?: number;
  ccsId?: number;
}

export interface SelfValues {
  entries?: number;
  ticks?: number;
  alloc?: number;
}

export function newNode(info: FrameInfo): TreeNode {
  return {
    label: info.label,
    module: info.module,
    src: info.src ?? '',
    ccId: info.ccId ?? -1,
    ccsId: info.ccsId ?? -1,
    entries: 0,
    ticks: 0,
    alloc: 0,
    children: [],
  };
}

function addSelf(node: TreeNode, v: SelfValues): void {
  node.entries += v.entries ?? 0;
  node.ticks += v.ticks ?? 0;
  node.alloc += v.alloc ?? 0;
}

/** Finds the child with the same (module, label) or appends a new one: the merge identity of the model. */
export function childFor(parent: TreeNode, info: FrameInfo): TreeNode {
  for (const c of parent.children) {
    if (c.label === info.label && c.module === info.module) {
      return c;
    }
  }
  const c = newNode(info);
  parent.children.push(c);
  return c;
}

/**
 * Builds a CallTree either from a nested report (`enter`/`leave`, as the .prof and -pj readers walk their tree)
 * or from sampled stacks (`addStack`, outermost frame first, as eventlog cost-centre samples give them).
 * Frames with the same (module, label) under the same parent are one node (their values add up).
 */
export class TreeBuilder {
  private readonly root: TreeNode;
  private readonly stack: TreeNode[] = [];

  constructor(
    root: FrameInfo = { label: 'MAIN', module: 'MAIN', src: '<built-in>' },
    private readonly tickIntervalUs = 1000
  ) {
    this.root = newNode(root);
  }

  /** Enters a child of the current node (the root when nothing is open). */
  enter(info: FrameInfo, self: SelfValues = {}): TreeNode {
    const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1] : this.root;
    const node = childFor(parent, info);
    addSelf(node, self);
    this.stack.push(node);
    return node;
  }

  leave(): void {
    if (this.stack.length === 0) {
      throw new Error('TreeBuilder.leave: no open frame');
    }
    this.stack.pop();
  }

  /** Adds self values to the root itself (MAIN's own ticks/bytes). */
  addRootSelf(self: SelfValues): void {
    addSelf(this.root, self);
  }

  /** Adds one sampled stack (outermost first, without the root) with its self values on the innermost frame. */
  addStack(frames: FrameInfo[], self: SelfValues): void {
    let node = this.root;
    for (const f of frames) {
      node = childFor(node, f);
    }
    addSelf(node, self);
  }

  build(approximate = false): CallTree {
    if (this.stack.length !== 0) {
      throw new Error(`TreeBuilder.build: ${this.stack.length} frame(s) still open`);
    }
    return { root: this.root, tickIntervalUs: this.tickIntervalUs, approximate };
  }
}
