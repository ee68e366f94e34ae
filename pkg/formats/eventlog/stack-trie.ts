import type { Payload } from './payload';

/** A cost-centre stack as a path of ids from the trie's root (innermost cost centre first, as events list them). */
export interface StackNode {
  readonly id: number;
  readonly parent: StackNode | null;
  children: Map<number, StackNode> | null;
  /** Dense index in creation order (for per-stack data kept by the owner). */
  readonly index: number;
}

const MAX_STACK_BYTES = 255 * 4;

/**
 * Interns the cost-centre-id stacks of sample events (HeapProfSampleCostCentre, ProfSampleCostCentre) without
 * allocating per event: a known stack is found by walking the trie, and a stack equal to the previous one (time
 * samples repeat the same stack for many ticks) by one byte comparison.
 */
export class StackTrie {
  readonly root: StackNode = { id: -1, parent: null, children: null, index: 0 };
  readonly nodes: StackNode[] = [this.root];
  private readonly last = Buffer.alloc(MAX_STACK_BYTES);
  private lastLen = -1;
  private lastNode: StackNode = this.root;

  /** The stack of `depth` u32 ids at payload offset `at` (the caller has checked they lie within the payload). */
  find(p: Payload, at: number, depth: number): StackNode {
    const len = depth * 4;
    const bytes = p.bytes as Buffer;
    if (len === this.lastLen && bytes.compare(this.last, 0, len, at, at + len) === 0) {
      return this.lastNode;
    }
    let node = this.root;
    for (let i = 0; i < depth; i++) {
      node = this.child(node, p.view.getUint32(at + i * 4));
    }
    bytes.copy(this.last, 0, at, at + len);
    this.lastLen = len;
    this.lastNode = node;
    return node;
  }

  private child(parent: StackNode, id: number): StackNode {
    let children = parent.children;
    if (children === null) {
      children = parent.children = new Map();
    }
    let node = children.get(id);
    if (node === undefined) {
      node = { id, parent, children: null, index: this.nodes.length };
      this.nodes.push(node);
      children.set(id, node);
    }
    return node;
  }

  /** The ids of a stack, innermost first (the order of the event). */
  static innermostFirst(node: StackNode): number[] {
    const ids: number[] = [];
    for (let n: StackNode | null = node; n !== null && n.parent !== null; n = n.parent) {
      ids.push(n.id);
    }
    return ids.reverse();
  }
}
