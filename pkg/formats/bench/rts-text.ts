/**
 * GHC's human-readable RTS summary (`+RTS -s`, rts/Stats.c), after the command line when written to a file:
 *   `   8,324,781,888 bytes allocated in the heap`, `... bytes copied during GC`, `... bytes maximum residency (N
 *   sample(s))`, `4 MiB total memory in use (...)`, the per-generation table (`Gen  0  3977 colls, ...`), then
 *   `MUT     time    0.821s  (  1.438s elapsed)` and the same for INIT, GC, EXIT, Total.
 * Numbers have thousands separators; times are CPU seconds with the wall time in parentheses.
 */
import type { BenchData, RtsSummary } from '../../model/bench';
import { stripBom } from '../text-lines';
import { type BenchReadOptions, benchError, benchFormatReader } from './common';
import { parseCommandLine } from './rts-command';

const ALLOCATED_RE = /^\s*[\d,]+ bytes allocated in the heap\s*$/;

export function looksLikeRtsText(head: string): boolean {
  const lines = stripBom(head).split('\n', 3);
  return ALLOCATED_RE.test(lines[0]) || (parseCommandLine(lines[0]) !== null && ALLOCATED_RE.test(lines[1] ?? ''));
}

/** Line shapes: a pattern whose first group(s) are the numbers, and where they go. */
const BYTES_LINES: Array<[RegExp, keyof RtsSummary, number]> = [
  [/^\s*([\d,]+) bytes allocated in the heap\s*$/, 'allocatedBytes', 1],
  [/^\s*([\d,]+) bytes copied during GC\s*$/, 'copiedBytes', 1],
  [/^\s*([\d,]+) bytes maximum residency\b/, 'maxResidencyBytes', 1],
  [/^\s*([\d,]+) MiB total memory in use\b/, 'memoryInUseBytes', 1024 * 1024],
];
const TIME_RE = /^\s*(MUT|GC|Total)\s+time\s+([\d.]+)s\s+\(\s*([\d.]+)s elapsed\)\s*$/;
const GEN_RE = /^\s*Gen\s+\d+\s+(\d+) colls,/;

export function readRtsText(raw: string, opts: BenchReadOptions = {}): BenchData | null {
  const text = stripBom(raw);
  if (!looksLikeRtsText(text)) {
    return null;
  }
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const command = parseCommandLine(lines[0]) ?? undefined;
  const rts: Partial<RtsSummary> = {};
  let gcCount = 0;
  lines.forEach((line, i) => {
    for (const [re, field, scale] of BYTES_LINES) {
      const m = re.exec(line);
      if (m) rts[field] = Number(m[1].replace(/,/g, '')) * scale;
    }
    const gen = GEN_RE.exec(line);
    if (gen) gcCount += Number(gen[1]);
    const t = TIME_RE.exec(line);
    if (t) {
      const [cpu, wall] = [Number(t[2]), Number(t[3])];
      if (t[1] === 'MUT') [rts.mutatorCpuSeconds, rts.mutatorWallSeconds] = [cpu, wall];
      else if (t[1] === 'GC') [rts.gcCpuSeconds, rts.gcWallSeconds] = [cpu, wall];
      else [rts.totalCpuSeconds, rts.totalWallSeconds] = [cpu, wall];
    } else if (/^\s*(MUT|GC|Total)\s+time\b/.test(line)) {
      throw benchError(
        'rts-text',
        opts,
        { line: i + 1 },
        `expected "time  N.NNNs  (  N.NNNs elapsed)", found "${line.trim().slice(0, 60)}"`
      );
    }
  });
  const missing = (['maxResidencyBytes', 'mutatorCpuSeconds', 'gcCpuSeconds'] as const).find(
    (f) => rts[f] === undefined
  );
  if (missing) {
    const what = {
      maxResidencyBytes: '"bytes maximum residency"',
      mutatorCpuSeconds: '"MUT time"',
      gcCpuSeconds: '"GC time"',
    };
    throw benchError('rts-text', opts, { line: lines.length }, `the summary ends without its ${what[missing]} line`);
  }
  if (gcCount > 0) rts.gcCount = gcCount;
  return {
    format: 'rts-text',
    tool: 'GHC RTS',
    benchmarks: [],
    rts: rts as RtsSummary,
    ...(command ? { command } : {}),
  };
}

export const rtsTextReader = benchFormatReader('rts-text', 'txt', looksLikeRtsText, readRtsText);
