/**
 * Uploads are parsed in a pool of worker threads, one per core (piscina), so a 1 MiB `.prof` (~30 ms of parsing)
 * neither blocks the event loop for other requests nor leaves the second core idle. The body, the parse and the
 * store still happen inside the upload's slot (pkg/server/upload-slots.ts): the pool only moves where the parse
 * runs. The pool starts with the first upload; idle threads exit after a while and never keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Piscina } from 'piscina';
import type { ReadOptions } from '../formats';
import { FormatError, UnknownFormatError } from '../formats/errors';
import type { ProfileData } from '../model/types';
import type { ParseResult, ParseTask } from './parse-worker';

/** An idle worker thread exits after this long (a server that gets no uploads holds no threads). */
const IDLE_TIMEOUT_MS = 30_000;

let pool: Piscina<ParseTask, ParseResult> | null = null;

function thePool(): Piscina<ParseTask, ParseResult> {
  if (pool === null) {
    pool = new Piscina<ParseTask, ParseResult>({
      // parse-worker.js next to this file when built, parse-worker.ts when run from the sources (tsx)
      filename: join(__dirname, `parse-worker${extname(__filename)}`),
      minThreads: 0,
      maxThreads: availableParallelism(),
      idleTimeout: IDLE_TIMEOUT_MS,
    });
  }
  return pool;
}

/** readProfile, on a worker thread. Throws what readProfile would (FormatError, UnknownFormatError, Error). */
export async function parseInPool(raw: Buffer, opts: Pick<ReadOptions, 'file' | 'maxBytes'>): Promise<ProfileData> {
  const result = await thePool().run({ raw, opts });
  if ('data' in result) {
    return result.data;
  }
  switch (result.error) {
    case 'format':
      throw Object.assign(new FormatError({ ...result, message: '' }), { message: result.message });
    case 'unknown':
      throw Object.assign(new UnknownFormatError(result.file), { message: result.message });
    default:
      throw new Error(result.message);
  }
}
