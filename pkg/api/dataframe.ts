/**
 * Grafana's DataFrame wire form (`DataFrameJSON` in @grafana/data), restated here so pkg/ does not depend on
 * @grafana/data and src/ can use the server's answers as they are (`dataFrameFromJSON`).
 */
export type FieldTypeName = 'time' | 'number' | 'string' | 'boolean' | 'enum' | 'other';

export interface FieldConfigJSON {
  unit?: string;
  displayName?: string;
  displayNameFromDS?: string;
  type?: { enum?: { text: string[] } };
  links?: Array<{
    title: string;
    url: string;
    internal?: { datasourceUid: string; datasourceName: string; query: unknown };
  }>;
  custom?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FieldSchemaJSON {
  name: string;
  type: FieldTypeName;
  config: FieldConfigJSON;
  labels?: Record<string, string>;
}

export interface FrameMetaJSON {
  preferredVisualisationType?: 'graph' | 'table' | 'logs' | 'trace' | 'nodeGraph' | 'flamegraph' | 'rawPrometheus';
  dataTopic?: 'annotations';
  /** Free-form facts for the plugin: `{ghcprof: {profiles, rollups, approximate, timeBase, ...}}`. */
  custom?: Record<string, unknown>;
  notices?: Array<{ severity: 'info' | 'warning' | 'error'; text: string }>;
  [key: string]: unknown;
}

export interface DataFrameJSON {
  schema: { name?: string; refId?: string; meta?: FrameMetaJSON; fields: FieldSchemaJSON[] };
  data: { values: unknown[][] };
}

export interface FramesResponse {
  frames: DataFrameJSON[];
}

/**
 * Prometheus-style rendering of a label set, `{pod="a", service="api"}`, names sorted: how frames name a series
 * (heap timeline frames, the leak table's `series` column), so the plugin can match one to the other.
 */
export function formatLabels(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}
