import datasourcePluginJson from './datasource/plugin.json';
import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
/** The nested data source's plugin id, as its manifest declares it. */
export const DATASOURCE_PLUGIN_ID = datasourcePluginJson.id;
export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

export enum ROUTES {
  Services = 'services',
  Profiles = 'profiles',
  Profile = 'profile',
  Compare = 'compare',
}

/** The app's settings (plugin jsonData): which ghcprof data source instance the pages query. */
export interface AppSettings {
  datasourceUid?: string;
}
