/**
 * The stored-profiles table: one row per ProfileMeta, newest first, with an `id` link that opens the profile's flame
 * graph through the datasource when one is given.
 */
import type { DataFrameJSON } from '../api/dataframe';
import type { ProfileMeta } from '../api/query';
import { column, type DatasourceRef, flamegraphLinkConfig, formatLabels, frame } from './fields';

/** What a profile holds, for the `contents` column: `tree`, `heap`, `rts` joined by `+`. */
function contents(meta: ProfileMeta): string {
  return (['tree', 'heap', 'rts'] as const).filter((k) => meta.has[k]).join('+');
}

export function profilesTableFrame(
  metas: ProfileMeta[],
  opts: { refId?: string; datasource?: DatasourceRef } = {}
): DataFrameJSON {
  const rows = [...metas].sort((a, b) => b.startTime - a.startTime || a.id.localeCompare(b.id));
  const idConfig = opts.datasource ? flamegraphLinkConfig(opts.datasource, 'Open flame graph') : {};
  return frame({ name: 'profiles', refId: opts.refId, meta: { preferredVisualisationType: 'table' } }, [
    column(
      'time',
      'time',
      rows.map((m) => m.startTime)
    ),
    column(
      'end',
      'time',
      rows.map((m) => m.endTime)
    ),
    column(
      'id',
      'string',
      rows.map((m) => m.id),
      idConfig
    ),
    column(
      'kind',
      'string',
      rows.map((m) => m.kind)
    ),
    column(
      'program',
      'string',
      rows.map((m) => m.program)
    ),
    column(
      'labels',
      'string',
      rows.map((m) => formatLabels(m.labels))
    ),
    column(
      'rtsArguments',
      'string',
      rows.map((m) => m.rtsArguments.join(' '))
    ),
    column('contents', 'string', rows.map(contents)),
    column(
      'heapMode',
      'string',
      rows.map((m) => m.heapMode ?? '')
    ),
    column(
      'size',
      'number',
      rows.map((m) => m.size),
      { unit: 'bytes' }
    ),
    column(
      'warnings',
      'number',
      rows.map((m) => m.warnings.length)
    ),
    column(
      'uploader',
      'string',
      rows.map((m) => m.uploader ?? '')
    ),
    column(
      'sha256',
      'string',
      rows.map((m) => m.sha256)
    ),
  ]);
}
