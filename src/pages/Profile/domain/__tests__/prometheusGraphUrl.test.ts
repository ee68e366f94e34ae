import { dateTime } from '@grafana/data';
import { anyDialectPromql } from '@ghcprof/api/rts/presets';
import { prometheusGraphUrl } from '../prometheusGraphUrl';

const range = {
  from: dateTime(Date.UTC(2026, 10, 27, 12)),
  to: dateTime(Date.UTC(2026, 10, 27, 13)),
  raw: { from: 'a', to: 'b' },
};

describe('prometheusGraphUrl', () => {
  it('opens the preset PromQL of every dialect for the selector over the same hour', () => {
    const url = new URL(prometheusGraphUrl('http://prom:9090/', 'liveBytes', '{service="search",pod=~"s-.*"}', range)!);
    expect(url.origin + url.pathname).toBe('http://prom:9090/graph');
    const expected = anyDialectPromql('liveBytes', { matchers: 'service="search",pod=~"s-.*"', window: '1m' })[0].expr;
    expect(url.searchParams.get('g0.expr')).toBe(expected);
    expect(expected).toContain('service="search",pod=~"s-.*"');
    expect(url.searchParams.get('g0.range_input')).toBe('3600s');
    expect(url.searchParams.get('g0.end_input')).toBe('2026-11-27T13:00:00.000Z');
  });

  it('gives no link for a selector that is not a label selector', () => {
    expect(prometheusGraphUrl('http://prom:9090', 'liveBytes', '{service=', range)).toBeUndefined();
  });
});
