import { PLUGIN_BASE_URL } from '../../constants';

/** `/a/ghcprof-profiles-app/<route>?<params>` */
export function prefixRoute(route: string, params?: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  Object.entries(params ?? {}).forEach(
    ([key, value]) => value !== undefined && value !== '' && search.set(key, String(value))
  );
  const query = search.toString();
  return `${PLUGIN_BASE_URL}/${route}${query ? `?${query}` : ''}`;
}
