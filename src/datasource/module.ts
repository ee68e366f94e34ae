import { DataSourcePlugin } from '@grafana/data';
import { GhcprofDataSource } from './datasource';
import { ConfigEditor } from './ui/ConfigEditor';
import { QueryEditor } from './ui/QueryEditor';
import type { GhcprofOptions, GhcprofQuery, GhcprofSecureOptions } from './types';

export const plugin = new DataSourcePlugin<GhcprofDataSource, GhcprofQuery, GhcprofOptions, GhcprofSecureOptions>(
  GhcprofDataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
