/**
 * What the agent needs to know about a file GHC is writing: which artefact it is (from its first bytes, because
 * `-pj` output is also named `.prof`), and for the two formats that grow while the program runs (.hp, .eventlog)
 * where the last complete unit ends, so only whole heap samples / whole event blocks are uploaded.
 * This is deliberately not the full readers of pkg/formats: it must work on a prefix of a file that is still being
 * written, and only looks at framing (line starts, event sizes), never at values.
 */
import type { ProfileKind } from '../model/types';

/** File names the watcher considers. The kind is then decided by content. */
export const CANDIDATE_NAME = /\.(prof|hp|eventlog)$/;

/** Kinds the RTS appends to while running (uploaded incrementally); the others are written once at exit. */
export function isGrowingKind(kind: ProfileKind): kind is 'hp' | 'eventlog' {
  return kind === 'hp' || kind === 'eventlog';
}

/** Bytes needed by `sniffKind` to decide. */
export const SNIFF_BYTES = 512;

/**
 * The artefact kind from the file's first bytes, or null when they do not (yet) look like any GHC artefact.
 * `.prof` text starts with a date line ending in `Time and Allocation Profiling Report  (Final)`.
 */
export function sniffKind(head: Buffer): ProfileKind | null {
  if (head.subarray(0, 4).toString('latin1') === 'hdrb') return 'eventlog';
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(text)) return 'prof-json';
  if (/^JOB "/.test(text)) return 'hp';
  const firstLines = text.split('\n', 2).join('\n');
  if (/Profiling Report/.test(firstLines)) return 'prof';
  return null;
}

/** Where the complete part of a growing file ends. */
export interface CompleteExtent {
  /** Absolute offset just past the last complete sample / event block. */
  end: number;
  /** The artefact's own end marker was seen (eventlog `0xffff`); nothing more will follow. */
  finished: boolean;
  /** The framing is broken here (absolute offset, with what was found): nothing after it can be trusted. */
  corrupt?: { offset: number; message: string };
}

const END_SAMPLE = Buffer.from('END_SAMPLE');

/**
 * .hp: the end of the last complete `END_SAMPLE t` line in `chunk` (which starts at absolute offset `from`, a
 * line start). A line without its newline may still be growing (`END_SAMPLE 1.2` then `5`), so it does not count.
 * With fewer than `minSamples` complete samples in the chunk, nothing is complete yet.
 */
export function hpCompleteExtent(chunk: Buffer, from: number, minSamples = 1): CompleteExtent {
  let end = from;
  let samples = 0;
  let lineStart = 0;
  while (lineStart < chunk.length) {
    const newline = chunk.indexOf(0x0a, lineStart);
    if (newline < 0) break;
    if (chunk.subarray(lineStart, lineStart + END_SAMPLE.length).equals(END_SAMPLE)) {
      end = from + newline + 1;
      samples++;
    }
    lineStart = newline + 1;
  }
  return { end: samples >= minSamples ? end : from, finished: false };
}

/** The eventlog header: where the events begin and each event type's payload size (-1 = variable). */
export interface EventlogHeader {
  dataStart: number;
  sizes: Map<number, number>;
}

const EVENT_BLOCK_MARKER = 18;
const END_OF_DATA = 0xffff;

/**
 * Reads the header (`hdrb hetb (etb ... ete)* hete hdre datb`). null while the file is too short to hold all of it;
 * an Error naming the byte offset if it is not an eventlog header.
 */
export function readEventlogHeader(buf: Buffer): EventlogHeader | null | Error {
  let pos = 0;
  const tag = (expected: string): boolean | Error => {
    if (pos + 4 > buf.length) return false;
    const found = buf.toString('latin1', pos, pos + 4);
    if (found !== expected)
      return new Error(
        `eventlog header at byte offset ${pos}: expected "${expected.replace('\0', '\\0')}", found ${JSON.stringify(found)}`
      );
    pos += 4;
    return true;
  };
  for (const expected of ['hdrb', 'hetb']) {
    const ok = tag(expected);
    if (ok !== true) return ok === false ? null : ok;
  }
  const sizes = new Map<number, number>();
  while (pos + 4 <= buf.length && buf.toString('latin1', pos, pos + 4) === 'etb\0') {
    if (pos + 12 > buf.length) return null;
    const num = buf.readUInt16BE(pos + 4);
    const size = buf.readInt16BE(pos + 6);
    const descEnd = pos + 12 + buf.readUInt32BE(pos + 8);
    if (descEnd + 4 > buf.length) return null;
    pos = descEnd + 4 + buf.readUInt32BE(descEnd);
    const ok = tag('ete\0');
    if (ok !== true) return ok === false ? null : ok;
    sizes.set(num, size);
  }
  for (const expected of ['hete', 'hdre', 'datb']) {
    const ok = tag(expected);
    if (ok !== true) return ok === false ? null : ok;
  }
  return { dataStart: pos, sizes };
}

/**
 * .eventlog: the end of the last complete event that is not inside an incomplete block, scanning `chunk` (absolute
 * offset `from`, an event boundary at or after the header). GHC writes each capability's buffer as one block
 * (a block-marker event whose first field is the block's size in bytes, marker included), so a block is complete
 * once all of its bytes are there; events outside blocks count one by one. With `partialBlocks` (the file has
 * stopped changing: a program killed mid-write) every complete event counts.
 */
export function eventlogCompleteExtent(
  header: EventlogHeader,
  chunk: Buffer,
  from: number,
  opts: { partialBlocks?: boolean } = {}
): CompleteExtent {
  let pos = 0;
  let safe = 0;
  let blockEnd = -1;
  while (pos + 2 <= chunk.length) {
    const type = chunk.readUInt16BE(pos);
    if (type === END_OF_DATA) return { end: from + pos + 2, finished: true };
    const size = header.sizes.get(type);
    if (size === undefined) {
      const message = `unknown event type ${type} (the header declares ${header.sizes.size} types)`;
      return { end: from + safe, finished: false, corrupt: { offset: from + pos, message } };
    }
    let eventEnd: number;
    if (size >= 0) eventEnd = pos + 10 + size;
    else if (pos + 12 <= chunk.length) eventEnd = pos + 12 + chunk.readUInt16BE(pos + 10);
    else break;
    if (eventEnd > chunk.length) break;
    if (type === EVENT_BLOCK_MARKER && !opts.partialBlocks) {
      blockEnd = pos + chunk.readUInt32BE(pos + 10);
      if (blockEnd > chunk.length) break;
    }
    pos = eventEnd;
    if (pos >= blockEnd) safe = pos;
  }
  return { end: from + safe, finished: false };
}

/**
 * The complete part of `chunk` (absolute offset `from`) of an eventlog whose header is `header`: the bytes before
 * the header's end are skipped, and a piece holding the header alone says nothing yet (end = `from`). undefined
 * while `chunk` ends inside the header.
 */
export function eventlogPieceExtent(
  header: EventlogHeader,
  chunk: Buffer,
  from: number,
  opts: { partialBlocks?: boolean } = {}
): CompleteExtent | undefined {
  const scanFrom = Math.max(from, header.dataStart);
  if (scanFrom >= from + chunk.length) return undefined;
  const extent = eventlogCompleteExtent(header, chunk.subarray(scanFrom - from), scanFrom, opts);
  return extent.end > scanFrom ? extent : { ...extent, end: from };
}
