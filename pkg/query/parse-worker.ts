/**
 * The parse pool's worker (see parse-pool.ts): reads one uploaded artefact with the format readers. Errors come back
 * as data, since a thrown error crossing threads keeps only its message: the main thread rebuilds FormatError and
 * UnknownFormatError from it, so the HTTP layer still answers 422 or 415 naming the line or byte.
 */
import { readProfile, type ReadOptions } from '../formats';
import { FormatError, UnknownFormatError } from '../formats/errors';
import type { ProfileData } from '../model/types';

export interface ParseTask {
  raw: Uint8Array;
  opts: Pick<ReadOptions, 'file' | 'maxBytes'>;
}

export type ParseFailure =
  | { error: 'format'; message: string; format: FormatError['format']; file: string; line?: number; offset?: number }
  | { error: 'unknown'; message: string; file: string }
  | { error: 'other'; message: string };

export type ParseResult = { data: ProfileData } | ParseFailure;

export default async function parse(task: ParseTask): Promise<ParseResult> {
  const raw = Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength);
  try {
    return { data: await readProfile(raw, task.opts) };
  } catch (err) {
    if (err instanceof FormatError) {
      const { message, format, file, line, offset } = err;
      return { error: 'format', message, format, file, line, offset };
    }
    if (err instanceof UnknownFormatError) {
      return { error: 'unknown', message: err.message, file: err.file };
    }
    return { error: 'other', message: err instanceof Error ? err.message : String(err) };
  }
}
