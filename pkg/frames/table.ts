/**
 * Top-table frames (one row per cost centre: function, module, self, total, and the right side of a diff) and the
 * `FunctionTable` shape @grafana/flamegraph takes, both built from model/tree's FunctionRow list.
 */
import type { DataFrameJSON, FrameMetaJSON } from '../api/dataframe';
import type { Metric } from '../model/types';
import { type FunctionRow, frameName, METRIC_UNITS } from '../model/tree';
import { column, frame } from './fields';

/** @grafana/flamegraph's function table: one row per function (`Module.label`) and the profile's total. */
export interface FunctionTable {
  rows: Array<{ name: string; self: number; total: number; selfRight?: number; totalRight?: number }>;
  /** The whole profile's value (the root's inclusive value), left side for a diff. */
  total: number;
  /** Diff only: the right profile's total. */
  totalRight?: number;
}

export function functionTableOf(rows: FunctionRow[], total: number, totalRight?: number): FunctionTable {
  const diff = totalRight !== undefined;
  return {
    rows: rows.map((r) => ({
      name: frameName(r),
      self: r.self,
      total: r.total,
      ...(diff ? { selfRight: r.selfRight ?? 0, totalRight: r.totalRight ?? 0 } : {}),
    })),
    total,
    ...(diff ? { totalRight } : {}),
  };
}

export interface TopTableOptions {
  refId?: string;
  /** Keep the first `limit` rows (rows come sorted by self, largest first). */
  limit?: number;
  /** Whole-profile totals for meta.custom.functionTable; defaults to the sum of the rows' self values. */
  total?: number;
  totalRight?: number;
  /** Extra facts for meta.custom.ghcprof (profiles read, rollups used, ...), as for flame-graph frames. */
  facts?: Record<string, unknown>;
  /** Notices shown by the panel (Grafana `meta.notices`), e.g. from the readers' warnings. */
  notices?: FrameMetaJSON['notices'];
}

/**
 * The top table: `function` (cost-centre label), `module`, `self`, `total` in the metric's unit, plus `selfRight` and
 * `totalRight` when the rows come from diffFunctionTable. meta.custom.functionTable carries the same rows in
 * @grafana/flamegraph's shape.
 */
export function topTableFrame(rows: FunctionRow[], metric: Metric, opts: TopTableOptions = {}): DataFrameJSON {
  const kept = opts.limit === undefined ? rows : rows.slice(0, opts.limit);
  const diff = rows.some((r) => r.selfRight !== undefined);
  const unit = METRIC_UNITS[metric];
  const total = opts.total ?? rows.reduce((s, r) => s + r.self, 0);
  const totalRight = diff ? (opts.totalRight ?? rows.reduce((s, r) => s + (r.selfRight ?? 0), 0)) : undefined;
  const columns = [
    column(
      'function',
      'string',
      kept.map((r) => r.label)
    ),
    column(
      'module',
      'string',
      kept.map((r) => r.module)
    ),
    column(
      'self',
      'number',
      kept.map((r) => r.self),
      { unit }
    ),
    column(
      'total',
      'number',
      kept.map((r) => r.total),
      { unit }
    ),
  ];
  if (diff) {
    columns.push(
      column(
        'selfRight',
        'number',
        kept.map((r) => r.selfRight ?? 0),
        { unit }
      ),
      column(
        'totalRight',
        'number',
        kept.map((r) => r.totalRight ?? 0),
        { unit }
      )
    );
  }
  return frame(
    {
      name: 'top',
      refId: opts.refId,
      meta: {
        preferredVisualisationType: 'table',
        custom: {
          ghcprof: { metric, rows: rows.length, ...opts.facts },
          functionTable: functionTableOf(kept, total, totalRight),
        },
        ...(opts.notices && opts.notices.length > 0 ? { notices: opts.notices } : {}),
      },
    },
    columns
  );
}
