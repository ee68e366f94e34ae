import { parseLabelList } from '../parseLabelList';

describe('parseLabelList', () => {
  it('reads comma-separated name=value pairs, trimming spaces and keeping = inside values', () => {
    expect(parseLabelList(' service=search, pod = search-1 ,build=a=b')).toEqual({
      service: 'search',
      pod: 'search-1',
      build: 'a=b',
    });
    expect(parseLabelList('')).toEqual({});
    expect(parseLabelList('service=,')).toEqual({ service: '' });
  });

  it('names the item that is not name=value', () => {
    expect(() => parseLabelList('service=search, pod')).toThrow('label "pod" is not name=value');
    expect(() => parseLabelList('=x')).toThrow('label "=x" is not name=value');
  });
});
