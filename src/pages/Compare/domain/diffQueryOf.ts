import type { GhcprofQuery } from '../../../datasource/types';
import { windowOf, type Selection } from '../../../shared/domain/useSelection';

/** The Compare page's diff as a dashboard-runnable query: the comparison's selection, the baseline's own range. */
export function diffQueryOf(baseline: Selection, comparison: Selection): GhcprofQuery {
  const window = windowOf(baseline.range);
  return {
    refId: 'diff',
    queryType: 'diff',
    selector: comparison.selector,
    baselineSelector: baseline.selector,
    baselineFrom: window.from,
    baselineTo: window.to,
  };
}
