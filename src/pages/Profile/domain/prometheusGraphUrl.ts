import type { TimeRange } from '@grafana/data';
import type { RtsPanel } from '@ghcprof/api/query';
import { anyDialectPromql } from '@ghcprof/api/rts/presets';
import { parseSelector } from '../../../datasource/domain/selector';

/**
 * Prometheus's own graph page for an RTS panel over the same range: the PromQL of pkg/api/rts/presets (every dialect),
 * with the selector's matchers. Undefined when the selector is not a plain label selector.
 */
export function prometheusGraphUrl(
  prometheusUrl: string,
  panel: RtsPanel,
  selector: string,
  range: TimeRange
): string | undefined {
  let matchers: string;
  try {
    matchers = parseSelector(selector)
      .map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`)
      .join(',');
  } catch {
    return undefined;
  }
  const [first] = anyDialectPromql(panel, { matchers, window: '1m' });
  if (!first?.expr) {
    return undefined;
  }
  const seconds = Math.max(60, Math.round((range.to.valueOf() - range.from.valueOf()) / 1000));
  const params = new URLSearchParams({
    'g0.expr': first.expr,
    'g0.tab': '0',
    'g0.range_input': `${seconds}s`,
    'g0.end_input': new Date(range.to.valueOf()).toISOString(),
  });
  return `${prometheusUrl.replace(/\/$/, '')}/graph?${params}`;
}
