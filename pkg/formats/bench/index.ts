/**
 * The benchmark-result formats, in detection order (each check is one cheap test of the first line or two).
 * `readBench` is what the format registry (pkg/formats/index.ts) calls for the kind `bench`.
 */
import type { BenchData } from '../../model/bench';
import type { BenchReadOptions } from './common';
import { looksLikeCriterionCsv, readCriterionCsv } from './criterion-csv';
import { looksLikeCriterionJson, readCriterionJson } from './criterion-json';
import { looksLikeRtsMachine, readRtsMachine } from './rts-machine';
import { looksLikeRtsText, readRtsText } from './rts-text';
import { looksLikeTastyBenchCsv, readTastyBenchCsv } from './tasty-bench-csv';

export type { BenchReadOptions } from './common';

interface BenchFormatReader {
  looksLike(head: string): boolean;
  read(text: string, opts: BenchReadOptions): BenchData | null;
}

export const BENCH_FORMATS: readonly BenchFormatReader[] = [
  { looksLike: looksLikeCriterionJson, read: readCriterionJson },
  { looksLike: looksLikeCriterionCsv, read: readCriterionCsv },
  { looksLike: looksLikeTastyBenchCsv, read: readTastyBenchCsv },
  { looksLike: looksLikeRtsMachine, read: readRtsMachine },
  { looksLike: looksLikeRtsText, read: readRtsText },
];

export function looksLikeBench(head: string): boolean {
  return BENCH_FORMATS.some((f) => f.looksLike(head));
}

/** Reads any benchmark format; null when the text is none of them. */
export function readBench(text: string, opts: BenchReadOptions = {}): BenchData | null {
  const format = BENCH_FORMATS.find((f) => f.looksLike(text));
  return format ? format.read(text, opts) : null;
}
