/**
 * Reader for GHC's text cost-centre report (`+RTS -p`, and `-P` which adds exact `ticks` and `bytes` columns),
 * as written by rts/ProfilerReport.c:
 *
 *   \t<date> Time and Allocation Profiling Report  (Final)
 *   \t   prog +RTS <rts args> -RTS <args>
 *   \ttotal time  =  0.53 secs   (530 ticks @ 1000 us, 1 processor)
 *   \ttotal alloc = 1,850,865,008 bytes  (excludes profiling overheads)
 *   <flat table of the biggest cost centres>            (skipped: the tree has everything)
 *   COST CENTRE  MODULE  SRC  no.  entries  %time %alloc  %time %alloc  [ticks bytes]
 *   <tree rows; depth = leading spaces>
 *
 * Name columns are padded to the widest entry, so the header gives their start columns; numeric columns are split
 * off from the right (names may be operators, SRC may contain spaces: `<no location info>`).
 */
import type { ProfileData, ProfileTotals, TreeNode } from '../model/types';
import { FormatError } from './errors';
import { parseGhcDate, splitCommandLine, type CommandLine } from './ghc-header';
import {
  excerpt,
  feedText,
  fieldsFromRight,
  isBlank,
  leadingSpaces,
  parseUnsigned,
  parseUnsignedDecimal,
  parseWithCommas,
  lineReaders,
  ownCopy,
  settleLineErrors,
  type LineSink,
} from './text-lines';
import type { FormatReader, TextReadOptions } from './reader';

export const REPORT_TITLE = 'Time and Allocation Profiling Report';

export const profTextReader: FormatReader<'prof'> = {
  kind: 'prof',
  description: 'a .prof report',
  extension: 'prof',
  detect: (head) => head.text.trimStart().split('\n', 1)[0].includes(REPORT_TITLE),
  ...lineReaders((opts) => new ProfReportParser(opts)),
};

/** Reads a `.prof` text report; null when the text is not one (no report title on its first line). */
export function readProf(text: string, opts: TextReadOptions = {}): ProfileData | null {
  return feedText(text, new ProfReportParser(opts));
}

/** Positions of the name columns, from the tree table's header line. */
interface TreeColumns {
  moduleAt: number;
  /** -1 when the report has no SRC column (GHC < 8.0). */
  srcAt: number;
  /** 6 (`no. entries %time %alloc %time %alloc`) or 8 with `-P` (`ticks bytes`). */
  numericCount: number;
}

/** Label, module and source span of a row. */
type Names = readonly [string, string, string];

/**
 * Splits the name part of a row: by the header's column positions (exact, allows spaces in names), else by words
 * when the row does not line up with the header. Null when there are not enough words.
 */
function splitNames(text: string, indent: number, tailAt: number, cols: TreeColumns): Names | null {
  const moduleEnd = cols.srcAt === -1 ? tailAt : cols.srcAt - 1;
  const aligned =
    cols.moduleAt > indent &&
    moduleEnd <= tailAt &&
    text.charCodeAt(cols.moduleAt - 1) === 32 &&
    text.charCodeAt(cols.moduleAt) !== 32 &&
    (cols.srcAt === -1 || text.charCodeAt(cols.srcAt - 1) === 32);
  if (aligned) {
    const label = text.slice(indent, cols.moduleAt - 1).trimEnd();
    const module = text.slice(cols.moduleAt, moduleEnd).trimEnd();
    const src = cols.srcAt === -1 ? '' : text.slice(cols.srcAt, tailAt).trim();
    if (label !== '' && module !== '' && !module.includes(' ')) {
      return [label, module, src];
    }
  }
  const words = text.slice(indent, tailAt).trim().split(/ +/);
  const needed = cols.srcAt === -1 ? 2 : 3;
  if (words.length < needed || words[0] === '') {
    return null;
  }
  return [words[0], words[1], words.slice(2).join(' ')];
}

interface RowError {
  line: number;
  message: string;
}

/** One open node on the path from the root to the last row, with what is needed to check it adds up. */
interface OpenNode {
  node: TreeNode;
  lineNo: number;
  inheritedTime: number;
  inheritedAlloc: number;
  selfTime: number;
  selfAlloc: number;
  childrenTime: number;
  childrenAlloc: number;
  childCount: number;
}

type State = 'title' | 'header' | 'tables' | 'tree';

