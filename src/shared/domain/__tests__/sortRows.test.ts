import { nextSort, sortRows } from '../sortRows';

const rows = [
  { name: 'b', slope: 2 },
  { name: 'a', slope: undefined as number | undefined },
  { name: 'c', slope: 10 },
];
const valueOf = (row: (typeof rows)[number], key: 'name' | 'slope') => row[key];

describe('sortRows', () => {
  it('sorts numbers numerically both ways and keeps missing values last', () => {
    expect(sortRows(rows, { key: 'slope', direction: 'desc' }, valueOf).map((r) => r.name)).toEqual(['c', 'b', 'a']);
    expect(sortRows(rows, { key: 'slope', direction: 'asc' }, valueOf).map((r) => r.name)).toEqual(['b', 'c', 'a']);
  });

  it('sorts strings by locale and does not touch its input', () => {
    expect(sortRows(rows, { key: 'name', direction: 'asc' }, valueOf).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(rows.map((r) => r.name)).toEqual(['b', 'a', 'c']);
  });

  it('flips the sorted column and starts another with its initial direction', () => {
    expect(nextSort({ key: 'slope', direction: 'desc' }, 'slope')).toEqual({ key: 'slope', direction: 'asc' });
    expect(nextSort({ key: 'slope', direction: 'desc' }, 'name', 'asc')).toEqual({ key: 'name', direction: 'asc' });
  });
});
