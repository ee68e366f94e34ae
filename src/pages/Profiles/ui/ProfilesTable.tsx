import { useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Button, ConfirmModal, LinkButton, TagList, useStyles2 } from '@grafana/ui';
import type { ProfileMeta } from '@ghcprof/api/query';
import { testIds } from '../../../shared/testIds';
import { ROUTES } from '../../../constants';
import { prefixRoute } from '../../../shared/domain/prefixRoute';
import { tableStyle } from '../../../shared/ui/tableStyles';

interface Props {
  profiles: ProfileMeta[];
  canDelete: boolean;
  onDownload: (profile: ProfileMeta) => void;
  onDelete: (id: string) => Promise<void>;
}

export function ProfilesTable({ profiles, canDelete, onDownload, onDelete }: Props) {
  const styles = useStyles2(getStyles);
  const [confirming, setConfirming] = useState<ProfileMeta>();
  return (
    <>
      <table className={styles.table} data-testid={testIds.profilesPage.table}>
        <thead>
          <tr>
            <th>Start</th>
            <th>Kind</th>
            <th>Labels</th>
            <th>Program</th>
            <th>Size</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {profiles.map((profile) => (
            <tr key={profile.id} data-testid={testIds.profilesPage.row}>
              <td>{dateTimeFormat(profile.startTime)}</td>
              <td>
                {profile.kind}
                {profile.heapMode ? ` (${profile.heapMode})` : ''}
              </td>
              <td>
                <TagList
                  className={styles.tags}
                  tags={Object.entries(profile.labels).map(([name, value]) => `${name}=${value}`)}
                />
              </td>
              <td>{profile.program}</td>
              <td>{formatBytes(profile.size)}</td>
              <td>
                <div className={styles.actions}>
                  <LinkButton
                    size="sm"
                    icon="fire"
                    data-testid={testIds.profilesPage.open}
                    href={prefixRoute(ROUTES.Profile, { id: profile.id })}
                  >
                    Open
                  </LinkButton>
                  <Button
                    size="sm"
                    variant="secondary"
                    icon="download-alt"
                    data-testid={testIds.profilesPage.download}
                    onClick={() => onDownload(profile)}
                  >
                    Raw
                  </Button>
                  {canDelete && (
                    <Button
                      size="sm"
                      variant="destructive"
                      icon="trash-alt"
                      data-testid={testIds.profilesPage.delete}
                      onClick={() => setConfirming(profile)}
                    >
                      Delete
                    </Button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmModal
        isOpen={confirming !== undefined}
        title="Delete profile"
        body={
          confirming
            ? `Delete ${confirming.kind} profile ${confirming.id} of ${confirming.program}? Its raw file and data go too.`
            : ''
        }
        confirmText="Delete"
        onConfirm={async () => {
          if (confirming) {
            await onDelete(confirming.id);
          }
          setConfirming(undefined);
        }}
        onDismiss={() => setConfirming(undefined)}
      />
    </>
  );
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: tableStyle(theme),
  actions: css({ whiteSpace: 'nowrap', display: 'flex', gap: theme.spacing(1) }),
  tags: css({ justifyContent: 'flex-start' }),
});
