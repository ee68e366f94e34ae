/**
 * Finds where JSON text stops being valid, for error messages (V8's JSON.parse messages do not always carry a
 * position) and for reading cut-off files. Runs only after JSON.parse has failed.
 */

export interface JsonProblem {
  /** Character index of the first invalid character, or text.length when the text ends early. */
  at: number;
  /** What was expected there. */
  expected: string;
  /** True when the text is a valid prefix that simply ends too soon (a cut-off file). */
  endsEarly: boolean;
  /** Index just after the last complete object/array, and the brackets still open there (outermost first). */
  lastCompleteEnd: number;
  openAtLastComplete: string;
  /** Start of the string the text ends inside, or -1. */
  openStringAt: number;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

type Want = 'value' | 'key-or-close' | 'key' | 'colon' | 'comma-or-close' | 'value-or-close' | 'end';

/** Validates `text` as one JSON value; null when it is valid. */
export function locateJsonProblem(text: string): JsonProblem | null {
  const stack: string[] = []; // '{' or '['
  let lastCompleteEnd = -1;
  let openAtLastComplete = '';
  let i = 0;
  // what the grammar allows next
  let want = 'value' as Want;
  const problem = (expected: string, openStringAt = -1): JsonProblem => ({
    at: i,
    expected,
    endsEarly: i >= text.length,
    lastCompleteEnd,
    openAtLastComplete,
    openStringAt,
  });
  const afterValue = (): Want => (stack.length === 0 ? 'end' : 'comma-or-close');
  for (;;) {
    while (i < text.length && WS.has(text.charCodeAt(i))) {
      i++;
    }
    if (i >= text.length) {
      return want === 'end' ? null : problem(describe(want));
    }
    const c = text[i];
    if (want === 'end') {
      return problem('the end of the text');
    }
    if (want === 'colon') {
      if (c !== ':') return problem('":"');
      i++;
      want = 'value';
      continue;
    }
    if (want === 'comma-or-close' || want === 'key-or-close' || want === 'value-or-close') {
      const close = stack[stack.length - 1] === '{' ? '}' : ']';
      if (c === close) {
        stack.pop();
        i++;
        lastCompleteEnd = i;
        openAtLastComplete = stack.join('');
        want = afterValue();
        continue;
      }
      if (want === 'comma-or-close') {
        if (c !== ',') return problem(`"," or "${close}"`);
        i++;
        want = close === '}' ? 'key' : 'value';
        continue;
      }
      want = want === 'key-or-close' ? 'key' : 'value';
    }
    if (want === 'key') {
      if (c !== '"') return problem('a double-quoted property name');
      const end = skipString(text, i);
      if (end < 0) return { ...problem('the end of the string'), at: text.length, endsEarly: true, openStringAt: i };
      i = end;
      want = 'colon';
      continue;
    }
    // want === 'value'
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      want = c === '{' ? 'key-or-close' : 'value-or-close';
      continue;
    }
    if (c === '"') {
      const end = skipString(text, i);
      if (end < 0) return { ...problem('the end of the string'), at: text.length, endsEarly: true, openStringAt: i };
      i = end;
      want = afterValue();
      continue;
    }
    const end = skipLiteral(text, i);
    if (end === i) return problem('a value');
    if (end < 0) {
      i = -end;
      return problem('a complete literal');
    }
    i = end;
    want = afterValue();
  }
}

function describe(want: string): string {
  switch (want) {
    case 'colon':
      return '":"';
    case 'key':
    case 'key-or-close':
      return 'a property name';
    case 'comma-or-close':
      return '"," or a closing bracket';
    default:
      return 'a value';
  }
}

/** Index after the closing quote, or -1 when the text ends inside the string. */
function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      i++;
    } else if (c === 0x22) {
      return i + 1;
    }
  }
  return -1;
}

/**
 * A number, true, false or null starting at `start`: the index after it; `start` when nothing matches;
 * -(index) when the text ends in the middle of one (`tr`, `12.`).
 */
function skipLiteral(text: string, start: number): number {
  for (const word of ['true', 'false', 'null']) {
    if (text.startsWith(word, start)) return start + word.length;
    const rest = text.length - start;
    if (rest < word.length && word.startsWith(text.slice(start))) return -text.length;
  }
  const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(start, start + 64));
  if (!m) return start;
  const end = start + m[0].length;
  if (end >= text.length) return end; // a number may end at the end of the text
  const next = text[end];
  if (next === '.' || next === 'e' || next === 'E' || next === '-' || next === '+') return start;
  return end;
}
