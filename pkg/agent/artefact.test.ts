import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  eventlogCompleteExtent,
  hpCompleteExtent,
  readEventlogHeader,
  sniffKind,
  type EventlogHeader,
} from './artefact';

const GHC = 'test/fixtures/ghc';
const fixture = (name: string) => readFileSync(`${GHC}/${name}`);

function header(bytes: Buffer): EventlogHeader {
  const h = readEventlogHeader(bytes);
  assert.ok(h && !(h instanceof Error), 'header parses');
  return h;
}

describe('sniffKind', () => {
  it('tells every fixture kind apart by content, -pj JSON included', () => {
    const expected = (name: string) =>
      name.endsWith('.json.prof')
        ? 'prof-json'
        : name.endsWith('.prof')
          ? 'prof'
          : name.endsWith('.hp')
            ? 'hp'
            : 'eventlog';
    const names = readdirSync(GHC).filter((n) => /\.(prof|hp|eventlog)$/.test(n));
    assert.equal(names.length, 36); // 4 workloads x (3 .prof, 4 .hp, 2 .eventlog)
    for (const name of names) assert.equal(sniffKind(fixture(name).subarray(0, 512)), expected(name), name);
  });

  it('recognises an eventlog named .prof, and rejects random bytes and empty files', () => {
    assert.equal(sniffKind(fixture('bad/eventlog-named.prof').subarray(0, 512)), 'eventlog');
    assert.equal(sniffKind(fixture('bad/binary.prof').subarray(0, 512)), null);
    assert.equal(sniffKind(Buffer.alloc(0)), null);
  });
});

describe('hpCompleteExtent', () => {
  it('ends after the last complete sample of a cut-off .hp (bad/truncated.hp: 10 complete samples)', () => {
    const bytes = fixture('bad/truncated.hp');
    const extent = hpCompleteExtent(bytes, 0);
    const complete = bytes.subarray(0, extent.end).toString();
    assert.equal((complete.match(/^END_SAMPLE /gm) ?? []).length, 10);
    assert.match(complete, /\nEND_SAMPLE 0\.208944\n$/);
    assert.match(bytes.subarray(extent.end).toString(), /^BEGIN_SAMPLE 0\.229862\n/);
  });

  it('counts a complete file whole and never cuts inside a line, from any offset', () => {
    const bytes = fixture('leaky.hc.hp');
    assert.equal(hpCompleteExtent(bytes, 0).end, bytes.length);
    for (let cut = 0; cut <= bytes.length; cut += 97) {
      const { end } = hpCompleteExtent(bytes.subarray(0, cut), 0);
      assert.ok(end <= cut);
      assert.ok(end === 0 || bytes.subarray(0, end).toString().endsWith('\n'));
      // Resuming from a cut point finds the same boundaries as scanning from the start.
      const resumed = hpCompleteExtent(bytes.subarray(end), end);
      assert.equal(resumed.end, bytes.length);
    }
  });

  it('holds back a first piece with fewer than minSamples samples', () => {
    const bytes = fixture('leaky.hT.hp');
    const firstSampleEnd = bytes.indexOf('END_SAMPLE 0.000000\n') + 'END_SAMPLE 0.000000\n'.length;
    assert.equal(hpCompleteExtent(bytes.subarray(0, firstSampleEnd), 0, 2).end, 0);
    assert.equal(hpCompleteExtent(bytes.subarray(0, firstSampleEnd), 0, 1).end, firstSampleEnd);
  });
});

describe('eventlog framing', () => {
  const leaky = fixture('leaky.eventlog');

  it('reads the header: data begins after datb, 2688 bytes into leaky.eventlog', () => {
    const h = header(leaky);
    assert.equal(h.dataStart, 2688);
    assert.equal(h.sizes.get(18), 14); // block marker: u32 size, u64 end time, u16 capability
  });

  it('waits for a header that is not all there yet, and names the offset of a wrong one', () => {
    assert.equal(readEventlogHeader(leaky.subarray(0, 1000)), null);
    const bad = readEventlogHeader(fixture('bad/bad-header.eventlog'));
    assert.ok(bad instanceof Error);
    assert.match(bad.message, /byte offset 0: expected "hdrb"/);
  });

  it('a complete eventlog is finished at its 0xffff end marker', () => {
    const extent = eventlogCompleteExtent(header(leaky), leaky.subarray(2688), 2688);
    assert.deepEqual(extent, { end: leaky.length, finished: true });
  });

  it('only cuts at block ends (leaky.eventlog: blocks end at 187612 and 274288)', () => {
    const h = header(leaky);
    const ends = new Set<number>();
    for (let cut = 2688; cut <= leaky.length; cut += 211) {
      const extent = eventlogCompleteExtent(h, leaky.subarray(2688, cut), 2688);
      assert.ok(extent.end <= cut);
      ends.add(extent.end);
    }
    assert.deepEqual(
      [...ends].sort((a, b) => a - b),
      [2688, 187612]
    );
    assert.equal(eventlogCompleteExtent(h, leaky.subarray(2688, 274288), 2688).end, 274288);
  });

  it('bad/truncated.eventlog (cut inside the second block) is complete up to the first block', () => {
    const bytes = fixture('bad/truncated.eventlog');
    const h = header(bytes);
    assert.deepEqual(eventlogCompleteExtent(h, bytes.subarray(h.dataStart), h.dataStart), {
      end: 187612,
      finished: false,
    });
  });

  it('waits for the rest of a block that is still being written', () => {
    // The file is the first 300,000 bytes of a run: its one block declares 2,097,130 bytes.
    const bytes = fixture('bad/interleaved-corrupt.eventlog');
    const h = header(bytes);
    assert.deepEqual(eventlogCompleteExtent(h, bytes.subarray(h.dataStart), h.dataStart), {
      end: h.dataStart,
      finished: false,
    });
  });

  it('once the file has settled, reads into a partial block up to the unknown event type GHC 9.0.2 left in bad/interleaved-corrupt.eventlog', () => {
    const bytes = fixture('bad/interleaved-corrupt.eventlog');
    const h = header(bytes);
    const extent = eventlogCompleteExtent(h, bytes.subarray(h.dataStart), h.dataStart, { partialBlocks: true });
    assert.equal(extent.finished, false);
    assert.equal(extent.corrupt?.offset, 273098);
    assert.match(extent.corrupt!.message, /unknown event type 34048/);
    assert.ok(extent.end <= 273098);
  });

  it('handles eventlogs of other GHC versions (ghc-events corpus)', () => {
    for (const name of [
      'hello-ghc-8.2.2.eventlog',
      'hello-ghc-8.6.5.eventlog',
      'ghc-9.2-events.eventlog',
      'nonmoving-gc.eventlog',
    ]) {
      const bytes = readFileSync(`test/fixtures/ghc-events-corpus/${name}`);
      const h = header(bytes);
      assert.deepEqual(
        eventlogCompleteExtent(h, bytes.subarray(h.dataStart), h.dataStart),
        { end: bytes.length, finished: true },
        name
      );
    }
  });
});
