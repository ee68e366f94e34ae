import { dateTime } from '@grafana/data';
import { shiftedBaseline, TIME_PRESETS } from '../comparePresets';

describe('shiftedBaseline', () => {
  it('keeps the selector and moves the range back by the preset', () => {
    const from = dateTime(10 * 86_400_000);
    const to = dateTime(10 * 86_400_000 + 3_600_000);
    const comparison = { selector: '{service="api"}', range: { from, to, raw: { from, to } } };
    const [yesterday, week] = TIME_PRESETS.map((p) => shiftedBaseline(comparison, p.shiftMs));
    expect(yesterday.selector).toBe('{service="api"}');
    expect([yesterday.range.from.valueOf(), yesterday.range.to.valueOf()]).toEqual([
      9 * 86_400_000,
      9 * 86_400_000 + 3_600_000,
    ]);
    expect(week.range.from.valueOf()).toBe(3 * 86_400_000);
    expect(week.range.raw.to.valueOf()).toBe(3 * 86_400_000 + 3_600_000);
  });
});
