import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compress, decompress, packHeap, packJson, packTree, unpackHeap, unpackJson, unpackTree } from './codec';
import type { CallTree, HeapProfile, TreeNode } from '../model/types';

function wideHeap(censuses: number, bands: number): HeapProfile {
  const labels = Array.from({ length: bands }, (_, b) => `Main.go${b}/Main.loop/Main.main/${'x'.repeat(300)}`);
  return {
    mode: 'hc',
    job: 'leaky 400000',
    timeBase: 'wall-clock',
    sampleUnit: 'seconds',
    valueUnit: 'bytes',
    bands: labels,
    marks: [],
    samples: Array.from({ length: censuses }, (_, c) => ({
      time: c * 0.02,
      values: Object.fromEntries(labels.filter((_, b) => (b + c) % 3 !== 0).map((l, b) => [l, (b + 1) * 8 * (c + 1)])),
    })),
  };
}

describe('store codec: heap profiles by column', () => {
  it('gives back the same heap profile', async () => {
    const heap = wideHeap(40, 25);
    assert.deepEqual(await unpackHeap(await packHeap(heap)), heap);
  });

  it('writes each band label once, not once per census', async () => {
    const heap = wideHeap(200, 50);
    const packed = (await decompress(await packHeap(heap))).toString('utf8');
    const plain = (await decompress(await packJson(heap))).toString('utf8');
    assert.equal(packed.split('Main.go7/').length - 1, 2, 'in bands and in the label column');
    assert.ok(packed.length * 10 < plain.length, `packed ${packed.length} vs plain ${plain.length}`);
  });

  it('still reads heap profiles stored as plain JSON', async () => {
    const heap = wideHeap(3, 4);
    assert.deepEqual(await unpackHeap(await packJson(heap)), heap);
  });
});

describe('store codec: gzip level', () => {
  it('compresses at the fastest level and still reads what level 6 wrote', async () => {
    const text = Buffer.from('COST CENTRE  MODULE  SRC  no. entries %time %alloc\n'.repeat(2000));
    const packed = await compress(text);
    // RFC 1952 XFL byte: 4 = "compressor used fastest algorithm" (zlib writes it for level 1).
    assert.equal(packed[8], 4);
    assert.deepEqual(await decompress(packed), text);
    const older = gzipSync(Buffer.from(JSON.stringify({ root: 'MAIN', ticks: 7 })), { level: 6 });
    assert.deepEqual(await unpackJson(older), { root: 'MAIN', ticks: 7 });
  });
});

/** Random trees up to `depth` levels below the node, with repeated strings and float ticks (rescaled merges). */
function nodeArb(depth: number): fc.Arbitrary<TreeNode> {
  return fc.record({
    label: fc.constantFrom('main', 'go', '>>=', 'insert', 'ünïcode "quoted"', ''),
    module: fc.constantFrom('Main', 'GHC.Base', 'PROFILING', ''),
    src: fc.constantFrom('Main.hs:3:1-20', '<built-in>', ''),
    ccId: fc.integer({ min: -1, max: 5000 }),
    ccsId: fc.integer({ min: -1, max: 5000 }),
    entries: fc.nat(),
    ticks: fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true })),
    alloc: fc.nat(),
    children: depth === 0 ? fc.constant([]) : fc.array(nodeArb(depth - 1), { maxLength: 3 }),
  });
}

describe('store codec: call trees by column', () => {
  it('gives back the same tree (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        nodeArb(4),
        fc.constantFrom(1000, 250),
        fc.boolean(),
        async (root, tickIntervalUs, approximate) => {
          const tree: CallTree = { root, tickIntervalUs, approximate };
          // What the plain JSON form gave back (fast-check's records have no prototype; JSON's objects do).
          assert.deepEqual(await unpackTree(await packTree(tree)), JSON.parse(JSON.stringify(tree)));
        }
      ),
      { numRuns: 200 }
    );
  });

  it('keeps a stack deeper than the JS call stack, and each string once', async () => {
    const leaf = (i: number): TreeNode => ({
      label: `f${i % 3}`,
      module: 'Main',
      src: 'Main.hs:1:1',
      ccId: i,
      ccsId: i,
      entries: 1,
      ticks: i,
      alloc: 8,
      children: [],
    });
    const root = leaf(0);
    let at = root;
    for (let i = 1; i < 100_000; i++) {
      const next = leaf(i);
      at.children.push(next);
      at = next;
    }
    const tree: CallTree = { root, tickIntervalUs: 1000, approximate: false };
    const packed = await packTree(tree);
    const text = (await decompress(packed)).toString('utf8');
    assert.equal(text.split('"Main.hs:1:1"').length - 1, 1);
    let back = (await unpackTree(packed)).root;
    let depth = 0;
    while (back.children.length > 0) {
      assert.equal(back.children.length, 1);
      back = back.children[0];
      depth++;
    }
    assert.equal(depth, 99_999);
    assert.equal(back.ticks, 99_999);
  });

  it('still reads trees stored as plain JSON, and names a damaged one', async () => {
    const tree: CallTree = {
      root: {
        label: 'MAIN',
        module: 'MAIN',
        src: '<built-in>',
        ccId: 1,
        ccsId: 1,
        entries: 0,
        ticks: 3,
        alloc: 0,
        children: [],
      },
      tickIntervalUs: 1000,
      approximate: false,
    };
    assert.deepEqual(await unpackTree(await packJson(tree)), tree);
    const damaged = {
      format: 'tree-columns-1',
      tickIntervalUs: 1000,
      approximate: false,
      strings: ['x'],
      nodes: [0, 0, 0, 1, 1, 0, 0, 0, 2],
    };
    await assert.rejects(unpackTree(await packJson(damaged)), /ends before all its nodes/);
    await assert.rejects(unpackTree(await packJson({ ...damaged, nodes: [0, 0] })), /not a positive multiple of 9/);
  });
});
