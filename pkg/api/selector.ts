/**
 * Prometheus-style label selectors (`{service="api",pod=~"api-.*"}`), shared by the server (filtering stored
 * profiles) and the plugin (autocomplete, building selectors from template variables). Browser-safe.
 *
 * Semantics follow Prometheus: a missing label has the value `""` (so `x!="y"` matches profiles without `x`, and
 * `x=""` matches only those), and regexes are fully anchored (`pod=~"api"` does not match `api-1`) with `.`
 * matching newlines. Regexes are RE2, as in PromQL, and run on a linear-time engine (re2js); their length is capped.
 */
import { RE2JS } from 're2js';
import { ownValue } from './records';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** Longest regex a matcher may carry: selectors come from URLs and dashboards, not from programs. */
export const MAX_REGEX_LENGTH = 1024;

/**
 * Most matchers a selector may have. Selectors come from dashboards (a handful of matchers); each matcher is one
 * sub-condition of the store's SQL, and SQLite refuses expressions nested deeper than 1000.
 */
export const MAX_MATCHERS = 100;

/** Label names as Prometheus defines them. */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What the server accepts per profile (names must also match LABEL_NAME_RE and not start with `__`). */
export const LABEL_LIMITS = { count: 32, nameLength: 128, valueLength: 1024 };

export class SelectorError extends Error {
  /** 1-based column in the selector text where the problem was found. */
  readonly column: number;
  /** The message without the "invalid label selector" prefix (for callers parsing something else). */
  readonly reason: string;

  constructor(column: number, message: string) {
    super(`invalid label selector at column ${column}: ${message}`);
    this.name = 'SelectorError';
    this.column = column;
    this.reason = message;
  }
}

/**
 * Parses `{name="value", name!="v", name=~"re", name!~"re"}` (braces optional, trailing comma allowed; values in
 * double quotes, single quotes or backticks with Go escapes). Empty text or `{}` gives `[]` (select everything).
 * Throws SelectorError naming the column.
 */
export function parseSelector(s: string): LabelMatcher[] {
  return new SelectorParser(s).parse();
}

/**
 * The Go double-quoted string literal (`strconv.Quote`, `fmt` `%q`) that starts `text`: its value and its length
 * in `text`. Throws SelectorError (see `reason`, `column`) when it is not one.
 */
export function readGoQuoted(text: string): { value: string; length: number } {
  return new SelectorParser(text).quotedPrefix();
}

/** True when every matcher accepts the labels (a missing label counts as `""`, even `constructor`). */
export function matchLabels(labels: Readonly<Record<string, string>>, matchers: readonly LabelMatcher[]): boolean {
  for (const m of matchers) {
    if (!compileMatcher(m)(ownValue(labels, m.name) ?? '')) {
      return false;
    }
  }
  return true;
}

/** A predicate on one label value; regexes are compiled once and cached. */
export function compileMatcher(m: LabelMatcher): (value: string) => boolean {
  switch (m.op) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = compileRegex(m.value);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileRegex(m.value);
      return (v) => !re.test(v);
    }
  }
}

/** The canonical text of matchers, parseable by parseSelector (`{a="x",b=~"y.*"}`). */
export function formatSelector(matchers: readonly LabelMatcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.op}${quote(m.value)}`).join(',')}}`;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Regexes

/** A compiled label regex: true when the whole value matches. */
export interface LabelRegex {
  test(value: string): boolean;
}

const regexCache = new Map<string, LabelRegex>();
const REGEX_CACHE_SIZE = 512;

/**
 * Compiles a regex the way Prometheus does (`model/labels/regexp.go`: `regexp.Compile("^(?s:" + v + ")$")`): RE2
 * syntax, fully anchored, `.` matching newlines. It runs on re2js, a port of Go's regexp, whose matching takes
 * time linear in the value whatever the pattern (no backtracking), so a hostile pattern cannot freeze the server.
 * The pattern must compile on its own first, so `a)|(b` is not accepted through the wrapping group. Throws a plain
 * Error describing the problem (the parser adds the column).
 */
export function compileRegex(pattern: string): LabelRegex {
  const cached = regexCache.get(pattern);
  if (cached) {
    return cached;
  }
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw new Error(`regular expression is ${pattern.length} characters long (at most ${MAX_REGEX_LENGTH})`);
  }
  let re: LabelRegex;
  try {
    RE2JS.compile(pattern);
    re = RE2JS.compile(`^(?s:${pattern})$`);
  } catch (e) {
    throw new Error(`bad regular expression ${quote(pattern)} (RE2 syntax, as in PromQL): ${(e as Error).message}`);
  }
  if (regexCache.size >= REGEX_CACHE_SIZE) {
    regexCache.delete(regexCache.keys().next().value as string);
  }
  regexCache.set(pattern, re);
  return re;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

const HEX_ESCAPE_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

class SelectorParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): LabelMatcher[] {
    this.skipSpace();
    if (this.atEnd()) {
      return [];
    }
    const braced = this.text[this.pos] === '{';
    if (braced) {
      this.pos++;
    }
    const matchers = this.matcherList(braced ? '}' : '');
    if (braced) {
      this.expect('}', `'}' to close the selector`);
    }
    this.skipSpace();
    if (!this.atEnd()) {
      this.fail(`unexpected ${this.describeHere()} after the end of the selector`);
    }
    return matchers;
  }

  quotedPrefix(): { value: string; length: number } {
    if (this.text[0] !== '"') this.fail(`expected a double-quoted value, found ${this.describeHere()}`);
    const value = this.stringLiteral();
    return { value, length: this.pos };
  }

  /** Matchers separated by commas (a trailing comma is fine) up to `close` ('' = end of text). */
  private matcherList(close: string): LabelMatcher[] {
    const matchers: LabelMatcher[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd() || (close !== '' && this.text[this.pos] === close)) {
        return matchers;
      }
      if (matchers.length === MAX_MATCHERS) {
        this.fail(`too many matchers: a selector has at most ${MAX_MATCHERS} matchers`);
      }
      matchers.push(this.matcher());
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
      } else if (!(this.atEnd() || (close !== '' && this.text[this.pos] === close))) {
        this.fail(`expected ',' or ${close ? `'${close}'` : 'the end'} after a matcher, found ${this.describeHere()}`);
      }
    }
  }

  private matcher(): LabelMatcher {
    const name = this.labelName();
    this.skipSpace();
    const op = this.operator(name);
    this.skipSpace();
    const valueColumn = this.pos + 1;
    const value = this.stringLiteral();
    if (op === '=~' || op === '!~') {
      try {
        compileRegex(value);
      } catch (e) {
        throw new SelectorError(valueColumn, `label ${name}: ${(e as Error).message}`);
      }
    }
    return { name, op, value };
  }

  private labelName(): string {
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) {
      this.fail(`expected a label name ([a-zA-Z_][a-zA-Z0-9_]*), found ${this.describeHere()}`);
    }
    this.pos += m[0].length;
    return m[0];
  }

  private operator(name: string): MatchOp {
    for (const op of ['=~', '!~', '!=', '='] as const) {
      if (this.text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return op;
      }
    }
    this.fail(`expected '=', '!=', '=~' or '!~' after label name "${name}", found ${this.describeHere()}`);
  }

  private stringLiteral(): string {
    const open = this.text[this.pos];
    if (open !== '"' && open !== "'" && open !== '`') {
      this.fail(`expected a quoted value ("...", '...' or \`...\`), found ${this.describeHere()}`);
    }
    const start = this.pos;
    this.pos++;
    let out = '';
    while (!this.atEnd()) {
      const c = this.text[this.pos];
      if (c === open) {
        this.pos++;
        return out;
      }
      if (c === '\\' && open !== '`') {
        out += this.escape();
      } else if (c === '\n' && open !== '`') {
        this.fail('newline inside a quoted value');
      } else {
        out += c;
        this.pos++;
      }
    }
    throw new SelectorError(start + 1, `unterminated quoted value (missing closing ${open})`);
  }

  /** A Go-style escape at pos (`\n`, `\"`, `\\`, `\x41`, `\u00e9`, `\U0001F600`, octal `\101`). */
  private escape(): string {
    const at = this.pos;
    const c = this.text[at + 1];
    if (c === undefined) {
      this.fail('backslash at the end of the selector');
    }
    if (c in SIMPLE_ESCAPES) {
      this.pos += 2;
      return SIMPLE_ESCAPES[c];
    }
    const hexDigits = HEX_ESCAPE_DIGITS[c];
    if (hexDigits !== undefined) {
      return this.numericEscape(at, 2, hexDigits, /^[0-9a-fA-F]+$/, 16);
    }
    if (c >= '0' && c <= '7') {
      return this.numericEscape(at, 1, 3, /^[0-7]+$/, 8);
    }
    this.fail(`unknown escape \\${c} (a regex escape like \\d must be written \\\\d inside "..." or use \`...\`)`);
  }

  private numericEscape(at: number, skip: number, digits: number, valid: RegExp, radix: number): string {
    const text = this.text.slice(at + skip, at + skip + digits);
    if (text.length !== digits || !valid.test(text)) {
      this.fail(
        `escape ${this.text.slice(at, at + skip + digits)} needs ${digits} ${radix === 16 ? 'hex' : 'octal'} digits`
      );
    }
    const code = parseInt(text, radix);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      this.fail(`escape ${this.text.slice(at, at + skip + digits)} is not a valid code point`);
    }
    this.pos = at + skip + digits;
    return String.fromCodePoint(code);
  }

  private expect(c: string, what: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== c) {
      this.fail(`expected ${what}, found ${this.describeHere()}`);
    }
    this.pos++;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) {
      this.pos++;
    }
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private describeHere(): string {
    return this.atEnd() ? 'the end of the selector' : JSON.stringify(this.text.slice(this.pos, this.pos + 12));
  }

  private fail(message: string): never {
    throw new SelectorError(this.pos + 1, message);
  }
}
