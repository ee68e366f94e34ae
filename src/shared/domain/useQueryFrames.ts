import type { DataFrame } from '@grafana/data';
import type { TimeWindow } from '../../datasource/domain/buildRequest';
import type { GhcprofDataSource } from '../../datasource/datasource';
import type { GhcprofQuery } from '../../datasource/types';
import { useAsyncResult } from './useAsyncResult';

/**
 * Runs one panel query through the data source, exactly as a dashboard panel would, so whatever a page shows
 * a dashboard can show too. `query` undefined: nothing to run yet.
 */
export function useQueryFrames(
  datasource: GhcprofDataSource,
  query: GhcprofQuery | undefined,
  window: TimeWindow,
  /** The panel's interval (RTS queries' step); default about 300 points across the range. */
  stepMs = stepFor(window)
) {
  const key = JSON.stringify({ query, window, stepMs });
  return useAsyncResult<DataFrame[]>(
    () => (query ? datasource.runQuery(datasource.applyTemplateVariables(query), window, stepMs) : Promise.resolve([])),
    [datasource, key]
  );
}

/** About 300 points across the range, like a panel of ordinary width. */
function stepFor(window: TimeWindow): number {
  return Math.max(1000, Math.round((window.to - window.from) / 300));
}
