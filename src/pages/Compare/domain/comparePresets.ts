import { dateTime } from '@grafana/data';
import type { Selection } from '../../../shared/domain/useSelection';

/** Baselines the Compare page offers in one click: the comparison's own selector over an earlier range. */
export const TIME_PRESETS = [
  { label: 'Same time yesterday', shiftMs: 86_400_000 },
  { label: 'One week earlier', shiftMs: 7 * 86_400_000 },
] as const;

/** The comparison's selector over its range moved `shiftMs` into the past (absolute times, so the link is exact). */
export function shiftedBaseline(comparison: Selection, shiftMs: number): Selection {
  const from = dateTime(comparison.range.from.valueOf() - shiftMs);
  const to = dateTime(comparison.range.to.valueOf() - shiftMs);
  return { selector: comparison.selector, range: { from, to, raw: { from, to } } };
}
