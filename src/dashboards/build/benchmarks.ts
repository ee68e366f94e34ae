import type { Dashboard } from '@grafana/schema';
import type { GhcprofQuery } from '../../datasource/types';
import {
  BENCHMARKS_UID,
  datasourceVariable,
  GHCPROF_DS,
  ghcprofPanel,
  ghcprofVariable,
  grid,
  SCHEMA_VERSION,
} from './common';

/** The bench results of the chosen suite(s): `suite` and `version` are labels given at upload (`ghcprof push`). */
export const SUITE_SELECTOR = '{suite=~"$suite"}';
/** The compare table's new side: the suite at `$version`; its old side is the same with `version="$base"`. */
export const VERSION_SELECTOR = '{suite=~"$suite",version="$version"}';

/** Lower and upper bounds drawn as thin dashed lines around the mean. */
const BOUNDS_STYLE = {
  matcher: { id: 'byRegexp', options: '.* (lower|upper)$' },
  properties: [
    { id: 'custom.lineStyle', value: { fill: 'dash', dash: [4, 4] } },
    { id: 'custom.lineWidth', value: 1 },
    { id: 'custom.fillOpacity', value: 0 },
  ],
};

/**
 * "Benchmarks": each benchmark over time (mean with its confidence bounds, one panel per chosen benchmark), the
 * compare table of `$base` against `$version`, the means by version, and every stored result as an annotation
 * (its text names the version label).
 */
export function benchmarksDashboard(): Dashboard {
  return {
    uid: BENCHMARKS_UID,
    title: 'Benchmarks',
    description:
      'criterion / tasty-bench results and GHC RTS summaries over versions: each benchmark over time, what got slower from $base to $version, means by version.',
    tags: ['ghcprof', 'haskell', 'benchmarks'],
    editable: true,
    schemaVersion: SCHEMA_VERSION,
    time: { from: 'now-30d', to: 'now' },
    graphTooltip: 1,
    timezone: 'browser',
    templating: {
      list: [
        datasourceVariable('ghcprof', 'ghcprof-profiles-datasource', 'ghcprof'),
        ghcprofVariable('suite', { refId: 'suite', kind: 'labelValues', label: 'suite' }, true),
        ghcprofVariable('benchmark', { refId: 'benchmark', kind: 'benchmarkNames', selector: SUITE_SELECTOR }, true),
        ghcprofVariable(
          'base',
          { refId: 'base', kind: 'labelValues', label: 'version', selector: SUITE_SELECTOR },
          false
        ),
        ghcprofVariable(
          'version',
          { refId: 'version', kind: 'labelValues', label: 'version', selector: SUITE_SELECTOR },
          false
        ),
      ],
    },
    annotations: {
      list: [
        {
          name: 'Versions (stored results)',
          enable: true,
          iconColor: 'blue',
          datasource: GHCPROF_DS,
          target: { refId: 'Anno', queryType: 'annotations', selector: SUITE_SELECTOR } as GhcprofQuery,
        },
      ],
    },
    panels: grid([
      ghcprofPanel(
        'table',
        'What changed: $base → $version',
        { queryType: 'benchCompare', selector: VERSION_SELECTOR, baselineVersion: '$base', benchmark: '$benchmark' },
        { w: 24, h: 9 },
        {
          fieldConfig: {
            defaults: {},
            overrides: [
              {
                matcher: { id: 'byName', options: 'change' },
                properties: [
                  { id: 'custom.cellOptions', value: { type: 'color-text' } },
                  {
                    id: 'thresholds',
                    value: {
                      mode: 'absolute',
                      steps: [
                        { color: 'green', value: null },
                        { color: 'text', value: -5 },
                        { color: 'red', value: 10 },
                      ],
                    },
                  },
                ],
              },
            ],
          },
          options: { sortBy: [{ displayName: 'change', desc: true }] },
        }
      ),
      ghcprofPanel(
        'timeseries',
        '$benchmark',
        { queryType: 'benchmarks', selector: SUITE_SELECTOR, benchmark: '$benchmark' },
        { w: 12, h: 8 },
        {
          repeat: 'benchmark',
          repeatDirection: 'h',
          maxPerRow: 2,
          fieldConfig: {
            defaults: { unit: 's', custom: { showPoints: 'always', pointSize: 6 } },
            overrides: [BOUNDS_STYLE],
          },
        }
      ),
      ghcprofPanel(
        'table',
        'Means by version',
        { queryType: 'benchmarks', selector: SUITE_SELECTOR, benchmark: '$benchmark', benchBy: 'version' },
        { w: 24, h: 8 }
      ),
    ]),
  } as Dashboard;
}
