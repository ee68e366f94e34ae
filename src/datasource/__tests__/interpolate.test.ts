import { FakeTemplateSrv } from '../../testing/FakeTemplateSrv';
import { interpolateList, interpolateSelector } from '../domain/interpolate';

const variables = new FakeTemplateSrv([
  { name: 'service', current: ['search'], options: ['search', 'api'] },
  { name: 'services', current: ['search', 'api.v2'], options: ['search', 'api.v2'], multi: true },
  { name: 'pod', current: ['$__all'], options: ['search-1', 'search-2'], multi: true },
  { name: 'zone', current: ['$__all'], options: ['eu', 'us'], multi: true, allValue: '.*' },
  { name: 'release', current: ['1.2.3'], options: ['1.2.3'] },
  { name: 'ids', current: ['p1', 'p2'], options: ['p1', 'p2', 'p3'], multi: true },
]);

describe('interpolateSelector', () => {
  it('keeps a single value an exact, unescaped match', () => {
    expect(interpolateSelector('{service="$service",version="$release"}', variables)).toBe(
      '{service="search",version="1.2.3"}'
    );
  });

  it('turns a multi-value selection into an escaped regex alternative', () => {
    expect(interpolateSelector('{service="$services"}', variables)).toBe('{service=~"search|api\\\\.v2"}');
    expect(interpolateSelector('{service!="$services"}', variables)).toBe('{service!~"search|api\\\\.v2"}');
  });

  it('expands All without a custom all value to every option', () => {
    expect(interpolateSelector('{service="$service",pod="$pod"}', variables)).toBe(
      '{service="search",pod=~"search-1|search-2"}'
    );
  });

  it('uses a custom All value as the regex it is', () => {
    expect(interpolateSelector('{zone="$zone"}', variables)).toBe('{zone=~".*"}');
  });

  it('escapes single values inside regex matchers', () => {
    expect(interpolateSelector('{version=~"$release"}', variables)).toBe('{version=~"1\\\\.2\\\\.3"}');
  });

  it('supports ${var} and [[var]] forms and scoped variables (repeated panels)', () => {
    expect(interpolateSelector('{service="${service}",pod="[[release]]"}', variables)).toBe(
      '{service="search",pod="1.2.3"}'
    );
    expect(interpolateSelector('{service="$service"}', variables, { service: { text: 'api', value: 'api' } })).toBe(
      '{service="api"}'
    );
  });

  it('leaves selectors without variables untouched and passes unparsable text to plain replacement', () => {
    expect(interpolateSelector('{service=~"a|b"}', variables)).toBe('{service=~"a|b"}');
    expect(interpolateSelector('$service', variables)).toBe('search');
    expect(interpolateSelector(undefined, variables)).toBe('');
  });
});

describe('interpolateList', () => {
  it('expands a multi-value variable into several ids', () => {
    expect(interpolateList(['$ids', 'p9'], variables)).toEqual(['p1', 'p2', 'p9']);
  });
});
