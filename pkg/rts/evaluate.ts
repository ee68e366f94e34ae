/**
 * Panel series computed from raw samples of one process (the `--ekg-url` poller and direct scrapes), walking the
 * same SeriesExpr trees presets.ts turns into PromQL. Rates are point-in-time: (v_i - v_{i-1}) / (t_i - t_{i-1}) at
 * t_i. A counter that went down means the process restarted: that interval is a gap (null), never a negative rate,
 * and the next interval counts from the restarted value.
 */
import { QUANTITY_KIND, TO_BASE_UNIT } from '../api/rts/dialects';
import type { Dialect, Quantity } from '../api/rts/dialects';
import type { SeriesExpr } from '../api/rts/presets';

export interface RawSample {
  /** ms since the epoch. */
  t: number;
  /** Metric name (as Prometheus would store it) -> value in the exporter's unit. */
  values: ReadonlyMap<string, number>;
}

/** One value per sample (index-aligned); the first sample has no rate. */
export function evaluateSeries(
  dialect: Dialect,
  expr: SeriesExpr,
  samples: readonly RawSample[]
): Array<number | null> {
  return samples.map((_, i) => valueAt(dialect, expr, samples, i));
}

function valueAt(dialect: Dialect, expr: SeriesExpr, samples: readonly RawSample[], i: number): number | null {
  switch (expr.op) {
    case 'level':
      return quantityValue(dialect, expr.quantity, samples[i]);
    case 'rate':
      return i === 0 ? null : counterRate(dialect, expr.quantity, samples[i - 1], samples[i]);
    case 'ratio': {
      const n = valueAt(dialect, expr.numerator, samples, i);
      const d = valueAt(dialect, expr.denominator, samples, i);
      return n === null || d === null || d === 0 ? null : n / d;
    }
    case 'minus': {
      const l = valueAt(dialect, expr.left, samples, i);
      const r = valueAt(dialect, expr.right, samples, i);
      return l === null || r === null ? null : Math.max(0, l - r);
    }
    case 'unlessPublished':
      return isPublished(dialect, expr.quantity, samples[i]) ? null : valueAt(dialect, expr.value, samples, i);
  }
}

function counterRate(dialect: Dialect, quantity: Quantity, prev: RawSample, cur: RawSample): number | null {
  if (QUANTITY_KIND[quantity] !== 'counter') {
    throw new Error(`${quantity} is a gauge: it has no rate`);
  }
  const before = quantityValue(dialect, quantity, prev);
  const after = quantityValue(dialect, quantity, cur);
  const seconds = (cur.t - prev.t) / 1000;
  if (before === null || after === null || seconds <= 0 || after < before) {
    return null;
  }
  return (after - before) / seconds;
}

/** The quantity in base units from the first alias the sample has, or null. */
export function quantityValue(dialect: Dialect, quantity: Quantity, sample: RawSample): number | null {
  const source = dialect.quantities[quantity];
  if (!source) {
    return null;
  }
  if ('difference' in source) {
    const a = quantityValue(dialect, source.difference[0], sample);
    const b = quantityValue(dialect, source.difference[1], sample);
    return a === null || b === null ? null : a - b;
  }
  for (const alias of source.aliases) {
    const raw = sample.values.get(alias.name);
    if (raw !== undefined && Number.isFinite(raw)) {
      const { op, by } = TO_BASE_UNIT[alias.unit];
      return op === '*' ? raw * by : raw / by;
    }
  }
  return null;
}

function isPublished(dialect: Dialect, quantity: Quantity, sample: RawSample): boolean {
  return quantityValue(dialect, quantity, sample) !== null;
}
