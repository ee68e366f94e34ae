import { Alert, LoadingPlaceholder } from '@grafana/ui';
import { testIds } from '../../../shared/testIds';
import type { GhcprofDataSource } from '../../../datasource/datasource';
import { emptyStateText } from '../../../datasource/domain/mapResponse';
import { DatasourcePage } from '../../../shared/ui/DatasourcePage';
import { SelectionBar } from '../../../shared/ui/SelectionBar';
import { useSelection } from '../../../shared/domain/useSelection';
import { hasRole } from '../domain/hasRole';
import { useProfiles } from '../domain/useProfiles';
import { ProfilesTable } from './ProfilesTable';
import { UploadZone } from './UploadZone';

export function ProfilesPage() {
  return (
    <DatasourcePage testId={testIds.profilesPage.container}>
      {(datasource) => <ProfilesView datasource={datasource} />}
    </DatasourcePage>
  );
}

export function ProfilesView({ datasource }: { datasource: GhcprofDataSource }) {
  const { data: selectionData, actions: selectionActions } = useSelection();
  const { data, actions } = useProfiles(datasource, selectionData.selection);
  return (
    <>
      <SelectionBar
        datasource={datasource}
        selection={selectionData.selection}
        onChange={selectionActions.setSelection}
      />
      {hasRole('Editor') && <UploadZone upload={data.upload} onUpload={actions.uploadProfile} />}
      {data.error && (
        <Alert severity="error" title="Listing profiles failed" data-testid={testIds.profilesPage.error}>
          {data.error.message}
        </Alert>
      )}
      {data.loading && data.profiles.length === 0 && <LoadingPlaceholder text="Loading profiles..." />}
      {!data.loading && !data.error && data.profiles.length === 0 && (
        <Alert
          severity="info"
          title={emptyStateText(selectionData.selection.selector)}
          data-testid={testIds.profilesPage.empty}
        />
      )}
      {data.profiles.length > 0 && (
        <ProfilesTable
          profiles={data.profiles}
          canDelete={hasRole('Admin')}
          onDownload={actions.downloadProfile}
          onDelete={actions.deleteProfile}
        />
      )}
    </>
  );
}
