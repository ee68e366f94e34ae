import { usePluginContext } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { DATASOURCE_PLUGIN_ID, type AppSettings } from '../../constants';
import type { GhcprofDataSource } from '../../datasource/datasource';
import { useAsyncResult } from './useAsyncResult';

/** The ghcprof data source the app is configured with (Settings), else the first one there is. */
export function useGhcprofDatasource() {
  const context = usePluginContext();
  const uid = (context?.meta.jsonData as AppSettings | undefined)?.datasourceUid;
  return useAsyncResult(async () => {
    const srv = getDataSourceSrv();
    const settings = uid ? srv.getInstanceSettings(uid) : srv.getList({ pluginId: DATASOURCE_PLUGIN_ID })[0];
    if (!settings) {
      throw new Error(
        'No ghcprof data source: create one under Connections > Data sources, then pick it in the app settings'
      );
    }
    return (await srv.get(settings.uid)) as GhcprofDataSource;
  }, [uid]);
}
