import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { joinHeaps, joinRts } from '../model/join';
import { forEachNode } from '../model/tree';
import type { CallTree, ProfileData } from '../model/types';
import type { EventlogState } from './eventlog';
import { FormatError } from './errors';
import { readProfile } from './index';
import { readIncrement, type Continuation, type GrowingKind } from './incremental';
import { seeded } from './__tests__/helpers';

const EVENTLOGS = [
  'test/fixtures/ghc/search.eventlog',
  'test/fixtures/ghc/leaky.eventlog',
  'test/fixtures/ghc/pipeline.hT.eventlog',
  'test/fixtures/ghc/bad/truncated.eventlog',
  'test/fixtures/ghc-events-corpus/ghc-9.2-events.eventlog',
  'test/fixtures/ghc-events-corpus/biographical-samples.eventlog',
  // distinct stacks that print alike: their labels must not depend on where the appends cut
  'pkg/formats/__tests__/fixtures/alike.eventlog',
];
const HPS = ['test/fixtures/ghc/leaky.hc.hp', 'test/fixtures/ghc/search.hy.hp', 'test/fixtures/ghc/bad/truncated.hp'];

/** Reads `bytes` in appends cut at `cuts`, the continuation going through JSON between appends (as in the store). */
function readInAppends(
  kind: GrowingKind,
  bytes: Buffer,
  cuts: number[]
): { deltas: ProfileData[]; last: Continuation } {
  const deltas: ProfileData[] = [];
  let from: Continuation | null = null;
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    const inc = readIncrement(kind, from, bytes.subarray(at, cut));
    deltas.push(inc.delta);
    from = JSON.parse(JSON.stringify(inc.continuation)) as Continuation;
    at = cut;
  }
  return { deltas, last: from as Continuation };
}

function randomCuts(length: number, count: number, seed: number): number[] {
  const rand = seeded(seed);
  return Array.from({ length: count }, () => Math.floor(rand() * length)).sort((a, b) => a - b);
}

/** Self ticks per (module, label) path: what a flame graph shows, independent of child order. */
function ticksByPath(trees: CallTree[]): Map<string, number> {
  const byPath = new Map<string, number>();
  for (const tree of trees) {
    const path: string[] = [];
    forEachNode(tree.root, (node, depth) => {
      path.length = depth;
      path.push(`${node.module}.${node.label}`);
      if (node.ticks !== 0) {
        const key = path.join(';');
        byPath.set(key, (byPath.get(key) ?? 0) + node.ticks);
      }
    });
  }
  return byPath;
}

function assertSameData(deltas: ProfileData[], whole: ProfileData, what: string, openCensus: boolean): void {
  const last = deltas.at(-1) as ProfileData;
  const heap = joinHeaps(deltas.flatMap((d) => (d.heap ? [d.heap] : [])));
  // A census still open where a cut-off log ends is closed by a whole read; a growing one waits for its end.
  const censuses = openCensus ? whole.heap?.samples.slice(0, -1) : whole.heap?.samples;
  assert.deepEqual(heap?.samples, censuses, `${what}: censuses`);
  assert.deepEqual(new Set(heap?.bands), new Set(whole.heap?.bands), `${what}: bands`);
  assert.equal(heap?.mode, whole.heap?.mode, `${what}: heap mode`);
  assert.deepEqual(heap?.marks, whole.heap?.marks, `${what}: marks`);
  assert.deepEqual(heap?.bandStacks, whole.heap?.bandStacks, `${what}: band stacks`);
  const rts = joinRts(deltas.flatMap((d) => (d.rts ? [d.rts] : [])));
  const series = (r: typeof rts) => new Map((r?.series ?? []).map((s) => [s.name, s.points]));
  assert.deepEqual(series(rts), series(whole.rts ?? null), `${what}: RTS series`);
  assert.deepEqual(rts?.gc, whole.rts?.gc, `${what}: GC statistics`);
  assert.deepEqual(rts?.markers, whole.rts?.markers, `${what}: markers`);
  assert.equal(rts?.capabilities, whole.rts?.capabilities, `${what}: capabilities`);
  const trees = deltas.flatMap((d) => (d.tree ? [d.tree] : []));
  assert.deepEqual(ticksByPath(trees), ticksByPath(whole.tree ? [whole.tree] : []), `${what}: time samples`);
  const ticks = deltas.reduce((n, d) => n + (d.totals.ticks ?? 0), 0);
  assert.equal(ticks, whole.totals.ticks ?? 0, `${what}: tick count`);
  const events = deltas.reduce((n, d) => n + (d.eventCount ?? 0), 0);
  assert.equal(events, whole.eventCount ?? 0, `${what}: event count`);
  assert.equal(last.startTimeMs, whole.startTimeMs, `${what}: wall-clock anchor`);
  assert.equal(last.program, whole.program, `${what}: program`);
  assert.deepEqual(last.rtsArguments, whole.rtsArguments, `${what}: RTS arguments`);
  assert.equal(last.totals.allocBytes, whole.totals.allocBytes, `${what}: allocation`);
}

