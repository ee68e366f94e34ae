import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'ghc');

/**
 * The `.prof` report's flat table (`COST CENTRE MODULE SRC %time %alloc`, biggest first) as `Module.label` names,
 * the way ghcprof labels flame-graph nodes.
 */
export function topCostCentres(file: string): string[] {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
  const header = lines.findIndex((line) => /^COST CENTRE\s+MODULE\s+SRC\s+%time\s+%alloc\s*$/.test(line));
  if (header < 0) {
    throw new Error(`${file}: no flat cost-centre table`);
  }
  const rows = [];
  for (const line of lines.slice(header + 2)) {
    if (line.trim() === '') {
      break;
    }
    const [label, module] = line.trim().split(/\s+/);
    rows.push(`${module}.${label}`);
  }
  return rows;
}

/** Bands of a `.hp` file ranked by bytes summed over all samples (what "top N bands" keeps). */
export function biggestHeapBands(file: string, count: number): string[] {
  const totals = new Map<string, number>();
  for (const line of readFileSync(join(FIXTURES, file), 'utf8').split('\n')) {
    const match = /^(.+)\t(\d+)$/.exec(line);
    if (match) {
      totals.set(match[1], (totals.get(match[1]) ?? 0) + Number(match[2]));
    }
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([band]) => band);
}

export { steepestHeapBand } from '../../support/hpFacts';
