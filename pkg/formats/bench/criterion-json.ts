/**
 * criterion's `--json` report (Criterion.IO: `["criterion", VERSION, [Report...]]`, aeson-encoded on one line).
 * Per report: `reportName`; `reportAnalysis.anMean` and `anStdDev` (`estPoint`, with the confidence interval as
 * distances `estError.confIntLDX`/`confIntUDX` below and above it); `anOutlierVar.ovFraction`; the R² of the
 * `time` regression in `anRegress`; and `reportMeasured`, one row per sample with the columns `reportKeys` names,
 * where `allocated`, `bytesCopied`, `gcWallSeconds`, `mutatorWallSeconds` are null unless the run had `+RTS -T`.
 * Those are totals over a sample's `iters` iterations; per iteration = their sum over the sum of `iters`.
 *
 * The document is one line, so errors name a byte offset: where the broken JSON is, or where the bad report starts.
 */
import type { BenchData, Benchmark } from '../../model/bench';
import { locateJsonProblem } from '../json-locate';
import { stripBom } from '../text-lines';
import { type BenchReadOptions, benchError, benchFormatReader } from './common';

const HEAD_RE = /^\s*\[\s*"criterion"\s*,/;

export function looksLikeCriterionJson(head: string): boolean {
  return HEAD_RE.test(head);
}

type Json = Record<string, unknown>;

export function readCriterionJson(raw: string, opts: BenchReadOptions = {}): BenchData | null {
  const text = stripBom(raw);
  if (!looksLikeCriterionJson(text)) {
    return null;
  }
  const fail = (at: number, message: string): never => {
    throw benchError('criterion-json', opts, { offset: Buffer.byteLength(text.slice(0, at)) }, message);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const p = locateJsonProblem(text);
    return fail(
      p?.at ?? 0,
      `not valid JSON (expected ${p?.expected ?? 'JSON'}${p?.endsEarly ? '; the file ends early' : ''}): ${(err as Error).message}`
    );
  }
  if (!Array.isArray(doc) || doc.length !== 3 || typeof doc[1] !== 'string' || !Array.isArray(doc[2])) {
    return fail(0, 'expected ["criterion", VERSION, [Report...]]');
  }
  const starts = reportStarts(text);
  const benchmarks = (doc[2] as unknown[]).map((report, i) => {
    try {
      return readReport(report);
    } catch (err) {
      if (err instanceof ReportProblem) {
        return fail(starts[i] ?? 0, `report ${i + 1}${err.name_ ? ` ("${err.name_}")` : ''}: ${err.message}`);
      }
      throw err;
    }
  });
  return { format: 'criterion-json', tool: `criterion ${doc[1]}`, benchmarks };
}

class ReportProblem extends Error {
  constructor(
    message: string,
    readonly name_ = ''
  ) {
    super(message);
  }
}

function readReport(report: unknown): Benchmark {
  if (!isObject(report)) {
    throw new ReportProblem('expected an object');
  }
  const name = report.reportName;
  if (typeof name !== 'string') {
    throw new ReportProblem('reportName is not a string');
  }
  const at = (path: string): unknown =>
    path.split('.').reduce<unknown>((v, key) => (isObject(v) ? v[key] : undefined), report);
  const num = (path: string): number => {
    const v = at(path);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ReportProblem(`${path} is not a number`, name);
    }
    return v;
  };
  const mean = num('reportAnalysis.anMean.estPoint');
  const b: Benchmark = {
    name,
    mean,
    meanLower: mean - num('reportAnalysis.anMean.estError.confIntLDX'),
    meanUpper: mean + num('reportAnalysis.anMean.estError.confIntUDX'),
    stddev: num('reportAnalysis.anStdDev.estPoint'),
  };
  const outliers = at('reportAnalysis.anOutlierVar.ovFraction');
  if (typeof outliers === 'number') {
    b.outlierVariance = outliers;
  }
  const regressions = at('reportAnalysis.anRegress');
  const timeFit = Array.isArray(regressions)
    ? regressions.find((r) => isObject(r) && r.regResponder === 'time')
    : undefined;
  const r2 = isObject(timeFit) && isObject(timeFit.regRSquare) ? timeFit.regRSquare.estPoint : undefined;
  if (typeof r2 === 'number') {
    b.rSquare = r2;
  }
  Object.assign(b, perIteration(report, name));
  return b;
}

/** The `+RTS -T` columns of reportMeasured, per iteration (absent when criterion did not record them). */
function perIteration(report: Json, name: string): Partial<Benchmark> {
  const keys = report.reportKeys;
  const rows = report.reportMeasured;
  if (!Array.isArray(keys) || !Array.isArray(rows)) {
    return {};
  }
  const column = (key: string) => keys.indexOf(key);
  const iters = column('iters');
  const wanted: Array<[keyof Benchmark, number]> = [
    ['allocatedBytes', column('allocated')],
    ['copiedBytes', column('bytesCopied')],
    ['gcSeconds', column('gcWallSeconds')],
    ['mutatorSeconds', column('mutatorWallSeconds')],
  ];
  const out: Partial<Record<keyof Benchmark, number>> = {};
  for (const [field, col] of wanted) {
    if (iters === -1 || col === -1) {
      continue;
    }
    let total = 0;
    let count = 0;
    for (const row of rows) {
      if (!Array.isArray(row) || typeof row[iters] !== 'number') {
        throw new ReportProblem('reportMeasured rows must be arrays with a numeric iters column', name);
      }
      if (typeof row[col] === 'number') {
        total += row[col] as number;
        count += row[iters] as number;
      }
    }
    if (count > 0) {
      out[field] = total / count;
    }
  }
  return out as Partial<Benchmark>;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Character index where each report object starts (criterion writes `reportAnalysis` first; found by bracket depth). */
function reportStarts(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      // depth 1: the outer array; 2: the reports array; 3: one report object
      if (depth === 3 && c === 0x7b) starts.push(i);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return starts;
}

export const criterionJsonReader = benchFormatReader(
  'criterion-json',
  'json',
  looksLikeCriterionJson,
  readCriterionJson
);
