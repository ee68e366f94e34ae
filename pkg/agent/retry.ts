/**
 * Retrying transient failures: exponential backoff with jitter, a server's Retry-After taking precedence.
 * Shared by `ghcprof push` (bounded by a deadline) and the agent's uploader (retries until stopped: its data is
 * in the spool and must not be dropped because the server is down).
 */

export interface RetryPolicy {
  /** First delay before jitter. */
  baseMs: number;
  /** Ceiling of the exponential part. */
  maxMs: number;
  /** Give up once this much time has passed since the first attempt (undefined: never). */
  deadlineMs?: number;
}

/** Thrown by an operation to say whether trying again can help. */
export interface RetryableError extends Error {
  transient: boolean;
  /** Server-requested wait (Retry-After), in ms. */
  retryAfterMs?: number;
}

export function isTransient(err: unknown): err is RetryableError {
  return err instanceof Error && (err as Partial<RetryableError>).transient === true;
}

/**
 * Delay before retry number `attempt` (0-based): "equal jitter", half fixed and half random, so a fleet of agents
 * that lost the same server does not come back in lock-step, yet no agent hammers it with near-zero delays.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export class AbortedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'AbortedError';
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryHooks {
  onRetry?(err: RetryableError, delayMs: number, attempt: number): void;
  signal?: AbortSignal;
  now?: () => number;
}

/** Runs `op` until it succeeds, fails permanently, the deadline passes or the signal aborts. */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {}
): Promise<T> {
  const now = hooks.now ?? Date.now;
  const started = now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      if (!isTransient(err)) throw err;
      const delay = err.retryAfterMs ?? backoffDelay(policy, attempt);
      if (policy.deadlineMs !== undefined && now() + delay - started > policy.deadlineMs) throw err;
      hooks.onRetry?.(err, delay, attempt);
      await sleep(delay, hooks.signal);
    }
  }
}
