import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { ROUTES } from '../../constants';
import { ComparePage } from '../../pages/Compare/ui/ComparePage';
import { ProfilePage } from '../../pages/Profile/ui/ProfilePage';
import { ProfilesPage } from '../../pages/Profiles/ui/ProfilesPage';

export function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Profile} element={<ProfilePage />} />
      <Route path={ROUTES.Compare} element={<ComparePage />} />
      <Route path="*" element={<ProfilesPage />} />
    </Routes>
  );
}
