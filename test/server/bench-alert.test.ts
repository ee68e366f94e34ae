/**
 * The provisioned benchmark alert rule (provisioning/alerting/ghcprof-bench.yaml) against a real Prometheus that
 * scrapes ghcprof's per-tenant benchmark gauges with a read token, on both stores: after v1 and v2 of the criterion
 * suite (v2 with a real regression), the rule's query over the threshold holds exactly the benchmarks that are
 * significantly more than 10 % slower, as computed from the fixture files; without a token the scrape is refused.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { criterionJson, expectedFromCriterionJson } from '../../pkg/formats/bench/__tests__/expected';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus';
import { STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

const RULE = parse(readFileSync('provisioning/alerting/ghcprof-bench.yaml', 'utf8')).groups[0].rules[0];
const expr: string = RULE.data.find((d: { refId: string }) => d.refId === 'A').model.expr;
const threshold: number = RULE.data.find((d: { refId: string }) => d.refId === 'C').model.conditions[0].evaluator
  .params[0];

/** Benchmarks of v1 -> v2 slower by more than the threshold with non-overlapping intervals, from the files. */
function expectedFiring(): string[] {
  const olds = new Map(expectedFromCriterionJson(criterionJson('v1')).map((b) => [b.name, b]));
  return expectedFromCriterionJson(criterionJson('v2'))
    .filter((n) => {
      const o = olds.get(n.name)!;
      const significant = n.meanLower > o.meanUpper || n.meanUpper < o.meanLower;
      return significant && n.mean / o.mean - 1 > threshold;
    })
    .map((b) => b.name)
    .sort();
}

async function instant(prom: RunningPrometheus, query: string) {
  const res = await fetch(`${prom.url}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = (await res.json()) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.data.result;
}

for (const kind of STORE_KINDS) {
  describe(`benchmark alert rule through Prometheus on ${kind}`, () => {
    let env: TestEnv;
    let prom: RunningPrometheus;

    before(async () => {
      env = await testEnv(kind);
      const T0 = Date.UTC(2026, 10, 20, 12, 0);
      for (const [v, start] of [
        ['v1', T0],
        ['v2', T0 + 3_600_000],
      ] as const) {
        const res = await upload(env, readFileSync(criterionJson(v)), {
          token: env.acme.write,
          labels: { suite: 'demo', version: v },
          query: { start: String(start) },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const address = new URL(await env.app.listen({ port: 0, host: '127.0.0.1' })).host;
      prom = await startPrometheus({
        targets: [
          { job: 'ghcprof-benchmarks', address, metricsPath: '/api/v1/benchmarks/metrics', bearerToken: env.acme.read },
        ],
      });
    });
    after(async () => {
      await prom?.stop();
      await env?.close();
    });

    it("the gauges need a token, and show only the token's tenant", async () => {
      assert.equal((await env.app.inject({ url: '/api/v1/benchmarks/metrics' })).statusCode, 401);
      const theirs = await env.app.inject({
        url: '/api/v1/benchmarks/metrics',
        headers: { authorization: `Bearer ${env.other.read}` },
      });
      assert.equal(theirs.statusCode, 200);
      assert.doesNotMatch(theirs.body, /suite="demo"/);
    });

    it('fires for exactly the benchmarks that regressed significantly by more than 10 % (the real regression among them)', async () => {
      await prom.waitForSeries('ghcprof_benchmark_ratio', expectedFromCriterionJson(criterionJson('v2')).length);
      const firing = await instant(prom, `(${expr}) > ${threshold}`);
      assert.deepEqual(firing.map((r) => r.metric.benchmark).sort(), expectedFiring());
      assert.ok(expectedFiring().includes('sort/insertion'));
      for (const r of firing) {
        assert.deepEqual([r.metric.suite, r.metric.version, r.metric.base], ['demo', 'v2', 'v1']);
      }
      const insertion = firing.find((r) => r.metric.benchmark === 'sort/insertion')!;
      const [o, n] = ['v1', 'v2'].map((v) =>
        expectedFromCriterionJson(criterionJson(v)).find((b) => b.name === 'sort/insertion')!
      );
      assert.ok(Math.abs(Number(insertion.value[1]) - (n.mean / o.mean - 1)) < 1e-9);
    });
  });
}
