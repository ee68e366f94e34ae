/**
 * tasty-bench's `--csv` report (Test.Tasty.Bench: csvReporter, csvEstimate, csvEstimateWithGC, encodeCsv): the header
 * `Name,Mean (ps),2*Stdev (ps)`, plus `,Allocated,Copied,Peak Memory` when the program ran with `+RTS -T`. Values are
 * `show` of Word64: integer picoseconds, and TWICE the standard deviation. Names are tasty's dotted paths
 * (`All.group.bench`), quoted when they hold `,` `"` CR or LF.
 *
 * Bounds: tasty-bench has no confidence interval; its baseline comparison calls two means the same when they are
 * within 2σ, so the bounds here are mean ∓ 2σ (the lower one at least 0).
 */
import type { BenchData, Benchmark } from '../../model/bench';
import { type BenchReadOptions, benchFormatReader } from './common';
import { csvRecords, firstLine, numericFields } from './csv';

const BASE_HEADER = 'Name,Mean (ps),2*Stdev (ps)';
const GC_HEADER = `${BASE_HEADER},Allocated,Copied,Peak Memory`;
const PS_PER_S = 1e12;

export function looksLikeTastyBenchCsv(head: string): boolean {
  const h = firstLine(head).trim();
  return h === BASE_HEADER || h === GC_HEADER;
}

export function readTastyBenchCsv(text: string, opts: BenchReadOptions = {}): BenchData | null {
  if (!looksLikeTastyBenchCsv(text)) {
    return null;
  }
  const withGc = firstLine(text).trim() === GC_HEADER;
  const records = csvRecords(text, 'tasty-bench-csv', opts);
  const benchmarks = records.slice(1).map((r): Benchmark => {
    const [name, meanPs, twoSigmaPs, allocated, copied, peak] = numericFields(
      r,
      'tasty-bench-csv',
      opts,
      withGc ? 6 : 3
    );
    const b: Benchmark = {
      name,
      mean: meanPs / PS_PER_S,
      meanLower: Math.max(0, meanPs - twoSigmaPs) / PS_PER_S,
      meanUpper: (meanPs + twoSigmaPs) / PS_PER_S,
      stddev: twoSigmaPs / 2 / PS_PER_S,
    };
    if (withGc) {
      Object.assign(b, { allocatedBytes: allocated, copiedBytes: copied, peakMemoryBytes: peak });
    }
    return b;
  });
  return { format: 'tasty-bench-csv', tool: 'tasty-bench', benchmarks };
}

export const tastyBenchCsvReader = benchFormatReader(
  'tasty-bench-csv',
  'csv',
  looksLikeTastyBenchCsv,
  readTastyBenchCsv
);
