import { Suspense, lazy } from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import type { AppConfigProps } from './components/AppConfig/AppConfig';
import type { AppSettings } from './constants';

const LazyApp = lazy(() => import('./components/App/App').then((module) => ({ default: module.App })));
const LazyAppConfig = lazy(() =>
  import('./components/AppConfig/AppConfig').then((module) => ({ default: module.AppConfig }))
);

const App = (props: AppRootProps) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyApp {...props} />
  </Suspense>
);

const AppConfig = (props: AppConfigProps) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyAppConfig {...props} />
  </Suspense>
);

export const plugin = new AppPlugin<AppSettings>().setRootPage(App).addConfigPage({
  title: 'Settings',
  icon: 'cog',
  body: AppConfig,
  id: 'settings',
});
