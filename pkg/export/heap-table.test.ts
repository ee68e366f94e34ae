import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readProfile } from '../formats';
import type { HeapProfile } from '../model/types';
import { heapTableCsv, heapTableJson, heapTableText } from './heap-table';

const joined = (pieces: Iterable<Buffer>): string => Buffer.concat([...pieces]).toString('utf8');

const FILES = ['test/fixtures/ghc/leaky.hc.hp', 'test/fixtures/ghc/leaky.eventlog', 'test/fixtures/ghc/search.hy.hp'];

async function heapOf(file: string): Promise<{ heap: HeapProfile; start: number | null }> {
  const data = await readProfile(readFileSync(file), { file });
  assert.ok(data.heap, file);
  return { heap: data.heap, start: data.startTimeMs };
}

/** Sparse samples whose band names are array indices, out of order, and Object.prototype names. */
const ODD: HeapProfile = {
  mode: 'he',
  job: 'odd',
  timeBase: 'wall-clock',
  sampleUnit: 'seconds',
  valueUnit: 'bytes',
  bands: ['10', 'x', '2', '__proto__', 'constructor', '007', '4294967295'],
  samples: [
    { time: 0.5, values: { '10': 1, x: 2 } },
    { time: 1.25, values: { '2': 3, constructor: 4, '007': 5, '4294967295': 6 } },
    { time: 2, values: {} },
  ],
  marks: [],
};
Object.defineProperty(ODD.samples[2].values, '__proto__', { value: 7, enumerable: true, writable: true });

describe('heap table written in pieces', () => {
  for (const file of FILES) {
    for (const top of [undefined, 3]) {
      it(`${file}${top ? ` --top ${top}` : ''}: the same bytes as the whole table, JSON and CSV`, async () => {
        const { heap, start } = await heapOf(file);
        const table = heapTableJson(heap, start, top);
        assert.equal(joined(heapTableText(heap, start, 'json', top)), `${JSON.stringify(table)}\n`);
        assert.equal(joined(heapTableText(heap, start, 'csv', top)), heapTableCsv(table));
      });
    }
  }

  it('band names that are array indices or Object.prototype names keep JSON property order and own values', () => {
    const streamed = joined(heapTableText(ODD, null, 'json'));
    // (The whole-table path read `constructor` and `__proto__` off Object.prototype for samples without them.)
    const values = [
      '{"2":0,"10":1,"x":2,"__proto__":0,"constructor":0,"007":0,"4294967295":0}',
      '{"2":3,"10":0,"x":0,"__proto__":0,"constructor":4,"007":5,"4294967295":6}',
      '{"2":0,"10":0,"x":0,"__proto__":7,"constructor":0,"007":0,"4294967295":0}',
    ];
    const samples = [0.5, 1.25, 2].map((time, i) => `{"time":${time},"values":${values[i]}}`).join(',');
    assert.equal(
      streamed,
      `{"unit":"bytes","mode":"he","start":null,"bands":${JSON.stringify(ODD.bands)},"samples":[${samples}]}\n`
    );
    const parsed = JSON.parse(streamed) as { samples: Array<{ values: Record<string, number> }> };
    assert.deepEqual(Object.keys(parsed.samples[0].values), Object.keys(JSON.parse(values[0]) as object));
  });

  it('a large table comes in pieces of bounded size, joined the same as one string', () => {
    const bands = Array.from({ length: 60 }, (_, i) => `band/${i}`);
    const heap: HeapProfile = {
      ...ODD,
      bands,
      samples: Array.from({ length: 3000 }, (_, k) => ({ time: k / 10, values: { [bands[k % 60]]: k } })),
    };
    const pieces = [...heapTableText(heap, 0, 'json')];
    assert.ok(pieces.length > 10, `${pieces.length} pieces`);
    for (const piece of pieces) {
      assert.ok(piece.length <= 1 << 16, `${piece.length} bytes`);
    }
    assert.equal(joined(pieces), `${JSON.stringify(heapTableJson(heap, 0))}\n`);
  });
});
