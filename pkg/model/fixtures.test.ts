/**
 * The model operations on trees and heap profiles read from the real GHC 9.0.2 fixtures, checked against values the
 * fixture files state themselves (the -pj totals, the text report's tree, the .hp samples).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readProfileFile } from '../formats';
import type { ProfileData } from './types';
import { censusSamples, leakTable, rankBands, topBands } from './heap';
import {
  diffTrees,
  excludeSystemNodes,
  flattenTree,
  frameName,
  functionTable,
  isSystemNode,
  isTruncatedNode,
  mergeTrees,
  pruneTree,
  totalValue,
} from './tree';

const FIX = 'test/fixtures/ghc';

function paths(root: Parameters<typeof flattenTree>[0]): Set<string> {
  const flat = flattenTree(root);
  const names: string[] = [];
  const out = new Set<string>();
  flat.nodes.forEach((n, i) => {
    names.length = flat.levels[i];
    names.push(frameName(n));
    out.add(names.join(';'));
  });
  return out;
}

describe('tree operations on real profiles', () => {
  const data: Record<string, ProfileData> = {};
  before(async () => {
    for (const name of [
      'search.json.prof',
      'search.prof',
      'leaky.json.prof',
      'jsonagg.json.prof',
      'jsonagg.eventlog',
    ]) {
      data[name] = await readProfileFile(`${FIX}/${name}`);
    }
  });

  it('the -pj tree totals equal the JSON header: total_ticks and total_alloc', () => {
    const json = JSON.parse(readFileSync(`${FIX}/search.json.prof`, 'utf8'));
    const tree = data['search.json.prof'].tree!;
    assert.equal(totalValue(tree, 'time'), json.total_ticks * json.tick_interval * 1000);
    assert.equal(totalValue(tree, 'alloc'), json.total_alloc);
  });

  it('excludeSystemNodes leaves the -pj tree with only what the text report of the same program can show', () => {
    const pj = excludeSystemNodes(data['search.json.prof'].tree!);
    const pjPaths = paths(pj.root);
    for (const p of pjPaths) {
      assert.ok(
        !p
          .split(';')
          .some((f) =>
            [
              'GC.GC',
              'IDLE.IDLE',
              'PROFILING.OVERHEAD_of',
              'SYSTEM.SYSTEM',
              'SYSTEM.PINNED',
              'MAIN.DONT_CARE',
            ].includes(f)
          ),
        p
      );
    }
    const dropped = data['search.json.prof'].tree!.root.children.filter(isSystemNode).map(frameName).sort();
    assert.deepEqual(dropped, [
      'GC.GC',
      'IDLE.IDLE',
      'MAIN.DONT_CARE',
      'PROFILING.OVERHEAD_of',
      'SYSTEM.PINNED',
      'SYSTEM.SYSTEM',
    ]);
    // The text report hides the same built-ins: every path it prints exists in the filtered -pj tree.
    for (const p of paths(data['search.prof'].tree!.root)) {
      assert.ok(pjPaths.has(p), `text report path missing from -pj: ${p}`);
    }
  });

  it('merging different profiles adds their totals exactly; the function table covers the whole merge', () => {
    const trees = ['search.json.prof', 'leaky.json.prof', 'jsonagg.json.prof', 'jsonagg.eventlog'].map(
      (n) => data[n].tree!
    );
    const merged = mergeTrees(trees);
    for (const metric of ['time', 'alloc', 'entries'] as const) {
      assert.equal(
        totalValue(merged, metric),
        trees.reduce((s, t) => s + totalValue(t, metric), 0),
        metric
      );
    }
    const rows = functionTable(merged, 'time');
    assert.equal(
      rows.reduce((s, r) => s + r.self, 0),
      totalValue(merged, 'time')
    );
    assert.equal(rows.find((r) => frameName(r) === 'MAIN.MAIN')!.total, totalValue(merged, 'time'));
  });

  it('pruning a real tree keeps the total, the row budget and marks what it cut', () => {
    const tree = data['jsonagg.json.prof'].tree!;
    const pruned = pruneTree(tree, 'alloc', 50);
    const flat = flattenTree(pruned.root);
    assert.ok(flat.nodes.length <= 50 && flat.nodes.length >= 45, `rows: ${flat.nodes.length}`);
    assert.equal(totalValue(pruned, 'alloc'), totalValue(tree, 'alloc'));
    assert.ok(flat.nodes.some(isTruncatedNode));
  });

  it('a diff of a profile with itself has equal sides everywhere', () => {
    const tree = data['leaky.json.prof'].tree!;
    const diff = diffTrees(tree, tree);
    for (const n of flattenTree(diff.root).nodes) {
      assert.deepEqual([n.ticks, n.alloc, n.entries], [n.right.ticks, n.right.alloc, n.right.entries]);
    }
    assert.equal(flattenTree(diff.root).nodes.length, flattenTree(tree.root).nodes.length);
  });
});

describe('heap operations on real profiles', () => {
  it('the leak table of an eventlog and of the .hp of the same run see the same censuses', async () => {
    const fromEventlog = (await readProfileFile(`${FIX}/leaky.eventlog`)).heap!;
    const fromHp = (await readProfileFile(`${FIX}/leaky.eventlog-run.hp`)).heap!;
    assert.equal(censusSamples(fromEventlog).length, censusSamples(fromHp).length);
    // Band names differ (the .hp prefixes `(ccsId)` and cuts at 25 characters), peaks do not.
    const peaks = (h: typeof fromHp) =>
      leakTable(h)
        .map((r) => r.max)
        .sort((a, b) => b - a);
    assert.deepEqual(peaks(fromEventlog), peaks(fromHp));
  });

  it('leaky grows then is released: its top band peaks in the middle and ends far lower', async () => {
    const heap = (await readProfileFile(`${FIX}/leaky.hc.hp`)).heap!;
    const [top] = rankBands(heap);
    const row = leakTable(heap).find((r) => r.band === top)!;
    const peakAt = row.values.indexOf(row.max);
    assert.ok(peakAt > 0 && peakAt < row.values.length - 1, `peak at census ${peakAt} of ${row.values.length}`);
    assert.ok(row.last < row.max / 10, `last ${row.last}, max ${row.max}`);
    const shaped = topBands(heap, 5);
    heap.samples.forEach((s, i) => {
      const total = Object.values(s.values).reduce((a, b) => a + b, 0);
      assert.equal(
        Object.values(shaped.samples[i].values).reduce((a, b) => a + b, 0),
        total
      );
    });
  });
});
