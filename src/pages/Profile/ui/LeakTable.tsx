import { useState } from 'react';
import { Link } from 'react-router-dom';
import { css, cx } from '@emotion/css';
import { getValueFormat, formattedValueToString, type GrafanaTheme2 } from '@grafana/data';
import { Badge, useStyles2 } from '@grafana/ui';
import { testIds } from '../../../shared/testIds';
import { sortRows, type SortState } from '../../../shared/domain/sortRows';
import { SortableHeader } from '../../../shared/ui/SortableHeader';
import { Sparkline } from '../../../shared/ui/Sparkline';
import { tableStyle } from '../../../shared/ui/tableStyles';
import type { LeakColumn, LeakRowView } from '../domain/leakRows';

interface Props {
  rows: LeakRowView[];
  minR2: number;
  /** Where a band's name links: the page with that band focused on the heap timeline. */
  linkOf: (row: LeakRowView) => string;
}

const format = (unit: string, value: number) => formattedValueToString(getValueFormat(unit)(value, 1));

/**
 * eventlog2html's leak evidence per band: slope and intercept of the least-squares line, its R², the band's
 * integrated size and standard deviation. Sorted by slope (steepest first) until a header is clicked; a band counts
 * as growing steadily only when its slope is positive and R² reaches the threshold.
 */
export function LeakTable({ rows, minR2, linkOf }: Props) {
  const styles = useStyles2(getStyles);
  const [sort, setSort] = useState<SortState<LeakColumn>>({ key: 'slope', direction: 'desc' });
  const sorted = sortRows(rows, sort, (row, key) => (key === 'steady' ? Number(row.steady) : row[key]));
  const header = (column: LeakColumn, label: string, title?: string, initial?: 'asc' | 'desc') => (
    <SortableHeader column={column} label={label} sort={sort} onSort={setSort} title={title} initial={initial} />
  );
  return (
    <table className={styles.table} data-testid={testIds.profilePage.leaks}>
      <thead>
        <tr>
          {header('series', 'Series', undefined, 'asc')}
          {header('band', 'Band', undefined, 'asc')}
          {header('slope', 'Slope', 'Least-squares growth in bytes per second')}
          {header('intercept', 'Intercept', "The fitted line's value at the series' start")}
          {header('r2', 'R²', 'How much of the band’s variation the straight line explains (0..1)')}
          {header('integrated', 'Integrated size', 'Area under the band: bytes × seconds')}
          {header('stddev', 'Std dev', 'Standard deviation of the band over the censuses')}
          <th>Trend</th>
          {header('steady', `Growing steadily (R² ≥ ${minR2})`)}
        </tr>
      </thead>
      <tbody>
        {sorted.map((row) => (
          <tr key={`${row.series} ${row.band}`} data-testid={testIds.profilePage.leakRow}>
            <td>{row.series}</td>
            <td className={styles.band}>
              <Link to={linkOf(row)} title={row.band} data-testid={testIds.profilePage.leakBand}>
                {row.band}
              </Link>
            </td>
            <td>{format('Bps', row.slope)}</td>
            <td>{format('bytes', row.intercept)}</td>
            <td data-testid={testIds.profilePage.leakR2}>{row.r2.toFixed(3)}</td>
            <td>{format('bytes', row.integrated)}·s</td>
            <td>{format('bytes', row.stddev)}</td>
            <td>
              <Sparkline values={row.trend} title={`${row.band}: bytes at each census`} />
            </td>
            <td>{row.steady ? <Badge color="red" text="growing steadily" icon="arrow-up" /> : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: cx(tableStyle(theme), css({ 'th, td': { whiteSpace: 'nowrap' } })),
  // Long cost-centre stacks: cut with an ellipsis, the whole name in the link's title.
  band: css({ maxWidth: 420, overflow: 'hidden', textOverflow: 'ellipsis', a: { color: theme.colors.text.link } }),
});