export class ProfReportParser implements LineSink<ProfileData | null> {
  private state: State = 'title';
  private rejected = false;
  private endTimeMs: number | null = null;
  private command: CommandLine | null = null;
  private readonly totals: ProfileTotals = {};
  private columns: TreeColumns | null = null;
  private root: TreeNode | null = null;
  private readonly path: OpenNode[] = [];
  private readonly errors: RowError[] = [];
  private readonly warnings: string[] = [];
  private rows = 0;
  private anyTime = false;
  private lastLineNo = 0;
  private lastLineFailed = false;
  private readonly namesByText = new Map<string, Names>();
  private readonly bounds = new Int32Array(16);
  private readonly pct = [0, 0, 0, 0];

  constructor(private readonly opts: TextReadOptions = {}) {}

  line(text: string, lineNo: number): boolean {
    this.lastLineNo = lineNo;
    this.lastLineFailed = false;
    switch (this.state) {
      case 'title':
        return this.titleLine(text, lineNo);
      case 'header':
        this.headerLine(text, lineNo);
        return true;
      case 'tables':
        this.tableHeaderLine(text);
        return true;
      case 'tree':
        this.treeLine(text, lineNo);
        return true;
    }
  }

  finish(endsWithNewline: boolean): ProfileData | null {
    if (this.rejected || this.state === 'title') {
      return null;
    }
    const truncated = this.noteTruncation(endsWithNewline);
    settleLineErrors('prof', this.opts, this.errors, this.warnings);
    this.closePath(0);
    if (this.root && !this.anyTime) {
      this.warnings.push(
        'every individual %time in the report is 0.0 (time is spread too thin for its 0.1 % resolution, or no ticks were recorded): the time flame graph is empty; profile with +RTS -P or -pj for exact ticks'
      );
    }
    const approximate = this.columns !== null && this.columns.numericCount === 6;
    if (this.root && approximate) {
      this.warnings.push(
        'self time and allocation are derived from the rounded individual %time/%alloc columns (0.1 % resolution) and the header totals: profile with +RTS -P or -pj for exact ticks and bytes'
      );
    }
    const timeSeconds = this.totals.timeSeconds;
    return {
      kind: 'prof',
      program: this.command?.program ?? '',
      arguments: this.command?.arguments ?? [],
      rtsArguments: this.command?.rtsArguments ?? [],
      // The title's date is when the report was written, i.e. the end of the run (minute precision); the start is
      // estimated as end - total time.
      endTimeMs: this.endTimeMs,
      startTimeMs:
        this.endTimeMs !== null && timeSeconds !== undefined ? this.endTimeMs - Math.round(timeSeconds * 1000) : null,
      totals: this.totals,
      tree: this.root
        ? { root: this.root, tickIntervalUs: this.totals.tickIntervalUs ?? 1000, approximate }
        : undefined,
      warnings: this.warnings,
      truncated,
    };
  }

  private titleLine(text: string, lineNo: number): boolean {
    if (isBlank(text)) {
      return true;
    }
    const at = text.indexOf(REPORT_TITLE);
    if (at === -1) {
      this.rejected = true;
      return false;
    }
    this.endTimeMs = parseGhcDate(text.slice(0, at), this.opts.utcOffsetMinutes);
    if (this.endTimeMs === null) {
      this.warnings.push(`line ${lineNo}: no date before "${REPORT_TITLE}": start and end time unknown`);
    }
    this.state = 'header';
    return true;
  }

  private headerLine(text: string, lineNo: number): void {
    const t = text.trim();
    if (t === '') {
      return;
    }
    if (t.startsWith('total time')) {
      this.parseTotalTime(t, lineNo);
    } else if (t.startsWith('total alloc')) {
      this.parseTotalAlloc(t, lineNo);
    } else if (t.startsWith('COST CENTRE')) {
      this.state = 'tables';
      this.tableHeaderLine(text);
    } else if (this.command === null) {
      this.command = splitCommandLine(t.split(/\s+/));
    } else {
      this.error(
        lineNo,
        `unexpected header line "${excerpt(t)}" (expected "total time", "total alloc" or "COST CENTRE")`
      );
    }
  }

