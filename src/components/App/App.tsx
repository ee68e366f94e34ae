import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { ROUTES } from '../../constants';
import { ComparePage } from '../../pages/Compare/ui/ComparePage';
import { ProfilePage } from '../../pages/Profile/ui/ProfilePage';
import { ProfilesPage } from '../../pages/Profiles/ui/ProfilesPage';
import { ServicesPage } from '../../pages/Services/ui/ServicesPage';

export function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Profile} element={<ProfilePage />} />
      <Route path={ROUTES.Compare} element={<ComparePage />} />
      <Route path={ROUTES.Profiles} element={<ProfilesPage />} />
      {/* The landing page: "which of our services is in trouble?" */}
      <Route path="*" element={<ServicesPage />} />
    </Routes>
  );
}
