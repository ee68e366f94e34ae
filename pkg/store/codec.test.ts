import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { compress, decompress, packHeap, packJson, unpackHeap, unpackJson } from './codec';
import type { HeapProfile } from '../model/types';

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
