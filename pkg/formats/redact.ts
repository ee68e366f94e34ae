/**
 * Secrets in the command lines GHC writes into its artefacts (issue 12 §5): `search --password=hunter2
 * --db-url=postgres://u:pw@db/x` ends up in the .prof header line, the .hp JOB line, the -pj `arguments`, and the
 * eventlog's ProgramArgs (and ProgramEnv) events, and from there in every `heap` answer and raw download.
 *
 * Two patterns, matched by a hand-written scanner that looks at each byte a bounded number of times (input is the
 * attacker's; no backtracking regex runs on it):
 *   - an option `--?(password|passwd|secret|token|key|credential)[=\s]\S+` (case-insensitive): the value is redacted;
 *   - a URL with credentials `scheme://user:pass@`: `user:pass` is redacted.
 * In environment events, a variable whose name contains one of those words has its value redacted as well.
 *
 * Redaction replaces each byte of a secret with `*` in place: the artefact keeps its size, so every reader still
 * parses it, byte offsets of appends stay valid, and redacting twice changes nothing more. A value ends at
 * whitespace, NUL (argv separator in eventlogs) or `"` (the quote closing the .hp JOB line or a JSON string); in
 * -pj's `arguments` list an option and its value may be two entries (`"--api-key", "sk_live_…"`).
 */
import type { ProfileKind } from '../api/kinds';
import { detectKind } from './index';
import { EV } from './eventlog/event-types';
import { EventFramer, type EventSink } from './eventlog/framing';

const WORDS = ['password', 'passwd', 'secret', 'token', 'key', 'credential'];
const STAR = 0x2a;

export interface RedactionResult {
  /** The redacted artefact (the input itself when nothing was found). */
  bytes: Buffer;
  /** Secrets replaced. */
  count: number;
}

const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
const endsValue = (b: number) => isSpace(b) || b === 0 || b === 0x22;
const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);
const isSchemeChar = (b: number) =>
  (b >= 0x61 && b <= 0x7a) ||
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x30 && b <= 0x39) ||
  b === 0x2b ||
  b === 0x2d ||
  b === 0x2e;

/** Length of the keyword at bytes[at], or 0. */
function wordAt(bytes: Uint8Array, at: number, end: number): number {
  for (const w of WORDS) {
    if (at + w.length > end) continue;
    let k = 0;
    while (k < w.length && lower(bytes[at + k]) === w.charCodeAt(k)) k++;
    if (k === w.length) return k;
  }
  return 0;
}

/** Redacts from `from` to the end of the value there; returns that end (from itself when there is no value). */
function starValue(bytes: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i < end && !endsValue(bytes[i])) bytes[i++] = STAR;
  return i;
}

/**
 * Where the value after a keyword starts, or -1: after `=`, whitespace or NUL (eventlog argv entries), or after the
 * `", "` between two entries of -pj's `arguments` list.
 */
function valueStart(bytes: Uint8Array, sep: number, end: number): number {
  const b = bytes[sep];
  if (b === 0x3d || isSpace(b) || b === 0) {
    return sep + 1;
  }
  if (b !== 0x22) {
    return -1;
  }
  let i = sep + 1;
  while (i < end && isSpace(bytes[i])) i++;
  if (i >= end || bytes[i] !== 0x2c) return -1;
  i++;
  while (i < end && isSpace(bytes[i])) i++;
  return i < end && bytes[i] === 0x22 ? i + 1 : -1;
}

/** `-key=value`, `--password value`, and the same split over two argv entries. */
function redactOptions(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    if (bytes[i] !== 0x2d) continue;
    let at = i + 1;
    if (at < end && bytes[at] === 0x2d) at++;
    const n = wordAt(bytes, at, end);
    const from = n === 0 || at + n >= end ? -1 : valueStart(bytes, at + n, end);
    if (from < 0) continue;
    const valueEnd = starValue(bytes, from, end);
    if (valueEnd > from) count++;
    i = Math.max(i, valueEnd - 1);
  }
  return count;
}

/** `scheme://user:pass@host`: the user info, when it holds a `:`. */
function redactUrlCredentials(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  for (let i = start + 1; i + 2 < end; i++) {
    if (bytes[i] !== 0x3a || bytes[i + 1] !== 0x2f || bytes[i + 2] !== 0x2f || !isSchemeChar(bytes[i - 1])) continue;
    const from = i + 3;
    let j = from;
    let colon = false;
    // Stops at the first `/`, so each byte is looked at by at most one URL's scan.
    while (j < end && !endsValue(bytes[j]) && bytes[j] !== 0x40 && bytes[j] !== 0x2f && bytes[j] !== 0x3f) {
      colon ||= bytes[j] === 0x3a;
      j++;
    }
    if (j < end && bytes[j] === 0x40 && colon) {
      bytes.fill(STAR, from, j);
      count++;
    }
    i = j - 1;
  }
  return count;
}

