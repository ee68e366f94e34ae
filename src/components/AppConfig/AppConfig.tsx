import { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, LinkButton, Stack } from '@grafana/ui';
import { DATASOURCE_PLUGIN_ID, type AppSettings } from '../../constants';
import { testIds } from '../../shared/testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

/** Settings: which ghcprof data source instance the app's pages query (one per team/tenant is common). */
export function AppConfig({ plugin }: AppConfigProps) {
  const { enabled, pinned, jsonData } = plugin.meta;
  const [datasourceUid, setDatasourceUid] = useState(jsonData?.datasourceUid);
  const [error, setError] = useState<string>();

  const save = async () => {
    try {
      await lastValueFrom(
        getBackendSrv().fetch({
          url: `/api/plugins/${plugin.meta.id}/settings`,
          method: 'POST',
          data: { enabled, pinned, jsonData: { ...jsonData, datasourceUid } },
        })
      );
      // Grafana has no supported way to push new settings into a loaded app plugin: reload.
      window.location.reload();
    } catch (failure) {
      setError((failure as { data?: { message?: string } }).data?.message ?? String(failure));
    }
  };

  return (
    <FieldSet label="Data source">
      <Field
        label="ghcprof data source"
        description="The pages (Profiles, Profile, Compare) query this instance; empty: the first one"
      >
        <div data-testid={testIds.appConfig.datasource}>
          <DataSourcePicker
            pluginId={DATASOURCE_PLUGIN_ID}
            current={datasourceUid}
            noDefault
            width={40}
            onChange={(settings) => setDatasourceUid(settings.uid)}
          />
        </div>
      </Field>
      <Stack direction="row" gap={1}>
        <Button data-testid={testIds.appConfig.submit} onClick={save}>
          Save settings
        </Button>
        <LinkButton
          data-testid={testIds.appConfig.createLink}
          variant="secondary"
          icon="plus"
          href={`/connections/datasources/${DATASOURCE_PLUGIN_ID}`}
        >
          Create a ghcprof data source
        </LinkButton>
      </Stack>
      {error && (
        <Alert severity="error" title="Saving the settings failed">
          {error}
        </Alert>
      )}
    </FieldSet>
  );
}
