import { FieldType, createDataFrame, type DataFrame } from '@grafana/data';
import type { ProfileMeta } from '../../../pkg/api/query';
import { APP_PROFILE_PAGE } from './mapResponse';

/**
 * The `profiles` query type: GET /api/v1/profiles as a table, one row per stored profile and one column per
 * label, the id linking to the app's Profile page. A re-shaping of the server's list, nothing computed.
 */
export function profilesFrame(profiles: ProfileMeta[], refId: string): DataFrame {
  const labelNames = [...new Set(profiles.flatMap((profile) => Object.keys(profile.labels)))].sort();
  return createDataFrame({
    refId,
    name: 'profiles',
    meta: { preferredVisualisationType: 'table' },
    fields: [
      { name: 'time', type: FieldType.time, values: profiles.map((p) => p.startTime) },
      {
        name: 'id',
        type: FieldType.string,
        values: profiles.map((p) => p.id),
        config: { links: [{ title: 'Open profile', url: `${APP_PROFILE_PAGE}?id=\${__value.raw}` }] },
      },
      { name: 'kind', type: FieldType.string, values: profiles.map((p) => p.kind) },
      ...labelNames.map((name) => ({ name, type: FieldType.string, values: profiles.map((p) => p.labels[name] ?? '') })),
      { name: 'program', type: FieldType.string, values: profiles.map((p) => p.program) },
      { name: 'heap mode', type: FieldType.string, values: profiles.map((p) => p.heapMode ?? '') },
      { name: 'size', type: FieldType.number, values: profiles.map((p) => p.size), config: { unit: 'bytes' } },
    ],
  });
}
