import type { Payload } from './payload';
import { grown } from './typed-arrays';

/**
 * Interns the cost-centre-id stacks of sample events (HeapProfSampleCostCentre, ProfSampleCostCentre) by content,
 * without allocating per event: the ids are hashed straight from the payload into an open-addressing table of
 * stack numbers, and a hit is confirmed against the ids kept in one flat pool. A census lists hundreds of different
 * stacks in a row, so this is what bounds the per-sample cost.
 */
export class StackTable {
  /** All interned stacks' ids, back to back, innermost first (as events list them). */
  private pool = new Uint32Array(4096);
  private poolLength = 0;
  private starts = new Int32Array(256);
  private depths = new Uint8Array(256);
  private hashes = new Int32Array(256);
  /** Per stack + 1: the stack seen after it last time (-1: none yet); index 0 is the start of a run. */
  private successors = new Int32Array(256).fill(-1);
  private slots = new Int32Array(1024).fill(-1);
  /** Number of distinct stacks; they are numbered 0..size-1 in order of first appearance. */
  size = 0;
  /** The stack of the last sampleStack call (-1: a run starts). */
  private previous = -1;

  /**
   * The stack of a sample event (HeapProfSampleCostCentre, ProfSampleCostCentre) whose depth byte is `depthOffset`
   * bytes into the payload, followed by depth × u32 cost-centre ids; -1 when the payload is too short for them.
   * Guessed from the stack of the previous call (findAfter) until `startRun`.
   */
  sampleStack(p: Payload, depthOffset: number): number {
    const depthAt = p.start + depthOffset;
    const depth = depthAt < p.end ? p.bytes[depthAt] : -1;
    if (depth < 0 || depthAt + 1 + depth * 4 > p.end) {
      return -1;
    }
    this.previous = this.findAfter(this.previous, p, depthAt + 1, depth);
    return this.previous;
  }

  /** The next sampleStack starts a run (a new census): its guess is the stack that started the last run. */
  startRun(): void {
    this.previous = -1;
  }

  /**
   * Like `find`, but first tries the stack that followed `previous` last time (-1: the start of a run). Samples
   * repeat their order: a census lists its bands in about the order of the census before, and time samples
   * repeat the same stack tick after tick, so this mostly costs one comparison instead of a hash lookup.
   */
  findAfter(previous: number, p: Payload, at: number, depth: number): number {
    const guess = this.successors[previous + 1];
    if (guess >= 0 && this.matches(guess, p.view, at, depth)) {
      return guess;
    }
    const stack = this.find(p, at, depth);
    if (previous + 1 >= this.successors.length) {
      this.successors = grownFilled(this.successors, previous + 2);
    }
    this.successors[previous + 1] = stack;
    return stack;
  }

  /** The number of the stack of `depth` u32 ids at payload offset `at` (the caller has checked the bounds). */
  find(p: Payload, at: number, depth: number): number {
    const view = p.view;
    let hash = depth;
    for (let i = 0; i < depth; i++) {
      hash = (Math.imul(hash, 31) + view.getUint32(at + i * 4)) | 0;
    }
    // Spread the polynomial hash over the low bits the table uses.
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash ^= hash >>> 13;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stack = this.slots[slot];
      if (stack === -1) {
        return this.insert(slot, p, at, depth, hash);
      }
      if (this.matches(stack, view, at, depth)) {
        return stack;
      }
    }
  }

  /** The number of the stack of these ids (innermost first): for stacks restored from a continuation. */
  intern(ids: readonly number[]): number {
    const bytes = Buffer.alloc(ids.length * 4);
    ids.forEach((id, i) => bytes.writeUInt32BE(id, i * 4));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.find({ bytes, view, start: 0, end: bytes.length }, 0, ids.length);
  }

  /** The ids of a stack, innermost first. */
  ids(stack: number): number[] {
    const start = this.starts[stack];
    return Array.from(this.pool.subarray(start, start + this.depths[stack]));
  }

  depth(stack: number): number {
    return this.depths[stack];
  }

  /** The i-th id of a stack, counted from the innermost (0). */
  id(stack: number, i: number): number {
    return this.pool[this.starts[stack] + i];
  }

  private matches(stack: number, view: DataView, at: number, depth: number): boolean {
    if (this.depths[stack] !== depth) {
      return false;
    }
    const start = this.starts[stack];
    for (let i = 0; i < depth; i++) {
      if (this.pool[start + i] !== view.getUint32(at + i * 4)) {
        return false;
      }
    }
    return true;
  }

  private insert(slot: number, p: Payload, at: number, depth: number, hash: number): number {
    const stack = this.size++;
    if (stack === this.starts.length) {
      this.starts = grown(this.starts, stack + 1);
      this.depths = grown(this.depths, stack + 1);
      this.hashes = grown(this.hashes, stack + 1);
    }
    if (this.poolLength + depth > this.pool.length) {
      this.pool = grown(this.pool, this.poolLength + depth);
    }
    for (let i = 0; i < depth; i++) {
      this.pool[this.poolLength + i] = p.view.getUint32(at + i * 4);
    }
    this.starts[stack] = this.poolLength;
    this.depths[stack] = depth;
    this.hashes[stack] = hash;
    this.poolLength += depth;
    this.slots[slot] = stack;
    if (this.size * 2 > this.slots.length) {
      this.rehash();
    }
    return stack;
  }

  /** Doubles the table (kept at most half full) and re-inserts every stack by its hash. */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let stack = 0; stack < this.size; stack++) {
      let slot = this.hashes[stack] & mask;
      while (slots[slot] !== -1) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = stack;
    }
    this.slots = slots;
  }
}

function grownFilled<T extends Int32Array>(a: T, minLength: number): T {
  const bigger = grown(a, minLength);
  bigger.fill(-1, a.length);
  return bigger;
}
