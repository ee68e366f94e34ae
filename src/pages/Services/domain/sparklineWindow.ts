import type { TimeWindow } from '../../../datasource/domain/buildRequest';

/** Points of a sparkline. */
export const SPARKLINE_POINTS = 60;
/** The RTS query's largest step (RtsQuerySchema.stepMs). */
const MAX_STEP_MS = 86_400_000;

/**
 * The page range as SPARKLINE_POINTS steps that END at the range's end: Prometheus evaluates a range query at
 * from, from + step, ..., so a range that is not a whole number of steps would drop the newest samples, which are
 * the ones a sparkline of a service that started minutes ago has.
 */
export function sparklineWindow(window: TimeWindow): { window: TimeWindow; stepMs: number } {
  const span = Math.max(window.to - window.from, 1000);
  const stepMs = Math.min(MAX_STEP_MS, Math.max(1000, Math.ceil(span / SPARKLINE_POINTS / 1000) * 1000));
  const steps = Math.ceil(span / stepMs);
  return { window: { from: window.to - steps * stepMs, to: window.to }, stepMs };
}
