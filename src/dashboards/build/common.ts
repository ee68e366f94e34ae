import type { DashboardLink, DataSourceRef, Panel, VariableModel } from '@grafana/schema';

export const GHCPROF_DS: DataSourceRef = { type: 'ghcprof-profiles-datasource', uid: '${ghcprof}' };
export const PROMETHEUS_DS: DataSourceRef = { type: 'prometheus', uid: '${prometheus}' };
export const DRILLDOWN_UID = 'ghcprof-drilldown';
export const RTS_OVERVIEW_UID = 'ghcprof-rts-overview';
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
