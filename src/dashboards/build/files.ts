import type { Dashboard } from '@grafana/schema';
import { benchmarksDashboard } from './benchmarks';
import { drilldownDashboard } from './drilldown';
import { rtsOverviewDashboard } from './rtsOverview';

/** File name under src/dashboards/ (as plugin.json's includes name it) -> builder. */
export const DASHBOARD_FILES: Record<string, () => Dashboard> = {
  'rts-overview.json': rtsOverviewDashboard,
  'drilldown.json': drilldownDashboard,
  'benchmarks.json': benchmarksDashboard,
};
