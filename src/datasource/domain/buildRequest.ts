import { rangeUtil } from '@grafana/data';
import {
  AnnotationsQuerySchema,
  BenchCompareQuerySchema,
  BenchmarksQuerySchema,
  DiffQuerySchema,
  FlamegraphQuerySchema,
  HeapQuerySchema,
  LeaksQuerySchema,
  RtsQuerySchema,
  SelectionSchema,
  ServicesQuerySchema,
  TopQuerySchema,
  type QueryType,
} from '@ghcprof/api/query';
import type { GhcprofQuery } from '../types';
import { formatSelector, parseSelector, withMatcher } from './selector';

export interface TimeWindow {
  from: number;
  to: number;
}

/** `flamegraph` -> POST /api/v1/query/flamegraph with `body`. */
export interface QueryRequest {
  queryType: QueryType;
  body: unknown;
}

/**
 * Turns an (already interpolated) panel query into the body of POST /api/v1/query/<type>, validated and
 * defaulted by the shared zod schema the server validates with, so a bad query fails here with the same message.
 */
/** `maxDataPoints`: Grafana's point budget of the panel (heap timelines average censuses down to it). */
export function buildQueryRequest(
  query: GhcprofQuery,
  window: TimeWindow,
  stepMs?: number,
  maxDataPoints?: number
): QueryRequest {
  const queryType = query.queryType ?? 'flamegraph';
  const selection = selectionOf(query, window);
  const tree = { metric: query.metric, maxNodes: query.maxNodes, excludeSystem: query.excludeSystem };
  const heap = { mode: query.mode, topN: query.topN, splitBy: query.splitBy || undefined };
  switch (queryType) {
    case 'flamegraph':
      return { queryType, body: FlamegraphQuerySchema.parse({ ...selection, ...tree }) };
    case 'top':
      return { queryType, body: TopQuerySchema.parse({ ...selection, ...tree, limit: query.limit }) };
    case 'diff':
      return { queryType, body: DiffQuerySchema.parse({ left: baselineOf(query, window), right: selection, ...tree }) };
    case 'heap':
      return { queryType, body: HeapQuerySchema.parse({ ...selection, ...heap, maxDataPoints }) };
    case 'leaks':
      return { queryType, body: LeaksQuerySchema.parse({ ...selection, ...heap, minR2: query.minR2 }) };
    case 'rts':
      return {
        queryType,
        body: RtsQuerySchema.parse({
          selector: query.selector,
          ...window,
          stepMs,
          panel: query.rtsPanel ?? 'allocRate',
        }),
      };
    case 'annotations':
      return { queryType, body: AnnotationsQuerySchema.parse(selection) };
    case 'profiles':
      return { queryType, body: SelectionSchema.parse(selection) };
    case 'benchmarks':
      return {
        queryType,
        body: BenchmarksQuerySchema.parse({ ...selection, benchmark: query.benchmark || undefined, by: query.benchBy }),
      };
    case 'benchCompare':
      return {
        queryType,
        body: BenchCompareQuerySchema.parse({
          left: baselineOf(query, window),
          right: selection,
          benchmark: query.benchmark || undefined,
        }),
      };
    case 'services':
      return {
        queryType,
        body: ServicesQuerySchema.parse({
          selector: query.selector || undefined,
          ...window,
          splitBy: query.splitBy || undefined,
          minR2: query.minR2,
        }),
      };
  }
}

function selectionOf(query: GhcprofQuery, window: TimeWindow) {
  if (query.profileIds && query.profileIds.length > 0) {
    return { profileIds: query.profileIds };
  }
  return { selector: query.selector || undefined, ...window };
}

/** The diff's left side: the baseline selector (or the query's own, with `version` replaced) over a shifted range. */
export function baselineOf(query: GhcprofQuery, window: TimeWindow) {
  let selector = query.baselineSelector || query.selector || '{}';
  if (query.baselineVersion) {
    selector = formatSelector(
      withMatcher(parseSelector(selector), { name: 'version', op: '=', value: query.baselineVersion })
    );
  }
  if (query.baselineFrom !== undefined && query.baselineTo !== undefined) {
    return { selector, from: query.baselineFrom, to: query.baselineTo };
  }
  const shiftMs = query.baselineShift ? rangeUtil.intervalToMs(query.baselineShift) : 0;
  return { selector, from: window.from - shiftMs, to: window.to - shiftMs };
}
