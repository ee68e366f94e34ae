import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TreeBuilder } from './builder';
import type { TreeNode } from './types';
import { gc, go, insert, leaf, main, sampleTree } from './__tests__/fixtures';
import {
  commonTickIntervalUs,
  diffFunctionTable,
  diffTrees,
  excludeSystemNodes,
  flattenTree,
  focusSubtree,
  forEachNode,
  frameName,
  functionTable,
  inclusiveValues,
  isTruncatedNode,
  mergeTrees,
  pruneDiffTree,
  pruneTree,
  selfValueOf,
  totalValue,
  TreeAccumulator,
} from './tree';

function find(tree: { root: TreeNode }, ...path: Array<{ module: string; label: string }>): TreeNode {
  let node = tree.root;
  for (const f of path) {
    const next = node.children.find((c) => c.module === f.module && c.label === f.label);
    assert.ok(next, `no ${f.module}.${f.label} under ${node.module}.${node.label}`);
    node = next;
  }
  return node;
}

function countNodes(root: TreeNode): number {
  let n = 0;
  forEachNode(root, () => n++);
  return n;
}

describe('flattenTree and inclusiveValues', () => {
  it('lays the tree out in pre-order with levels and parents', () => {
    const flat = flattenTree(sampleTree().root);
    assert.deepEqual(flat.nodes.map(frameName), [
      'MAIN.MAIN',
      'Main.main',
      'Main.go',
      'Main.go',
      'Main.leaf',
      'Data.Map.insert',
      'GC.GC',
    ]);
    assert.deepEqual([...flat.levels], [0, 1, 2, 3, 4, 2, 1]);
    assert.deepEqual([...flat.parents], [-1, 0, 1, 2, 3, 1, 0]);
  });

  it('sums self values into inclusive values per metric, time in ns', () => {
    const tree = sampleTree(1000);
    const flat = flattenTree(tree.root);
    const time = inclusiveValues(flat, selfValueOf('time', tree.tickIntervalUs));
    assert.deepEqual([...time], [22e6, 15e6, 9e6, 4e6, 1e6, 4e6, 7e6]);
    assert.deepEqual([...inclusiveValues(flat, selfValueOf('alloc', 1000))], [150, 50, 40, 40, 40, 0, 0]);
    assert.deepEqual([...inclusiveValues(flat, selfValueOf('entries', 1000))], [6, 6, 5, 2, 0, 0, 0]);
    assert.equal(totalValue(tree, 'time'), 22e6);
  });

  it('uses the tree tick interval: 250 µs ticks are 250000 ns', () => {
    assert.equal(totalValue(sampleTree(250), 'time'), 22 * 250_000);
  });
});

