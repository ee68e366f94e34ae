/** The pure parts of pkg/rts: text parsers, label mapping, sample evaluation, presets, step choice. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseSelector } from '../../pkg/api/selector';
import { DIALECTS, detectDialect, getDialect } from '../../pkg/api/rts/dialects';
import { parseEkgJson } from '../../pkg/rts/ekg-json';
import { HttpError } from '../../pkg/api/errors';
import { evaluateSeries } from '../../pkg/rts/evaluate';
import type { RawSample } from '../../pkg/rts/evaluate';
import {
  ghcprofLabels,
  labelCandidates,
  parseLabelMapOptions,
  promqlMatchers,
  resolveMatchers,
} from '../../pkg/rts/labels';
import { anyDialectPromql, panelPromql, PANELS, PRESETS } from '../../pkg/api/rts/presets';
import { chooseStep } from '../../pkg/rts/prometheus-runner';
import { parsePrometheusText } from '../../pkg/rts/prom-text';
import { ekgJson, EXPOSITIONS } from './fake-exporters';

function rejectsWith(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof HttpError && e.statusCode === 502 && pattern.test(e.message));
}

describe('Prometheus text parser', () => {
  it('accepts the quirks real GHC exporters print', () => {
    const text = [
      '# TYPE ekg_server_timestamp_ms counter', // a timestamp typed counter, no HELP
      'ekg_server_timestamp_ms 1764250000000',
      'rts_gc_current_bytes_used 2.7373448e7',
      'rts_gcs  42', // two spaces
      'tabbed\t\t7 1764250000123', // tabs and a timestamp
      'with_labels{pod="api-0",path="C:\\\\x \\"q\\"\\nend",} 1', // escapes and a trailing comma
      'special{kind="nan"} NaN',
      'special{kind="inf"} +Inf\r', // CRLF
      '# some free comment',
      '',
      '# EOF',
      'after_eof 1',
    ].join('\n');
    const { samples, types } = parsePrometheusText(text);
    assert.equal(types.get('ekg_server_timestamp_ms'), 'counter');
    assert.deepEqual(
      samples.map((s) => [s.name, s.value]),
      [
        ['ekg_server_timestamp_ms', 1764250000000],
        ['rts_gc_current_bytes_used', 27373448],
        ['rts_gcs', 42],
        ['tabbed', 7],
        ['with_labels', 1],
        ['special', NaN],
        ['special', Infinity],
      ]
    );
    assert.equal(samples[3].timestampMs, 1764250000123);
    assert.deepEqual(samples[4].labels, { pod: 'api-0', path: 'C:\\x "q"\nend' });
  });

  it('parses what every fake exporter serves (the same bodies Prometheus ingests in prometheus.test.ts)', () => {
    for (const [name, exposition] of Object.entries(EXPOSITIONS)) {
      const { samples } = parsePrometheusText(exposition(12.5, 1764250000000), name);
      const dialect = detectDialect(samples.map((s) => s.name));
      assert.ok(dialect, name);
      assert.equal(dialect.id, name.replace(/-legacy$/, ''));
    }
  });

  it('names the source, the line and what was expected', () => {
    rejectsWith(
      () => parsePrometheusText('ok 1\nbad abc', 'http://x/metrics'),
      /^http:\/\/x\/metrics: line 2: expected a number .* found "abc"/
    );
    rejectsWith(() => parsePrometheusText('a{b="c} 1'), /line 1: unterminated label value/);
    rejectsWith(() => parsePrometheusText('a{b=c} 1'), /line 1: expected '"'/);
    rejectsWith(() => parsePrometheusText('\n\n9lives 1'), /line 3: expected a metric name/);
    rejectsWith(() => parsePrometheusText('a 1 12.5'), /line 1: expected a timestamp in integer milliseconds/);
    rejectsWith(() => parsePrometheusText('a'), /line 1: expected a value/);
  });
});

describe('ekg JSON parser', () => {
  it('flattens nested leaves to the adapter names, keeps counters, gauges and distribution count/sum', () => {
    const { values, serverTimeMs } = parseEkgJson(ekgJson(2, 1764250000000));
    assert.equal(serverTimeMs, 1764250000000);
    assert.equal(values.get('rts_gc_bytes_allocated'), 16_000_000);
    assert.equal(values.get('rts_gc_cpu_ms'), 2000);
    assert.equal(values.get('rts_gc_peak_megabytes_allocated'), 128);
    assert.equal(values.get('app_latency_count'), 3);
    assert.equal(values.has('app_version'), false, 'labels are not numbers');
    assert.equal(detectDialect(values.keys())?.id, 'ekg');
  });

  it('names the path of a broken leaf', () => {
    rejectsWith(() => parseEkgJson('<html>', 'http://x/ekg'), /^http:\/\/x\/ekg: not ekg JSON/);
    rejectsWith(() => parseEkgJson('[1]'), /expected a JSON object of ekg metrics, found an array/);
    rejectsWith(
      () => parseEkgJson('{"rts":{"gc":{"num_gcs":{"type":"c","val":"7"}}}}'),
      /rts\.gc\.num_gcs: a "c" metric needs a numeric "val"/
    );
    rejectsWith(() => parseEkgJson('{"rts":{"gc":3}}'), /rts\.gc: expected a nested object/);
  });
});

describe('label mapping', () => {
  const worker = { __name__: 'ghc_cpu_ns_total', job: 'worker', kubernetes_pod_name: 'worker-0', instance: 'h:1' };
  const api = { job: 'kubernetes-pods', service: 'api', pod: 'api-0' };

  it('defaults: service -> service|job, pod -> pod|kubernetes_pod_name; configuration replaces them', () => {
    assert.deepEqual(labelCandidates('service'), ['service', 'job']);
    assert.deepEqual(labelCandidates('pod'), ['pod', 'kubernetes_pod_name']);
    assert.deepEqual(labelCandidates('version'), ['version']);
    assert.deepEqual(labelCandidates('service', { service: 'app' }), ['app']);
    assert.deepEqual(parseLabelMapOptions(['service=app', 'pod=pod_name|pod']), {
      service: 'app',
      pod: 'pod_name|pod',
    });
    assert.throws(() => parseLabelMapOptions(['service']), /expected ghcprofLabel=prometheusLabel/);
    assert.throws(() => parseLabelMapOptions(['service=a-b']), /--prometheus-label "service=a-b"/);
  });

  it('resolves each matcher through the first candidate present, and compiles exactly that to PromQL', () => {
    const matchers = parseSelector('{service="worker",pod=~"worker-.*"}');
    const resolution = resolveMatchers(worker, matchers);
    assert.deepEqual(resolution, [1, 1]);
    assert.equal(
      promqlMatchers(matchers, resolution!),
      'service="",job="worker",pod="",kubernetes_pod_name=~"worker-.*"'
    );
    assert.deepEqual(resolveMatchers(api, matchers), null);
    assert.deepEqual(resolveMatchers(api, parseSelector('{service="api"}')), [0]);
    assert.equal(promqlMatchers(parseSelector('{service="api"}'), [0]), 'service="api"');
  });

  it('negative matchers see a missing label as ""', () => {
    const matchers = parseSelector('{namespace!="prod"}');
    const resolution = resolveMatchers(api, matchers);
    assert.deepEqual(resolution, [-1]);
    assert.equal(promqlMatchers(matchers, resolution!), 'namespace="",kubernetes_namespace=""');
    assert.equal(resolveMatchers({ namespace: 'prod' }, matchers), null);
  });

  it('treats label names equal to Object.prototype properties as ordinary (absent) labels', () => {
    assert.deepEqual(labelCandidates('constructor'), ['constructor']);
    assert.deepEqual(labelCandidates('toString', { service: 'app' }), ['toString']);
    assert.deepEqual(resolveMatchers(api, parseSelector('{constructor=""}')), [-1]);
    assert.equal(resolveMatchers(api, parseSelector('{constructor=~".*native code.*"}')), null);
    assert.deepEqual(resolveMatchers({ ...api, hasOwnProperty: 'x' }, parseSelector('{hasOwnProperty="x"}')), [0]);
    const scraped = parsePrometheusText('m{__proto__="p",constructor="c"} 1\n').samples[0].labels;
    assert.deepEqual(Object.entries(scraped), [
      ['__proto__', 'p'],
      ['constructor', 'c'],
    ]);
    assert.equal(ghcprofLabels(scraped).__proto__, 'p');
    assert.deepEqual(Object.keys(parseLabelMapOptions(['__proto__=x'])), ['__proto__']);
  });

  it('frames carry the ghcprof view of the labels', () => {
    assert.deepEqual(ghcprofLabels(worker), {
      job: 'worker',
      kubernetes_pod_name: 'worker-0',
      instance: 'h:1',
      service: 'worker',
      pod: 'worker-0',
    });
    assert.equal(ghcprofLabels({ service: 'x', app: 'billing' }, { service: 'app' }).service, 'billing');
  });
});

describe('evaluating panels on raw samples', () => {
  const sample = (t: number, values: Record<string, number>): RawSample => ({
    t,
    values: new Map(Object.entries(values)),
  });
  const ekg = getDialect('ekg');

  it('rates in base units; a counter drop is a gap', () => {
    const samples = [
      sample(0, { rts_gc_bytes_allocated: 0, rts_gc_cpu_ms: 0, rts_gc_gc_cpu_ms: 0 }),
      sample(2000, { rts_gc_bytes_allocated: 4000, rts_gc_cpu_ms: 2000, rts_gc_gc_cpu_ms: 500 }),
      sample(3000, { rts_gc_bytes_allocated: 100, rts_gc_cpu_ms: 10, rts_gc_gc_cpu_ms: 1 }),
      sample(4000, { rts_gc_bytes_allocated: 2100, rts_gc_cpu_ms: 1010, rts_gc_gc_cpu_ms: 101 }),
    ];
    assert.deepEqual(evaluateSeries(ekg, PANELS.allocRate.series[0].expr, samples), [null, 2000, null, 2000]);
    assert.deepEqual(evaluateSeries(ekg, PANELS.mutatorVsGc.series[1].expr, samples), [null, 0.25, null, 0.1]);
    assert.deepEqual(evaluateSeries(ekg, PANELS.gcCpuFraction.series[0].expr, samples), [null, 0.25, null, 0.1]);
  });

  it('levels convert units; "all" GCs only without a major count', () => {
    const legacy = getDialect('prometheus-metrics-ghc');
    const samples = [
      sample(0, { ghc_num_gcs: 10, ghc_peak_megabytes_allocated: 3 }),
      sample(1000, { ghc_num_gcs: 14, ghc_peak_megabytes_allocated: 3 }),
    ];
    assert.deepEqual(evaluateSeries(legacy, PANELS.maxMemInUse.series[0].expr, samples), [3 * 1048576, 3 * 1048576]);
    const [minor, major, all] = PANELS.gcRate.series;
    assert.deepEqual(evaluateSeries(legacy, all.expr, samples), [null, 4]);
    assert.deepEqual(evaluateSeries(legacy, minor.expr, samples), [null, null]);
    assert.deepEqual(evaluateSeries(legacy, major.expr, samples), [null, null]);
  });
});

describe('presets', () => {
  it('every panel has PromQL for every dialect, with the dialect unit conversion', () => {
    for (const panel of Object.values(PANELS)) {
      for (const dialect of DIALECTS) {
        const queries = PRESETS[panel.id][dialect.id];
        assert.deepEqual(
          queries.map((q) => q.series),
          panel.series.map((s) => s.name)
        );
        assert.ok(
          queries.every((q) => q.expr !== null),
          `${panel.id} ${dialect.id}`
        );
      }
    }
    const [mutator] = panelPromql('mutatorVsGc', 'ekg', { matchers: 'pod="a"', window: '1m' });
    assert.equal(mutator.expr, 'rate(rts_gc_mutator_cpu_ms{pod="a"}[1m]) / 1e3');
    const [ns] = panelPromql('mutatorVsGc', 'prometheus-ghc-stats', { matchers: '', window: '1m' });
    assert.equal(ns.expr, 'rate(ghc_mutator_cpu_ns_total[1m]) / 1e9');
    const [seconds] = panelPromql('mutatorVsGc', 'prometheus-metrics-ghc', { matchers: '', window: '1m' });
    assert.equal(seconds.expr, 'rate(ghc_mutator_cpu_seconds_total[1m]) or rate(ghc_mutator_cpu_seconds[1m])');
    const [any] = anyDialectPromql('liveBytes', { matchers: '', window: '1m' });
    assert.equal(any.expr?.split(' or (').length, DIALECTS.length);
  });

  it('docs/rts-metrics.md names every metric of the alias table', () => {
    const docs = readFileSync('docs/rts-metrics.md', 'utf8');
    for (const dialect of DIALECTS) {
      for (const source of Object.values(dialect.quantities)) {
        for (const alias of 'aliases' in source ? source.aliases : []) {
          assert.ok(docs.includes(`\`${alias.name}\``), `${alias.name} (${dialect.id}) is documented`);
        }
      }
    }
  });
});

describe('step choice', () => {
  it('honours the requested step, defaults to ~1000 points, never above 11,000 points', () => {
    assert.equal(chooseStep({ from: 0, to: 60_000, stepMs: 1000 }, 15_000), 1000);
    assert.equal(chooseStep({ from: 0, to: 60_000 }, 15_000), 15_000);
    assert.equal(chooseStep({ from: 0, to: 86_400_000 }, 15_000), 86_400);
    assert.equal(
      chooseStep({ from: 0, to: 86_400_000 * 30, stepMs: 1000 }, 15_000),
      Math.ceil((86_400_000 * 30) / 11_000)
    );
  });
});
