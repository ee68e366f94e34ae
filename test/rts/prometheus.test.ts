/**
 * RTS panels against a real Prometheus scraping one fake process per exporter dialect (test/rts/fake-exporters.ts),
 * every 1 s. All processes run the same underlying behaviour (TRUTH), so every dialect must give the same numbers
 * in the same units.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataFrameJSON } from '../../pkg/api/dataframe';
import type { ProfileMeta, RtsPanel } from '../../pkg/api/query';
import { HttpError } from '../../pkg/api/errors';
import { runRtsQuery } from '../../pkg/rts';
import type { RtsDeps } from '../../pkg/rts';
import { DIALECTS } from '../../pkg/api/rts/dialects';
import { anyDialectPromql, PANELS, PRESETS } from '../../pkg/api/rts/presets';
import { startPrometheus } from '../support/prometheus';
import type { RunningPrometheus } from '../support/prometheus';
import { startFakeExporters, TRUTH } from './fake-exporters';
import type { FakeExporters } from './fake-exporters';

const API_PODS: Record<string, string> = {
  'api-pmg': 'prometheus-metrics-ghc',
  'api-ekg': 'ekg',
  'api-hasura': 'ekg-prometheus',
  'api-pgs': 'prometheus-ghc-stats',
};

let exporters: FakeExporters;
let prometheus: RunningPrometheus;

before(async () => {
  exporters = await startFakeExporters();
  const target = (job: string, path: string, labels: Record<string, string>) => ({
    job,
    address: exporters.address,
    metricsPath: `/metrics/${path}`,
    labels,
  });
  prometheus = await startPrometheus({
    targets: [
      ...Object.entries(API_PODS).map(([pod, dialect]) => target(pod, dialect, { service: 'api', pod })),
      target('legacy', 'prometheus-metrics-ghc-legacy', { service: 'legacy', pod: 'legacy-0' }),
      target('restarter', 'prometheus-metrics-ghc/restarting', { service: 'restarter', pod: 'restarter-0' }),
      // No `service` label: the service is the job name (the default fallback).
      target('worker', 'prometheus-ghc-stats', { pod: 'worker-0' }),
      // The service name lives in `app` (needs --prometheus-label service=app).
      target('billing-job', 'ekg-prometheus', { app: 'billing', pod: 'billing-0' }),
    ],
  });
  await prometheus.waitForSeries('up', 8);
  // Eight scrapes of every target: 4 s rate windows with several points each.
  await prometheus.waitForSamples('up', 8);
});

after(async () => {
  await prometheus?.stop();
  await exporters?.close();
});

async function rts(panel: RtsPanel, selector: string, deps: Partial<RtsDeps> = {}) {
  const to = Date.now();
  return runRtsQuery(
    { panel, selector, from: to - 30_000, to, stepMs: 1000 },
    { prometheusUrl: prometheus.url, ...deps }
  );
}

function numbers(frame: DataFrameJSON): number[] {
  return (frame.data.values[1] as Array<number | null>).filter((v): v is number => v !== null);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function podOf(frame: DataFrameJSON): string {
  return frame.schema.fields[1].labels?.pod ?? '';
}

function ghcprofMeta(frame: DataFrameJSON): Record<string, unknown> {
  return (frame.schema.meta?.custom?.ghcprof ?? {}) as Record<string, unknown>;
}

/** The frames of one series name, keyed by pod. */
function byPod(frames: DataFrameJSON[], series: string): Map<string, DataFrameJSON> {
  return new Map(frames.filter((f) => f.schema.fields[1]?.name === series).map((f) => [podOf(f), f]));
}

/**
 * Rates are exact for evenly spaced scrapes; on a loaded machine scrapes jitter and Prometheus' extrapolation drifts
 * a few percent (a unit error would be a factor of 1000). Ratios of counters read in one scrape stay exact.
 */
const RATE_TOLERANCE = 0.06;

function assertNear(actual: number, expected: number, relTolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= Math.abs(expected) * relTolerance,
    `${what}: ${actual} is not within ${relTolerance * 100}% of ${expected}`
  );
}

/** For every api pod (one per dialect): the series' median is the expected value. */
function assertEveryDialect(frames: DataFrameJSON[], series: string, expected: number, tolerance: number): void {
  const pods = byPod(frames, series);
  assert.deepEqual([...pods.keys()].sort(), Object.keys(API_PODS).sort(), `one ${series} frame per api process`);
  for (const [pod, frame] of pods) {
    assert.equal(ghcprofMeta(frame).dialect, API_PODS[pod], `${pod} is read as ${API_PODS[pod]}`);
    const values = numbers(frame);
    assert.ok(values.length >= 3, `${pod} ${series}: ${values.length} points`);
    assertNear(median(values), expected, tolerance, `${pod} ${series}`);
  }
}

