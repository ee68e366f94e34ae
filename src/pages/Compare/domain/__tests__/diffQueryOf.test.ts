import { dateTime } from '@grafana/data';
import { diffQueryOf } from '../diffQueryOf';

const selection = (selector: string, from: number, to: number) => ({
  selector,
  range: { from: dateTime(from), to: dateTime(to), raw: { from: dateTime(from), to: dateTime(to) } },
});

describe('diffQueryOf', () => {
  it('diffs the comparison against the baseline selection over the baseline own range', () => {
    expect(diffQueryOf(selection('{version="1"}', 10, 20), selection('{version="2"}', 30, 40))).toEqual({
      refId: 'diff',
      queryType: 'diff',
      selector: '{version="2"}',
      baselineSelector: '{version="1"}',
      baselineFrom: 10,
      baselineTo: 20,
    });
  });
});
