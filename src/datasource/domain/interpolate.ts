import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import type { LabelMatcher } from '@ghcprof/api/selector';
import { escapeRegex, formatSelector, isRegexOp, parseSelector, toRegexOp } from './selector';

const VARIABLE_REFERENCE = /\$(\w+)|\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]/g;
const ALL_VALUE = '$__all';

/**
 * Interpolates template variables inside a label selector, matcher by matcher, so that multi-value and All
 * selections become regex matchers: `service="$service"` with `a` and `b` selected gives `service=~"a|b"`,
 * each value regex-escaped. A single value stays an exact match (unescaped). A custom All value (`.*`) is used as
 * the regex it is.
 */
export function interpolateSelector(
  selector: string | undefined,
  templateSrv: TemplateSrv,
  scopedVars: ScopedVars = {}
): string {
  if (!selector || !templateSrv.containsTemplate(selector)) {
    return selector ?? '';
  }
  let matchers: LabelMatcher[];
  try {
    matchers = parseSelector(selector);
  } catch {
    // A whole-selector variable (`$selector`) or free text: plain replacement, the server reports syntax errors.
    return templateSrv.replace(selector, scopedVars);
  }
  return formatSelector(matchers.map((m) => interpolateMatcher(m, templateSrv, scopedVars)));
}

function interpolateMatcher(matcher: LabelMatcher, templateSrv: TemplateSrv, scopedVars: ScopedVars): LabelMatcher {
  if (!templateSrv.containsTemplate(matcher.value)) {
    return matcher;
  }
  const customAll = usesCustomAllValue(matcher.value, templateSrv, scopedVars);
  let multi = false;
  templateSrv.replace(matcher.value, scopedVars, (value: string | string[]) => {
    multi ||= Array.isArray(value) && value.length !== 1;
    return '';
  });
  const regex = multi || customAll || isRegexOp(matcher.op);
  const value = templateSrv.replace(matcher.value, scopedVars, (value: string | string[]) => {
    const values = Array.isArray(value) ? value : [value];
    return regex ? values.map(escapeRegex).join('|') : values.join('');
  });
  return { name: matcher.name, op: regex ? toRegexOp(matcher.op) : matcher.op, value };
}

/** Grafana inserts a custom All value (e.g. `.*`) verbatim, without calling the formatter. */
function usesCustomAllValue(text: string, templateSrv: TemplateSrv, scopedVars: ScopedVars): boolean {
  const names = [...text.matchAll(VARIABLE_REFERENCE)].map((m) => m[1] ?? m[2] ?? m[3]);
  return templateSrv.getVariables().some((variable) => {
    if (!names.includes(variable.name) || scopedVars[variable.name]) {
      return false;
    }
    const withAll = variable as { allValue?: string | null; current?: { value?: string | string[] } };
    const current = withAll.current?.value;
    const isAll = Array.isArray(current) ? current.includes(ALL_VALUE) : current === ALL_VALUE;
    return isAll && Boolean(withAll.allValue);
  });
}

/** Plain interpolation for non-selector fields (label names, versions, profile ids). */
export function interpolateText(
  text: string | undefined,
  templateSrv: TemplateSrv,
  scopedVars: ScopedVars = {}
): string | undefined {
  return text === undefined ? undefined : templateSrv.replace(text, scopedVars);
}

/** Profile ids from a multi-value variable expand to several ids. */
export function interpolateList(
  items: string[] | undefined,
  templateSrv: TemplateSrv,
  scopedVars: ScopedVars = {}
): string[] | undefined {
  return items
    ?.flatMap((item) => templateSrv.replace(item, scopedVars, 'csv').split(','))
    .filter((item) => item !== '');
}
