import { useState } from 'react';
import type { ProfileMeta } from '@ghcprof/api/query';
import type { GhcprofDataSource } from '../../../datasource/datasource';
import { uploadWithProgress } from '../../../datasource/infrastructure/uploadWithProgress';
import { useAsyncResult } from '../../../shared/domain/useAsyncResult';
import { windowOf, type Selection } from '../../../shared/domain/useSelection';
import { parseLabelList } from './parseLabelList';

export interface UploadState {
  fileName: string;
  fraction: number;
  error?: string;
  id?: string;
}

/** The stored profiles matching the selection, and what a user can do with them. */
export function useProfiles(datasource: GhcprofDataSource, selection: Selection) {
  const window = windowOf(selection.range);
  const profiles = useAsyncResult<ProfileMeta[]>(
    () => datasource.listProfiles({ selector: selection.selector, ...window, limit: 500 }),
    [datasource, selection.selector, window.from, window.to]
  );
  const [upload, setUpload] = useState<UploadState>();

  const uploadProfile = async (file: File, labelText: string) => {
    setUpload({ fileName: file.name, fraction: 0 });
    try {
      const url = datasource.api.uploadUrl(parseLabelList(labelText));
      const answer = await uploadWithProgress(url, file, (fraction) => setUpload({ fileName: file.name, fraction }));
      setUpload({ fileName: file.name, fraction: 1, id: answer.id });
      profiles.reload();
    } catch (error) {
      setUpload({ fileName: file.name, fraction: 0, error: (error as Error).message });
    }
  };

  const deleteProfile = async (id: string) => {
    await datasource.api.deleteProfile(id);
    profiles.reload();
  };

  const downloadProfile = async (profile: ProfileMeta) => {
    const blob = await datasource.api.downloadRaw(profile.id, profile.kind);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${profile.labels.service ?? profile.program ?? 'profile'}-${profile.id}.${profile.kind}`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return {
    data: { profiles: profiles.value ?? [], loading: profiles.loading, error: profiles.error, upload },
    actions: { uploadProfile, deleteProfile, downloadProfile, reloadProfiles: profiles.reload },
  };
}