describe('mergeTrees', () => {
  it('adds self values of nodes with the same (module, label) path', () => {
    const merged = mergeTrees([sampleTree(), sampleTree()]);
    assert.equal(find(merged, main, go, go).ticks, 6);
    assert.equal(find(merged, main, go, go, leaf).alloc, 80);
    assert.equal(merged.root.alloc, 200);
    assert.equal(countNodes(merged.root), 7);
    assert.equal(find(merged, main).ccId, -1);
  });

  it('converts to the common tick interval without rounding', () => {
    assert.equal(commonTickIntervalUs([1000, 250]), 250);
    assert.equal(commonTickIntervalUs([1000, 300]), 100);
    assert.equal(commonTickIntervalUs([20_000, 1000, 1000]), 1000);
    const merged = mergeTrees([sampleTree(1000), sampleTree(250)]);
    assert.equal(merged.tickIntervalUs, 250);
    assert.equal(find(merged, main, go).ticks, 5 * 4 + 5);
    assert.equal(totalValue(merged, 'time'), 22e6 + 22 * 250_000);
  });

  it('rescales what it accumulated when a later tree needs a finer interval', () => {
    const acc = new TreeAccumulator();
    acc.add(sampleTree(1000));
    acc.add(sampleTree(300));
    acc.add(sampleTree(250));
    const merged = acc.result();
    assert.equal(merged.tickIntervalUs, 50);
    assert.equal(find(merged, gc).ticks, 7 * 20 + 7 * 6 + 7 * 5);
    assert.equal(totalValue(merged, 'time'), 22 * (1_000_000 + 300_000 + 250_000));
  });

  it('ORs the approximate flag and merges an empty list to a lone MAIN', () => {
    const approx = { ...sampleTree(), approximate: true };
    assert.equal(mergeTrees([sampleTree(), approx]).approximate, true);
    assert.equal(mergeTrees([sampleTree(), sampleTree()]).approximate, false);
    const empty = mergeTrees([]);
    assert.equal(frameName(empty.root), 'MAIN.MAIN');
    assert.equal(empty.root.children.length, 0);
  });

  it('does not mutate its inputs', () => {
    const a = sampleTree();
    const before = JSON.stringify(a);
    mergeTrees([a, sampleTree(250)]);
    assert.equal(JSON.stringify(a), before);
  });

  it('merges wide nodes (hundreds of children, beyond the linear-scan limit) by identity', () => {
    const wide = (order: number[]) => {
      const b = new TreeBuilder();
      for (const i of order) {
        b.addStack([main, { module: `M${i % 7}`, label: `f${i}` }], { ticks: i });
      }
      return b.build();
    };
    const n = 300;
    const up = Array.from({ length: n }, (_, i) => i);
    const merged = mergeTrees([wide(up), wide([...up].reverse()), wide(up.filter((i) => i % 2 === 0))]);
    const m = find(merged, main);
    assert.equal(m.children.length, n);
    assert.equal(find(merged, main, { module: 'M3', label: 'f10' }).ticks, 30);
    assert.equal(find(merged, main, { module: 'M4', label: 'f11' }).ticks, 22);
  });

  it('handles stacks deeper than the JS call stack', () => {
    const depth = 50_000;
    const b = new TreeBuilder();
    b.addStack(
      Array.from({ length: depth }, (_, i) => ({ module: 'Deep', label: `f${i % 3}` })),
      { ticks: 1 }
    );
    const merged = mergeTrees([b.build(), b.build()]);
    assert.equal(countNodes(merged.root), depth + 1);
    const pruned = pruneTree(merged, 'time', 10);
    assert.equal(countNodes(pruned.root), 10);
    assert.equal(totalValue(pruned, 'time'), 2e6);
    const rows = functionTable(merged, 'time');
    // Frame 49999 (the innermost, holding the ticks) is f1; every function's outermost node includes everything.
    assert.deepEqual(
      rows.map((r) => [frameName(r), r.self, r.total]),
      [
        ['Deep.f1', 2e6, 2e6],
        ['Deep.f0', 0, 2e6],
        ['Deep.f2', 0, 2e6],
        ['MAIN.MAIN', 0, 2e6],
      ]
    );
  });
});

describe('diffTrees', () => {
  it('aligns both sides by path, zero where a side lacks a node', () => {
    const right = new TreeBuilder(undefined, 250);
    right.enter(main, { ticks: 8 });
    right.enter({ module: 'Main', label: 'newThing' }, { ticks: 2, alloc: 7 });
    right.leave();
    right.leave();
    const diff = diffTrees(sampleTree(1000), right.build());
    assert.equal(diff.tickIntervalUs, 250);
    const m = find(diff, main) as (typeof diff)['root'];
    assert.equal(m.ticks, 2 * 4);
    assert.equal(m.right.ticks, 8);
    const added = find(diff, main, { module: 'Main', label: 'newThing' }) as (typeof diff)['root'];
    assert.deepEqual([added.ticks, added.alloc, added.right.ticks, added.right.alloc], [0, 0, 2, 7]);
    const onlyLeft = find(diff, gc) as (typeof diff)['root'];
    assert.deepEqual(onlyLeft.right, { entries: 0, ticks: 0, alloc: 0 });
    assert.equal(onlyLeft.ticks, 28);
  });

  it('gives a two-sided function table', () => {
    const diff = diffTrees(sampleTree(), sampleTree());
    const go = diffFunctionTable(diff, 'time').find((r) => r.label === 'go')!;
    assert.deepEqual([go.self, go.total, go.selfRight, go.totalRight], [8e6, 9e6, 8e6, 9e6]);
  });
});

