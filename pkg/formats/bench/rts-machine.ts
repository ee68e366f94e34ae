/**
 * GHC's machine-readable RTS summary (`+RTS -t --machine-readable`, rts/Stats.c): a Haskell `[(String, String)]`
 * list, one pair per line (` [("bytes allocated", "8324781888")`, ` ,("num_GCs", "8634")`, ` ]`), after the command
 * line when written to a file. Values are decimal strings: bytes, counts, seconds.
 */
import type { BenchData, RtsSummary } from '../../model/bench';
import { stripBom } from '../text-lines';
import { type BenchReadOptions, benchError, parseNonNegative, benchFormatReader } from './common';
import { parseCommandLine } from './rts-command';

const PAIR_RE = /^\s*[[,]?\s*\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"\s*\)\s*$/;
const FIRST_PAIR_RE = /^\s*\[\s*\(\s*"bytes allocated"\s*,/m;

export function looksLikeRtsMachine(head: string): boolean {
  const lines = stripBom(head).split('\n', 3);
  return FIRST_PAIR_RE.test(lines[0]) || (parseCommandLine(lines[0]) !== null && FIRST_PAIR_RE.test(lines[1] ?? ''));
}

/** The keys GHC ≥ 8.2 writes that the summary needs, by field. */
const REQUIRED: Array<[keyof RtsSummary, string]> = [
  ['allocatedBytes', 'bytes allocated'],
  ['maxResidencyBytes', 'max_bytes_used'],
  ['mutatorCpuSeconds', 'mut_cpu_seconds'],
  ['mutatorWallSeconds', 'mut_wall_seconds'],
  ['gcCpuSeconds', 'GC_cpu_seconds'],
  ['gcWallSeconds', 'GC_wall_seconds'],
];
const OPTIONAL: Array<[keyof RtsSummary, string]> = [
  ['copiedBytes', 'copied_bytes'],
  ['memoryInUseBytes', 'max_mem_in_use_bytes'],
  ['gcCount', 'num_GCs'],
  ['totalCpuSeconds', 'total_cpu_seconds'],
  ['totalWallSeconds', 'total_wall_seconds'],
];

export function readRtsMachine(raw: string, opts: BenchReadOptions = {}): BenchData | null {
  const text = stripBom(raw);
  if (!looksLikeRtsMachine(text)) {
    return null;
  }
  const lines = text.split('\n');
  const command = parseCommandLine(lines[0]) ?? undefined;
  const values = new Map<string, number>();
  let closed = false;
  for (let i = command ? 1 : 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (closed) {
      throw benchError('rts-machine', opts, { line: i + 1 }, `text after the closing "]": "${line.slice(0, 60)}"`);
    }
    if (line.trim() === ']') {
      closed = true;
      continue;
    }
    const m = PAIR_RE.exec(line);
    if (!m) {
      throw benchError(
        'rts-machine',
        opts,
        { line: i + 1 },
        `expected a ("key", "value") pair, found "${line.slice(0, 60)}"`
      );
    }
    const v = parseNonNegative(m[2]);
    if (v !== null) {
      values.set(m[1], v); // a few values are not numbers in other GHC versions; none the summary needs
    }
  }
  if (!closed) {
    throw benchError('rts-machine', opts, { line: lines.length }, 'the list ends early (no closing "]")');
  }
  const rts = {} as RtsSummary;
  for (const [field, key] of REQUIRED) {
    const v = values.get(key);
    if (v === undefined) {
      throw benchError('rts-machine', opts, { line: lines.length }, `no numeric "${key}" in the summary`);
    }
    rts[field] = v;
  }
  for (const [field, key] of OPTIONAL) {
    const v = values.get(key);
    if (v !== undefined) rts[field] = v;
  }
  return { format: 'rts-machine', tool: 'GHC RTS', benchmarks: [], rts, ...(command ? { command } : {}) };
}

export const rtsMachineReader = benchFormatReader('rts-machine', 'txt', looksLikeRtsMachine, readRtsMachine);
