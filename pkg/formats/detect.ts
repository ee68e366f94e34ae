/**
 * What a file is, by content only (never by its name: `.prof` is both the text and the JSON report, uploads
 * arrive without names). Looks at the first bytes: the eventlog magic `hdrb`, a JSON object naming
 * `rts_arguments` (-pj), a `JOB "` first line (.hp), a first line with GHC's report title (.prof).
 * gzip (`1f 8b`) is unwrapped by index.ts before this runs.
 */
import type { ProfileKind } from '../model/types';
import { looksLikeHp } from './hp';
import { looksLikeProfJson } from './prof-json';
import { REPORT_TITLE } from './prof-text';

/** How much of a file detection needs (the -pj header fields and the first lines of the text formats). */
export const DETECT_HEAD_BYTES = 65536;

const EVENTLOG_MAGIC = Buffer.from('hdrb', 'latin1');
const EVENT_TYPES_MARKER = Buffer.from('hetb', 'latin1');

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * `hdrb` at byte 0, or `hetb` (start of the event-type table) right after a damaged magic: such a file is an
 * eventlog with a broken header, and the eventlog reader names the damage better than "unknown format" would.
 */
export function isEventlogMagic(head: Buffer): boolean {
  return (
    head.length >= 4 &&
    (head.subarray(0, 4).equals(EVENTLOG_MAGIC) || (head.length >= 8 && head.subarray(4, 8).equals(EVENT_TYPES_MARKER)))
  );
}

export function detectKind(head: Buffer): ProfileKind | null {
  if (isEventlogMagic(head)) {
    return 'eventlog';
  }
  let text = head.subarray(0, DETECT_HEAD_BYTES).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1); // UTF-8 byte-order mark
  }
  if (looksLikeProfJson(text)) {
    return 'prof-json';
  }
  if (looksLikeHp(text)) {
    return 'hp';
  }
  const firstLine = text.trimStart().split('\n', 1)[0];
  if (firstLine.includes(REPORT_TITLE)) {
    return 'prof';
  }
  return null;
}

/** Why detection failed, for UnknownFormatError's detail. */
export function describeUnknown(head: Buffer): string {
  if (head.length === 0) {
    return 'empty file (0 bytes)';
  }
  const sample = head.subarray(0, 512);
  const binary = sample.some((b) => b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d));
  if (binary) {
    return `binary data that is not an eventlog (no "hdrb" magic at byte 0; starts with ${sample.subarray(0, 4).toString('hex')})`;
  }
  return `text without a GHC header (expected "${REPORT_TITLE}" on the first line, a JSON object with "rts_arguments", or a first line JOB "...")`;
}
