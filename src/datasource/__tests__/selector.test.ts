import { escapeRegex, formatSelector, parseSelector, SelectorSyntaxError, withMatcher } from '../domain/selector';

describe('parseSelector', () => {
  it('reads every operator, with or without braces and spaces', () => {
    expect(parseSelector('{service="api", pod=~"api-.*",env!="dev",zone!~"eu-.*"}')).toEqual([
      { name: 'service', op: '=', value: 'api' },
      { name: 'pod', op: '=~', value: 'api-.*' },
      { name: 'env', op: '!=', value: 'dev' },
      { name: 'zone', op: '!~', value: 'eu-.*' },
    ]);
    expect(parseSelector('service="api"')).toEqual([{ name: 'service', op: '=', value: 'api' }]);
  });

  it('reads the empty selector as no matchers', () => {
    expect(parseSelector('')).toEqual([]);
    expect(parseSelector('{}')).toEqual([]);
    expect(parseSelector(' { } ')).toEqual([]);
  });

  it('unescapes quotes and backslashes inside values', () => {
    expect(parseSelector('{msg="say \\"hi\\"",re=~"a\\\\.b"}')).toEqual([
      { name: 'msg', op: '=', value: 'say "hi"' },
      { name: 're', op: '=~', value: 'a\\.b' },
    ]);
  });

  it('points at the first bad character', () => {
    expect(() => parseSelector('{service="api",pod}')).toThrow(SelectorSyntaxError);
    expect(() => parseSelector('{service="api",pod}')).toThrow('invalid label selector at character 16');
    expect(() => parseSelector('{service=api}')).toThrow('at character 2');
  });
});

describe('formatSelector', () => {
  it('round-trips through parseSelector, quoting what needs it', () => {
    const text = '{service="api",msg="say \\"hi\\"",re=~"a\\\\.b"}';
    expect(formatSelector(parseSelector(text))).toBe(text);
  });

  it('withMatcher replaces a label in place or appends it', () => {
    const matchers = parseSelector('{service="api",version="1.0",pod="a"}');
    expect(formatSelector(withMatcher(matchers, { name: 'version', op: '=', value: '0.9' }))).toBe(
      '{service="api",version="0.9",pod="a"}'
    );
    expect(formatSelector(withMatcher(matchers, { name: 'zone', op: '=~', value: 'eu.*' }))).toBe(
      '{service="api",version="1.0",pod="a",zone=~"eu.*"}'
    );
  });
});

describe('escapeRegex', () => {
  it('escapes every RE2 metacharacter so a value matches only itself', () => {
    const value = 'a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o';
    const escaped = escapeRegex(value);
    expect(escaped).toBe('a\\.b\\*c\\+d\\?e\\(f\\)g\\[h\\]i\\{j\\}k\\|l\\^m\\$n\\\\o');
    expect(new RegExp(`^${escaped}$`).test(value)).toBe(true);
    expect(new RegExp(`^${escaped}$`).test('aXb*c+d?e(f)g[h]i{j}k|l^m$n\\o')).toBe(false);
  });
});
