/** Small hand-built trees and heap profiles whose every value the tests can compute by hand. */
import { TreeBuilder } from '../builder';
import type { CallTree, HeapProfile } from '../types';

export const main = { module: 'Main', label: 'main' };
export const go = { module: 'Main', label: 'go' };
export const leaf = { module: 'Main', label: 'leaf' };
export const insert = { module: 'Data.Map', label: 'insert' };
export const gc = { module: 'GC', label: 'GC' };

/**
 * MAIN (alloc 100)
 *   Main.main (2 ticks, 10 B, 1 entry)
 *     Main.go (5 ticks, 3 entries)
 *       Main.go (3 ticks, 2 entries)      recursion
 *         Main.leaf (1 tick, 40 B)
 *     Data.Map.insert (4 ticks)
 *   GC.GC (7 ticks)
 */
export function sampleTree(tickIntervalUs = 1000): CallTree {
  const b = new TreeBuilder(undefined, tickIntervalUs);
  b.addRootSelf({ alloc: 100 });
  b.enter(main, { ticks: 2, alloc: 10, entries: 1 });
  b.enter(go, { ticks: 5, entries: 3 });
  b.enter(go, { ticks: 3, entries: 2 });
  b.enter(leaf, { ticks: 1, alloc: 40 });
  b.leave();
  b.leave();
  b.leave();
  b.enter(insert, { ticks: 4 });
  b.leave();
  b.leave();
  b.enter(gc, { ticks: 7 });
  b.leave();
  return b.build();
}

/** A .hp-like profile: empty opening and closing samples around three censuses. */
export function sampleHeap(overrides: Partial<HeapProfile> = {}): HeapProfile {
  return {
    mode: 'hc',
    job: 'leaky 400000',
    timeBase: 'mutator-cpu',
    sampleUnit: 'seconds',
    valueUnit: 'bytes',
    bands: ['B', 'A', 'C'],
    samples: [
      { time: 0, values: {} },
      { time: 1, values: { A: 100, B: 10 } },
      { time: 2, values: { A: 200, B: 10, C: 5 } },
      { time: 3, values: { A: 300, B: 10 } },
      { time: 4, values: {} },
    ],
    marks: [],
    ...overrides,
  };
}
