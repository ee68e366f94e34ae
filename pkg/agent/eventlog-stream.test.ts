import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readIncrement } from '../formats/incremental';
import { readEventlogHeader } from './artefact';
import { EventlogStream, type StreamPiece } from './eventlog-stream';

const GHC = 'test/fixtures/ghc';
const EVENTLOGS = ['leaky.eventlog', 'pipeline.hT.eventlog'];
const BLOCK_MARKER = 18;

/** Takes every piece there is now, as the socket source does on each cut. */
function drain(stream: EventlogStream, closed: boolean): StreamPiece[] {
  const pieces: StreamPiece[] = [];
  for (;;) {
    const piece = stream.peek(closed);
    assert.ok(!(piece instanceof Error), piece instanceof Error ? piece.message : '');
    if (!piece) return pieces;
    assert.equal(piece.offset, stream.offset);
    stream.commit(piece.bytes.length);
    pieces.push(piece);
  }
}

/** Deterministic chunk sizes between 1 and 4 KiB (socket reads arrive in arbitrary sizes). */
function* chunkSizes(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield 1 + (x % 4096);
  }
}

/** The offset of every block marker event after the header (where a capability's buffer begins). */
function blockStarts(bytes: Buffer): number[] {
  const header = readEventlogHeader(bytes);
  assert.ok(header && !(header instanceof Error));
  const starts: number[] = [];
  let pos = header.dataStart;
  while (pos + 2 <= bytes.length) {
    const type = bytes.readUInt16BE(pos);
    if (type === 0xffff) break;
    const size = header.sizes.get(type)!;
    if (type === BLOCK_MARKER) starts.push(pos);
    pos += size >= 0 ? 10 + size : 12 + bytes.readUInt16BE(pos + 10);
  }
  return starts;
}

describe('EventlogStream (one eventlog-socket connection)', () => {
  for (const name of EVENTLOGS) {
    it(`${name}: pieces cut while receiving join to the whole eventlog, each at a block boundary`, () => {
      const whole = readFileSync(`${GHC}/${name}`);
      const blocks = new Set([...blockStarts(whole), whole.length]);
      const stream = new EventlogStream();
      const pieces: StreamPiece[] = [];
      const sizes = chunkSizes(whole.length);
      for (let pos = 0; pos < whole.length;) {
        const next = Math.min(whole.length, pos + sizes.next().value!);
        stream.push(whole.subarray(pos, next));
        pos = next;
        pieces.push(...drain(stream, false));
      }
      assert.ok(pieces.length >= 2, `one piece per block (${pieces.length})`);
      assert.deepEqual(Buffer.concat(pieces.map((p) => p.bytes)), whole);
      for (const piece of pieces.slice(0, -1)) {
        const end = piece.offset + piece.bytes.length;
        assert.ok(blocks.has(end), `piece ending at ${end} ends where a block starts`);
      }
      assert.deepEqual(
        pieces.map((p) => p.finished),
        pieces.map((_, i) => i === pieces.length - 1),
        'only the last piece holds the end marker'
      );
      assert.equal(stream.pendingBytes, 0);
    });

    it(`${name}: a disconnect in the middle of a block keeps every complete event before it`, () => {
      const whole = readFileSync(`${GHC}/${name}`);
      const starts = blockStarts(whole);
      assert.ok(starts.length >= 2, 'the fixture has several blocks');
      // Halfway through the last block (its size is the marker's first field), and not on an event boundary.
      const block = starts[starts.length - 1];
      const cut = block + Math.floor(whole.readUInt32BE(block + 10) / 2) + 1;
      const stream = new EventlogStream();
      stream.push(whole.subarray(0, cut));
      const open = drain(stream, false);
      const openEnd = stream.offset;
      assert.equal(openEnd, block, 'while connected, the unfinished block waits');
      const closed = drain(stream, true);
      assert.equal(closed.length, 1);
      const spooled = Buffer.concat([...open, ...closed].map((p) => p.bytes));
      // The server's own decoder says where the last complete event before the cut ends.
      const { continuation } = readIncrement('eventlog', null, whole.subarray(0, cut));
      assert.equal(spooled.length, continuation.offset);
      assert.ok(spooled.length > block && spooled.length < cut);
      assert.deepEqual(spooled, whole.subarray(0, spooled.length));
      assert.ok(stream.pendingBytes > 0 && stream.pendingBytes < 1024, 'only an unfinished event is left');
    });
  }

  it('says nothing about a header alone, and waits for a header cut anywhere', () => {
    const whole = readFileSync(`${GHC}/${EVENTLOGS[0]}`);
    const header = readEventlogHeader(whole);
    assert.ok(header && !(header instanceof Error));
    const stream = new EventlogStream();
    stream.push(whole.subarray(0, 100));
    assert.equal(stream.peek(false), undefined);
    stream.push(whole.subarray(100, header.dataStart));
    assert.equal(stream.peek(true), undefined, 'header complete, no event yet');
    stream.push(whole.subarray(header.dataStart, header.dataStart + 30));
    const piece = stream.peek(true);
    assert.ok(piece && !(piece instanceof Error));
    assert.ok(piece.bytes.length > header.dataStart);
  });

  it('refuses a stream that is not an eventlog, naming the byte offset', () => {
    const stream = new EventlogStream();
    stream.push(Buffer.from('JOB "leaky +RTS -hT"\nDATE "Thu Dec  4 12:00 2026"\n'));
    const result = stream.peek(false);
    assert.ok(result instanceof Error);
    assert.match(result.message, /byte offset 0/);
  });
});
