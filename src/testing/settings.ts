import type { DataSourceInstanceSettings } from '@grafana/data';
import type { GhcprofOptions } from '../datasource/types';

/** Instance settings as Grafana hands them to the data source (url = the data proxy base). */
export function instanceSettings(
  jsonData: GhcprofOptions = { url: 'http://ghcprof:4040' }
): DataSourceInstanceSettings<GhcprofOptions> {
  return {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- still a required field of the type in Grafana 12
    id: 7,
    uid: 'ghcprof-uid',
    type: 'ghcprof-profiles-datasource',
    name: 'ghcprof',
    url: '/api/datasources/proxy/uid/ghcprof-uid',
    jsonData,
    access: 'proxy',
    readOnly: false,
    meta: {
      id: 'ghcprof-profiles-datasource',
      info: { logos: { small: 'img/logo.svg', large: 'img/logo.svg' } },
    } as DataSourceInstanceSettings['meta'],
  };
}
