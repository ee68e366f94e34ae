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

/** The censuses of a `.hp` file: sample times (s) and each band's bytes, only samples holding at least one band. */
function heapCensuses(file: string): { times: number[]; bands: Map<string, number[]> } {
  const censuses: Array<{ time: number; values: Map<string, number> }> = [];
  let open: { time: number; values: Map<string, number> } | undefined;
  for (const line of readFileSync(join(FIXTURES, file), 'utf8').split('\n')) {
    const begin = /^BEGIN_SAMPLE (\S+)$/.exec(line);
    const band = /^(.+)\t(\d+)$/.exec(line);
    if (begin) {
      open = { time: Number(begin[1]), values: new Map() };
    } else if (line.startsWith('END_SAMPLE') && open) {
      if (open.values.size > 0) {
        censuses.push(open);
      }
      open = undefined;
    } else if (band && open) {
      open.values.set(band[1], Number(band[2]));
    }
  }
  const names = new Set(censuses.flatMap((c) => [...c.values.keys()]));
  const bands = new Map([...names].map((name) => [name, censuses.map((c) => c.values.get(name) ?? 0)]));
  return { times: censuses.map((c) => c.time), bands };
}

/**
 * The band of a `.hp` file whose bytes grow fastest (ordinary least squares over the censuses, absent = 0), with
 * its slope (bytes/s) and R² computed here as 1 - SS_res/SS_tot, independently of ghcprof's model.
 */
export function steepestHeapBand(file: string): { band: string; slope: number; r2: number } {
  const { times, bands } = heapCensuses(file);
  const n = times.length;
  const meanT = times.reduce((a, b) => a + b, 0) / n;
  let best = { band: '', slope: -Infinity, r2: 0 };
  for (const [band, values] of bands) {
    const meanV = values.reduce((a, b) => a + b, 0) / n;
    const slope =
      times.reduce((s, t, i) => s + (t - meanT) * (values[i] - meanV), 0) /
      times.reduce((s, t) => s + (t - meanT) ** 2, 0);
    const intercept = meanV - slope * meanT;
    const ssRes = values.reduce((s, v, i) => s + (v - (intercept + slope * times[i])) ** 2, 0);
    const ssTot = values.reduce((s, v) => s + (v - meanV) ** 2, 0);
    if (slope > best.slope) {
      best = { band, slope, r2: ssTot === 0 ? 0 : 1 - ssRes / ssTot };
    }
  }
  return best;
}
