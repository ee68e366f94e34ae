/**
 * What every format reader declares to the registry in index.ts: how to recognise its input from the first bytes,
 * how to read an input held in memory, and how to read one streamed in chunks (files, gunzipped bodies).
 * Readers return null for "not my format" (detection moves on) and throw FormatError for "my format, but broken".
 */
import type { ProfileData, ProfileKind } from '../model/types';
import { stripBom } from './text-lines';

/** How much of an input detection looks at (the -pj header fields and the first lines of the text formats). */
export const DETECT_HEAD_BYTES = 65536;

/** Options every reader takes. */
export interface TextReadOptions {
  /** File name for messages. */
  file?: string;
  /**
   * Skip malformed lines (each becomes a warning) instead of throwing one FormatError that lists them all.
   * Truncation is never an error: a cut-off file always gives what was complete before the cut, plus a warning.
   */
  lenient?: boolean;
  /** Offset from UTC of the machine that wrote the file (GHC prints local time without a zone); default 0. */
  utcOffsetMinutes?: number;
}

/** The first bytes of an input as detection sees them; the text is decoded once, for the first text check. */
export class DetectHead {
  private decoded: string | undefined;

  constructor(readonly bytes: Buffer) {}

  /** The first DETECT_HEAD_BYTES as UTF-8, without a byte-order mark. */
  get text(): string {
    this.decoded ??= stripBom(this.bytes.subarray(0, DETECT_HEAD_BYTES).toString('utf8'));
    return this.decoded;
  }
}

export interface FormatReader<K extends ProfileKind = ProfileKind> {
  readonly kind: K;
  /** The kind in a phrase for messages: "a .hp heap profile". */
  readonly description: string;
  /** File extension of the raw artefact when downloaded. */
  readonly extension: string;
  /** True when the head is this format. Cheap: the registry asks every reader in turn. */
  detect(head: DetectHead): boolean;
  /** Reads an input held in memory; null when it is not this format after all. */
  readWhole(bytes: Buffer, opts: TextReadOptions): ProfileData | null | Promise<ProfileData | null>;
  /** Reads an input arriving in chunks (any boundaries); null when it is not this format after all. */
  readStream(chunks: AsyncIterable<Buffer>, opts: TextReadOptions): Promise<ProfileData | null>;
}

/** `readStream` for a format that can only be read whole (JSON): collects the chunks, then reads them. */
export function readCollected(
  readWhole: FormatReader['readWhole']
): (chunks: AsyncIterable<Buffer>, opts: TextReadOptions) => Promise<ProfileData | null> {
  return async (chunks, opts) => {
    const parts: Buffer[] = [];
    for await (const c of chunks) {
      parts.push(c);
    }
    return readWhole(Buffer.concat(parts), opts);
  };
}
