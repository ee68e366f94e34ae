/**
 * The services overview table: one row per service, steepest leak first (services without heap data last, by name).
 * Columns: `service`, `profiles`, `pods`, `newestId`, `newestKind`, `newestTime`, and the leak indicator
 * `leakSeries` (labels of the heap series), `leakBand`, `leakSlope` (bytes/s), `leakR2`, `leakSteady` (slope > 0
 * and R² >= minR2); the leak cells are null for a service without heap profiles.
 */
import { type DataFrameJSON, type FrameMetaJSON, formatLabels } from '../api/dataframe';
import type { ProfileMeta } from '../api/query';
import { growsSteadily, type LeakRow } from '../model/heap';
import { column, frame } from './fields';

/** The steepest band of a service's heap series. */
export interface LeakIndicator {
  labels: Record<string, string>;
  row: LeakRow;
}

export interface ServiceSummary {
  service: string;
  profiles: number;
  pods: number;
  newest: ProfileMeta;
  leak?: LeakIndicator;
}

export interface ServicesFrameOptions {
  refId?: string;
  minR2: number;
  splitBy: string;
  notices?: FrameMetaJSON['notices'];
}

export function servicesFrame(summaries: ServiceSummary[], opts: ServicesFrameOptions): DataFrameJSON {
  const rows = [...summaries].sort(
    (a, b) => (b.leak?.row.slope ?? -Infinity) - (a.leak?.row.slope ?? -Infinity) || a.service.localeCompare(b.service)
  );
  const leak = <T>(get: (l: LeakIndicator) => T) => rows.map((r) => (r.leak ? get(r.leak) : null));
  const meta: FrameMetaJSON = {
    preferredVisualisationType: 'table',
    custom: { ghcprof: { minR2: opts.minR2, splitBy: opts.splitBy, services: rows.length } },
    ...(opts.notices && opts.notices.length > 0 ? { notices: opts.notices } : {}),
  };
  return frame({ name: 'services', refId: opts.refId, meta }, [
    column(
      'service',
      'string',
      rows.map((r) => r.service)
    ),
    column(
      'profiles',
      'number',
      rows.map((r) => r.profiles)
    ),
    column(
      'pods',
      'number',
      rows.map((r) => r.pods),
      { displayName: `${opts.splitBy}s` }
    ),
    column(
      'newestId',
      'string',
      rows.map((r) => r.newest.id)
    ),
    column(
      'newestKind',
      'string',
      rows.map((r) => r.newest.kind)
    ),
    column(
      'newestTime',
      'time',
      rows.map((r) => r.newest.startTime)
    ),
    column(
      'leakSeries',
      'string',
      leak((l) => formatLabels(l.labels))
    ),
    column(
      'leakBand',
      'string',
      leak((l) => l.row.band)
    ),
    column(
      'leakSlope',
      'number',
      leak((l) => l.row.slope),
      { unit: 'Bps' }
    ),
    column(
      'leakR2',
      'number',
      leak((l) => l.row.r2),
      { displayName: 'R²', decimals: 3 }
    ),
    column(
      'leakSteady',
      'boolean',
      leak((l) => growsSteadily(l.row, opts.minR2))
    ),
  ]);
}
