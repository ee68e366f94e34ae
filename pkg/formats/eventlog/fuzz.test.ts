import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../errors';
import { EventlogDecoder } from './index';

/**
 * Mutated real eventlogs (bytes overwritten, deleted, inserted, cut) pushed in random chunks must give a profile or
 * a FormatError, never another exception, and finish quickly. FUZZ_RUNS=N runs longer.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
/** A long run (`FUZZ_RUNS=182000 npm run fuzz`: over a million inputs in all) has no time limit but the inputs'. */
const LONG_RUN = process.env.FUZZ_RUNS !== undefined;

const SOURCES = [
  ...readdirSync('test/fixtures/ghc-events-corpus')
    .filter((f) => f.endsWith('.eventlog') && !f.startsWith('stop.'))
    .map((f) => `test/fixtures/ghc-events-corpus/${f}`),
  'test/fixtures/ghc/leaky.eventlog',
  'test/fixtures/ghc/search.hT.eventlog',
].map((path) => readFileSync(path));

type Mutation =
  | { kind: 'overwrite'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'cut'; at: number };

/** Positions are fractions of the file, squared half the time to hit the header and first blocks more often. */
const position = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean())
  .map(([f, early]) => (early ? f * f * f : f));

const mutation: fc.Arbitrary<{ kind: Mutation['kind']; at: number; bytes: number[]; length: number }> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('overwrite', 'overwrite', 'delete', 'insert', 'cut'),
  at: position,
  bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 24 }),
  length: fc.integer({ min: 1, max: 400 }),
});

function mutate(
  source: Buffer,
  mutations: Array<{ kind: Mutation['kind']; at: number; bytes: number[]; length: number }>
): Buffer {
  let bytes = Buffer.from(source);
  for (const m of mutations) {
    const at = Math.floor(m.at * bytes.length);
    if (m.kind === 'overwrite') {
      Buffer.from(m.bytes).copy(bytes, at);
    } else if (m.kind === 'delete') {
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    } else if (m.kind === 'insert') {
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
    } else {
      bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

describe('eventlog reader fuzzed with mutated real logs', () => {
  it(`gives a profile or a FormatError, quickly (${RUNS} runs)`, { timeout: LONG_RUN ? Infinity : 600_000 }, () => {
    fc.assert(
      fc.property(
        fc.nat({ max: SOURCES.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 20000 }),
        (source, mutations, chunkSize) => {
          const input = mutate(SOURCES[source], mutations);
          const started = performance.now();
          const decoder = new EventlogDecoder({ file: 'fuzzed.eventlog' });
          try {
            for (let at = 0; at < input.length; at += chunkSize) {
              decoder.push(input.subarray(at, at + chunkSize));
            }
            const data = decoder.end();
            assert.equal(data.kind, 'eventlog');
            assert.ok(Number.isFinite(data.eventCount));
            assert.ok(data.warnings.every((w) => typeof w === 'string'));
            assert.ok(data.warnings.length <= 101);
            for (const sample of data.heap?.samples ?? []) {
              assert.ok(Number.isFinite(sample.time));
            }
            JSON.stringify(data);
          } catch (e) {
            if (!(e instanceof FormatError)) {
              throw e;
            }
            assert.match(e.message, /^fuzzed\.eventlog: eventlog at byte offset \d+: /);
          }
          const ms = performance.now() - started;
          assert.ok(ms < 5000, `took ${ms} ms for ${input.length} bytes`);
        }
      ),
      { numRuns: RUNS }
    );
  });

  it('random bytes after a valid header never crash the decoder', () => {
    const header = SOURCES[0].subarray(0, SOURCES[0].indexOf('datb') + 4);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 5000 }), (junk) => {
        const decoder = new EventlogDecoder();
        const input = Buffer.concat([header, junk]);
        decoder.push(input);
        const data = decoder.end();
        // Every offset a warning names lies inside the input; a log without its end marker is reported cut off.
        for (const w of data.warnings) {
          for (const m of w.matchAll(/byte (\d+)/g)) {
            assert.ok(Number(m[1]) <= input.length, w);
          }
        }
        if (data.truncated) {
          assert.match(data.warnings[data.warnings.length - 1], new RegExp(`input ends at byte ${input.length}`));
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) }
    );
  });
});
