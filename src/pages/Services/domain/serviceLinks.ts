import { ROUTES } from '../../../constants';
import { DRILLDOWN_UID } from '../../../dashboards/build/common';
import type { TimeWindow } from '../../../datasource/domain/buildRequest';
import { formatSelector } from '../../../datasource/domain/selector';
import { prefixRoute } from '../../../shared/domain/prefixRoute';

export function serviceSelector(service: string): string {
  return formatSelector([{ name: 'service', op: '=', value: service }]);
}

/** The "Haskell service drill-down" dashboard on this service and range (its `$service` variable). */
export function drilldownUrl(service: string, window: TimeWindow): string {
  const params = new URLSearchParams({ 'var-service': service, from: String(window.from), to: String(window.to) });
  return `/d/${DRILLDOWN_UID}?${params}`;
}

/** The Profile page over the service's profiles in the range. */
export function profilePageUrl(service: string, window: TimeWindow): string {
  return prefixRoute(ROUTES.Profile, { selector: serviceSelector(service), from: window.from, to: window.to });
}

/** Compare: the service in the range against the same service over the range just before it. */
export function comparePageUrl(service: string, window: TimeWindow): string {
  const selector = serviceSelector(service);
  const span = window.to - window.from;
  return prefixRoute(ROUTES.Compare, {
    'left.selector': selector,
    'left.from': window.from - span,
    'left.to': window.from,
    'right.selector': selector,
    'right.from': window.from,
    'right.to': window.to,
  });
}
