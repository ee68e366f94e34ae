import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RankQueue } from './rank-queue';

describe('RankQueue', () => {
  it('pops indices by rank, largest first, lower index first among equals', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }), (ranks) => {
        const queue = new RankQueue(Float64Array.from(ranks));
        ranks.forEach((_, i) => queue.push(i));
        const popped: number[] = [];
        while (queue.size > 0) {
          popped.push(queue.pop());
        }
        const expected = ranks.map((_, i) => i).sort((a, b) => ranks[b] - ranks[a] || a - b);
        assert.deepEqual(popped, expected);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200) }
    );
  });
});
