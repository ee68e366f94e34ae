/**
 * Reader for GHC heap profiles (`.hp`, rts/ProfHeap.c), every `-h` mode:
 *
 *   JOB "prog args +RTS rts-args"        (`"` inside is doubled; a non-profiled RTS writes only the program)
 *   DATE "Fri Nov 27 13:48 2026"         (when heap profiling started)
 *   SAMPLE_UNIT "seconds"
 *   VALUE_UNIT "bytes"
 *   BEGIN_SAMPLE 0.020824                (mutator CPU seconds, not wall-clock)
 *   (306)applyLazy/simulateLaz...\t4249504
 *   END_SAMPLE 0.020824
 *   MARK 1.5                             (optional; hp2ps draws a tick)
 *
 * Band labels are kept exactly as written. Lines are classified by their first characters and split at the last
 * TAB with charCode scans (this reader is benchmarked against hp2ps on 50 MB files).
 */
import type { HeapMode, HeapSample, ProfileData } from '../model/types';
import { parseGhcDate, splitCommandLine } from './ghc-header';
import type { FormatReader, TextReadOptions } from './reader';
import {
  excerpt,
  feedText,
  isBlank,
  lineReaders,
  ownCopy,
  parseUnsigned,
  parseUnsignedDecimal,
  settleLineErrors,
  type LineSink,
} from './text-lines';

export function readHp(text: string, opts: TextReadOptions = {}): ProfileData | null {
  return feedText(text, new HpParser(opts));
}

/** True when a file's first line is a .hp `JOB "` line. */
export function looksLikeHp(head: string): boolean {
  return /^\s*JOB\s+"/.test(head.slice(0, 4096));
}

export const hpReader: FormatReader<'hp'> = {
  kind: 'hp',
  description: 'a .hp heap profile',
  extension: 'hp',
  detect: (head) => looksLikeHp(head.text),
  ...lineReaders((opts) => new HpParser(opts)),
};

interface LineError {
  line: number;
  message: string;
}

/** Header keywords: `KEY "quoted value"`. */
const HEADER_KEYS = ['JOB', 'DATE', 'SAMPLE_UNIT', 'VALUE_UNIT'] as const;
type HeaderKey = (typeof HEADER_KEYS)[number];

/** What a .hp parser needs from earlier lines to read on (JSON-serialisable). */
export interface HpState {
  started: boolean;
  header: Partial<Record<HeaderKey, string>>;
  /** Band labels in order of first appearance. */
  bands: string[];
  /** The sample begun and not ended: its time and [label, bytes] so far. */
  open: { time: number; values: Array<[string, number]> } | null;
  openedAt: number;
  lineNo: number;
}

function emptyHpDelta(): ProfileData {
  return {
    kind: 'hp',
    program: '',
    arguments: [],
    rtsArguments: [],
    startTimeMs: null,
    endTimeMs: null,
    totals: {},
    warnings: [],
    truncated: true,
  };
}

export class HpParser implements LineSink<ProfileData | null> {
  private started = false;
  private rejected = false;
  private readonly header: Partial<Record<HeaderKey, string>> = {};
  private readonly samples: HeapSample[] = [];
  private readonly marks: number[] = [];
  /** Band labels in order of first appearance, each mapped to itself: every sample's keys share one string. */
  private readonly bands = new Map<string, string>();
  private open: HeapSample | null = null;
  private openedAt = 0;
  private readonly errors: LineError[] = [];
  private readonly warnings: string[] = [];
  private lastLineNo = 0;
  private lastLineFailed = false;

  constructor(private readonly opts: TextReadOptions = {}) {}

  line(text: string, lineNo: number): boolean {
    this.lastLineNo = lineNo;
    this.lastLineFailed = false;
    if (!this.started) {
      return this.firstLine(text, lineNo);
    }
    // Band lines are the bulk: test for them first (a TAB and no keyword).
    const tab = text.lastIndexOf('\t');
    if (tab !== -1) {
      this.bandLine(text, tab, lineNo);
      return true;
    }
    switch (text.charCodeAt(0)) {
      case 0x42 /* B */:
        if (text.startsWith('BEGIN_SAMPLE ')) {
          this.beginSample(text, lineNo);
          return true;
        }
        break;
      case 0x45 /* E */:
        if (text.startsWith('END_SAMPLE ')) {
          this.endSample(text, lineNo);
          return true;
        }
        break;
      case 0x4d /* M */:
        if (text.startsWith('MARK ')) {
          this.mark(text, lineNo);
          return true;
        }
        break;
    }
    if (isBlank(text)) {
      return true;
    }
    if (!this.headerLine(text)) {
      this.error(
        lineNo,
        this.open
          ? `expected LABEL<TAB>INTEGER or END_SAMPLE, found "${excerpt(text)}"`
          : `expected BEGIN_SAMPLE, MARK or a header line, found "${excerpt(text)}"`
      );
    }
    return true;
  }

