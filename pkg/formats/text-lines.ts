import { StringDecoder } from 'node:string_decoder';
import type { ProfileData, ProfileKind } from '../model/types';
import { FormatError } from './errors';
import type { FormatReader, TextReadOptions } from './reader';

/**
 * A line-oriented reader (the .prof and .hp parsers). Lines arrive one at a time, numbered from 1, without their
 * line terminator (`\n` or `\r\n`), so the same parser reads a whole string or a file streamed in chunks.
 */
export interface LineSink<T> {
  /** Takes one line; returns false to stop early (the input turned out not to be this sink's format). */
  line(text: string, lineNo: number): boolean;
  /** Called once after the last line; `endsWithNewline` is false when the input stopped mid-line (a cut-off file). */
  finish(endsWithNewline: boolean): T;
}

/** Drops a trailing `\r` (files written on Windows or edited there). */
function chompCR(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/** Drops a UTF-8 byte-order mark (U+FEFF) some editors put at the start of a file. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Feeds every line of `text` to `sink` (indexOf scanning: no split, no regex, no copy of the whole text). */
export function feedText<T>(text: string, sink: LineSink<T>): T {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    lineNo++;
    if (!sink.line(chompCR(text.slice(start, end)), lineNo)) {
      return sink.finish(true);
    }
    if (nl === -1) {
      return sink.finish(false);
    }
    start = nl + 1;
  }
  return sink.finish(true);
}

/** Splits a byte stream (UTF-8, chunk boundaries anywhere, even inside a character) into lines for a sink. */
export class ChunkedLineSplitter<T> {
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  private lineNo = 0;
  private stopped = false;
  private started = false;

  constructor(private readonly sink: LineSink<T>) {}

  /** The byte-order mark can only be at the very start of the decoded text. */
  private firstText(decoded: string): string {
    if (this.started || decoded.length === 0) {
      return decoded;
    }
    this.started = true;
    return stripBom(decoded);
  }

  /** False once the sink has stopped (the caller can stop reading). */
  push(chunk: Buffer): boolean {
    if (this.stopped) {
      return false;
    }
    const text = this.carry + this.firstText(this.decoder.write(chunk));
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      this.lineNo++;
      if (!this.sink.line(chompCR(text.slice(start, nl)), this.lineNo)) {
        this.stopped = true;
        this.carry = '';
        return false;
      }
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.carry = text.slice(start);
    return true;
  }

  end(): T {
    if (this.stopped) {
      return this.sink.finish(true);
    }
    const rest = this.carry + this.firstText(this.decoder.end());
    this.carry = '';
    if (rest.length === 0) {
      return this.sink.finish(true);
    }
    this.lineNo++;
    if (!this.sink.line(chompCR(rest), this.lineNo)) {
      return this.sink.finish(true);
    }
    return this.sink.finish(false);
  }
}

/**
 * A string that shares no memory with the one it was sliced from, for names a reader keeps: V8 keeps a slice of 13
 * or more characters as a view into its parent (here a 1 MiB chunk of the file), so a kept slice per chunk would
 * keep the whole file's text alive.
 */
export function ownCopy(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

const SPACE = 32;
const TAB = 9;

export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== SPACE && c !== TAB) {
      return false;
    }
  }
  return true;
}

export function leadingSpaces(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === SPACE) {
    i++;
  }
  return i;
}

/**
 * Finds the last `n` space-separated fields at the end of `line` (columns padded with runs of spaces) and writes
 * their [start, end) indexes, left to right, into `bounds` (2n entries): no substrings are made. Returns the index
 * where the first of them starts, or -1 when the line has fewer than `n` fields. Used to peel the numeric columns
 * off report rows whose name fields may contain spaces.
 */
