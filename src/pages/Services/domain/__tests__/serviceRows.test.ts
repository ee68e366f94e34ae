import { dataFrameFromJSON } from '@grafana/data';
import { comparePageUrl, drilldownUrl, profilePageUrl } from '../serviceLinks';
import { filterServices, SERVICE_FIELDS, serviceRowsOf } from '../serviceRows';
import { SPARKLINE_POINTS, sparklineWindow } from '../sparklineWindow';

const frame = dataFrameFromJSON({
  schema: {
    name: 'services',
    fields: SERVICE_FIELDS.map((name) => ({ name })),
  },
  data: {
    values: [
      ['leaky', 'search'],
      [1, 3],
      [1, 2],
      ['p1', 'p2'],
      ['hp', 'prof'],
      [10, 20],
      ['{pod="leaky-1"}', null],
      ['(318)applyStrict', null],
      [302407, null],
      [0.735, null],
      [false, null],
    ],
  },
});

describe('serviceRowsOf', () => {
  it('reads the services frame; null leak cells (no heap profile) become absent', () => {
    const rows = serviceRowsOf(frame);
    expect(rows[0]).toEqual({
      service: 'leaky',
      profiles: 1,
      pods: 1,
      newestId: 'p1',
      newestKind: 'hp',
      newestTime: 10,
      leakSeries: '{pod="leaky-1"}',
      leakBand: '(318)applyStrict',
      leakSlope: 302407,
      leakR2: 0.735,
      leakSteady: false,
    });
    expect(rows[1].leakSlope).toBeUndefined();
    expect(filterServices(rows, ' SEA').map((r) => r.service)).toEqual(['search']);
    expect(filterServices(rows, '')).toHaveLength(2);
  });
});

describe('service links', () => {
  const window = { from: 1_000_000, to: 1_600_000 };
  it('open the drill-down dashboard, the Profile page and Compare (range vs the range before it)', () => {
    expect(drilldownUrl('api', window)).toBe('/d/ghcprof-drilldown?var-service=api&from=1000000&to=1600000');
    const profile = new URL(profilePageUrl('api', window), 'http://x');
    expect(profile.pathname).toBe('/a/ghcprof-profiles-app/profile');
    expect(profile.searchParams.get('selector')).toBe('{service="api"}');
    const compare = new URL(comparePageUrl('api', window), 'http://x').searchParams;
    expect([
      compare.get('left.from'),
      compare.get('left.to'),
      compare.get('right.from'),
      compare.get('right.to'),
    ]).toEqual(['400000', '1000000', '1000000', '1600000']);
  });
});

describe('sparklineWindow', () => {
  it('ends at the range end with a whole number of steps, at most SPARKLINE_POINTS', () => {
    const { window, stepMs } = sparklineWindow({ from: 0, to: 30 * 86_400_000 + 123 });
    expect(window.to).toBe(30 * 86_400_000 + 123);
    expect((window.to - window.from) % stepMs).toBe(0);
    expect((window.to - window.from) / stepMs).toBeLessThanOrEqual(SPARKLINE_POINTS);
    expect(window.from).toBeLessThanOrEqual(123);
    expect(sparklineWindow({ from: 0, to: 400 * 86_400_000 }).stepMs).toBe(86_400_000);
  });
});
