/**
 * Entry point of the format readers and the one place that knows every format: the registry below. It detects
 * what an input is by content, unwraps gzip (bounded, so a gzip bomb fails cleanly), and hands it to the right
 * reader. Files are streamed: each reader declares a streaming reader next to its whole-input one (eventlogs go
 * chunk by chunk into the decoder, .prof/.hp text is split into lines as it is read, -pj JSON is collected).
 *
 * Adding a kind: its name in pkg/api/kinds.ts, one reader file exporting a FormatReader, one line in FORMAT_READERS.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ProfileData, ProfileKind } from '../model/types';
import { FormatError, UnknownFormatError } from './errors';
import { describeUnknown, isGzip } from './detect';
import { GzipDamage, GzipNested, GzipTooLarge, gunzipBounded, type GunzipLimits } from './gunzip';
import { eventlogReader } from './eventlog/format';
import { hpReader } from './hp';
import { profJsonReader } from './prof-json';
import { profTextReader } from './prof-text';
import { criterionJsonReader } from './bench/criterion-json';
import { criterionCsvReader } from './bench/criterion-csv';
import { tastyBenchCsvReader } from './bench/tasty-bench-csv';
import { rtsMachineReader } from './bench/rts-machine';
import { rtsTextReader } from './bench/rts-text';
import { DETECT_HEAD_BYTES, DetectHead, type FormatReader, type TextReadOptions } from './reader';

export { readProf } from './prof-text';
export { readProfJson } from './prof-json';
export { readHp } from './hp';
export { attachBandStacks } from './hp-stacks';
export type { FormatReader, TextReadOptions } from './reader';

/** Every format, in detection order: the surest checks first (binary magic, JSON keys, then first-line text). */
export const FORMAT_READERS = [
  eventlogReader,
  profJsonReader,
  hpReader,
  profTextReader,
  criterionJsonReader,
  criterionCsvReader,
  tastyBenchCsvReader,
  rtsMachineReader,
  rtsTextReader,
] as const;

/** Compile-time check that every kind of pkg/api/kinds.ts has a reader above; the error names the missing kind. */
type Unregistered = Exclude<ProfileKind, (typeof FORMAT_READERS)[number]['kind']>;
const everyKindHasAReader: [Unregistered] extends [never] ? true : `no reader registered for ${Unregistered}` = true;
void everyKindHasAReader;

// Several formats read into one kind (the five of `bench`): the first registered names the kind.
const READER_OF = new Map<ProfileKind, FormatReader>(
  FORMAT_READERS.map((r): [ProfileKind, FormatReader] => [r.kind, r]).reverse()
);

/** The registered reader of a kind (its extension and description name stored profiles too). */
export function formatReader(kind: ProfileKind): FormatReader {
  return READER_OF.get(kind) as FormatReader;
}

/** What an input is, from its first bytes (by content only: `.prof` is both the text and the JSON report). */
export function detectKind(head: Buffer): ProfileKind | null {
  return detectReader(head)?.kind ?? null;
}

function detectReader(bytes: Buffer): FormatReader | null {
  const head = new DetectHead(bytes);
  return FORMAT_READERS.find((r) => r.detect(head)) ?? null;
}

export interface ReadOptions extends TextReadOptions {
  /** Largest decompressed size accepted from gzip input, in bytes (default 2 GiB). */
  maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024 * 1024;

function gunzipLimits(opts: ReadOptions): GunzipLimits {
  return { maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES };
}

/** Reads any supported artefact held in memory (gzip-compressed or not). */
export async function readProfile(input: Buffer, opts: ReadOptions = {}): Promise<ProfileData> {
  if (input.length === 0) {
    throw new UnknownFormatError(opts.file, 'empty file (0 bytes)');
  }
  if (isGzip(input)) {
    return readSource(gunzipBounded(oneChunk(input), gunzipLimits(opts)), opts);
  }
  const reader = detectReader(input) ?? unknown(input, opts);
  return (await reader.readWhole(input, opts)) ?? unknown(input, opts);
}

/** Reads a file from disk, streaming it (eventlogs can be gigabytes). */
export async function readProfileFile(path: string, opts: ReadOptions = {}): Promise<ProfileData> {
  const o = { ...opts, file: opts.file ?? path };
  const head = await readHead(path);
  if (head.length === 0) {
    throw new UnknownFormatError(o.file, 'empty file (0 bytes)');
  }
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  return readSource(isGzip(head) ? gunzipBounded(raw, gunzipLimits(o)) : raw, o);
}

/** The first bytes of a file: enough to tell empty and gzip apart (the kind is detected from the stream). */
async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function unknown(head: Buffer, opts: ReadOptions): never {
  throw new UnknownFormatError(opts.file, describeUnknown(head));
}

/** Detects the kind from the first bytes of a stream, then streams the rest into the right reader. */
async function readSource(source: AsyncIterable<Buffer>, opts: ReadOptions): Promise<ProfileData> {
  const { head, chunks, damage, close } = await peek(source, DETECT_HEAD_BYTES).catch((err: unknown) => {
    // Only a tiny maxBytes can be passed before detection; there is no kind to name yet.
    throw err instanceof GzipTooLarge || err instanceof GzipNested
      ? new UnknownFormatError(opts.file, err.message)
      : err;
  });
  if (head.length === 0) {
    throw new UnknownFormatError(
      opts.file,
      damage.message ? `nothing readable after decompression: ${damage.message}` : 'empty (0 bytes of data)'
    );
  }
  let data: ProfileData | null;
  const reader = detectReader(head);
  try {
    if (reader === null) {
      return unknown(head, opts);
    }
    data = await reader.readStream(chunks, opts);
  } catch (err) {
    throw err instanceof GzipTooLarge && reader !== null
      ? new FormatError({ format: reader.kind, file: opts.file, offset: err.decompressedBytes, message: err.message })
      : err;
  } finally {
    await close();
  }
  if (data === null) {
    return unknown(head, opts);
  }
  if (damage.message) {
    data.warnings.push(damage.message);
    data.truncated = true;
  }
  return data;
}

/** Damage found while decompressing: set once the stream ended early (a cut-off or corrupt .gz). */
interface Damage {
  message: string;
}

/**
 * Reads chunks until `n` bytes are buffered, returning them and an iterable that replays them followed by the
 * rest of the source. Damage (a broken gzip stream) ends the data where it happened; it is recorded in `damage`
 * for the caller to report as truncation.
 */
async function peek(
  source: AsyncIterable<Buffer>,
  n: number
): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer>; damage: Damage; close: () => Promise<void> }> {
  const damage: Damage = { message: '' };
  const it = source[Symbol.asyncIterator]();
  const buffered: Buffer[] = [];
  let size = 0;
  let done = false;
  const next = async (): Promise<Buffer | null> => {
    try {
      const r = await it.next();
      return r.done ? null : r.value;
    } catch (err) {
      if (err instanceof GzipDamage) {
        damage.message = `${err.message}: read the intact part before it`;
        return null;
      }
      throw err;
    }
  };
  while (size < n) {
    const c = await next();
    if (c === null) {
      done = true;
      break;
    }
    buffered.push(c);
    size += c.length;
  }
  const head = Buffer.concat(buffered);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) {
        yield head;
      }
      while (!done) {
        const c = await next();
        if (c === null) {
          done = true;
          return;
        }
        yield c;
      }
    } finally {
      await close(); // a reader stopped early: close the file / gunzip behind it
    }
  }
  const close = async (): Promise<void> => {
    if (!done) {
      done = true;
      await it.return?.();
    }
  };
  return { head, chunks: replay(), damage, close };
}

async function* oneChunk(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}