export function fieldsFromRight(line: string, n: number, bounds: Int32Array): number {
  let end = line.length;
  for (let k = n - 1; k >= 0; k--) {
    while (end > 0 && line.charCodeAt(end - 1) === SPACE) {
      end--;
    }
    let start = end;
    while (start > 0 && line.charCodeAt(start - 1) !== SPACE) {
      start--;
    }
    if (start === end) {
      return -1;
    }
    bounds[2 * k] = start;
    bounds[2 * k + 1] = end;
    end = start;
  }
  return end;
}

/** A non-negative decimal integer of digits only (no sign, exponent or hex: `Number()` would accept those), else NaN. */
export function parseUnsigned(s: string, from = 0, to = s.length): number {
  if (to <= from) {
    return NaN;
  }
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      return NaN;
    }
    v = v * 10 + d;
  }
  return v;
}

/**
 * An unsigned decimal with optional fraction (`12.5`, `0.0`, `100`), as printf's `%f` writes it, else NaN.
 * All digits are read as one integer and divided by the power of ten once: the same double `Number()` gives.
 */
export function parseUnsignedDecimal(s: string, from = 0, to = s.length): number {
  let v = 0;
  let scale = 1;
  let dot = -1;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */ && dot === -1) {
      dot = i;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) {
      return NaN;
    }
    v = v * 10 + d;
    if (dot !== -1) {
      scale *= 10;
    }
  }
  if (to <= from || dot === from || dot === to - 1) {
    return NaN;
  }
  return v / scale;
}

/** `1,850,865,008` -> 1850865008 (GHC prints header totals with thousands separators). */
export function parseWithCommas(s: string): number {
  return parseUnsigned(s.replace(/,/g, ''));
}

/** Shortens a line for an error message (binary junk can be long and unprintable). */
export function excerpt(line: string, max = 60): string {
  // eslint-disable-next-line no-control-regex
  const printable = line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

/** Feeds a byte stream to a line sink, stopping as soon as the sink says the input is not its format. */
export async function streamLines<T>(chunks: AsyncIterable<Buffer>, sink: LineSink<T>): Promise<T> {
  const splitter = new ChunkedLineSplitter(sink);
  for await (const c of chunks) {
    if (!splitter.push(c)) {
      break;
    }
  }
  return splitter.end();
}

/**
 * The whole-input and streaming readers of a line-oriented format, both from its parser: the same sink reads a
 * string and a chunked stream.
 */
export function lineReaders(
  parser: (opts: TextReadOptions) => LineSink<ProfileData | null>
): Pick<FormatReader, 'readWhole' | 'readStream'> {
  return {
    readWhole: (bytes, opts) => feedText(bytes.toString('utf8'), parser(opts)),
    readStream: (chunks, opts) => streamLines(chunks, parser(opts)),
  };
}

/** Errors listed in one FormatError message; the rest are counted. */
const MAX_LISTED_ERRORS = 10;

/**
 * What a text reader does with the malformed lines it collected: lenient, each becomes a warning; otherwise they
 * become one FormatError.
 */
export function settleLineErrors(
  format: ProfileKind,
  opts: TextReadOptions,
  errors: Array<{ line: number; message: string }>,
  warnings: string[]
): void {
  if (errors.length === 0) {
    return;
  }
  if (!opts.lenient) {
    throw collectedError(format, opts.file, errors);
  }
  for (const e of errors) {
    warnings.push(`line ${e.line}: skipped: ${e.message}`);
  }
}

/** One FormatError for every bad line of a text file: `line` is the first, the message lists them. */
function collectedError(
  format: ProfileKind,
  file: string | undefined,
  errors: Array<{ line: number; message: string }>
): FormatError {
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map((e) => `line ${e.line}: ${e.message}`);
  const more = errors.length > MAX_LISTED_ERRORS ? `; and ${errors.length - MAX_LISTED_ERRORS} more` : '';
  const message =
    errors.length === 1 ? errors[0].message : `${errors.length} malformed lines: ${listed.join('; ')}${more}`;
  return new FormatError({ format, file, line: errors[0].line, message });
}
