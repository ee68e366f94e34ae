/**
 * Independent readings of the bench fixtures for the tests: each takes the values straight from the file text by a
 * different route than the readers (JSON.parse and field paths, CSV split from the right, one regex over the text).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_DIR = 'test/fixtures/ghc/bench';
export const TASTY_DIR = 'test/fixtures/tasty-bench';
export const VERSIONS = ['v1', 'v2'] as const;
export const criterionJson = (v: string) => join(BENCH_DIR, `suite-${v}.criterion.json`);
export const criterionCsv = (v: string) => join(BENCH_DIR, `suite-${v}.criterion.csv`);
export const rtsMachine = (v: string) => join(BENCH_DIR, `suite-${v}.rts-stats.machine.txt`);
export const rtsText = (v: string) => join(BENCH_DIR, `suite-${v}.rts-stats.txt`);
export const TASTY_FILES = ['fibo-v1.csv', 'fibo-v2.csv', 'gc-stats.csv'].map((f) => join(TASTY_DIR, f));

export interface Expected {
  name: string;
  mean: number;
  meanLower: number;
  meanUpper: number;
  stddev: number;
}

/** criterion JSON: the fields by their documented paths. */
export function expectedFromCriterionJson(path: string): Array<Expected & { raw: Record<string, any> }> {
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  return doc[2].map((r: any) => {
    const m = r.reportAnalysis.anMean;
    return {
      name: r.reportName,
      mean: m.estPoint,
      meanLower: m.estPoint - m.estError.confIntLDX,
      meanUpper: m.estPoint + m.estError.confIntUDX,
      stddev: r.reportAnalysis.anStdDev.estPoint,
      raw: r,
    };
  });
}

/** CSV lines split from the right (names may hold commas; the numbers never do). */
function csvFromRight(path: string, numbers: number): Array<{ name: string; values: number[] }> {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l !== '');
  return lines.map((line) => {
    const cells = line.split(',');
    const values = cells.slice(-numbers).map(Number);
    let name = cells.slice(0, -numbers).join(',');
    if (name.startsWith('"')) name = name.slice(1, -1).replace(/""/g, '"');
    return { name, values };
  });
}

export function expectedFromCriterionCsv(path: string): Expected[] {
  return csvFromRight(path, 6).map(({ name, values: [mean, lb, ub, sd] }) => ({
    name,
    mean,
    meanLower: lb,
    meanUpper: ub,
    stddev: sd,
  }));
}

export function expectedFromTastyCsv(path: string): Array<Expected & { gc?: number[] }> {
  const withGc = readFileSync(path, 'utf8').split('\n')[0].includes('Allocated');
  return csvFromRight(path, withGc ? 5 : 2).map(({ name, values: [ps, twoSigma, ...gc] }) => ({
    name,
    mean: ps / 1e12,
    meanLower: Math.max(0, ps - twoSigma) / 1e12,
    meanUpper: (ps + twoSigma) / 1e12,
    stddev: twoSigma / 2e12,
    ...(withGc ? { gc } : {}),
  }));
}

/** Every ("key", "value") pair of a machine-readable summary. */
export function machinePairs(path: string): Map<string, number> {
  const text = readFileSync(path, 'utf8');
  return new Map([...text.matchAll(/\("([^"]+)", "([^"]+)"\)/g)].map((m) => [m[1], Number(m[2])]));
}

/** The number before a phrase of a -s summary (`1,234 bytes allocated in the heap`), commas removed. */
export function sFigure(path: string, phrase: string): number {
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(phrase);
  const before = text.slice(text.lastIndexOf('\n', at) + 1, at).trim();
  return Number(before.replace(/,/g, ''));
}

/** `MUT     time    0.821s  (  1.438s elapsed)` -> [0.821, 1.438]. */
export function sTime(path: string, what: 'MUT' | 'GC' | 'Total'): [number, number] {
  const line = readFileSync(path, 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith(`${what} `) && l.includes('time'))!;
  const nums = line.match(/[\d.]+(?=s)/g)!.map(Number);
  return [nums[0], nums[1]];
}