/** Both patterns over bytes[start, end), in place. */
export function redactText(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return redactOptions(bytes, start, end) + redactUrlCredentials(bytes, start, end);
}

/** `NAME=value` entries (NUL-separated) whose name contains a keyword: the value. */
export function redactEnvironment(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  let entry = start;
  while (entry < end) {
    let nul = bytes.indexOf(0, entry);
    if (nul < 0 || nul > end) nul = end;
    const eq = bytes.indexOf(0x3d, entry);
    if (eq > entry && eq < nul) {
      let secret = false;
      for (let k = entry; k < eq && !secret; k++) secret = wordAt(bytes, k, eq) > 0;
      if (secret && eq + 1 < nul && bytes[eq + 1] !== STAR) {
        bytes.fill(STAR, eq + 1, nul);
        count++;
      }
    }
    entry = nul + 1;
  }
  return count;
}

const PROGRAM_ENV = 31;

/**
 * Where GHC writes the command line: the RTS posts ProgramArgs and ProgramEnv once, at start-up, right after the
 * eventlog's header; so only this much of an eventlog is framed (an upload of any size costs the same here).
 */
export const EVENTLOG_REDACT_HEAD = 1 << 20;

/** ProgramArgs and ProgramEnv events (capset u32, then NUL-separated strings), found by the eventlog framer. */
function redactEventlog(bytes: Buffer): number {
  let count = 0;
  const wanted = new Uint8Array(65536);
  wanted[EV.PROGRAM_ARGS] = 1;
  wanted[PROGRAM_ENV] = 1;
  const sink: EventSink = {
    wanted,
    event(type, _time, _cap, payload) {
      // The framer reads the one pushed buffer in place; an event it had to reassemble elsewhere is not ours.
      if (payload.bytes.buffer !== bytes.buffer) return;
      const base = payload.bytes.byteOffset - bytes.byteOffset;
      const from = base + payload.start + 4;
      const end = base + payload.end;
      count += redactText(bytes, from, end);
      if (type === PROGRAM_ENV) count += redactEnvironment(bytes, from, end);
    },
  };
  const framer = new EventFramer(sink);
  try {
    framer.push(bytes.subarray(0, EVENTLOG_REDACT_HEAD));
    framer.end();
  } catch {
    // A broken header: the reader will refuse the file and name the damage.
  }
  return count;
}

/** The end of line `n` (0-based) of a text, or -1. */
function lineRange(bytes: Buffer, n: number): [number, number] | null {
  let start = 0;
  for (let k = 0; k < n; k++) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0) return null;
    start = nl + 1;
  }
  const nl = bytes.indexOf(0x0a, start);
  return [start, nl < 0 ? bytes.length : nl];
}

/** Where a text artefact keeps its command line: the .prof report's third line, the .hp JOB line, -pj's header. */
function commandLineRange(kind: ProfileKind, bytes: Buffer): [number, number] | null {
  switch (kind) {
    case 'prof':
      return lineRange(bytes, 2);
    case 'hp': {
      const job = bytes.indexOf('JOB');
      return job < 0 ? null : [job, lineRange(bytes.subarray(job), 0)![1] + job];
    }
    case 'prof-json': {
      // `program`, `arguments` and `rts_arguments` come before the cost centres.
      const cc = bytes.indexOf('"cost_centres"');
      return [0, cc < 0 ? Math.min(bytes.length, 1 << 16) : cc];
    }
    default:
      return null; // formats without a command line of GHC's
  }
}

/**
 * Redacts a whole artefact (after gzip is undone). Returns a copy when something was redacted, never changing the
 * input (it may be the caller's upload buffer, whose hash is the idempotency key).
 */
export function redactArtefact(input: Buffer): RedactionResult {
  const kind = detectKind(input.subarray(0, 65536));
  if (kind === null) {
    return { bytes: input, count: 0 };
  }
  const bytes = Buffer.from(input);
  let count = 0;
  if (kind === 'eventlog') {
    count = redactEventlog(bytes);
  } else {
    const range = commandLineRange(kind, bytes);
    count = range ? redactText(bytes, range[0], range[1]) : 0;
  }
  return count === 0 ? { bytes: input, count: 0 } : { bytes, count };
}

export function redactionWarning(count: number): string {
  return `redacted ${count} secret${count === 1 ? '' : 's'} in the program's arguments or environment: the stored bytes have '*' in their place (same size)`;
}