describe('pruneTree', () => {
  it('keeps the largest nodes and sums what it cuts into one `other` per parent', () => {
    const tree = sampleTree();
    const pruned = pruneTree(tree, 'time', 5);
    // Kept by inclusive time: MAIN 22, main 15, go 9, GC 7; `other` under main (insert 4), and under go (go 4).
    const flat = flattenTree(pruned.root);
    assert.ok(flat.nodes.length <= 5, `got ${flat.nodes.length} rows`);
    assert.equal(totalValue(pruned, 'time'), totalValue(tree, 'time'));
    const others = flat.nodes.filter(isTruncatedNode);
    assert.ok(others.length >= 1);
    for (const o of others) {
      assert.equal(frameName(o), 'other');
    }
  });

  it('counts `other` rows in the budget and keeps parents with their children', () => {
    const tree = sampleTree();
    for (let max = 2; max <= 8; max++) {
      const pruned = pruneTree(tree, 'time', max);
      const flat = flattenTree(pruned.root);
      assert.ok(flat.nodes.length <= max, `maxNodes ${max}: ${flat.nodes.length} rows`);
      assert.equal(totalValue(pruned, 'time'), 22e6, `maxNodes ${max}`);
    }
    const exact = pruneTree(tree, 'time', 7);
    assert.equal(flattenTree(exact.root).nodes.filter(isTruncatedNode).length, 0);
  });

  it('puts the cut subtree values, all metrics, into `other`', () => {
    const pruned = pruneTree(sampleTree(), 'time', 4);
    // MAIN, main (15), other under main holding go+insert, ... budget 4: MAIN, main, GC, other(main)
    const m = find(pruned, main);
    const other = m.children.find(isTruncatedNode)!;
    assert.deepEqual([other.ticks, other.alloc, other.entries], [5 + 3 + 1 + 4, 40, 5]);
  });

  it('drops nodes whose metric value is zero', () => {
    const pruned = pruneTree(sampleTree(), 'alloc', 100);
    assert.deepEqual(flattenTree(pruned.root).nodes.map(frameName), [
      'MAIN.MAIN',
      'Main.main',
      'Main.go',
      'Main.go',
      'Main.leaf',
    ]);
  });

  it('prunes a diff by both sides and keeps both sides in `other`', () => {
    const diff = diffTrees(sampleTree(), sampleTree());
    const pruned = pruneDiffTree(diff, 'time', 4);
    const other = (find(pruned, main) as (typeof diff)['root']).children.find(isTruncatedNode) as (typeof diff)['root'];
    assert.equal(other.ticks, 13);
    assert.equal(other.right.ticks, 13);
  });
});

describe('focusSubtree and excludeSystemNodes', () => {
  it('returns the subtree at a path, or null', () => {
    const tree = sampleTree();
    const focused = focusSubtree(tree, [{ module: 'MAIN', label: 'MAIN' }, main, go])!;
    assert.equal(frameName(focused.root), 'Main.go');
    assert.equal(totalValue(focused, 'time'), 9e6);
    assert.equal(focusSubtree(tree, [{ module: 'MAIN', label: 'MAIN' }, go]), null);
    assert.equal(focusSubtree(tree, []), null);
  });

  it('can keep the ancestors with zero self values', () => {
    const focused = focusSubtree(sampleTree(), [{ module: 'MAIN', label: 'MAIN' }, main, go], { keepAncestors: true })!;
    assert.deepEqual(flattenTree(focused.root).nodes.map(frameName), [
      'MAIN.MAIN',
      'Main.main',
      'Main.go',
      'Main.go',
      'Main.leaf',
    ]);
    assert.equal(totalValue(focused, 'time'), 9e6);
    assert.equal(totalValue(focused, 'alloc'), 40);
  });

  it('leaves out GC, IDLE, OVERHEAD_of, SYSTEM, PINNED and DONT_CARE', () => {
    const b = new TreeBuilder();
    b.enter(main, { ticks: 1 });
    b.leave();
    for (const f of [
      gc,
      { module: 'IDLE', label: 'IDLE' },
      { module: 'PROFILING', label: 'OVERHEAD_of' },
      { module: 'SYSTEM', label: 'SYSTEM' },
      { module: 'SYSTEM', label: 'PINNED' },
      { module: 'MAIN', label: 'DONT_CARE' },
    ]) {
      b.enter(f, { ticks: 10, alloc: 10 });
      b.leave();
    }
    const filtered = excludeSystemNodes(b.build());
    assert.deepEqual(flattenTree(filtered.root).nodes.map(frameName), ['MAIN.MAIN', 'Main.main']);
    assert.equal(totalValue(filtered, 'time'), 1e6);
  });
});

describe('functionTable', () => {
  it('counts a recursive function once in its total', () => {
    const rows = functionTable(sampleTree(), 'time');
    const byName = new Map(rows.map((r) => [frameName(r), r]));
    assert.deepEqual(byName.get('Main.go'), { module: 'Main', label: 'go', self: 8e6, total: 9e6 });
    assert.deepEqual(byName.get('MAIN.MAIN'), { module: 'MAIN', label: 'MAIN', self: 0, total: 22e6 });
    assert.deepEqual(rows.slice(0, 2).map(frameName), ['Main.go', 'GC.GC']);
    assert.equal(
      rows.reduce((s, r) => s + r.self, 0),
      22e6
    );
  });

  it('leaves out functions with neither self nor total', () => {
    const rows = functionTable(sampleTree(), 'alloc');
    assert.deepEqual(rows.map(frameName), ['MAIN.MAIN', 'Main.leaf', 'Main.main', 'Main.go']);
  });
});
