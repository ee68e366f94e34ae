/**
 * Flame-graph frames for Grafana's `flamegraph` panel and `@grafana/flamegraph` (grafana/grafana
 * packages/grafana-flamegraph/src/FlameGraph/dataTransform.ts; docs/frames-and-exports.md): one row per node in depth-first pre-order with exactly one root at level
 * 0, fields `level`, `value` (inclusive), `self`, `label` (enum) and `truncated`; a diff adds `valueRight` and
 * `selfRight`, and then `value`/`self` are the left (baseline) side.
 *
 * Label text is `Module.label` (`Main.main`, `GHC.IO.Handle.Text.hPutStr`, `MAIN.MAIN`): GHC cost-centre names repeat
 * across modules (`main`, `CAF`, `go`), so the label alone would merge distinct nodes in the search and top table.
 * The node standing for pruned children is labelled exactly `other` (Grafana's own convention for truncation).
 */
import type { DataFrameJSON } from '../api/dataframe';
import type { CallTree, Metric } from '../model/types';
import {
  type DiffNode,
  type DiffTree,
  type FunctionRow,
  flattenTree,
  frameName,
  inclusiveValues,
  isTruncatedNode,
  METRIC_UNITS,
  selfValueOf,
} from '../model/tree';
import { type Column, column, enumColumn, frame, type FrameHead } from './fields';
import { functionTableOf } from './table';

export interface FlamegraphOptions {
  refId?: string;
  /**
   * Rows of the UNPRUNED tree's function table (model/tree functionTable / diffFunctionTable): put in
   * meta.custom.functionTable as @grafana/flamegraph's `{rows, total}` so the top table stays exact after pruning.
   */
  functionTable?: FunctionRow[];
  /** Extra facts for meta.custom.ghcprof (profile ids, rollups used, ...). */
  facts?: Record<string, unknown>;
  /** Notices shown by the panel (Grafana `meta.notices`), e.g. from the readers' warnings. */
  notices?: Array<{ severity: 'info' | 'warning' | 'error'; text: string }>;
  /**
   * The notices already include the warning of every profile that made the tree approximate (the .prof reader says
   * how to get exact values): then the frame adds no second, vaguer one of its own.
   */
  approximationExplained?: boolean;
}

/** Name of every flame-graph frame. */
export const FLAMEGRAPH_FRAME_NAME = 'flamegraph';

function approximateNotice(approximate: boolean): Array<{ severity: 'warning'; text: string }> {
  return approximate
    ? [
        {
          severity: 'warning',
          text: 'Some values were derived from the rounded percentages of a .prof report (no -P): approximate',
        },
      ]
    : [];
}

function head(
  tree: CallTree | DiffTree,
  metric: Metric,
  opts: FlamegraphOptions,
  total: number,
  totalRight?: number
): FrameHead {
  const custom: Record<string, unknown> = {
    ghcprof: { metric, tickIntervalUs: tree.tickIntervalUs, approximate: tree.approximate, ...opts.facts },
  };
  if (opts.functionTable !== undefined) {
    custom.functionTable = functionTableOf(opts.functionTable, total, totalRight);
  }
  const notices = [...approximateNotice(tree.approximate && !opts.approximationExplained), ...(opts.notices ?? [])];
  return {
    name: FLAMEGRAPH_FRAME_NAME,
    refId: opts.refId,
    meta: { preferredVisualisationType: 'flamegraph', custom, ...(notices.length > 0 ? { notices } : {}) },
  };
}

/** One side's values: `value`/`self` (left or only) or `valueRight`/`selfRight`. */
interface Side {
  inclusive: ArrayLike<number>;
  self: number[];
}

const SIDE_NAMES = [
  ['value', 'self'],
  ['valueRight', 'selfRight'],
] as const;

/** The columns of a flame-graph frame, in the order Grafana's own (Pyroscope) frames use. */
function flameColumns(
  levels: ArrayLike<number>,
  sides: Side[],
  labels: string[],
  truncated: boolean[],
  unit: string
): Column[] {
  const sideColumns = sides.flatMap((side, i) => [
    column(SIDE_NAMES[i][0], 'number', Array.from(side.inclusive), { unit }),
    column(SIDE_NAMES[i][1], 'number', side.self, { unit }),
  ]);
  return [
    column('level', 'number', Array.from(levels)),
    ...sideColumns,
    enumColumn('label', labels),
    column('truncated', 'boolean', truncated),
  ];
}

/**
 * The flame-graph frame of a tree (normally pruned with pruneTree first). Values in the metric's unit: ns for time,
 * bytes for alloc, counts (`short`) for entries.
 */
export function flamegraphFrame(tree: CallTree, metric: Metric, opts: FlamegraphOptions = {}): DataFrameJSON {
  const flat = flattenTree(tree.root);
  const selfOf = selfValueOf(metric, tree.tickIntervalUs);
  const left = { inclusive: inclusiveValues(flat, selfOf), self: flat.nodes.map(selfOf) };
  return frame(
    head(tree, metric, opts, left.inclusive[0]),
    flameColumns(flat.levels, [left], flat.nodes.map(frameName), flat.nodes.map(isTruncatedNode), METRIC_UNITS[metric])
  );
}

/** The diff flame-graph frame: `value`/`self` from the left tree, `valueRight`/`selfRight` from the right. */
export function diffFlamegraphFrame(tree: DiffTree, metric: Metric, opts: FlamegraphOptions = {}): DataFrameJSON {
  const flat = flattenTree(tree.root);
  const selfOf = selfValueOf(metric, tree.tickIntervalUs);
  const rightOf = (n: DiffNode) => selfOf(n.right);
  const left = { inclusive: inclusiveValues(flat, selfOf), self: flat.nodes.map(selfOf) };
  const right = { inclusive: inclusiveValues(flat, rightOf), self: flat.nodes.map(rightOf) };
  return frame(
    head(tree, metric, opts, left.inclusive[0], right.inclusive[0]),
    flameColumns(
      flat.levels,
      [left, right],
      flat.nodes.map(frameName),
      flat.nodes.map(isTruncatedNode),
      METRIC_UNITS[metric]
    )
  );
}

/**
 * The frame for "no data" (nothing matched): zero rows, but every field, so the panel shows an empty graph instead
 * of "Data is missing fields".
 */
export function emptyFlamegraphFrame(metric: Metric, opts: { refId?: string; diff?: boolean } = {}): DataFrameJSON {
  const empty: Side = { inclusive: [], self: [] };
  return frame(
    {
      name: FLAMEGRAPH_FRAME_NAME,
      refId: opts.refId,
      meta: { preferredVisualisationType: 'flamegraph', custom: { ghcprof: { metric } } },
    },
    flameColumns([], opts.diff ? [empty, empty] : [empty], [], [], METRIC_UNITS[metric])
  );
}
