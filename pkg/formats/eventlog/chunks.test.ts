import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ProfileData } from '../../model/types';
import { EventlogDecoder, readEventlog } from './index';
import { repeatedEventlog } from './__tests__/synthetic';
import { seeded } from '../__tests__/helpers';

/** Logs that exercise every path of the framer: clean, cut off, repaired damage, odd timestamps, bio censuses. */
const FILES = [
  'test/fixtures/ghc/search.eventlog',
  'test/fixtures/ghc/bad/interleaved-corrupt.eventlog',
  'test/fixtures/ghc/bad/truncated.eventlog',
  'test/fixtures/ghc-events-corpus/ghc-9.2-events.eventlog',
  'test/fixtures/ghc-events-corpus/parallelTest.eventlog',
  'test/fixtures/ghc-events-corpus/biographical-samples.eventlog',
  'test/fixtures/ghc-events-corpus/testlog-part.eventlog',
];

function decodeInChunks(bytes: Buffer, sizes: () => number): ProfileData {
  const decoder = new EventlogDecoder();
  for (let at = 0; at < bytes.length;) {
    const n = Math.max(1, sizes());
    decoder.push(bytes.subarray(at, at + n));
    at += n;
  }
  return decoder.end();
}

describe('eventlog push decoder: chunk boundaries do not matter', () => {
  for (const file of FILES) {
    it(`${file}: one byte at a time and in random chunks give the same profile`, async () => {
      const bytes = readFileSync(file);
      const whole = await readEventlog(bytes);
      assert.ok((whole.eventCount ?? 0) > 0);
      assert.deepStrictEqual(
        decodeInChunks(bytes, () => 1),
        whole
      );
      for (const seed of [1, 2, 3]) {
        const random = seeded(seed);
        const maxChunk = seed === 1 ? 16 : seed === 2 ? 700 : 70000;
        assert.deepStrictEqual(
          decodeInChunks(bytes, () => Math.floor(random() * maxChunk) + 1),
          whole,
          `seed ${seed}`
        );
      }
    });
  }

  it('reads a file stream (AsyncIterable) and an array of chunks like a buffer', async () => {
    const file = 'test/fixtures/ghc/leaky.eventlog';
    const whole = await readEventlog(readFileSync(file));
    assert.deepStrictEqual(await readEventlog(createReadStream(file, { highWaterMark: 4093 })), whole);
    const bytes = readFileSync(file);
    assert.deepStrictEqual(
      await readEventlog([bytes.subarray(0, 100), bytes.subarray(100, 5000), bytes.subarray(5000)]),
      whole
    );
  });

  it('memory stays bounded while 40 copies of a log (11 MB) stream through', () => {
    const file = 'test/fixtures/ghc/leaky.eventlog';
    const one = decodeInChunks(readFileSync(file), () => 65536);
    const decoder = new EventlogDecoder();
    let maxBuffered = 0;
    for (const chunk of repeatedEventlog(file, 40)) {
      decoder.push(chunk);
      maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
    }
    const many = decoder.end();
    // Never more than the unread part of the last chunk plus one event.
    assert.ok(maxBuffered <= 65536 + 65536 + 12, `held ${maxBuffered} bytes`);
    assert.deepEqual(many.warnings, []);
    for (const [type, n] of Object.entries(one.eventTypeCounts ?? {})) {
      assert.equal(many.eventTypeCounts?.[type], n * 40, `type ${type}`);
    }
    assert.equal(many.heap?.samples.length, 40 * (one.heap?.samples.length ?? 0));
    assert.equal(many.totals.ticks, 40 * (one.totals.ticks ?? 0));
  });
});
