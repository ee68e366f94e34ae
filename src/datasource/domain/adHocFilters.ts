import type { AdHocVariableFilter } from '@grafana/data';
import type { LabelMatcher, MatchOp } from '@ghcprof/api/selector';
import { escapeRegex, formatSelector, parseSelector } from './selector';

const SINGLE: Record<string, MatchOp> = { '=': '=', '!=': '!=', '=~': '=~', '!~': '!~' };
const MULTI: Record<string, MatchOp> = { '=|': '=~', '!=|': '!~' };

/**
 * A dashboard's ad hoc filters as extra matchers of the (interpolated) selector: `pod != "a"` adds `pod!="a"`,
 * the one-of operators (`=|`) become an escaped regex alternative. Matchers are added, never replaced: a filter
 * narrows what the panel's own selector chose.
 */
export function withAdHocFilters(selector: string, filters: AdHocVariableFilter[] | undefined): string {
  if (!filters || filters.length === 0) {
    return selector;
  }
  return formatSelector([...parseSelector(selector), ...filters.map(toMatcher)]);
}

function toMatcher(filter: AdHocVariableFilter): LabelMatcher {
  if (SINGLE[filter.operator]) {
    return { name: filter.key, op: SINGLE[filter.operator], value: filter.value };
  }
  if (MULTI[filter.operator]) {
    const values = filter.values && filter.values.length > 0 ? filter.values : [filter.value];
    return { name: filter.key, op: MULTI[filter.operator], value: values.map(escapeRegex).join('|') };
  }
  throw new Error(
    `ad hoc filter ${filter.key} ${filter.operator} ${filter.value}: ghcprof label selectors support =, !=, =~, !~ and one-of`
  );
}
