import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CallTree, TreeNode } from '../model/types';
import { RollupCache } from './rollup-cache';

/** A tree of `nodes` nodes: MAIN with nodes - 1 children. */
function treeOf(nodes: number): CallTree {
  const node = (label: string, children: TreeNode[] = []): TreeNode => ({
    label,
    module: 'Main',
    src: 'Main.hs:1:1',
    ccId: 1,
    ccsId: 1,
    entries: 1,
    ticks: 1,
    alloc: 8,
    children,
  });
  const kids = Array.from({ length: nodes - 1 }, (_, i) => node(`f${i}`));
  return { root: node('MAIN', kids), tickIntervalUs: 1000, approximate: false };
}

describe('rollup cache', () => {
  it('evicts the least recently used trees beyond its node budget', () => {
    const cache = new RollupCache(10);
    cache.put('b1', 'r1', treeOf(4));
    cache.put('b2', 'r2', treeOf(4));
    assert.ok(cache.get('r1'), 'r1 used last, r2 is now the oldest');
    cache.put('b3', 'r3', treeOf(4));
    assert.equal(cache.get('r2'), undefined);
    assert.ok(cache.get('r1'));
    assert.ok(cache.get('r3'));
    assert.equal(cache.nodeCount, 8);
  });

  it('keeps one revision per bucket and never a tree larger than the budget', () => {
    const cache = new RollupCache(10);
    cache.put('b1', 'r1', treeOf(3));
    cache.put('b1', 'r2', treeOf(5));
    assert.equal(cache.get('r1'), undefined, 'superseded by the bucket newer revision');
    assert.equal(cache.get('r2')?.root.children.length, 4);
    assert.equal(cache.nodeCount, 5);
    const huge = cache.put('b2', 'r3', treeOf(11));
    assert.equal(cache.get('r3'), undefined);
    assert.equal(huge.root.children.length, 10, 'handed back all the same');
    assert.equal(cache.size, 1);
  });

  it('freezes what it holds, nodes and children lists', () => {
    const cache = new RollupCache(100);
    const tree = cache.put('b', 'r', treeOf(3));
    assert.ok(Object.isFrozen(tree) && Object.isFrozen(tree.root) && Object.isFrozen(tree.root.children));
    assert.ok(Object.isFrozen(tree.root.children[1]));
    assert.throws(() => tree.root.children.push(tree.root), TypeError);
  });
});
