import type { Dashboard } from '@grafana/schema';
import type { GhcprofQuery } from '../../datasource/types';
import {
  datasourceVariable,
  DRILLDOWN_UID,
  GHCPROF_DS,
  ghcprofPanel,
  ghcprofVariable,
  grid,
  KEEP_CONTEXT,
  panelLink,
  RTS_OVERVIEW_UID,
  SCHEMA_VERSION,
} from './common';

/** The service's processes: `pod` is multi-value, interpolated by the data source as `pod=~"a|b"`. */
export const SELECTOR = '{service="$service",pod="$pod"}';

/** The app's Profile page over the panel's range for `{service="<service>"}` (selector URL-encoded). */
const APP_PROFILE_LINK =
  '/a/ghcprof-profiles-app/profile?selector=%7Bservice%3D%22${service:percentencode}%22%7D&from=${__from}&to=${__to}';

/** "Haskell service drill-down": where an alert on a service lands (links carry time range, service and pod). */
export function drilldownDashboard(): Dashboard {
  const openInApp = [panelLink('Open in the ghcprof app', APP_PROFILE_LINK)];
  return {
    uid: DRILLDOWN_UID,
    title: 'Haskell service drill-down',
    description:
      'Stored GHC profiles of one service: flame graph, diff against last week, heap timeline, leaks, RTS metrics, stored profiles.',
    tags: ['ghcprof', 'haskell', 'ghc'],
    editable: true,
    schemaVersion: SCHEMA_VERSION,
    time: { from: 'now-24h', to: 'now' },
    graphTooltip: 1,
    timezone: 'browser',
    templating: {
      list: [
        datasourceVariable('ghcprof', 'ghcprof-profiles-datasource', 'ghcprof'),
        ghcprofVariable('service', { refId: 'service', kind: 'labelValues', label: 'service' }, false),
        ghcprofVariable(
          'pod',
          { refId: 'pod', kind: 'labelValues', label: 'pod', selector: '{service="$service"}' },
          true
        ),
      ],
    },
    annotations: {
      list: [
        {
          name: 'Stored profiles',
          enable: true,
          iconColor: 'purple',
          datasource: GHCPROF_DS,
          target: { refId: 'Anno', queryType: 'annotations', selector: SELECTOR } as GhcprofQuery,
        },
      ],
    },
    links: [
      {
        title: 'GHC RTS overview',
        type: 'link',
        url: `/d/${RTS_OVERVIEW_UID}?${KEEP_CONTEXT}`,
        icon: 'dashboard',
        tooltip: 'RTS metrics of every service',
        asDropdown: false,
        includeVars: false,
        keepTime: false,
        tags: [],
        targetBlank: false,
      },
    ],
    panels: grid([
      ghcprofPanel(
        'flamegraph',
        'Flame graph (time) of $service',
        { queryType: 'flamegraph', selector: SELECTOR, metric: 'time' },
        { w: 24, h: 14 },
        { links: openInApp }
      ),
      ghcprofPanel(
        'flamegraph',
        'Allocation: this range vs one week earlier',
        { queryType: 'diff', selector: SELECTOR, metric: 'alloc', baselineShift: '7d' },
        { w: 24, h: 14 },
        { links: openInApp }
      ),
      ghcprofPanel(
        'timeseries',
        'Heap by band',
        { queryType: 'heap', selector: SELECTOR, topN: 10 },
        { w: 16, h: 9 },
        {
          fieldConfig: {
            defaults: { unit: 'bytes', custom: { stacking: { mode: 'normal', group: 'A' }, fillOpacity: 40 } },
            overrides: [],
          },
          links: openInApp,
        }
      ),
      ghcprofPanel(
        'table',
        'Leak suspects (growing heap bands)',
        { queryType: 'leaks', selector: SELECTOR, topN: 20 },
        { w: 8, h: 9 }
      ),
      ghcprofPanel(
        'timeseries',
        'Allocation rate',
        { queryType: 'rts', selector: SELECTOR, rtsPanel: 'allocRate' },
        { w: 8, h: 8 },
        {
          links: [panelLink('GHC RTS overview', `/d/${RTS_OVERVIEW_UID}?${KEEP_CONTEXT}`)],
        }
      ),
      ghcprofPanel(
        'timeseries',
        'GC CPU fraction',
        { queryType: 'rts', selector: SELECTOR, rtsPanel: 'gcCpuFraction' },
        { w: 8, h: 8 }
      ),
      ghcprofPanel(
        'timeseries',
        'Live data',
        { queryType: 'rts', selector: SELECTOR, rtsPanel: 'liveBytes' },
        { w: 8, h: 8 }
      ),
      ghcprofPanel(
        'table',
        'Stored profiles',
        { queryType: 'profiles', selector: SELECTOR },
        { w: 24, h: 8 },
        {
          fieldConfig: {
            defaults: {},
            overrides: [
              {
                matcher: { id: 'byName', options: 'id' },
                properties: [
                  {
                    id: 'links',
                    value: [
                      {
                        title: 'Open profile',
                        url: '/a/ghcprof-profiles-app/profile?id=${__value.raw}&${service:queryparam}&${pod:queryparam}&from=${__from}&to=${__to}',
                      },
                    ],
                  },
                ],
              },
            ],
          },
        }
      ),
    ]),
  } as Dashboard;
}
