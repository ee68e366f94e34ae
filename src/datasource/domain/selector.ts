import type { LabelMatcher, MatchOp } from '@ghcprof/api/selector';

const MATCHER = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;

/** Thrown for a selector that is not `{name op "value", ...}`; `offset` points at the first bad character. */
export class SelectorSyntaxError extends Error {
  constructor(
    readonly selector: string,
    readonly offset: number
  ) {
    super(`invalid label selector at character ${offset + 1}: expected name="value" in ${selector}`);
  }
}

/** Parses `{service="api",pod=~"api-.*"}` (braces optional; empty or `{}` selects everything). */
export function parseSelector(selector: string): LabelMatcher[] {
  const trimmed = selector.trim();
  const inner = trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1) : trimmed;
  const base = trimmed.length - inner.length === 2 ? selector.indexOf('{') + 1 : 0;
  const matchers: LabelMatcher[] = [];
  MATCHER.lastIndex = 0;
  while (MATCHER.lastIndex < inner.length && inner.slice(MATCHER.lastIndex).trim() !== '') {
    const start = MATCHER.lastIndex;
    const match = MATCHER.exec(inner);
    if (!match) {
      throw new SelectorSyntaxError(selector, base + start);
    }
    matchers.push({ name: match[1], op: match[2] as MatchOp, value: unquote(match[3]) });
  }
  return matchers;
}

export function formatSelector(matchers: LabelMatcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.op}"${quote(m.value)}"`).join(',')}}`;
}

/** Replaces every matcher on `name` with one `name op value` (appends when absent). */
export function withMatcher(matchers: LabelMatcher[], matcher: LabelMatcher): LabelMatcher[] {
  const others = matchers.filter((m) => m.name !== matcher.name);
  const at = matchers.findIndex((m) => m.name === matcher.name);
  return at < 0 ? [...matchers, matcher] : [...others.slice(0, at), matcher, ...others.slice(at)];
}

export const isRegexOp = (op: MatchOp): boolean => op === '=~' || op === '!~';

/** The regex form of an exact-match operator (`=` -> `=~`), for multi-value variables. */
export const toRegexOp = (op: MatchOp): MatchOp => (op === '=' ? '=~' : op === '!=' ? '!~' : op);

/** Escapes RE2 metacharacters so a value matches itself literally inside `=~`. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

function quote(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function unquote(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}
