/**
 * Facts about GHC `.hp` fixtures computed here, independently of ghcprof's readers and model, for tests to compare
 * ghcprof's answers with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '..', 'fixtures', 'ghc');

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
