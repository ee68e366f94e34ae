import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combine } from './append';
import { HttpError } from '../api/errors';

const stored = Buffer.from('JOB "x"\nDATE "d"\n');

function conflictWith(storedBytes: number) {
  return (err: unknown) =>
    err instanceof HttpError &&
    err.statusCode === 409 &&
    (err.details as { storedBytes: number }).storedBytes === storedBytes;
}

describe('combine (append semantics)', () => {
  it('appends a chunk that starts where the stored bytes end', () => {
    const out = combine(stored, Buffer.from('SAMPLE_UNIT'), stored.length);
    assert.equal(out.toString(), 'JOB "x"\nDATE "d"\nSAMPLE_UNIT');
  });
  it('accepts a chunk that overlaps the stored tail when the overlap matches', () => {
    const out = combine(stored, Buffer.from('"d"\nMORE'), stored.length - 4);
    assert.equal(out.toString(), 'JOB "x"\nDATE "d"\nMORE');
  });
  it('returns the stored buffer itself for a repeated chunk (nothing new: idempotent)', () => {
    assert.equal(combine(stored, Buffer.from('DATE'), 8), stored);
    assert.equal(combine(stored, stored, undefined), stored);
  });
  it('takes a complete content that extends the stored one', () => {
    const full = Buffer.concat([stored, Buffer.from('X')]);
    assert.deepEqual(combine(stored, full, undefined), full);
  });
  it('refuses a gap, naming the stored length', () => {
    assert.throws(() => combine(stored, Buffer.from('x'), stored.length + 1), conflictWith(stored.length));
  });
  it('refuses bytes that contradict the stored ones', () => {
    assert.throws(() => combine(stored, Buffer.from('JOB "y"'), 0), conflictWith(stored.length));
  });
  it('refuses a complete content shorter than what is stored', () => {
    assert.throws(() => combine(stored, stored.subarray(0, 5), undefined), conflictWith(stored.length));
  });
});
