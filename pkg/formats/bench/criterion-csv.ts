/**
 * criterion's `--csv` summary (Criterion.IO.Printf / Criterion.Main): the header
 * `Name,Mean,MeanLB,MeanUB,Stddev,StddevLB,StddevUB`, then one line per benchmark, every value in seconds. MeanLB and
 * MeanUB are the bounds of the mean's bootstrap confidence interval (the JSON report's estPoint ∓ confIntLDX/UDX).
 */
import type { BenchData, Benchmark } from '../../model/bench';
import { type BenchReadOptions, benchFormatReader } from './common';
import { csvRecords, firstLine, numericFields } from './csv';

export const CRITERION_CSV_HEADER = 'Name,Mean,MeanLB,MeanUB,Stddev,StddevLB,StddevUB';

export function looksLikeCriterionCsv(head: string): boolean {
  return firstLine(head).trim() === CRITERION_CSV_HEADER;
}

export function readCriterionCsv(text: string, opts: BenchReadOptions = {}): BenchData | null {
  if (!looksLikeCriterionCsv(text)) {
    return null;
  }
  const records = csvRecords(text, 'criterion-csv', opts);
  const benchmarks: Benchmark[] = records.slice(1).map((r) => {
    const [name, mean, meanLower, meanUpper, stddev] = numericFields(r, 'criterion-csv', opts, 7);
    return { name, mean, meanLower, meanUpper, stddev };
  });
  return { format: 'criterion-csv', tool: 'criterion', benchmarks };
}

export const criterionCsvReader = benchFormatReader('criterion-csv', 'csv', looksLikeCriterionCsv, readCriterionCsv);
