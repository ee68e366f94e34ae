/**
 * Properties of the tree operations over random trees (fast-check): totals survive merge, diff and prune; prune keeps
 * its row budget and never orphans a node; the function table's self values add up to the total; exports agree.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TreeBuilder } from './builder';
import type { CallTree, Metric } from './types';
import {
  diffFunctionTable,
  diffTrees,
  flattenTree,
  functionTable,
  isTruncatedNode,
  mergeTrees,
  pruneDiffTree,
  pruneTree,
  totalValue,
} from './tree';
import { foldedLines } from '../export/folded';
import { toSpeedscope } from '../export/speedscope';
import { speedscopeProblems } from '../export/__tests__/speedscope-check';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const METRICS: Metric[] = ['time', 'alloc', 'entries'];

/** Random trees: stacks over a few frame names (so paths repeat and recurse) with integer self values. */
const treeArb: fc.Arbitrary<CallTree> = fc
  .record({
    tickIntervalUs: fc.constantFrom(1000, 250, 300, 20_000),
    stacks: fc.array(
      fc.record({
        frames: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 7 }),
        ticks: fc.nat(100),
        alloc: fc.nat(1_000_000),
        entries: fc.nat(50),
      }),
      { maxLength: 40 }
    ),
  })
  .map(({ tickIntervalUs, stacks }) => {
    const b = new TreeBuilder(undefined, tickIntervalUs);
    for (const s of stacks) {
      b.addStack(
        s.frames.map((f) => ({ module: f % 2 === 0 ? 'Main' : 'Data.Map', label: `f${f}` })),
        { ticks: s.ticks, alloc: s.alloc, entries: s.entries }
      );
    }
    return b.build();
  });

describe('tree operation properties', () => {
  it('merge keeps every metric total exactly, whatever the tick intervals', () => {
    fc.assert(
      fc.property(fc.array(treeArb, { minLength: 1, maxLength: 5 }), (trees) => {
        const merged = mergeTrees(trees);
        for (const m of METRICS) {
          assert.equal(
            totalValue(merged, m),
            trees.reduce((s, t) => s + totalValue(t, m), 0)
          );
        }
      }),
      { numRuns: RUNS }
    );
  });

  it('prune keeps the total, stays within maxNodes (at least 2) and never orphans a node', () => {
    fc.assert(
      fc.property(treeArb, fc.integer({ min: 2, max: 40 }), fc.constantFrom(...METRICS), (tree, maxNodes, metric) => {
        const pruned = pruneTree(tree, metric, maxNodes);
        const flat = flattenTree(pruned.root);
        assert.ok(flat.nodes.length <= maxNodes, `${flat.nodes.length} rows > ${maxNodes}`);
        // When every node with a value fits, nothing is cut.
        const valued = flattenTree(pruneTree(tree, metric, Number.MAX_SAFE_INTEGER).root).nodes.length;
        if (valued <= maxNodes) {
          assert.equal(flat.nodes.length, valued);
          assert.ok(!flat.nodes.some(isTruncatedNode));
        }
        assert.equal(totalValue(pruned, metric), totalValue(tree, metric));
        for (let i = 1; i < flat.nodes.length; i++) {
          assert.equal(flat.levels[i] - flat.levels[flat.parents[i]], 1);
          if (isTruncatedNode(flat.nodes[i])) {
            assert.equal(flat.nodes[i].children.length, 0);
          }
        }
      }),
      { numRuns: RUNS }
    );
  });

  it('diff keeps both sides whole, and pruning a diff keeps both totals', () => {
    fc.assert(
      fc.property(treeArb, treeArb, fc.integer({ min: 2, max: 30 }), (left, right, maxNodes) => {
        const diff = diffTrees(left, right);
        const rows = diffFunctionTable(diff, 'time');
        const leftSelf = rows.reduce((s, r) => s + r.self, 0);
        const rightSelf = rows.reduce((s, r) => s + (r.selfRight ?? 0), 0);
        assert.equal(leftSelf, totalValue(left, 'time'));
        assert.equal(rightSelf, totalValue(right, 'time'));
        const pruned = pruneDiffTree(diff, 'alloc', maxNodes);
        const nodes = flattenTree(pruned.root).nodes;
        assert.equal(
          nodes.reduce((s, n) => s + n.alloc, 0),
          totalValue(left, 'alloc')
        );
        assert.equal(
          nodes.reduce((s, n) => s + n.right.alloc, 0),
          totalValue(right, 'alloc')
        );
      }),
      { numRuns: RUNS }
    );
  });

  it('the function table adds up: self sums to the total, and no total exceeds the whole', () => {
    fc.assert(
      fc.property(treeArb, fc.constantFrom(...METRICS), (tree, metric) => {
        const rows = functionTable(tree, metric);
        const total = totalValue(tree, metric);
        assert.equal(
          rows.reduce((s, r) => s + r.self, 0),
          total
        );
        for (const r of rows) {
          assert.ok(r.total <= total && r.self <= r.total, `${r.module}.${r.label}: self ${r.self}, total ${r.total}`);
        }
      }),
      { numRuns: RUNS }
    );
  });

  it('folded stacks sum to the total ticks and speedscope files are always valid', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const ticks = foldedLines(tree, 'time').reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
        assert.equal(ticks * tree.tickIntervalUs * 1000, totalValue(tree, 'time'));
        const file = toSpeedscope(tree);
        assert.deepEqual(speedscopeProblems(file), []);
        assert.deepEqual(
          file.profiles.map((p) => p.endValue),
          METRICS.map((m) => totalValue(tree, m))
        );
      }),
      { numRuns: RUNS }
    );
  });
});
