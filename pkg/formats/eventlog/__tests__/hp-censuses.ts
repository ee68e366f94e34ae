import { readFileSync } from 'node:fs';

/** The censuses of a `.hp` file: BEGIN_SAMPLE t, `LABEL<TAB>bytes` lines, END_SAMPLE t (a test's own small parser). */
export interface HpCensus {
  time: number;
  bands: Map<string, number>;
}

export function readHpCensuses(path: string): HpCensus[] {
  const censuses: HpCensus[] = [];
  let current: HpCensus | null = null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('BEGIN_SAMPLE ')) {
      current = { time: Number(line.slice(13)), bands: new Map() };
    } else if (line.startsWith('END_SAMPLE ')) {
      if (current) {
        censuses.push(current);
      }
      current = null;
    } else if (current && line.includes('\t')) {
      const tab = line.lastIndexOf('\t');
      current.bands.set(line.slice(0, tab), Number(line.slice(tab + 1)));
    }
  }
  return censuses;
}

export function total(values: Iterable<number>): number {
  let sum = 0;
  for (const v of values) {
    sum += v;
  }
  return sum;
}
