import type { DataFrame } from '@grafana/data';

/** One band of the `leaks` frame (pkg/frames/heap leakTableFrame), as the page's leak table shows it. */
export interface LeakRowView {
  /** The series' labels as the server formats them (`{pod="api-1"}`), the same on the heap timeline's fields. */
  series: string;
  band: string;
  slope: number;
  intercept: number;
  r2: number;
  integrated: number;
  stddev: number;
  max: number;
  last: number;
  steady: boolean;
  trend: number[];
}

export type LeakColumn = Exclude<keyof LeakRowView, 'trend'>;

/** Field names of the `leaks` frame, in its order (pkg/frames/heap leakTableFrame). */
export const LEAK_FIELDS = [
  'series',
  'band',
  'slope',
  'intercept',
  'r2',
  'integrated',
  'stddev',
  'max',
  'last',
  'steady',
  'trend',
] as const satisfies ReadonlyArray<keyof LeakRowView>;

/** The rows of a `leaks` frame, in the server's order (steepest slope first). */
export function leakRowsOf(frame: DataFrame | undefined): LeakRowView[] {
  if (!frame) {
    return [];
  }
  const columns = LEAK_FIELDS.map((name) => frame.fields.find((f) => f.name === name)?.values ?? []);
  const band = columns[LEAK_FIELDS.indexOf('band')];
  return band.map((_, i) => {
    const row = Object.fromEntries(LEAK_FIELDS.map((name, c) => [name, columns[c][i]])) as unknown as LeakRowView;
    return { ...row, steady: Boolean(row.steady), trend: row.trend ?? [] };
  });
}

/** The threshold the server applied (meta.custom.ghcprof.minR2). */
export function minR2Of(frame: DataFrame | undefined): number | undefined {
  return (frame?.meta?.custom?.ghcprof as { minR2?: number } | undefined)?.minR2;
}
