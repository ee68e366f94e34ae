import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ProfileData } from '../../model/types';
import { splitCommandLine } from './collector';
import { readEventlog } from './index';

const LEAKY = readFileSync('test/fixtures/ghc/leaky.eventlog');

/** Start offsets of the events of a clean log (walked with the header's sizes; test-only, no checks). */
function eventOffsets(log: Buffer): number[] {
  const sizes = new Map<number, number>();
  let at = 8;
  while (log.toString('latin1', at, at + 4) === 'etb\0') {
    const descLen = log.readUInt32BE(at + 8);
    sizes.set(log.readUInt16BE(at + 4), log.readInt16BE(at + 6));
    at += 20 + descLen + log.readUInt32BE(at + 12 + descLen);
  }
  at += 12; // hete, hdre, datb
  const offsets: number[] = [];
  while (log.readUInt16BE(at) !== 0xffff) {
    offsets.push(at);
    const size = sizes.get(log.readUInt16BE(at)) ?? 0;
    at += size === -1 ? 12 + log.readUInt16BE(at + 10) : 10 + size;
  }
  return offsets;
}

function damaged(from: number, bytes: Buffer): Buffer {
  const copy = Buffer.from(LEAKY);
  bytes.copy(copy, from);
  return copy;
}

describe('eventlog reader: damage inside the data', () => {
  const offsets = eventOffsets(LEAKY);
  let clean: ProfileData;

  it('walks the clean log like the test walker does', async () => {
    clean = await readEventlog(LEAKY);
    assert.equal(clean.eventCount, offsets.length);
  });

  it('skips overwritten bytes, says where, and resumes at the next intact event', async () => {
    const at = offsets[5000] + 3;
    const data = await readEventlog(damaged(at, Buffer.alloc(40, 0x5a)), { file: 'damaged.eventlog' });
    assert.equal(data.truncated, false);
    assert.equal(data.warnings.length, 1, data.warnings.join('\n'));
    const m = /^damaged data at byte (\d+) \(.*\): skipped (\d+) bytes, events resume at byte (\d+)$/.exec(
      data.warnings[0]
    );
    assert.ok(m, data.warnings[0]);
    const [start, resume] = [Number(m[1]), Number(m[3])];
    assert.ok(start <= at && resume >= at + 40, `${start}..${resume}`);
    assert.ok(offsets.includes(resume), 'resumes exactly at an event of the clean log');
    const lost = offsets.filter((o) => o >= start && o < resume).length;
    assert.equal(data.eventCount, offsets.length - lost);
    assert.ok(lost <= 6, `lost ${lost} events`);
  });

  it('a block size running past the end of the log: every event, and a warning naming the block', async () => {
    const markers = offsets.filter((o) => LEAKY.readUInt16BE(o) === 18);
    assert.equal(markers.length, 2);
    const data = await readEventlog(damaged(markers[1] + 10, Buffer.from([0x7f, 0xff, 0xff, 0xff])));
    assert.deepEqual(data.warnings, [
      `the event block at byte ${markers[1]} declares its end at byte ${markers[1] + 0x7fffffff}, but the log ends at byte ${LEAKY.length}`,
    ]);
    assert.equal(data.truncated, false);
    assert.equal(data.eventCount, offsets.length);
    assert.deepEqual(data.heap, clean.heap);
  });

  it('a block size running over the next block: the next block marker ends it', async () => {
    const markers = offsets.filter((o) => LEAKY.readUInt16BE(o) === 18);
    const data = await readEventlog(damaged(markers[0] + 10, Buffer.from([0x00, 0x7f, 0xff, 0xff])));
    assert.deepEqual(data.warnings, [
      `the event block at byte ${markers[0]} declares its end at byte ${markers[0] + 0x7fffff}, but the next block starts at byte ${markers[1]}`,
    ]);
    assert.equal(data.eventCount, offsets.length);
    assert.deepEqual(data.tree, clean.tree);
  });

  it('an unknown event type at the start of the data is skipped to the first valid chain of events', async () => {
    const data = await readEventlog(damaged(offsets[0], Buffer.from([0xee, 0xee])));
    assert.match(
      data.warnings[0],
      new RegExp(`^damaged data at byte ${offsets[0]} \\(unknown event type 61166 at byte ${offsets[0]}\\)`)
    );
    assert.equal(data.eventCount, offsets.length - 1);
  });

  it('random garbage appended after the end marker is ignored with a warning', async () => {
    const data = await readEventlog(Buffer.concat([LEAKY, Buffer.from('trailing junk')]));
    assert.equal(data.truncated, false);
    assert.deepEqual(data.warnings, ['13 byte(s) after the end-of-data marker were ignored']);
  });

  it('the first 8 KiB of an eventlog (bad/eventlog-named.prof) read as a cut-off log', async () => {
    const data = await readEventlog(readFileSync('test/fixtures/ghc/bad/eventlog-named.prof'));
    assert.equal(data.truncated, true);
    assert.equal(data.eventCount, offsets.filter((o) => o < 8192).length - 1);
    assert.match(data.warnings[0], /input ends at byte 8192/);
  });
});

describe('splitCommandLine', () => {
  it('separates the program, its arguments and the RTS options', () => {
    assert.deepEqual(splitCommandLine(['/opt/bin/leaky', '400000', '+RTS', '-hc', '-p', '-RTS', 'x']), {
      program: 'leaky',
      args: ['400000', 'x'],
      rtsArgs: ['-hc', '-p'],
    });
    assert.deepEqual(splitCommandLine(['./Fib', '+RTS', '-l-au', '-p']), {
      program: 'Fib',
      args: [],
      rtsArgs: ['-l-au', '-p'],
    });
    assert.deepEqual(splitCommandLine(['p', '+RTS', '-s', '--RTS', '+RTS', 'y']), {
      program: 'p',
      args: ['+RTS', 'y'],
      rtsArgs: ['-s'],
    });
    assert.deepEqual(splitCommandLine([]), { program: '', args: [], rtsArgs: [] });
  });
});
