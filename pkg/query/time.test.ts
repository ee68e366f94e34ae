import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../api/errors';
import { resolveRange, resolveTime } from './time';

// Friday 2026-11-27 15:42:10.500 UTC
const NOW = Date.UTC(2026, 10, 27, 15, 42, 10, 500);

describe('resolveTime', () => {
  const cases: Array<[string | number, boolean, number]> = [
    [1700000000000, false, 1700000000000],
    ['1700000000000', false, 1700000000000],
    ['now', false, NOW],
    ['now-1h', false, NOW - 3_600_000],
    ['now-7d', false, NOW - 7 * 86_400_000],
    ['now+30m', false, NOW + 30 * 60_000],
    ['now-90s', false, NOW - 90_000],
    ['now/d', false, Date.UTC(2026, 10, 27)],
    ['now/d', true, Date.UTC(2026, 10, 28) - 1],
    ['now-1d/d', false, Date.UTC(2026, 10, 26)],
    ['now/h', false, Date.UTC(2026, 10, 27, 15)],
    ['now/w', false, Date.UTC(2026, 10, 23)], // Monday
    ['now-1M/M', false, Date.UTC(2026, 9, 1)],
    ['now/y', true, Date.UTC(2027, 0, 1) - 1],
    ['2026-11-27T00:00:00Z', false, Date.UTC(2026, 10, 27)],
  ];
  for (const [input, roundUp, expected] of cases) {
    it(`${JSON.stringify(input)}${roundUp ? ' (range end)' : ''} -> ${new Date(expected).toISOString()}`, () => {
      assert.equal(resolveTime(input, NOW, roundUp), expected);
    });
  }

  it('rejects what it cannot read with a 400 naming the input', () => {
    for (const bad of ['now-1x', 'yesterday', 'now-', 'now--1h']) {
      assert.throws(
        () => resolveTime(bad, NOW),
        (err: unknown) => err instanceof HttpError && err.statusCode === 400 && err.message.includes(`"${bad}"`)
      );
    }
  });
});

describe('resolveRange', () => {
  it('resolves both ends, rounding the end up', () => {
    assert.deepEqual(resolveRange('now-1d/d', 'now-1d/d', NOW), {
      from: Date.UTC(2026, 10, 26),
      to: Date.UTC(2026, 10, 27) - 1,
    });
  });
  it('leaves absent ends open', () => {
    assert.deepEqual(resolveRange(undefined, 'now', NOW), { from: undefined, to: NOW });
  });
  it('refuses an empty range', () => {
    assert.throws(() => resolveRange('now', 'now-1h', NOW), /from .* is after to/);
  });
});
