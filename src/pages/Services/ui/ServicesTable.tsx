import { useState } from 'react';
import { css, cx } from '@emotion/css';
import { dateTimeFormat, formattedValueToString, getValueFormat, type GrafanaTheme2 } from '@grafana/data';
import { Badge, LinkButton, useStyles2 } from '@grafana/ui';
import type { RtsPanel } from '@ghcprof/api/query';
import { testIds } from '../../../shared/testIds';
import { ROUTES } from '../../../constants';
import type { GhcprofDataSource } from '../../../datasource/datasource';
import type { TimeWindow } from '../../../datasource/domain/buildRequest';
import { prefixRoute } from '../../../shared/domain/prefixRoute';
import { sortRows, type SortState } from '../../../shared/domain/sortRows';
import { SortableHeader } from '../../../shared/ui/SortableHeader';
import { tableStyle } from '../../../shared/ui/tableStyles';
import { comparePageUrl, drilldownUrl, profilePageUrl } from '../domain/serviceLinks';
import type { ServiceColumn, ServiceRow } from '../domain/serviceRows';
import { RtsSparkline } from './RtsSparkline';

/** The RTS presets each row draws (the dashboards' panels of the same names). */
const SPARKLINES: Array<{ panel: RtsPanel; title: string; testId: string }> = [
  { panel: 'liveBytes', title: 'Live bytes', testId: testIds.servicesPage.liveBytes },
  { panel: 'gcCpuFraction', title: 'GC CPU', testId: testIds.servicesPage.gcCpu },
  { panel: 'allocRate', title: 'Allocation rate', testId: testIds.servicesPage.allocRate },
];

interface Props {
  datasource: GhcprofDataSource;
  rows: ServiceRow[];
  window: TimeWindow;
  minR2: number;
}

/** The services overview: sortable by every column, steepest leak first until a header is clicked. */
export function ServicesTable({ datasource, rows, window, minR2 }: Props) {
  const styles = useStyles2(getStyles);
  const [sort, setSort] = useState<SortState<ServiceColumn>>({ key: 'leakSlope', direction: 'desc' });
  const sorted = sortRows(rows, sort, (row, key) => (key === 'leakSteady' ? Number(row.leakSteady) : row[key]));
  const header = (column: ServiceColumn, label: string, title?: string, initial?: 'asc' | 'desc') => (
    <SortableHeader column={column} label={label} sort={sort} onSort={setSort} title={title} initial={initial} />
  );
  return (
    <table className={styles.table} data-testid={testIds.servicesPage.table}>
      <thead>
        <tr>
          {header('service', 'Service', undefined, 'asc')}
          {header('newestTime', 'Newest profile')}
          {header('profiles', 'Profiles')}
          {header('pods', 'Pods')}
          {SPARKLINES.map(({ panel, title }) => (
            <th key={panel}>{title}</th>
          ))}
          {header('leakSlope', 'Leak: slope', 'Steepest heap band of the service (least squares, bytes/s)')}
          {header('leakR2', 'R²', `Fit of that band; growing steadily from R² ≥ ${minR2}`)}
          <th />
        </tr>
      </thead>
      <tbody>
        {sorted.map((row) => (
          <tr key={row.service} data-testid={testIds.servicesPage.row}>
            <td data-testid={testIds.servicesPage.service}>{row.service}</td>
            <td>
              <a href={prefixRoute(ROUTES.Profile, { id: row.newestId })}>{dateTimeFormat(row.newestTime)}</a>{' '}
              <span className={styles.muted}>{row.newestKind}</span>
            </td>
            <td data-testid={testIds.servicesPage.profiles}>{row.profiles}</td>
            <td data-testid={testIds.servicesPage.pods}>{row.pods}</td>
            {SPARKLINES.map(({ panel, testId }) => (
              <td key={panel}>
                <RtsSparkline
                  datasource={datasource}
                  service={row.service}
                  panel={panel}
                  window={window}
                  testId={testId}
                />
              </td>
            ))}
            <td data-testid={testIds.servicesPage.leakSlope} title={row.leakBand}>
              {row.leakSlope === undefined ? '–' : formattedValueToString(getValueFormat('Bps')(row.leakSlope, 1))}
              {row.leakBand && <div className={cx(styles.muted, styles.band)}>{row.leakBand}</div>}
            </td>
            <td data-testid={testIds.servicesPage.leakR2}>
              {row.leakR2 === undefined ? '–' : row.leakR2.toFixed(3)}{' '}
              {row.leakSteady && <Badge color="red" text="growing steadily" icon="arrow-up" />}
            </td>
            <td className={styles.actions}>
              <LinkButton
                size="sm"
                variant="secondary"
                icon="apps"
                href={drilldownUrl(row.service, window)}
                data-testid={testIds.servicesPage.drilldown}
              >
                Dashboard
              </LinkButton>
              <LinkButton
                size="sm"
                icon="fire"
                href={profilePageUrl(row.service, window)}
                data-testid={testIds.servicesPage.profile}
              >
                Profile
              </LinkButton>
              <LinkButton
                size="sm"
                variant="secondary"
                icon="exchange-alt"
                href={comparePageUrl(row.service, window)}
                data-testid={testIds.servicesPage.compare}
              >
                Compare
              </LinkButton>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: cx(tableStyle(theme), css({ 'th, td': { whiteSpace: 'nowrap', verticalAlign: 'middle' } })),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  band: css({ maxWidth: 220, overflow: 'hidden', textOverflow: 'ellipsis' }),
  actions: css({ display: 'flex', gap: theme.spacing(1) }),
});
