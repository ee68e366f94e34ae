import { DEFAULT_MAX_NODES } from '@ghcprof/api/query';
import { buildQueryRequest } from '../domain/buildRequest';

const window = { from: Date.UTC(2026, 10, 20), to: Date.UTC(2026, 10, 21) };
const WEEK = 7 * 24 * 3600 * 1000;

describe('buildQueryRequest', () => {
  it('builds a flame graph body with the shared schema defaults', () => {
    expect(buildQueryRequest({ refId: 'A', queryType: 'flamegraph', selector: '{service="search"}' }, window)).toEqual({
      queryType: 'flamegraph',
      body: {
        selector: '{service="search"}',
        ...window,
        metric: 'time',
        maxNodes: DEFAULT_MAX_NODES,
        excludeSystem: false,
      },
    });
  });

  it('opens explicit profiles without selector or range', () => {
    expect(
      buildQueryRequest({ refId: 'A', queryType: 'top', profileIds: ['p1'], metric: 'alloc', limit: 20 }, window).body
    ).toEqual({
      profileIds: ['p1'],
      metric: 'alloc',
      maxNodes: DEFAULT_MAX_NODES,
      excludeSystem: false,
      limit: 20,
    });
  });

  it('builds a diff against the same selector one week earlier', () => {
    const { body } = buildQueryRequest(
      { refId: 'A', queryType: 'diff', selector: '{service="search"}', baselineShift: '7d' },
      window
    );
    expect(body).toMatchObject({
      left: { selector: '{service="search"}', from: window.from - WEEK, to: window.to - WEEK },
      right: { selector: '{service="search"}', ...window },
    });
  });

  it('builds a diff against another version by replacing the version matcher', () => {
    const { body } = buildQueryRequest(
      { refId: 'A', queryType: 'diff', selector: '{service="search",version="1.1"}', baselineVersion: '1.0' },
      window
    );
    expect(body).toMatchObject({ left: { selector: '{service="search",version="1.0"}', ...window } });
  });

  it('uses an explicit baseline range over a shift (Compare page)', () => {
    const { body } = buildQueryRequest(
      {
        refId: 'A',
        queryType: 'diff',
        selector: '{}',
        baselineSelector: '{service="a"}',
        baselineFrom: 5,
        baselineTo: 9,
        baselineShift: '1d',
      },
      window
    );
    expect(body).toMatchObject({ left: { selector: '{service="a"}', from: 5, to: 9 } });
  });

  it('builds heap and leaks bodies with band kind, top N and split label', () => {
    const query = { refId: 'A', selector: '{service="search"}', mode: 'hT' as const, topN: 5, splitBy: 'pod' };
    expect(buildQueryRequest({ ...query, queryType: 'heap' }, window).body).toEqual({
      selector: '{service="search"}',
      ...window,
      mode: 'hT',
      topN: 5,
      splitBy: 'pod',
      maxDataPoints: 1000,
    });
    // Grafana's point budget of the panel goes to the server, which averages censuses down to it.
    expect(buildQueryRequest({ ...query, queryType: 'heap' }, window, undefined, 640).body).toMatchObject({
      maxDataPoints: 640,
    });
    expect(buildQueryRequest({ ...query, queryType: 'leaks' }, window).queryType).toBe('leaks');
    expect(buildQueryRequest({ ...query, queryType: 'leaks' }, window).body).toMatchObject({ minR2: 0.8 });
    expect(buildQueryRequest({ ...query, queryType: 'leaks', minR2: 0.95 }, window).body).toMatchObject({
      minR2: 0.95,
    });
  });

  it('builds an RTS body with the panel and the step', () => {
    expect(
      buildQueryRequest(
        { refId: 'A', queryType: 'rts', selector: '{service="search"}', rtsPanel: 'gcCpuFraction' },
        window,
        15000
      ).body
    ).toEqual({
      selector: '{service="search"}',
      ...window,
      stepMs: 15000,
      panel: 'gcCpuFraction',
    });
  });

  it('sends the profiles type as a plain selection', () => {
    expect(buildQueryRequest({ refId: 'A', queryType: 'profiles', selector: '{}', limit: 5 }, window)).toEqual({
      queryType: 'profiles',
      body: { selector: '{}', ...window },
    });
  });

  it('rejects what the server would reject, before sending', () => {
    expect(() => buildQueryRequest({ refId: 'A', queryType: 'flamegraph', maxNodes: 0 }, window)).toThrow(
      /maxNodes|>=1/
    );
    expect(() => buildQueryRequest({ refId: 'A', queryType: 'diff', baselineShift: 'a week' }, window)).toThrow();
  });
});
