import type { ReactNode } from 'react';
import { Alert, LinkButton, LoadingPlaceholder } from '@grafana/ui';
import type { GhcprofDataSource } from '../../datasource/datasource';
import { testIds } from '../testIds';
import { useGhcprofDatasource } from '../domain/useGhcprofDatasource';

/** Renders the page once the configured ghcprof data source is loaded; explains how to set one up otherwise. */
export function DatasourceGate({ children }: { children: (datasource: GhcprofDataSource) => ReactNode }) {
  const { value, error, loading } = useGhcprofDatasource();
  if (error) {
    return (
      <Alert severity="warning" title="ghcprof data source missing" data-testid={testIds.shared.noDatasource}>
        {error.message}
        <div>
          <LinkButton href="/connections/datasources/ghcprof-profiles-datasource" variant="secondary" icon="plus">
            Add a ghcprof data source
          </LinkButton>
        </div>
      </Alert>
    );
  }
  if (loading || !value) {
    return <LoadingPlaceholder text="Loading data source..." />;
  }
  return <>{children(value)}</>;
}
