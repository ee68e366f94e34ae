import type { ReactNode } from 'react';
import { PluginPage } from '@grafana/runtime';
import type { GhcprofDataSource } from '../../datasource/datasource';
import { DatasourceGate } from './DatasourceGate';

/** An app page: Grafana's page chrome, a test id, and the view once the ghcprof data source is there. */
export function DatasourcePage({
  testId,
  children,
}: {
  testId: string;
  children: (datasource: GhcprofDataSource) => ReactNode;
}) {
  return (
    <PluginPage>
      <div data-testid={testId}>
        <DatasourceGate>{children}</DatasourceGate>
      </div>
    </PluginPage>
  );
}