describe('incremental reading: appends anywhere give what the whole artefact gives', () => {
  for (const file of EVENTLOGS) {
    it(`${file} in appends cut at random bytes`, async () => {
      const bytes = readFileSync(file);
      const whole = await readProfile(bytes, { file });
      for (const [count, seed] of [
        [1, 1],
        [7, 2],
        [40, 3],
      ]) {
        const { deltas, last } = readInAppends('eventlog', bytes, randomCuts(bytes.length, count, seed));
        const state = last.state as EventlogState;
        assert.equal(
          state.collector.heap.open !== null,
          whole.truncated && state.collector.heap.began,
          `${file}: open census`
        );
        assertSameData(deltas, whole, `${file} in ${count + 1} appends`, state.collector.heap.open !== null);
        assert.equal(last.end, bytes.length);
        // The continuation holds at most one incomplete event, never the file.
        assert.ok(Buffer.from(last.tail, 'base64').length < 65536 + 64, 'tail bounded by one event');
      }
    });
  }

  for (const file of HPS) {
    it(`${file} in appends cut at random bytes`, async () => {
      const bytes = readFileSync(file);
      const whole = await readProfile(bytes, { file });
      for (const [count, seed] of [
        [1, 4],
        [25, 5],
      ]) {
        const { deltas } = readInAppends('hp', bytes, randomCuts(bytes.length, count, seed));
        const heap = joinHeaps(deltas.flatMap((d) => (d.heap ? [d.heap] : [])));
        // A whole read drops a sample still open where a cut-off .hp ends, as the growing profile leaves it open.
        assert.deepEqual(heap?.samples, whole.heap?.samples, `${file}: censuses`);
        assert.deepEqual(heap?.bands, whole.heap?.bands, `${file}: bands`);
        assert.equal(heap?.job, whole.heap?.job);
        assert.equal(deltas.at(-1)?.startTimeMs, whole.startTimeMs, `${file}: DATE`);
      }
    });
  }
});

describe('incremental reading: bytes that cannot continue the artefact are refused with their offset', () => {
  it('.hp: a garbage line in an append names its line and byte offset; an incomplete last line waits', () => {
    const bytes = readFileSync('test/fixtures/ghc/leaky.hc.hp');
    const first = readIncrement('hp', null, bytes);
    const garbage = Buffer.from('this is not a heap profile line\nMORE\n');
    assert.throws(
      () => readIncrement('hp', first.continuation, garbage),
      (err: unknown) => {
        assert.ok(err instanceof FormatError);
        assert.equal(err.offset, bytes.length);
        assert.equal(err.line, bytes.toString('utf8').split('\n').length);
        assert.match(err.message, new RegExp(`byte offset ${bytes.length}`));
        return true;
      }
    );
    const partial = readIncrement('hp', first.continuation, Buffer.from('BEGIN_SAMPLE 99'));
    assert.equal(partial.continuation.offset, bytes.length, 'an incomplete line is not consumed');
    assert.equal(partial.continuation.end, bytes.length + 15);
  });

  it('eventlog: garbage after the last event and bytes after the end-of-data marker are refused', () => {
    const bytes = readFileSync('test/fixtures/ghc/search.eventlog');
    const endMarker = bytes.length - 2;
    const open = readIncrement('eventlog', null, bytes.subarray(0, endMarker));
    const junk = Buffer.alloc(4096, 0x41);
    assert.throws(
      () => readIncrement('eventlog', open.continuation, junk),
      (err: unknown) =>
        err instanceof FormatError && err.offset === endMarker && /do not read as eventlog events/.test(err.message)
    );
    const ended = readIncrement('eventlog', null, bytes);
    assert.equal(ended.continuation.offset, bytes.length);
    assert.throws(
      () => readIncrement('eventlog', ended.continuation, Buffer.from('x')),
      (err: unknown) =>
        err instanceof FormatError && err.offset === bytes.length && /end-of-data marker/.test(err.message)
    );
  });
});
