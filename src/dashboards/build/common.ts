import type { DashboardLink, DataSourceRef, Panel, VariableModel } from '@grafana/schema';
import type { GhcprofQuery, GhcprofVariableQuery } from '../../datasource/types';

export const GHCPROF_DS: DataSourceRef = { type: 'ghcprof-profiles-datasource', uid: '${ghcprof}' };
export const PROMETHEUS_DS: DataSourceRef = { type: 'prometheus', uid: '${prometheus}' };
export const DRILLDOWN_UID = 'ghcprof-drilldown';
export const RTS_OVERVIEW_UID = 'ghcprof-rts-overview';
export const BENCHMARKS_UID = 'ghcprof-benchmarks';
export const SCHEMA_VERSION = 41;

/**
 * Time range and the service/pod variables: every link out of a dashboard carries them, so an alert's drill-down
 * lands on the same window and process. `queryparam` expands to `var-service=a&var-service=b` (multi-value safe).
 */
export const KEEP_CONTEXT = 'from=${__from}&to=${__to}&${service:queryparam}&${pod:queryparam}';

export function datasourceVariable(name: string, pluginId: string, label: string): VariableModel {
  return { name, label, type: 'datasource', query: pluginId, refresh: 1, hide: 0, skipUrlSync: false } as VariableModel;
}

/** 24 columns wide grid, panels placed row by row. */
export function grid(panels: Array<Omit<Panel, 'gridPos' | 'id'> & { w: number; h: number }>): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map(({ w, h, ...panel }, index) => {
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { ...panel, id: index + 1, gridPos: { x, y, w, h } } as Panel;
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return placed;
  });
}

/** A panel link (Grafana stores only title and url for these, though the schema types them as dashboard links). */
export function panelLink(title: string, url: string): DashboardLink {
  return { title, url, targetBlank: false } as DashboardLink;
}

/** How Grafana's variable list describes each kind of variable query. */
const VARIABLE_DEFINITIONS: Record<GhcprofVariableQuery['kind'], (q: GhcprofVariableQuery) => string> = {
  labelValues: (q) => `${q.label} values ${q.selector ?? '{}'}`,
  labelNames: () => 'label names',
  benchmarkNames: (q) => `benchmark names ${q.selector ?? '{}'}`,
};

/** A query variable over the ghcprof data source (label names, one label's values, benchmark names). */
export function ghcprofVariable(name: string, query: GhcprofVariableQuery, multi: boolean): VariableModel {
  return {
    name,
    label: name,
    type: 'query',
    datasource: GHCPROF_DS,
    query,
    definition: VARIABLE_DEFINITIONS[query.kind](query),
    refresh: 2,
    multi,
    includeAll: multi,
    sort: 1,
    hide: 0,
    skipUrlSync: false,
  } as unknown as VariableModel;
}

export type Placed = Omit<Panel, 'gridPos' | 'id'> & { w: number; h: number };

/** A panel with one ghcprof query (typed: only query types and fields the data source implements). */
export function ghcprofPanel(
  type: string,
  title: string,
  query: Omit<GhcprofQuery, 'refId'>,
  size: { w: number; h: number },
  extra: Partial<Panel> = {}
): Placed {
  const target: GhcprofQuery & Record<string, unknown> = { refId: 'A', datasource: GHCPROF_DS, ...query };
  // Typed as GhcprofQuery so a panel can only use query types and fields the data source implements.
  return { type, title, datasource: GHCPROF_DS, targets: [{ ...target }], ...size, ...extra };
}