  private parseTotalTime(t: string, lineNo: number): void {
    const m = /^total time\s*=\s*(\d+(?:\.\d+)?) secs\s*\((\d+) ticks @ (\d+) us, (\d+) processors?\)/.exec(t);
    if (!m) {
      this.error(lineNo, `expected "total time = S secs (T ticks @ I us, P processor)", found "${excerpt(t)}"`);
      return;
    }
    this.totals.timeSeconds = Number(m[1]);
    this.totals.ticks = Number(m[2]);
    this.totals.tickIntervalUs = Number(m[3]);
    this.totals.processors = Number(m[4]);
  }

  private parseTotalAlloc(t: string, lineNo: number): void {
    const m = /^total alloc\s*=\s*([\d,]+) bytes/.exec(t);
    const bytes = m ? parseWithCommas(m[1]) : NaN;
    if (Number.isNaN(bytes)) {
      this.error(lineNo, `expected "total alloc = N bytes", found "${excerpt(t)}"`);
      return;
    }
    this.totals.allocBytes = bytes;
  }

  /** In the tables section: skips the flat table until the tree's header (the one with `no.` and `entries`). */
  private tableHeaderLine(text: string): void {
    const t = text.trimStart();
    if (!t.startsWith('COST CENTRE')) {
      return;
    }
    const words = t.split(/\s+/);
    if (!words.includes('no.') || !words.includes('entries')) {
      return;
    }
    const moduleAt = text.indexOf(' MODULE ') + 1;
    const srcMatch = text.indexOf(' SRC ', moduleAt);
    this.columns = {
      moduleAt,
      srcAt: srcMatch === -1 ? -1 : srcMatch + 1,
      numericCount: words.includes('ticks') && words.includes('bytes') ? 8 : 6,
    };
    this.state = 'tree';
  }

  private treeLine(text: string, lineNo: number): void {
    const indent = leadingSpaces(text);
    if (indent === text.length) {
      return; // blank
    }
    const cols = this.columns as TreeColumns;
    const b = this.bounds;
    const tailAt = fieldsFromRight(text, cols.numericCount, b);
    const names = tailAt > indent ? this.names(text, indent, tailAt, cols) : null;
    if (names === null) {
      this.error(
        lineNo,
        `expected a tree row (COST CENTRE, MODULE, SRC, then ${cols.numericCount} numeric columns), found "${excerpt(text)}"`
      );
      return;
    }
    const pct = this.pct;
    const ccsId = parseUnsigned(text, b[0], b[1]);
    const entries = parseUnsigned(text, b[2], b[3]);
    let bad = Number.isNaN(ccsId) || Number.isNaN(entries);
    for (let k = 0; k < 4; k++) {
      pct[k] = parseUnsignedDecimal(text, b[4 + 2 * k], b[5 + 2 * k]);
      bad ||= Number.isNaN(pct[k]);
    }
    const exact = cols.numericCount === 8;
    const ticks = exact ? parseUnsigned(text, b[12], b[13]) : ((this.totals.ticks ?? 0) * pct[0]) / 100;
    const alloc = exact
      ? parseUnsigned(text, b[14], b[15])
      : Math.round(((this.totals.allocBytes ?? 0) * pct[1]) / 100);
    if (bad || Number.isNaN(ticks) || Number.isNaN(alloc)) {
      this.error(lineNo, this.describeBadNumber(text, cols));
      return;
    }
    const node: TreeNode = {
      label: names[0],
      module: names[1],
      src: names[2],
      ccId: -1,
      ccsId,
      entries,
      ticks,
      alloc,
      children: [],
    };
    if (pct[0] > 0 || ticks > 0) {
      this.anyTime = true;
    }
    this.attach(node, indent, lineNo, pct);
  }

  /** Names which numeric column of a row failed to parse (only on the error path, so it may be slow). */
  private describeBadNumber(text: string, cols: TreeColumns): string {
    const b = this.bounds;
    const columns = [
      'no.',
      'entries',
      'individual %time',
      'individual %alloc',
      'inherited %time',
      'inherited %alloc',
      'ticks',
      'bytes',
    ];
    for (let k = 0; k < cols.numericCount; k++) {
      const isPct = k >= 2 && k < 6;
      const v = isPct
        ? parseUnsignedDecimal(text, b[2 * k], b[2 * k + 1])
        : parseUnsigned(text, b[2 * k], b[2 * k + 1]);
      if (Number.isNaN(v)) {
        const found = text.slice(b[2 * k], b[2 * k + 1]);
        return `expected ${isPct ? 'a percentage' : 'an integer'} in column "${columns[k]}", found "${excerpt(found)}"`;
      }
    }
    return 'unreadable numbers';
  }

