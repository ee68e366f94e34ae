import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventlogDecoder, readEventlog } from './index';
import { END, VARIABLE, cstring, event, header, u32, u64, u8 } from './__tests__/build-eventlog';

const HEAP_TYPES: Array<[number, number]> = [
  [160, VARIABLE],
  [161, VARIABLE],
  [162, 8],
  [163, VARIABLE],
  [164, VARIABLE],
  [165, 8],
  [167, VARIABLE],
  [168, 8],
];

/** HeapProfBegin with the given break-down, then one census of string bands. */
function stringCensusLog(breakdown: number, bands: Array<[string, number]>): Buffer {
  const begin = Buffer.concat([u8(0), u64(20_000_000), u32(breakdown), ...Array(7).fill(cstring(''))]);
  return Buffer.concat([
    header(HEAP_TYPES),
    event(160, 1000, begin, true),
    event(162, 2000, u64(1), false),
    ...bands.map(([label, bytes], i) => event(164, 2100 + i, Buffer.concat([u8(0), u64(bytes), cstring(label)]), true)),
    event(165, 3000, u64(1), false),
    END,
  ]);
}

describe('eventlog reader on built logs', () => {
  it('era profiles (-he, break-down 9) and info-table profiles (-hi, 8) name their modes', async () => {
    const era = await readEventlog(
      stringCensusLog(9, [
        ['1', 800],
        ['2', 160],
      ])
    );
    assert.equal(era.heap?.mode, 'he');
    assert.deepEqual(era.heap?.samples, [{ time: 2e-6, values: { '1': 800, '2': 160 } }]);
    const ipe = await readEventlog(stringCensusLog(8, [['0x4c7b88', 48]]));
    assert.equal(ipe.heap?.mode, 'hi');
    assert.equal((await readEventlog(stringCensusLog(42, [['x', 1]]))).heap?.mode, 'unknown');
  });

  it('band labels that are Object.prototype names stay ordinary own entries', async () => {
    const data = await readEventlog(
      stringCensusLog(4, [
        ['__proto__', 16],
        ['constructor', 32],
        ['toString', 8],
        ['__proto__', 4],
      ])
    );
    const values = data.heap?.samples[0].values ?? {};
    assert.deepEqual(Object.keys(values), ['__proto__', 'constructor', 'toString']);
    assert.equal(Object.getOwnPropertyDescriptor(values, '__proto__')?.value, 20);
    assert.equal(values.constructor, 32);
    assert.equal(Object.getPrototypeOf(values), Object.prototype);
    assert.deepEqual(JSON.parse(JSON.stringify(values)), { ['__proto__']: 20, constructor: 32, toString: 8 });
  });

  it('time samples: MAIN at the outer end is the root, stacks are innermost first', async () => {
    const cc = (id: number, label: string, module: string): Buffer =>
      event(161, 10, Buffer.concat([u32(id), cstring(label), cstring(module), cstring('<src>'), u8(0)]), true);
    const sample = (ids: number[]): Buffer =>
      event(167, 100, Buffer.concat([u32(0), u64(1), u8(ids.length), ...ids.map(u32)]), true);
    const log = Buffer.concat([
      header(HEAP_TYPES),
      event(168, 5, u64(1_000_000), false),
      cc(1, 'MAIN', 'MAIN'),
      cc(2, 'main', 'Main'),
      cc(3, 'go', 'Main'),
      sample([3, 2, 1]),
      sample([3, 2]),
      sample([2]),
      sample([]),
      END,
    ]);
    const tree = (await readEventlog(log)).tree;
    assert.ok(tree);
    assert.equal(tree.root.ticks, 1);
    assert.equal(tree.root.ccId, 1);
    const main = tree.root.children.find((c) => c.label === 'main');
    assert.equal(main?.ticks, 1);
    assert.equal(main?.children[0].label, 'go');
    assert.equal(main?.children[0].ticks, 2);
    assert.equal(main?.children[0].src, '<src>');
  });

  it('a 65,000-byte user message fed one byte at a time decodes in linear time', () => {
    const text = 'λ'.repeat(32_500);
    const log = Buffer.concat([header([[19, VARIABLE]]), event(19, 7, Buffer.from(text, 'utf8'), true), END]);
    const decoder = new EventlogDecoder();
    const started = performance.now();
    for (let i = 0; i < log.length; i++) {
      decoder.push(log.subarray(i, i + 1));
    }
    const data = decoder.end();
    assert.equal(data.rts?.markers[0].text, text);
    // Copying the tail per byte would move about 2 GB here; joining into spare room moves 130 KB.
    assert.ok(performance.now() - started < 3000, `${performance.now() - started} ms`);
  });

  it('header entries longer than a chunk and its bridge are joined across chunks', () => {
    const log = Buffer.concat([
      header(
        [
          [19, VARIABLE],
          [58, VARIABLE],
        ],
        300_000
      ),
      event(19, 7, Buffer.from('hi'), true),
      END,
    ]);
    const decoder = new EventlogDecoder();
    for (let at = 0; at < log.length; at += 100_000) {
      decoder.push(log.subarray(at, at + 100_000));
      assert.ok(decoder.bufferedBytes < 2 * 300_000 + 200_000);
    }
    assert.deepEqual(decoder.end().rts?.markers, [{ timeNs: 7, text: 'hi', kind: 'message' }]);
  });

  it('an event-type description over 1 MiB is a FormatError at once, not awaited', async () => {
    const log = Buffer.concat([header([[19, VARIABLE]], (1 << 20) + 1), END]);
    await assert.rejects(
      readEventlog(log),
      /eventlog at byte offset 16: event type 19 declares a 1048577-byte description \(limit 1048576\)/
    );
  });

  it('an event type missing from the header table is damage, named with its byte offset', async () => {
    const log = Buffer.concat([
      header([[19, VARIABLE]]),
      event(19, 7, Buffer.from('ok'), true),
      event(77, 8, Buffer.alloc(4), false),
      END,
    ]);
    const data = await readEventlog(log);
    const at = log.length - 2 - 14;
    // The event before the bad one is dropped too: its declared size is what led into the bad bytes.
    assert.match(
      data.warnings[0],
      new RegExp(`^damaged data at byte ${at - 14} \\(unknown event type 77 at byte ${at}, after the 19 event`)
    );
    assert.match(data.warnings[0], new RegExp(`events resume at byte ${log.length - 2}$`));
    assert.equal(data.truncated, false);
    assert.equal(data.eventCount, 0);
  });
});
