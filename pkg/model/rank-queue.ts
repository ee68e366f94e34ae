/**
 * A binary max-heap of node indices ordered by a rank array (largest first, the lower index first among equals):
 * pruning takes nodes best first without sorting the whole tree.
 */
export class RankQueue {
  private readonly items: number[] = [];

  constructor(private readonly rank: Float64Array) {}

  get size(): number {
    return this.items.length;
  }

  push(index: number): void {
    const items = this.items;
    items.push(index);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i], items[parent])) {
        break;
      }
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  /** Removes and returns the best index; the queue must not be empty. */
  pop(): number {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const items = this.items;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < items.length && this.before(items[left], items[best])) {
        best = left;
      }
      if (right < items.length && this.before(items[right], items[best])) {
        best = right;
      }
      if (best === i) {
        return;
      }
      [items[i], items[best]] = [items[best], items[i]];
      i = best;
    }
  }

  private before(a: number, b: number): boolean {
    return this.rank[a] > this.rank[b] || (this.rank[a] === this.rank[b] && a < b);
  }
}
