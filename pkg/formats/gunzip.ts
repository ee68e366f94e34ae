/**
 * The one bounded gunzip of ghcprof, for HTTP bodies (query/ingest.ts) and files (formats/index.ts) alike.
 *
 * It streams: the output comes in zlib's chunks (16 KiB), so what a caller keeps is up to the caller. It stops
 *  - when the output passes `maxBytes` (GzipTooLarge), and
 *  - long before that when the output is over `maxRatio` times the input read so far, once past RATIO_GRACE_BYTES
 *    (GzipTooLarge too): real GHC artefacts compress 5-20 times (the fixtures: 16 at most), a gzip bomb about
 *    1,000 times, so a 500 KB bomb stops after ~8 MiB instead of inflating to the limit;
 *  - at once when the output is itself gzip (GzipNested): a gzip inside a gzip is not a GHC artefact.
 * A damaged or cut-off gzip stream ends the output where the damage is (GzipDamage, with how many bytes came out),
 * so callers can read the intact part before it and report the rest as truncation.
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isGzip } from './detect';

export interface GunzipLimits {
  /** Most decompressed bytes accepted. */
  maxBytes: number;
  /** Most decompressed bytes per compressed byte (default DEFAULT_MAX_RATIO). */
  maxRatio?: number;
}

/** Output/input ratio past which the data is taken for a gzip bomb (gzip's own maximum is about 1,032). */
export const DEFAULT_MAX_RATIO = 200;

/** Output below which the ratio is not looked at (small inputs of a few repeated lines compress very well). */
export const RATIO_GRACE_BYTES = 8 * 1024 * 1024;

export class GzipTooLarge extends Error {
  constructor(
    message: string,
    /** Decompressed bytes when it stopped: where in the data the reader's error points. */
    readonly decompressedBytes: number
  ) {
    super(message);
    this.name = 'GzipTooLarge';
  }
}

export class GzipNested extends Error {
  constructor() {
    super('the data is gzip inside gzip: decompress it once (no GHC artefact starts with the gzip magic 1f 8b)');
    this.name = 'GzipNested';
  }
}

export class GzipDamage extends Error {
  constructor(
    readonly decompressedBytes: number,
    cause: string
  ) {
    super(`the gzip data is damaged or cut off after ${decompressedBytes} decompressed bytes (${cause})`);
    this.name = 'GzipDamage';
  }
}

/** Input is fed to zlib in pieces this small, so its back-pressure (and the ratio check) acts early. */
const FEED_BYTES = 64 * 1024;

async function* inPieces(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    for (let at = 0; at < chunk.length; at += FEED_BYTES) {
      yield chunk.subarray(at, at + FEED_BYTES);
    }
  }
}

/** Decompresses a stream under the limits (see the module comment); throws GzipTooLarge, GzipNested or GzipDamage. */
export async function* gunzipBounded(source: AsyncIterable<Buffer>, limits: GunzipLimits): AsyncGenerator<Buffer> {
  const maxRatio = limits.maxRatio ?? DEFAULT_MAX_RATIO;
  const gunzip = createGunzip();
  // pipeline handles back-pressure and tears the source down when gunzip is destroyed; its errors reach the loop
  // below through gunzip itself.
  pipeline(Readable.from(inPieces(source)), gunzip, () => undefined);
  let total = 0;
  let first: Buffer | null = Buffer.alloc(0);
  try {
    for await (const out of gunzip as AsyncIterable<Buffer>) {
      total += out.length;
      if (total > limits.maxBytes) {
        throw new GzipTooLarge(
          `gzip data decompresses to more than ${limits.maxBytes} bytes (the limit): refused (a gzip bomb, or raise the limit)`,
          total
        );
      }
      // bytesWritten: the compressed bytes zlib has consumed so far (not those queued for it).
      if (total > RATIO_GRACE_BYTES && total > maxRatio * gunzip.bytesWritten) {
        throw new GzipTooLarge(
          `gzip data decompresses ${Math.round(total / gunzip.bytesWritten)} times its size (more than ${maxRatio}; GHC ` +
            `artefacts compress about 5-20 times): refused as a gzip bomb after ${total} bytes`,
          total
        );
      }
      if (first !== null) {
        first = Buffer.concat([first, out]);
        if (first.length >= 2) {
          if (isGzip(first)) {
            throw new GzipNested();
          }
          first = null;
        }
      }
      yield out;
    }
  } catch (err) {
    if (err instanceof GzipTooLarge || err instanceof GzipNested) {
      throw err;
    }
    throw new GzipDamage(total, (err as Error).message);
  } finally {
    gunzip.destroy();
  }
}

async function* oneChunk(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** The decompressed bytes of an in-memory gzip, and the damage that cut them short (null when intact). */
export async function gunzipBuffer(
  input: Buffer,
  limits: GunzipLimits
): Promise<{ bytes: Buffer; damage: GzipDamage | null }> {
  const parts: Buffer[] = [];
  try {
    for await (const out of gunzipBounded(oneChunk(input), limits)) {
      parts.push(out);
    }
  } catch (err) {
    if (err instanceof GzipDamage) {
      return { bytes: Buffer.concat(parts), damage: err };
    }
    throw err;
  }
  return { bytes: Buffer.concat(parts), damage: null };
}
