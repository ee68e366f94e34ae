/**
 * A cap on the upload and append bodies being received and processed at once. Each holds up to maxUploadBytes in
 * memory (the raw body, its decompressed copy, the parsed model), so without a cap a burst of large uploads could
 * exhaust the heap. Past the cap the answer is 503 with Retry-After, which the agent and `ghcprof push` retry.
 */
import type { FastifyReply, FastifyRequest, onRequestAbortHookHandler, preParsingHookHandler } from 'fastify';
import { errorBody } from './errors';
import type { ServerMetrics } from './metrics';

/** Seconds a refused upload is told to wait: long enough for a large upload ahead of it to finish parsing. */
export const UPLOAD_RETRY_AFTER_S = 5;

export interface UploadSlotHooks {
  preParsing: preParsingHookHandler;
  onResponse: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  onRequestAbort: onRequestAbortHookHandler;
}

/** Route hooks sharing one counter: take a slot before the body is read, give it back when the request ends. */
export function uploadSlots(max: number, metrics: ServerMetrics): UploadSlotHooks {
  let inUse = 0;
  const holders = new WeakSet<FastifyRequest>();
  const release = async (request: FastifyRequest) => {
    // onResponse and onRequestAbort may both run for one request: give its slot back once.
    if (holders.delete(request)) {
      inUse--;
      metrics.uploadsInProgress.set(inUse);
    }
  };
  return {
    preParsing: async (request, reply, payload) => {
      if (inUse >= max) {
        request.log.warn({ inUse, max }, 'upload refused: too many uploads in progress');
        reply
          .code(503)
          .header('retry-after', String(UPLOAD_RETRY_AFTER_S))
          .send(
            errorBody(
              'too_many_uploads',
              `${max} uploads are being processed already; retry in ${UPLOAD_RETRY_AFTER_S} s`
            )
          );
        return payload;
      }
      inUse++;
      holders.add(request);
      metrics.uploadsInProgress.set(inUse);
      return payload;
    },
    onResponse: release,
    onRequestAbort: release,
  };
}