  finish(endsWithNewline: boolean): ProfileData | null {
    if (this.rejected || !this.started) {
      return null;
    }
    const truncated = this.noteTruncation(endsWithNewline);
    settleLineErrors('hp', this.opts, this.errors, this.warnings);
    const job = this.header.JOB ?? '';
    const command = splitCommandLine(job.split(' ').filter((w) => w !== ''));
    const date = this.header.DATE;
    const startTimeMs = date === undefined ? null : parseGhcDate(date, this.opts.utcOffsetMinutes);
    if (date !== undefined && startTimeMs === null) {
      this.warnings.push(`DATE "${excerpt(date)}" is not a date GHC writes: start time unknown`);
    }
    const bands = [...this.bands.keys()];
    return {
      kind: 'hp',
      program: command.program,
      arguments: command.arguments,
      rtsArguments: command.rtsArguments,
      startTimeMs,
      // Sample times are mutator CPU seconds, so the wall-clock end of the run is not known.
      endTimeMs: null,
      totals: {},
      heap: {
        mode: guessHeapMode(job, bands),
        job,
        timeBase: 'mutator-cpu',
        sampleUnit: this.header.SAMPLE_UNIT ?? 'seconds',
        valueUnit: this.header.VALUE_UNIT ?? 'bytes',
        bands,
        samples: this.samples,
        marks: this.marks,
      },
      warnings: this.warnings,
      truncated,
    };
  }

  /**
   * Stops after the complete lines given so far (instead of `finish`): the samples that completed (the delta of
   * these lines) and what later lines need (a continuation's state). A line that does not parse throws
   * FormatError naming it (the lines are complete: unlike at the end of a cut-off file, none is excused).
   * Null when the input is not a heap profile.
   */
  suspend(): { delta: ProfileData; state: HpState } | null {
    if (this.rejected) {
      return null;
    }
    const open = this.open;
    this.open = null;
    const delta = this.started ? this.finish(true) : null;
    const state: HpState = {
      started: this.started,
      header: { ...this.header },
      bands: [...this.bands.keys()],
      open: open && { time: open.time, values: Object.entries(open.values) },
      openedAt: this.openedAt,
      lineNo: this.lastLineNo,
    };
    return { delta: delta ?? emptyHpDelta(), state };
  }

  /** A parser that reads on from a state of `suspend` (the next line is number `state.lineNo + 1`). */
  static resume(state: HpState, opts: TextReadOptions = {}): HpParser {
    const parser = new HpParser(opts);
    parser.started = state.started;
    Object.assign(parser.header, state.header);
    for (const label of state.bands) {
      parser.bands.set(label, label);
    }
    if (state.open !== null) {
      const values = Object.create(null) as Record<string, number>;
      for (const [label, bytes] of state.open.values) {
        values[parser.bands.get(label) ?? label] = bytes;
      }
      parser.open = { time: state.open.time, values };
    }
    parser.openedAt = state.openedAt;
    parser.lastLineNo = state.lineNo;
    return parser;
  }

  /** Number of the last line given. */
  get lineCount(): number {
    return this.lastLineNo;
  }

  private firstLine(text: string, lineNo: number): boolean {
    if (isBlank(text)) {
      return true;
    }
    if (!looksLikeHp(text)) {
      this.rejected = true;
      return false;
    }
    this.started = true;
    if (!this.headerLine(text)) {
      this.error(lineNo, `expected JOB "…", found "${excerpt(text)}"`);
    }
    return true;
  }

