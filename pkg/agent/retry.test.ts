import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortedError, backoffDelay, sleep, withRetry, type RetryableError } from './retry';

const transient = (message: string, retryAfterMs?: number): RetryableError =>
  Object.assign(new Error(message), { transient: true, retryAfterMs });

describe('backoffDelay', () => {
  it('doubles up to the ceiling, with half of each delay random', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    assert.equal(
      backoffDelay(policy, 0, () => 0),
      50
    );
    assert.equal(
      backoffDelay(policy, 0, () => 1),
      100
    );
    assert.equal(
      backoffDelay(policy, 3, () => 1),
      800
    );
    assert.equal(
      backoffDelay(policy, 10, () => 1),
      1000
    );
    assert.equal(
      backoffDelay(policy, 10, () => 0),
      500
    );
  });
});

describe('withRetry', () => {
  it('retries transient failures and returns the first success', async () => {
    const seen: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 2) throw transient(`down ${attempt}`);
        return 'ok';
      },
      { baseMs: 1, maxMs: 2 }
    );
    assert.equal(result, 'ok');
    assert.deepEqual(seen, [0, 1, 2]);
  });

  it('never retries a permanent failure', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw Object.assign(new Error('HTTP 422: broken'), { transient: false });
        },
        { baseMs: 1, maxMs: 1 }
      ),
      /HTTP 422/
    );
    assert.equal(calls, 1);
  });

  it("waits what the server's Retry-After asks", async () => {
    const delays: number[] = [];
    await withRetry(
      async (attempt) => {
        if (attempt === 0) throw transient('429', 30);
        return true;
      },
      { baseMs: 10_000, maxMs: 10_000 },
      { onRetry: (_e, delay) => delays.push(delay) }
    );
    assert.deepEqual(delays, [30]);
  });

  it('gives up at the deadline with the last error', async () => {
    let clock = 0;
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          clock += 400;
          throw transient(`still down after ${calls}`);
        },
        { baseMs: 1, maxMs: 1, deadlineMs: 1000 },
        { now: () => clock }
      ),
      /still down after 3/
    );
  });

  it('stops waiting when aborted', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 10);
    await assert.rejects(sleep(60_000, abort.signal), AbortedError);
  });
});
