import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SelectorError, compileRegex, formatSelector, matchLabels, parseSelector, type LabelMatcher } from './selector';

function parseError(s: string): SelectorError {
  try {
    parseSelector(s);
  } catch (e) {
    assert.ok(e instanceof SelectorError, `expected SelectorError, got ${String(e)}`);
    return e;
  }
  assert.fail(`parseSelector(${JSON.stringify(s)}) did not throw`);
}

describe('parseSelector', () => {
  it('gives [] for empty text and {}', () => {
    assert.deepEqual(parseSelector(''), []);
    assert.deepEqual(parseSelector('   '), []);
    assert.deepEqual(parseSelector('{}'), []);
    assert.deepEqual(parseSelector(' { } '), []);
  });

  it('reads all four operators, whitespace and a trailing comma', () => {
    assert.deepEqual(parseSelector('{service="api", pod=~"api-.*" ,x != "y",z!~"a|b",}'), [
      { name: 'service', op: '=', value: 'api' },
      { name: 'pod', op: '=~', value: 'api-.*' },
      { name: 'x', op: '!=', value: 'y' },
      { name: 'z', op: '!~', value: 'a|b' },
    ]);
  });

  it('accepts matchers without braces', () => {
    assert.deepEqual(parseSelector('service="api",_v1=\'2\''), [
      { name: 'service', op: '=', value: 'api' },
      { name: '_v1', op: '=', value: '2' },
    ]);
  });

  it('decodes Go escapes in double and single quotes, none in backticks', () => {
    assert.deepEqual(
      parseSelector(String.raw`{a="q\"\\\n\t", b='it\'s', c="\x41\u00e9\U0001F600\101", d=~` + '`\\d+`}'),
      [
        { name: 'a', op: '=', value: 'q"\\\n\t' },
        { name: 'b', op: '=', value: "it's" },
        { name: 'c', op: '=', value: 'Aé😀A' },
        { name: 'd', op: '=~', value: '\\d+' },
      ]
    );
  });

  it('names the column of each mistake', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['{service="api"', 15, /expected '}' to close the selector/],
      ['{1abc="x"}', 2, /expected a label name/],
      ['{service=="x"}', 10, /expected a quoted value/],
      ['{service:"x"}', 9, /expected '=', '!=', '=~' or '!~' after label name "service"/],
      ['{a="x" b="y"}', 8, /expected ',' or '}' after a matcher/],
      ['{a="unterminated}', 4, /unterminated quoted value/],
      ['{a="\\d"}', 5, /unknown escape \\d/],
      ['{a="\\x4"}', 5, /needs 2 hex digits/],
      ['{a="x"} junk', 9, /unexpected "junk"/],
      ['{a=~"("}', 5, /label a: bad regular expression/],
      ['{a=~"[]|(a+)+b"}', 5, /label a: bad regular expression "\[\]\|\(a\+\)\+b" \(RE2 syntax/],
      ['{ab-c="x"}', 4, /expected '=', '!='/],
    ];
    for (const [text, column, message] of cases) {
      const err = parseError(text);
      assert.equal(err.column, column, `${text}: ${err.message}`);
      assert.match(err.message, message, text);
      assert.match(err.message, new RegExp(`^invalid label selector at column ${column}: `));
    }
  });
});

describe('matchLabels', () => {
  const labels = { service: 'api', pod: 'api-7f9c', env: 'prod' };
  const check = (sel: string) => matchLabels(labels, parseSelector(sel));

  it('applies =, !=, =~, !~ with Prometheus semantics for missing labels', () => {
    assert.equal(check('{service="api"}'), true);
    assert.equal(check('{service="web"}'), false);
    assert.equal(check('{service!="web"}'), true);
    assert.equal(check('{missing!="x"}'), true, 'a missing label is "" and differs from "x"');
    assert.equal(check('{missing=""}'), true);
    assert.equal(check('{service=""}'), false);
    assert.equal(check('{pod=~"api-.*"}'), true);
    assert.equal(check('{pod!~"api-.*"}'), false);
    assert.equal(check('{missing=~".*"}'), true, '.* matches the empty value of a missing label');
    assert.equal(check('{missing=~".+"}'), false);
    assert.equal(check('{service="api",env="dev"}'), false, 'all matchers must hold');
    assert.equal(check(''), true);
  });

  it('anchors regexes at both ends', () => {
    assert.equal(check('{pod=~"api"}'), false);
    assert.equal(check('{pod=~"7f9c"}'), false);
    assert.equal(check('{pod=~"api|api-7f9c"}'), true, 'alternation is anchored as a whole');
    assert.equal(check('{service=~"a|web"}'), false);
  });

  it('supports (?i) and lets . match newlines like Prometheus', () => {
    assert.equal(check('{service=~"(?i)API"}'), true);
    assert.equal(matchLabels({ m: 'a\nb' }, parseSelector('{m=~"a.b"}')), true);
  });
});

describe('regexes: RE2 syntax and linear time', () => {
  it('speaks RE2 as PromQL does: [] opens a class, no backreferences or lookaround, Perl classes and (?P<n>)', () => {
    // `[]` is an empty class to JavaScript but `[]...]` (a class holding `]`) to RE2: unterminated here.
    assert.throws(() => compileRegex('[]|(a+)+b'), /missing closing \]/);
    assert.equal(compileRegex('[]a]+').test(']a]'), true, 'RE2 reads []a] as the class of ] and a');
    assert.throws(() => compileRegex('(a)\\1'), /bad regular expression/);
    assert.throws(() => compileRegex('a(?=b)'), /bad regular expression/);
    assert.throws(() => compileRegex('x'.repeat(1025)), /1025 characters long \(at most 1024\)/);
    assert.throws(() => compileRegex('a)|(b'), /bad regular expression/, 'not accepted through the anchoring group');
    assert.equal(compileRegex('(?P<x>a)b').test('ab'), true);
    assert.equal(compileRegex('\\d+\\s\\w').test('42 x'), true);
    assert.equal(compileRegex('(?i)api').test('API'), true);
    assert.equal(compileRegex('(?m)^b$').test('b'), true, 'RE2 flags are accepted as Prometheus accepts them');
  });

  it('accepts the nested quantifiers a backtracking engine dies on, and answers in linear time', () => {
    // A backtracking engine takes ~2^n steps on each of these for n = 1024 (JavaScript: hours).
    const value = 'a'.repeat(1024);
    for (const p of ['(a+)+b', '(a|a)*b', '(a|aa)*b', '(.*)*x', '(x+x+)+y', '(a*)*$b']) {
      const started = performance.now();
      assert.equal(compileRegex(p).test(value), false, p);
      assert.ok(performance.now() - started < 1000, `${p} took ${performance.now() - started} ms`);
    }
    assert.equal(compileRegex('(a+)+').test(value), true);
  });
});

describe('formatSelector', () => {
  it('round-trips through parseSelector for any names and values', () => {
    const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
    const matcher: fc.Arbitrary<LabelMatcher> = fc.record({
      name,
      op: fc.constantFrom('=' as const, '!=' as const),
      value: fc.string({ unit: 'binary', maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.array(matcher, { maxLength: 5 }), (ms) => {
        assert.deepEqual(
          parseSelector(formatSelector(ms)),
          ms.map((m) => ({ ...m }))
        );
      })
    );
  });
});
