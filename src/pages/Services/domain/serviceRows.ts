import type { DataFrame } from '@grafana/data';

/** One row of the `services` frame (pkg/frames/services.ts). Leak cells are undefined without heap profiles. */
export interface ServiceRow {
  service: string;
  profiles: number;
  pods: number;
  newestId: string;
  newestKind: string;
  newestTime: number;
  leakSeries?: string;
  leakBand?: string;
  leakSlope?: number;
  leakR2?: number;
  leakSteady?: boolean;
}

export type ServiceColumn = keyof ServiceRow;

/** Field names of the `services` frame, in its order. */
export const SERVICE_FIELDS = [
  'service',
  'profiles',
  'pods',
  'newestId',
  'newestKind',
  'newestTime',
  'leakSeries',
  'leakBand',
  'leakSlope',
  'leakR2',
  'leakSteady',
] as const satisfies readonly ServiceColumn[];

/** The rows of a `services` frame in the server's order (steepest leak first); nulls become undefined. */
export function serviceRowsOf(frame: DataFrame | undefined): ServiceRow[] {
  if (!frame) {
    return [];
  }
  const columns = SERVICE_FIELDS.map((name) => frame.fields.find((f) => f.name === name)?.values ?? []);
  return (columns[0] as string[]).map(
    (_, i) =>
      Object.fromEntries(
        SERVICE_FIELDS.flatMap((name, c) =>
          columns[c][i] === null || columns[c][i] === undefined ? [] : [[name, columns[c][i]]]
        )
      ) as unknown as ServiceRow
  );
}

/** Rows whose service name contains `text` (case-insensitive): the table's quick filter beside the label selector. */
export function filterServices(rows: ServiceRow[], text: string): ServiceRow[] {
  const needle = text.trim().toLowerCase();
  return needle === '' ? rows : rows.filter((row) => row.service.toLowerCase().includes(needle));
}