  /**
   * COST CENTRE / MODULE / SRC from the part of the row before the numbers. The same cost centre fills thousands
   * of rows, so the split is cached by that text (which also keeps one copy of each name instead of one per row).
   */
  private names(text: string, indent: number, tailAt: number, cols: TreeColumns): Names | null {
    const key = text.slice(indent, tailAt);
    let names = this.namesByText.get(key);
    if (names === undefined) {
      const split = splitNames(text, indent, tailAt, cols);
      if (split === null) {
        return null;
      }
      // Kept for the whole read: copies, not slices of the line, whose chunk of the file a slice would keep alive.
      names = [ownCopy(split[0]), ownCopy(split[1]), ownCopy(split[2])];
      this.namesByText.set(ownCopy(key), names);
    }
    return names;
  }

  private attach(node: TreeNode, depth: number, lineNo: number, pct: readonly number[]): void {
    if (depth === 0) {
      if (this.root !== null) {
        this.error(lineNo, `a second root row (no indentation) after the root at line ${this.path[0]?.lineNo ?? '?'}`);
        return;
      }
      this.root = node;
    } else if (this.root === null) {
      this.error(lineNo, `expected the root row (MAIN, not indented) before indented rows`);
      return;
    } else if (depth > this.path.length) {
      this.error(
        lineNo,
        `row indented ${depth} spaces under a row indented ${this.path.length - 1} (one space per level expected)`
      );
      if (!this.opts.lenient) {
        return;
      }
      depth = this.path.length; // lenient: hang it under the deepest open row
    }
    this.closePath(depth);
    if (depth > 0) {
      const parent = this.path[depth - 1];
      parent.node.children.push(node);
      parent.childCount++;
    }
    this.rows++;
    this.path.push({
      node,
      lineNo,
      selfTime: pct[0],
      selfAlloc: pct[1],
      inheritedTime: pct[2],
      inheritedAlloc: pct[3],
      childrenTime: 0,
      childrenAlloc: 0,
      childCount: 0,
    });
  }

  /** Pops open rows deeper than `depth`, adding their inherited percentages to their parents'. */
  private closePath(depth: number): void {
    while (this.path.length > depth) {
      const done = this.path.pop() as OpenNode;
      const parent = this.path[this.path.length - 1];
      if (parent) {
        parent.childrenTime += done.inheritedTime;
        parent.childrenAlloc += done.inheritedAlloc;
      }
    }
  }

  /**
   * Decides whether the report was cut off: it ends inside a row (no final newline and the last line did not
   * parse), before the tree, or exactly at a row boundary, which shows as an open row whose inherited % exceeds
   * its own % plus its children's by more than rounding allows (each printed % is within 0.05 of the truth).
   */
  private noteTruncation(endsWithNewline: boolean): boolean {
    if (!endsWithNewline && this.lastLineFailed) {
      const cut = this.errors.pop() as RowError;
      this.warnings.push(
        `line ${cut.line}: the file ends inside this line (${cut.message}): the report is cut off; the ${this.rows} tree rows before it were read`
      );
      return true;
    }
    if (this.state !== 'tree' || this.root === null) {
      this.warnings.push(
        `line ${this.lastLineNo}: the file ends before the cost-centre tree (the report is cut off or not a complete -p report)`
      );
      return true;
    }
    for (let i = this.path.length - 1; i >= 0; i--) {
      const open = this.path[i];
      const slack = 0.05 * (open.childCount + 2) + 1e-9;
      const missingTime = open.inheritedTime - open.selfTime - open.childrenTime;
      const missingAlloc = open.inheritedAlloc - open.selfAlloc - open.childrenAlloc;
      if (missingTime > slack || missingAlloc > slack) {
        this.warnings.push(
          `line ${this.lastLineNo}: the report ends while the row at line ${open.lineNo} (${open.node.label}) is missing ` +
            `${Math.max(missingTime, missingAlloc).toFixed(1)} % of its inherited cost: the report is cut off after line ${this.lastLineNo}`
        );
        return true;
      }
      this.closePath(i);
    }
    return false;
  }

  private error(line: number, message: string): void {
    this.lastLineFailed = true;
    this.errors.push({ line, message });
  }
}
