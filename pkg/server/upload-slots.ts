/**
 * A cap on the upload and append bodies being received and processed at once. Each holds up to maxUploadBytes in
 * memory (the raw body, its decompressed copy, the parsed model), so without a cap a burst of large uploads could
 * exhaust the heap. Past the cap the answer is 503 with Retry-After, which the agent and `ghcprof push` retry.
 *
 * The slots are shared between tenants, so two rules keep one tenant from starving the others:
 *  - a tenant holds at most half of them (at least one): its other uploads get 503 while other tenants still get in;
 *  - a body must arrive at `minBytesPerSecond` on average once `graceMs` have passed, else 408: four clients
 *    trickling one byte a second no longer hold the slots for the whole request timeout.
 */
import { Transform } from 'node:stream';
import type { FastifyReply, FastifyRequest, onRequestAbortHookHandler, preParsingHookHandler } from 'fastify';
import { HttpError } from '../api/errors';
import { errorBody } from './errors';
import type { ServerMetrics } from './metrics';

/** Seconds a refused upload is told to wait: long enough for a large upload ahead of it to finish parsing. */
export const UPLOAD_RETRY_AFTER_S = 5;

export interface UploadSlotOptions {
  max: number;
  /** Slowest average receive rate accepted after graceMs, in bytes per second (0: no minimum). */
  minBytesPerSecond: number;
  graceMs: number;
}

export interface UploadSlotHooks {
  preParsing: preParsingHookHandler;
  onResponse: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  onRequestAbort: onRequestAbortHookHandler;
}

/** Most slots one tenant may hold: half, at least one. */
export function tenantShare(max: number): number {
  return Math.max(1, Math.floor(max / 2));
}

/** Route hooks sharing one counter: take a slot before the body is read, give it back when the request ends. */
export function uploadSlots(opts: UploadSlotOptions, metrics: ServerMetrics): UploadSlotHooks {
  const { max } = opts;
  const share = tenantShare(max);
  let inUse = 0;
  const byTenant = new Map<string, number>();
  const holders = new WeakMap<FastifyRequest, string>();
  const release = async (request: FastifyRequest) => {
    // onResponse and onRequestAbort may both run for one request: give its slot back once.
    const tenant = holders.get(request);
    if (tenant !== undefined) {
      holders.delete(request);
      inUse--;
      const held = (byTenant.get(tenant) ?? 1) - 1;
      if (held === 0) {
        byTenant.delete(tenant);
      } else {
        byTenant.set(tenant, held);
      }
      metrics.uploadsInProgress.set(inUse);
    }
  };
  return {
    preParsing: async (request, reply, payload) => {
      const tenant = request.auth?.tenant ?? '';
      const held = byTenant.get(tenant) ?? 0;
      if (inUse >= max || held >= share) {
        const message =
          inUse >= max
            ? `${max} uploads are being processed already; retry in ${UPLOAD_RETRY_AFTER_S} s`
            : `this tenant has ${held} uploads in progress, its share of the server's ${max}; retry in ${UPLOAD_RETRY_AFTER_S} s`;
        request.log.warn({ inUse, max, held, share }, 'upload refused: too many uploads in progress');
        reply
          .code(503)
          .header('retry-after', String(UPLOAD_RETRY_AFTER_S))
          .send(errorBody('too_many_uploads', message));
        return payload;
      }
      inUse++;
      byTenant.set(tenant, held + 1);
      holders.set(request, tenant);
      metrics.uploadsInProgress.set(inUse);
      return opts.minBytesPerSecond > 0 ? withMinimumRate(payload, opts) : payload;
    },
    onResponse: release,
    onRequestAbort: release,
  };
}

/** How often the receive rate is looked at. */
const RATE_CHECK_MS = 250;

/** The payload passed through, failing with 408 once it arrives slower than the minimum rate after the grace time. */
function withMinimumRate<T extends NodeJS.ReadableStream>(payload: T, opts: UploadSlotOptions): T {
  const started = Date.now();
  let received = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(null, chunk);
    },
  });
  const timer = setInterval(() => {
    const elapsedMs = Date.now() - started;
    if (elapsedMs >= opts.graceMs && received < (opts.minBytesPerSecond * elapsedMs) / 1000) {
      guard.destroy(
        new HttpError(
          408,
          'upload_too_slow',
          `upload body arrived at ${Math.round((received * 1000) / elapsedMs)} bytes/s, below the minimum of ` +
            `${opts.minBytesPerSecond} bytes/s: its upload slot is given to others`
        )
      );
      payload.unpipe(guard);
    }
  }, RATE_CHECK_MS);
  timer.unref();
  const stop = () => clearInterval(timer);
  guard.on('close', stop);
  guard.on('end', stop);
  payload.on('error', (err: Error) => guard.destroy(err));
  payload.pipe(guard);
  return guard as unknown as T;
}