describe('RTS panels from a real Prometheus, one process per dialect', () => {
  it('allocRate: bytes/s equal to the served rate for every dialect, time in ms, unit Bps', async () => {
    const { frames } = await rts('allocRate', '{service="api"}');
    assertEveryDialect(frames, 'allocated', TRUTH.allocBytesPerS, RATE_TOLERANCE);
    for (const frame of frames) {
      const [time, value] = frame.schema.fields;
      assert.equal(time.type, 'time');
      assert.equal(value.config.unit, 'Bps');
      assert.equal(value.labels?.service, 'api');
      const times = frame.data.values[0] as number[];
      assert.ok(
        times.every((t) => t > 1.7e12 && t % 1000 === times[0] % 1000),
        'ms timestamps on the step grid'
      );
    }
  });

  it('gcCpuFraction: rate(GC CPU) / rate(CPU) = 0.25 whether times are s, ms or ns', async () => {
    const { frames } = await rts('gcCpuFraction', '{service="api"}');
    assertEveryDialect(frames, 'gc', TRUTH.gcCpuPerS / TRUTH.cpuPerS, 0.02);
    assert.ok(frames.every((f) => f.schema.fields[1].config.unit === 'percentunit'));
  });

  it('mutatorVsGc: CPU seconds per second of mutator and GC agree across s, ms and ns exporters', async () => {
    const { frames } = await rts('mutatorVsGc', '{service="api"}');
    assertEveryDialect(frames, 'mutator', TRUTH.mutatorCpuPerS, RATE_TOLERANCE);
    // ekg-prometheus derives GC CPU as cpu - mutator (its own counter is shadowed by a gauge of the same name).
    assertEveryDialect(frames, 'gc', TRUTH.gcCpuPerS, RATE_TOLERANCE);
  });

  it('gcRate: minor = all - major and major per second; no "all" series when majors are known', async () => {
    const { frames } = await rts('gcRate', '{service="api"}');
    assertEveryDialect(frames, 'minor', TRUTH.gcsPerS - TRUTH.majorGcsPerS, RATE_TOLERANCE);
    assertEveryDialect(frames, 'major', TRUTH.majorGcsPerS, RATE_TOLERANCE);
    assert.equal(byPod(frames, 'all').size, 0);
  });

  it('copiedRate, liveBytes and maxMemInUse in bytes (ekg MiB converted exactly)', async () => {
    assertEveryDialect(
      (await rts('copiedRate', '{service="api"}')).frames,
      'copied',
      TRUTH.copiedBytesPerS,
      RATE_TOLERANCE
    );
    const live = (await rts('liveBytes', '{service="api"}')).frames;
    assertEveryDialect(live, 'live', TRUTH.liveBytes, 0);
    assert.ok(live.every((f) => f.schema.fields[1].config.unit === 'bytes'));
    assertEveryDialect((await rts('maxMemInUse', '{service="api"}')).frames, 'max in use', TRUTH.maxMemInUseBytes, 0);
  });

  it('legacy prometheus-metrics-ghc names: allocations and CPU work, GCs only as "all"', async () => {
    const alloc = (await rts('allocRate', '{service="legacy"}')).frames;
    assert.equal(alloc.length, 1);
    assertNear(median(numbers(alloc[0])), TRUTH.allocBytesPerS, RATE_TOLERANCE, 'legacy allocRate');
    const gc = (await rts('gcRate', '{service="legacy"}')).frames;
    assert.deepEqual(
      gc.map((f) => f.schema.fields[1].name),
      ['all']
    );
    assertNear(median(numbers(gc[0])), TRUTH.gcsPerS, RATE_TOLERANCE, 'legacy all GCs');
    const max = (await rts('maxMemInUse', '{service="legacy"}')).frames;
    assert.equal(median(numbers(max[0])), TRUTH.maxMemInUseBytes);
  });

  it('a process restart (counter reset) never gives a negative rate', async () => {
    const resets = await fetch(
      `${prometheus.url}/api/v1/query?${new URLSearchParams({ query: 'resets(ghc_allocated_bytes_total{service="restarter"}[30s])' })}`
    ).then((r) => r.json() as Promise<{ data: { result: Array<{ value: [number, string] }> } }>);
    assert.ok(Number(resets.data.result[0].value[1]) >= 1, 'the served counter did reset within the range');
    for (const panel of ['allocRate', 'gcRate', 'mutatorVsGc', 'gcCpuFraction'] as const) {
      const { frames } = await rts(panel, '{service="restarter"}');
      assert.ok(frames.length > 0, panel);
      for (const frame of frames) {
        const values = numbers(frame);
        assert.ok(
          values.length > 0 && values.every((v) => v >= 0),
          `${panel} ${frame.schema.fields[1].name}: ${values}`
        );
      }
    }
    const alloc = (await rts('allocRate', '{service="restarter"}')).frames[0];
    // Neither a dip below zero nor a spike above the true rate at a restart. Rates run somewhat low: what a process
    // allocated between its last scrape and its restart is lost (up to one scrape interval per 4 s life here).
    const values = numbers(alloc);
    assert.ok(Math.max(...values) <= TRUTH.allocBytesPerS * 1.05, `no spike: ${values}`);
    assert.ok(median(values) >= TRUTH.allocBytesPerS * 0.5, `still about the served rate: ${values}`);
  });

  it('service falls back to job; --prometheus-label service=app maps to another label', async () => {
    const worker = (await rts('allocRate', '{service="worker"}')).frames;
    assert.equal(worker.length, 1);
    assert.equal(worker[0].schema.fields[1].labels?.service, 'worker');
    assert.equal(ghcprofMeta(worker[0]).dialect, 'prometheus-ghc-stats');

    await assert.rejects(
      rts('allocRate', '{service="billing"}'),
      (e: unknown) => e instanceof HttpError && e.statusCode === 422
    );
    const billing = (await rts('allocRate', '{service="billing"}', { labelMap: { service: 'app' } })).frames;
    assert.equal(billing.length, 1);
    assert.equal(billing[0].schema.fields[1].labels?.service, 'billing');
    assert.match(String(ghcprofMeta(billing[0]).query), /app="billing"/);
  });

  it('regex selectors across services pick exactly the matching processes', async () => {
    const { frames } = await rts('liveBytes', '{service=~"api|legacy",pod!="api-ekg"}');
    assert.deepEqual(frames.map(podOf).sort(), ['api-hasura', 'api-pgs', 'api-pmg', 'legacy-0']);
  });

  it('a selector matching nothing is a 422 naming the services that exist', async () => {
    await assert.rejects(rts('allocRate', '{service="nope"}'), (e: unknown) => {
      assert.ok(e instanceof HttpError);
      assert.equal(e.statusCode, 422);
      assert.equal(e.code, 'no_series');
      assert.match(e.message, /no GHC RTS series match \{service="nope"\}/);
      assert.match(e.message, /api, billing-job, legacy, restarter, worker/);
      return true;
    });
  });

  it('a bad selector is a 400, an unreachable Prometheus a 502', async () => {
    await assert.rejects(rts('allocRate', '{service=}'), (e: unknown) => e instanceof HttpError && e.statusCode === 400);
    await assert.rejects(
      rts('allocRate', '{service="api"}', { prometheusUrl: 'http://127.0.0.1:1' }),
      (e: unknown) => e instanceof HttpError && e.statusCode === 502 && /unreachable/.test(e.message)
    );
  });

  it('exemplar frame: stored profiles sit on their process series, nearest in time', async () => {
    const to = Date.now();
    const profile = (id: string, pod: string, startTime: number): ProfileMeta => ({
      id,
      kind: 'prof',
      labels: { service: 'api', pod },
      startTime,
      endTime: null,
      timeSource: 'upload',
      program: 'api',
      rtsArguments: ['-p'],
      size: 1,
      sha256: '0'.repeat(64),
      uploader: null,
      createdAt: startTime,
      warnings: [],
      has: { tree: true, heap: false, rts: false },
      heapMode: null,
    });
    const { frames } = await runRtsQuery(
      { panel: 'allocRate', selector: '{service="api"}', from: to - 30_000, to, stepMs: 1000 },
      {
        prometheusUrl: prometheus.url,
        profilesInRange: [profile('p1', 'api-ekg', to - 3000), profile('old', 'api-ekg', to - 3_600_000)],
      }
    );
    const exemplar = frames.find((f) => f.schema.name === 'exemplar');
    assert.ok(exemplar);
    assert.equal(exemplar.schema.meta?.dataTopic, 'annotations');
    assert.deepEqual(
      exemplar.schema.fields.map((f) => f.name),
      ['Time', 'Value', 'Id', 'pod', 'service']
    );
    const [times, values, ids, pods] = exemplar.data.values as [number[], number[], string[], string[]];
    assert.equal(exemplar.schema.fields[1].config.unit, 'Bps');
    assert.deepEqual(ids, ['p1'], 'only profiles in range');
    assert.equal(times[0], to - 3000);
    assert.equal(pods[0], 'api-ekg');
    // The value is the api-ekg series' point nearest the profile's start (rates ramp up as the series begins).
    const ekgFrame = byPod(frames, 'allocated').get('api-ekg')!;
    const [seriesTimes, seriesValues] = ekgFrame.data.values as [number[], number[]];
    const nearest = seriesTimes.reduce(
      (best, t, i) => (Math.abs(t - times[0]) < Math.abs(seriesTimes[best] - times[0]) ? i : best),
      0
    );
    assert.equal(values[0], seriesValues[nearest]);
    assert.ok(values[0] > 0);
  });

  it('every preset (per dialect and any-dialect) is PromQL Prometheus accepts, and any-dialect finds every process', async () => {
    const instant = async (expr: string) => {
      const res = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      assert.equal(body.status, 'success', `${expr}: ${body.error}`);
      return body.data?.result ?? [];
    };
    const dashboardVars = (expr: string) =>
      expr.replaceAll('$service', '.*').replaceAll('$pod', '.*').replaceAll('$__rate_interval', '4s');
    for (const panel of Object.keys(PANELS) as RtsPanel[]) {
      for (const dialect of DIALECTS) {
        for (const q of PRESETS[panel][dialect.id]) {
          if (q.expr) {
            await instant(dashboardVars(q.expr));
          }
        }
      }
    }
    const [alloc] = anyDialectPromql('allocRate', { matchers: 'service="api"', window: '4s' });
    assert.equal((await instant(alloc.expr!)).length, 4, 'one series per api process whatever its dialect');
  });
});
