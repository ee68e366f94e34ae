import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type { QueryType, RtsPanel } from '@ghcprof/api/query';
import type { HeapMode, Metric } from '@ghcprof/api/kinds';

export type { HeapMode, Metric };

/** One panel query. Field names follow pkg/api/query.ts so a query maps onto a request body without renaming. */
export interface GhcprofQuery extends DataQuery {
  queryType?: QueryType;
  /** Label selector, e.g. `{service="$service",pod=~"$pod"}`; template variables allowed. */
  selector?: string;
  /** Open exactly these stored profiles (ignores selector and range). */
  profileIds?: string[];
  metric?: Metric;
  maxNodes?: number;
  excludeSystem?: boolean;
  /** Rows of the top table / the profile list. */
  limit?: number;
  /** Heap and leaks: number of bands kept (the rest is `other`). */
  topN?: number;
  /** Heap and leaks: band kind (`hc` cost centre, `hT` closure type, ...). */
  mode?: HeapMode;
  /** Heap and leaks: label that keeps overlapping processes apart. */
  splitBy?: string;
  /** Leaks: R² from which a rising band counts as growing steadily (default 0.8). */
  minR2?: number;
  /** Diff: the baseline's selector (default: the query's own selector). */
  baselineSelector?: string;
  /** Diff: shift of the baseline's time range into the past, e.g. `7d` ("compare with 1 week ago"). */
  baselineShift?: string;
  /** Diff: the baseline's own time range (ms or `now-7d`), e.g. from the Compare page; wins over the shift. */
  baselineFrom?: number | string;
  baselineTo?: number | string;
  /** Diff: compare with version X (sets `version="X"` in the baseline selector). */
  baselineVersion?: string;
  rtsPanel?: RtsPanel;
  /** Benchmarks and benchCompare: RE2 regex on benchmark names (`sort/.*`, `$benchmark`); empty = all. */
  benchmark?: string;
  /** Benchmarks: series over time (default) or a table by version label. */
  benchBy?: 'time' | 'version';
}

export interface GhcprofOptions extends DataSourceJsonData {
  /** ghcprof server URL, e.g. http://ghcprof:4040; the data proxy routes forward to it. */
  url?: string;
  /**
   * Prometheus that scrapes the services' RTS metrics, as the browser reaches it: the app links RTS charts there.
   * (ghcprof serve queries its own --prometheus-url; the server takes no URL from clients.)
   */
  prometheusUrl?: string;
  /** Label that separates processes of one service in heap timelines (default `pod`). */
  splitLabel?: string;
}

export interface GhcprofSecureOptions {
  readToken?: string;
  writeToken?: string;
  adminToken?: string;
}

/** Template variable query: label names, or the values of one label, among profiles matching a selector. */
export interface GhcprofVariableQuery extends DataQuery {
  /** `benchmarkNames`: the benchmark names inside the bench results matching the selector. */
  kind: 'labelNames' | 'labelValues' | 'benchmarkNames';
  label?: string;
  selector?: string;
}

/** The data proxy routes of plugin.json, one per token scope. */
export type RouteScope = 'read' | 'write' | 'admin';
