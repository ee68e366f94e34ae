/**
 * Property tests over mutated real fixtures: whatever the bytes, readProfile gives a ProfileData or throws
 * FormatError / UnknownFormatError: never another exception, never a hang. Short by default; `npm run fuzz` sets
 * FUZZ_RUNS=20000 for a long run (`FUZZ_RUNS=N npm run fuzz`: 4N inputs here and 1.5N in eventlog/fuzz.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readProfile } from './index';
import { FormatError, UnknownFormatError } from './errors';
import { PROFILE_KINDS } from '../model/types';
import { BAD, EXTRA, GHC } from './__tests__/helpers';

const LONG = process.env.FUZZ_RUNS !== undefined;
const runs = (short: number): number => (LONG ? Number(process.env.FUZZ_RUNS) : short);
/** Longest any single input may take: far above the slowest real read, far below "hung". */
const PER_INPUT_MS = 5000;

const TEXT_FIXTURES = [
  'search.prof',
  'jsonagg.prof',
  'leaky.json.prof',
  'search.json.prof',
  'leaky.hc.hp',
  'search.hy.hp',
  'pipeline.hT.hp',
  // benchmark results (kind bench)
  'bench/suite-v1.criterion.csv',
  'bench/suite-v2.rts-stats.txt',
  'bench/suite-v2.rts-stats.machine.txt',
  '../tasty-bench/gc-stats.csv',
].map((f) => readFileSync(join(GHC, f)));
const EXTRA_FIXTURES = ['search.P.prof', 'leaky.hb.hp', 'leaky.hr.hp'].map((f) => readFileSync(join(EXTRA, f)));
const EVENTLOG_FIXTURES = ['leaky.hT.eventlog', 'search.hT.eventlog'].map((f) => readFileSync(join(GHC, f)));
const BAD_FIXTURES = ['truncated.json.prof', 'garbage-lines.prof', 'truncated.hp'].map((f) =>
  readFileSync(join(BAD, f))
);

type Mutation = (b: Buffer) => Buffer;

const truncate = fc.double({ min: 0, max: 1, noNaN: true }).map(
  (f): Mutation =>
    (b) =>
      b.subarray(0, Math.floor(b.length * f))
);

const flipBytes = fc
  .array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), {
    minLength: 1,
    maxLength: 16,
  })
  .map((flips): Mutation => (b) => {
    const out = Buffer.from(b);
    for (const [at, value] of flips) {
      out[Math.floor(at * out.length)] = value;
    }
    return out;
  });

const insertBytes = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 64 }))
  .map(([at, bytes]): Mutation => (b) => {
    const i = Math.floor(at * b.length);
    return Buffer.concat([b.subarray(0, i), Buffer.from(bytes), b.subarray(i)]);
  });

/** Line surgery: delete, duplicate or move a run of lines, or insert a line of odd text. */
const spliceLines = fc
  .tuple(
    fc.constantFrom('delete', 'duplicate', 'move', 'insert'),
    fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    fc.integer({ min: 1, max: 8 }),
    fc.constantFrom(
      '',
      ' ',
      '\t',
      'BEGIN_SAMPLE 1',
      'END_SAMPLE x',
      'MAIN\t-1',
      'COST CENTRE MODULE SRC no. entries',
      '{"a": [',
      '  x  y  1 2 3 4 5 6',
      'JOB "'
    )
  )
  .map(([op, from, to, count, text]): Mutation => (b) => {
    const lines = b.toString('latin1').split('\n');
    const i = Math.floor(from * lines.length);
    const j = Math.floor(to * lines.length);
    const run = lines.slice(i, i + count);
    if (op === 'delete') lines.splice(i, count);
    if (op === 'duplicate') lines.splice(i, 0, ...run);
    if (op === 'move') {
      lines.splice(i, count);
      lines.splice(Math.min(j, lines.length), 0, ...run);
    }
    if (op === 'insert') lines.splice(i, 0, text);
    return Buffer.from(lines.join('\n'), 'latin1');
  });

const mutation = fc.oneof(truncate, flipBytes, insertBytes, spliceLines);
const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

/** The contract: a ProfileData, a FormatError or an UnknownFormatError, in reasonable time. */
async function assertReadsOrRefuses(input: Buffer, lenient: boolean): Promise<void> {
  const started = Date.now();
  try {
    const data = await readProfile(input, { file: 'fuzz-input', lenient });
    assert.ok(PROFILE_KINDS.includes(data.kind));
    assert.ok(Array.isArray(data.warnings));
    assert.equal(typeof data.truncated, 'boolean');
    assert.ok(
      data.tree !== undefined ||
        data.heap !== undefined ||
        data.bench !== undefined ||
        data.kind === 'eventlog' ||
        data.truncated
    );
  } catch (err) {
    if (!(err instanceof FormatError || err instanceof UnknownFormatError)) {
      throw new Error(`unexpected ${(err as Error)?.name}: ${(err as Error)?.stack ?? String(err)}`);
    }
    assert.match(err.message, /^fuzz-input: /);
    if (err instanceof FormatError) {
      // Every "my format, but broken" names where: a line (text) or a byte offset (binary, decompressed data).
      assert.ok(err.line !== undefined || err.offset !== undefined, `no line or offset: ${err.message}`);
    }
  }
  assert.ok(Date.now() - started < PER_INPUT_MS, `took ${Date.now() - started} ms`);
}

function property(fixtures: Buffer[], gzip: boolean) {
  return fc.asyncProperty(fc.constantFrom(...fixtures), mutations, fc.boolean(), async (fixture, muts, lenient) => {
    let input = muts.reduce((b, m) => m(b), fixture);
    if (gzip) {
      input = gzipSync(input);
    }
    await assertReadsOrRefuses(input, lenient);
  });
}

describe('fuzz: mutated real fixtures never crash or hang a reader', { timeout: LONG ? Infinity : 60_000 }, () => {
  it('text reports and heap profiles (.prof, -pj, .hp)', async () => {
    await fc.assert(property([...TEXT_FIXTURES, ...EXTRA_FIXTURES, ...BAD_FIXTURES], false), { numRuns: runs(1000) });
  });
  it('the same through gzip (the streaming path of readSource)', async () => {
    await fc.assert(property(TEXT_FIXTURES, true), { numRuns: runs(200) });
  });
  it('eventlogs (dispatched to the eventlog reader)', async () => {
    await fc.assert(property(EVENTLOG_FIXTURES, false), { numRuns: runs(300) });
  });
  it('a gzip stream itself damaged (bytes flipped or cut inside the compressed data)', async () => {
    const gzipped = TEXT_FIXTURES.map((b) => gzipSync(b));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...gzipped), fc.oneof(truncate, flipBytes), async (gz, m) => {
        await assertReadsOrRefuses(m(gz), false);
      }),
      { numRuns: runs(300) }
    );
  });
});
