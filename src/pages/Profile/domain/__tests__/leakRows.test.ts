import { dataFrameFromJSON, FieldType, toDataFrame } from '@grafana/data';
import { focusBand } from '../focusBand';
import { LEAK_FIELDS, leakRowsOf, minR2Of } from '../leakRows';

const leaks = dataFrameFromJSON({
  schema: {
    name: 'leaks',
    meta: { custom: { ghcprof: { minR2: 0.9 } } },
    fields: LEAK_FIELDS.map((name) => ({ name })),
  },
  data: {
    values: [
      ['{pod="a"}', '{pod="a"}'],
      ['A', 'B'],
      [100, 0],
      [0, 10],
      [0.95, 0],
      [400, 20],
      [81, 0],
      [300, 10],
      [300, 10],
      [true, false],
      [
        [100, 200, 300],
        [10, 10, 10],
      ],
    ],
  },
});

describe('leakRowsOf', () => {
  it('reads every column of the leaks frame in the server order', () => {
    const rows = leakRowsOf(leaks);
    expect(rows.map((r) => [r.series, r.band, r.slope, r.r2, r.stddev, r.steady])).toEqual([
      ['{pod="a"}', 'A', 100, 0.95, 81, true],
      ['{pod="a"}', 'B', 0, 0, 0, false],
    ]);
    expect(rows[0].trend).toEqual([100, 200, 300]);
    expect(minR2Of(leaks)).toBe(0.9);
    expect(leakRowsOf(undefined)).toEqual([]);
  });
});

describe('focusBand', () => {
  const heap = toDataFrame({
    fields: [
      { name: 'time', type: FieldType.time, values: [1, 2] },
      { name: 'A', type: FieldType.number, values: [1, 2], labels: { pod: 'a' } },
      { name: 'B', type: FieldType.number, values: [1, 2], labels: { pod: 'a' } },
    ],
  });
  const hidden = (frames: ReturnType<typeof focusBand>) =>
    frames[0].fields.map((f) => Boolean(f.config.custom?.hideFrom?.viz));

  it('hides every band from the chart but the focused one of its series', () => {
    expect(hidden(focusBand([heap], { band: 'A', series: '{pod="a"}' }))).toEqual([false, false, true]);
    expect(hidden(focusBand([heap], { band: 'A', series: '{pod="b"}' }))).toEqual([false, true, true]);
    expect(focusBand([heap], undefined)).toEqual([heap]);
  });
});