  /** `KEY "value"` with `""` for a quote inside; false when the line is not one. */
  private headerLine(text: string): boolean {
    const space = text.indexOf(' ');
    const key = (space === -1 ? text : text.slice(0, space)) as HeaderKey;
    if (!HEADER_KEYS.includes(key)) {
      return false;
    }
    const quoted = text.slice(space + 1).trim();
    if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) {
      return false;
    }
    this.header[key] = quoted.slice(1, -1).replace(/""/g, '"');
    return true;
  }

  private bandLine(text: string, tab: number, lineNo: number): void {
    const bytes = parseUnsigned(text, tab + 1);
    if (tab === 0 || Number.isNaN(bytes)) {
      this.error(lineNo, `expected LABEL<TAB>INTEGER, found "${excerpt(text)}"`);
      return;
    }
    if (this.open === null) {
      this.error(lineNo, `band line outside a sample (no BEGIN_SAMPLE before it): "${excerpt(text)}"`);
      return;
    }
    const written = text.slice(0, tab);
    let label = this.bands.get(written);
    if (label === undefined) {
      label = ownCopy(written);
      this.bands.set(label, label);
    }
    const values = this.open.values;
    const before = values[label];
    // A label twice in one census does not happen in GHC's output; adding keeps the bytes if it does.
    values[label] = before === undefined ? bytes : before + bytes;
  }

  private sampleTime(text: string, keywordLength: number, lineNo: number): number {
    const t = parseUnsignedDecimal(text.slice(keywordLength).trim());
    if (Number.isNaN(t)) {
      this.error(
        lineNo,
        `expected a time in seconds after ${text.slice(0, keywordLength - 1)}, found "${excerpt(text)}"`
      );
    }
    return t;
  }

  private beginSample(text: string, lineNo: number): void {
    const time = this.sampleTime(text, 13, lineNo);
    if (Number.isNaN(time)) {
      return;
    }
    if (this.open !== null) {
      this.error(lineNo, `BEGIN_SAMPLE while the sample opened at line ${this.openedAt} is not closed`);
    }
    this.open = { time, values: Object.create(null) as Record<string, number> };
    this.openedAt = lineNo;
  }

  private endSample(text: string, lineNo: number): void {
    const time = this.sampleTime(text, 11, lineNo);
    if (Number.isNaN(time)) {
      return;
    }
    if (this.open === null) {
      this.error(lineNo, 'END_SAMPLE without a BEGIN_SAMPLE');
      return;
    }
    if (time !== this.open.time) {
      this.error(
        lineNo,
        `END_SAMPLE ${time} closes the sample that began at ${this.open.time} (line ${this.openedAt})`
      );
    }
    this.samples.push(this.open);
    this.open = null;
  }

  private mark(text: string, lineNo: number): void {
    const time = this.sampleTime(text, 5, lineNo);
    if (!Number.isNaN(time)) {
      this.marks.push(time);
    }
  }

  /**
   * A cut-off file ends inside a line (that line then fails to parse) or inside a sample; everything complete
   * before the cut is kept and the warning says where it stopped.
   */
  private noteTruncation(endsWithNewline: boolean): boolean {
    const parts: string[] = [];
    if (!endsWithNewline && this.lastLineFailed) {
      const cut = this.errors.pop() as LineError;
      parts.push(`line ${cut.line}: the file ends inside this line (${cut.message})`);
    }
    if (this.open !== null) {
      parts.push(`the sample opened at line ${this.openedAt} (BEGIN_SAMPLE ${this.open.time}) is never closed`);
      this.open = null;
    }
    if (parts.length === 0) {
      return false;
    }
    if (parts.length === 1 && !parts[0].startsWith('line')) {
      parts[0] = `line ${this.lastLineNo}: the file ends but ${parts[0]}`;
    }
    this.warnings.push(
      `${parts.join('; ')}: the file is cut off; the ${this.samples.length} complete samples before it were read`
    );
    return true;
  }

  private error(line: number, message: string): void {
    this.lastLineFailed = true;
    this.errors.push({ line, message });
  }
}

const BIOGRAPHY_BANDS = new Set(['VOID', 'LAG', 'USE', 'INHERENT_USE', 'DRAG']);
const MODE_FLAGS: Record<string, HeapMode> = {
  '-hc': 'hc',
  '-hm': 'hm',
  '-hd': 'hd',
  '-hy': 'hy',
  '-hr': 'hr',
  '-hb': 'hb',
  '-hT': 'hT',
  '-hi': 'hi',
  '-he': 'he',
};

/**
 * The `-h` mode that made the bands. A profiled RTS records its flags in JOB (`-hc`; a longer `-hc<names>` is a
 * filter, not a breakdown); a plain `-h` means -hc when profiling and -hT otherwise. Without flags (a
 * non-profiled RTS writes only the program name) the labels decide.
 */
export function guessHeapMode(job: string, bands: string[]): HeapMode {
  const rtsAt = job.indexOf(' +RTS');
  if (rtsAt !== -1) {
    let mode: HeapMode | null = null;
    for (const word of job.slice(rtsAt + 5).split(' ')) {
      if (MODE_FLAGS[word] !== undefined) {
        mode = MODE_FLAGS[word];
      } else if (word === '-h' && mode === null) {
        mode = 'hc';
      }
    }
    if (mode !== null) {
      return mode;
    }
  }
  return modeFromLabels(bands, rtsAt !== -1);
}

function modeFromLabels(bands: string[], profiled: boolean): HeapMode {
  if (bands.length === 0) {
    return profiled ? 'unknown' : 'hT';
  }
  if (bands.every((b) => BIOGRAPHY_BANDS.has(b))) {
    return 'hb';
  }
  const withId = bands.filter((b) => /^\(\d+\)/.test(b));
  if (withId.length > 0 && bands.every((b) => b === 'MAIN' || b === 'MANY' || /^\(\d+\)/.test(b))) {
    return withId.some((b) => b.includes(',')) || bands.includes('MANY') ? 'hr' : 'hc';
  }
  if (bands.every((b) => /^(0x)?[0-9a-f]+$/.test(b))) {
    return 'hi';
  }
  return profiled ? 'unknown' : 'hT';
}
