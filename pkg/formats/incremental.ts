/**
 * Incremental reading of a growing artefact (a `.hp` or an eventlog the agent tails, issue 9). Each append is read
 * on its own: the reader is rebuilt from the **continuation** the previous append left (a plain JSON object: the
 * header, event-type table, cost-centre and band definitions, the open census, the block being read, the wall-clock
 * anchor) and given only the bytes from the continuation's `offset` on (its `tail`, an event or line that was not
 * complete yet, then the new bytes). What completed in them is the append's **delta**; the store keeps it with the
 * bytes as one immutable chunk. So an append costs what its own bytes cost, whatever is stored before it.
 *
 * Bytes that cannot continue the artefact are refused with a FormatError naming the byte offset (and line), as the
 * format allows: a `.hp` line that does not parse, an eventlog whose new bytes do not frame as events, bytes after
 * the eventlog's end-of-data marker. Only an incomplete last line / event waits in the tail.
 */
import type { ProfileData } from '../model/types';
import { FormatError, UnknownFormatError } from './errors';
import { EventlogDecoder, type EventlogState } from './eventlog';
import { HpParser, type HpState } from './hp';

export type GrowingKind = 'hp' | 'eventlog';

export interface Continuation {
  kind: GrowingKind;
  /** Absolute byte offset just past the last complete event / line: where the next read starts. */
  offset: number;
  /** Absolute byte offset of the end of the bytes read so far (the stored length). */
  end: number;
  /** The bytes [offset, end), base64: an event or line that is not complete yet (at most one, small). */
  tail: string;
  state: EventlogState | HpState;
}

export interface Increment {
  /** What completed in the bytes read: censuses, samples, series, markers (times relative to the artefact). */
  delta: ProfileData;
  continuation: Continuation;
}

export function isGrowingKind(kind: string): kind is GrowingKind {
  return kind === 'hp' || kind === 'eventlog';
}

/**
 * Reads `bytes` (the artefact's bytes from `from.end` on, or from byte 0 when `from` is null) and returns their
 * delta and the continuation after them.
 */
export function readIncrement(
  kind: GrowingKind,
  from: Continuation | null,
  bytes: Buffer,
  opts: { file?: string } = {}
): Increment {
  if (from !== null && from.kind !== kind) {
    throw new Error(`continuation of a ${from.kind} read as ${kind}`);
  }
  const start = from?.offset ?? 0;
  const input = from === null || from.tail === '' ? bytes : Buffer.concat([Buffer.from(from.tail, 'base64'), bytes]);
  const end = start + input.length;
  return kind === 'eventlog'
    ? readEventlogIncrement(from?.state as EventlogState | undefined, input, start, end, opts.file)
    : readHpIncrement(from?.state as HpState | undefined, input, start, end, opts.file);
}

function continuation(
  kind: GrowingKind,
  offset: number,
  input: Buffer,
  start: number,
  end: number,
  state: Continuation['state']
): Continuation {
  return { kind, offset, end, tail: input.subarray(offset - start).toString('base64'), state };
}

function readEventlogIncrement(
  state: EventlogState | undefined,
  input: Buffer,
  start: number,
  end: number,
  file: string | undefined
): Increment {
  if (state?.framer.phase === 'end' && input.length > 0) {
    throw new FormatError({
      format: 'eventlog',
      file,
      offset: start,
      message: `the eventlog ended at byte ${start} (end-of-data marker): nothing can follow it`,
    });
  }
  const decoder = state ? EventlogDecoder.resume(state, { file }) : new EventlogDecoder({ file });
  decoder.push(input);
  const result = decoder.suspend();
  if ('damaged' in result) {
    throw new FormatError({
      format: 'eventlog',
      file,
      offset: result.damaged.offset,
      message: `the bytes from here on do not read as eventlog events (${result.damaged.reason})`,
    });
  }
  const cut = result.state.framer;
  if (cut.phase === 'end' && cut.offset < end) {
    throw new FormatError({
      format: 'eventlog',
      file,
      offset: cut.offset,
      message: `${end - cut.offset} byte(s) after the end-of-data marker`,
    });
  }
  return { delta: result.delta, continuation: continuation('eventlog', cut.offset, input, start, end, result.state) };
}

function readHpIncrement(
  state: HpState | undefined,
  input: Buffer,
  start: number,
  end: number,
  file: string | undefined
): Increment {
  // Only complete lines are read; the incomplete last one waits in the tail.
  const complete = input.lastIndexOf(0x0a) + 1;
  const parser = state ? HpParser.resume(state, { file }) : new HpParser({ file });
  const text = input.toString('utf8', 0, complete);
  let lineNo = state?.lineNo ?? 0;
  let at = text.charCodeAt(0) === 0xfeff && lineNo === 0 ? 1 : 0;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const line = text.slice(at, nl);
    lineNo++;
    if (!parser.line(line.endsWith('\r') ? line.slice(0, -1) : line, lineNo)) {
      throw new UnknownFormatError(file, 'not a .hp heap profile (the first line is not JOB "…")');
    }
    at = nl + 1;
  }
  let result: ReturnType<HpParser['suspend']>;
  try {
    result = parser.suspend();
  } catch (err) {
    throw err instanceof FormatError && err.line !== undefined ? withByteOffset(err, text, start, state) : err;
  }
  if (result === null) {
    throw new UnknownFormatError(file, 'not a .hp heap profile (the first line is not JOB "…")');
  }
  return { delta: result.delta, continuation: continuation('hp', start + complete, input, start, end, result.state) };
}

/** A .hp line error with the byte offset of that line added (appends are addressed by byte offset). */
function withByteOffset(err: FormatError, text: string, start: number, state: HpState | undefined): FormatError {
  const line = err.line ?? 0;
  let at = 0;
  for (let n = (state?.lineNo ?? 0) + 1; n < line && at < text.length; n++) {
    at = text.indexOf('\n', at) + 1;
  }
  const offset = start + Buffer.byteLength(text.slice(0, at));
  const body = err.message.slice(err.message.indexOf(`at line ${line}: `) + `at line ${line}: `.length);
  return new FormatError({
    format: 'hp',
    file: err.file,
    line,
    offset,
    message: `${body} (the line starts at byte offset ${offset})`,
  });
}
