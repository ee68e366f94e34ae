import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

/** The app's own data tables (profiles, services, leak evidence): full width, one thin rule per row. */
export const tableStyle = (theme: GrafanaTheme2) =>
  css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
    },
  });
