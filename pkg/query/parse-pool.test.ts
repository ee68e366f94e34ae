import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readProfile } from '../formats';
import { FormatError, UnknownFormatError } from '../formats/errors';
import { parseInPool } from './parse-pool';

/** What readProfile on this thread throws, for comparison. */
async function thrownHere(raw: Buffer, file: string): Promise<Error> {
  return readProfile(raw, { file }).then(
    () => assert.fail('expected an error'),
    (err: Error) => err
  );
}

describe('parse pool: uploads parsed on worker threads', () => {
  it('gives the same profile as reading on this thread', async () => {
    for (const file of [
      'test/fixtures/ghc/leaky.prof',
      'test/fixtures/ghc/leaky.hc.hp',
      'test/fixtures/ghc/search.eventlog',
    ]) {
      const raw = readFileSync(file);
      // Records cross threads as plain objects (the .hp reader's are null-prototype): compare what gets stored.
      const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
      assert.deepEqual(json(await parseInPool(raw, { file })), json(await readProfile(raw, { file })), file);
    }
  });

  it('band names that are Object.prototype names stay own entries across the thread boundary', async () => {
    const hp = [
      'JOB "x"',
      'DATE "Thu Nov 27 10:00 2025"',
      'SAMPLE_UNIT "seconds"',
      'VALUE_UNIT "bytes"',
      'BEGIN_SAMPLE 0.5',
      '__proto__\t16',
      'constructor\t8',
      'END_SAMPLE 0.5',
      '',
    ].join('\n');
    const values = (await parseInPool(Buffer.from(hp), { file: 'odd.hp' })).heap?.samples[0].values ?? {};
    assert.deepEqual(Object.keys(values), ['__proto__', 'constructor']);
    assert.equal(Object.getOwnPropertyDescriptor(values, '__proto__')?.value, 16);
    assert.equal(Object.getOwnPropertyDescriptor(values, 'constructor')?.value, 8);
  });

  it('broken and unknown inputs throw the same error classes, with line or offset, as on this thread', async () => {
    const cases: Array<[string, Buffer]> = [
      ['truncated.eventlog', readFileSync('test/fixtures/ghc/bad/bad-header.eventlog')],
      ['garbage-lines.hp', readFileSync('test/fixtures/ghc/bad/garbage-lines.hp')],
      ['binary.prof', readFileSync('test/fixtures/ghc/bad/binary.prof')],
    ];
    for (const [file, raw] of cases) {
      const expected = await thrownHere(raw, file);
      const actual = await parseInPool(raw, { file }).then(
        () => assert.fail(`${file}: expected an error`),
        (err: Error) => err
      );
      assert.equal(actual.constructor, expected.constructor, file);
      assert.equal(actual.message, expected.message, file);
      if (expected instanceof FormatError) {
        assert.ok(actual instanceof FormatError);
        assert.deepEqual(
          [actual.format, actual.file, actual.line, actual.offset],
          [expected.format, expected.file, expected.line, expected.offset]
        );
      } else {
        assert.ok(actual instanceof UnknownFormatError);
        assert.equal(actual.file, file);
      }
    }
  });
});
