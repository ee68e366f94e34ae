/**
 * The Grafana-managed alert rules (provisioning/alerting/ghc-rts.yaml) checked with the real Prometheus tooling:
 * each rule's query and threshold become a Prometheus alerting rule, which `promtool check rules` parses and
 * `promtool test rules` evaluates on synthetic GHC RTS series: the rule fires for the service that misbehaves and
 * stays quiet for the healthy one next to it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { DIALECTS } from '../../pkg/api/rts/dialects';
import { jsonFile, yamlDoc, type Doc } from './support';

const FILE = 'provisioning/alerting/ghc-rts.yaml';
const groups: Doc[] = yamlDoc(FILE).groups;
const rules: Doc[] = groups.flatMap((g) => g.rules);
const datasources: Doc[] = yamlDoc('provisioning/datasources/ghcprof.yaml').datasources;
const PROMETHEUS_UID = datasources.find((d) => d.type === 'prometheus')!.uid;

const query = (rule: Doc) => rule.data.find((d: Doc) => d.datasourceUid !== '__expr__');
const threshold = (rule: Doc) => rule.data.find((d: Doc) => d.refId === rule.condition).model.conditions[0].evaluator;

/** The rule as Prometheus would evaluate it: Grafana's reduce(last) + threshold(gt) on an instant query. */
function asPrometheusRule(rule: Doc): Doc {
  const { type, params } = threshold(rule);
  assert.equal(type, 'gt', rule.uid);
  return { alert: rule.uid, expr: `(${query(rule).model.expr}) > ${params[0]}`, for: rule.for, labels: rule.labels };
}

const dir = mkdtempSync(join(tmpdir(), 'ghcprof-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function promtool(args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('GHC RTS alert rules', () => {
  it('are three rules with unique uids whose conditions and expressions reference existing steps', () => {
    assert.deepEqual(rules.map((r) => r.uid).sort(), [
      'ghcprof-alloc-rate-spike',
      'ghcprof-gc-cpu-high',
      'ghcprof-live-bytes-growing',
    ]);
    for (const rule of rules) {
      const refIds = new Set(rule.data.map((d: Doc) => d.refId));
      assert.ok(refIds.has(rule.condition), `${rule.uid}: condition ${rule.condition}`);
      for (const step of rule.data.filter((d: Doc) => d.datasourceUid === '__expr__')) {
        assert.ok(refIds.has(step.model.expression), `${rule.uid}: ${step.refId} reads ${step.model.expression}`);
      }
      assert.ok(rule.title && rule.for && rule.labels.severity);
    }
  });

  it('query the provisioned Prometheus data source', () => {
    for (const rule of rules) {
      assert.equal(query(rule).datasourceUid, PROMETHEUS_UID, rule.uid);
      assert.deepEqual(query(rule).model.datasource, { type: 'prometheus', uid: PROMETHEUS_UID });
    }
  });

  it('use metric names of the prometheus-metrics-ghc dialect (what the demo service exports)', () => {
    const dialect = DIALECTS.find((d) => d.id === 'prometheus-metrics-ghc')!;
    const known = new Set(
      Object.values(dialect.quantities).flatMap((q) => ('aliases' in q ? q.aliases.map((a) => a.name) : []))
    );
    for (const rule of rules) {
      const names = [...(query(rule).model.expr as string).matchAll(/\b(ghc_\w+)/g)].map((m) => m[1]);
      assert.ok(names.length > 0, rule.uid);
      for (const name of names)
        assert.ok(known.has(name), `${rule.uid}: ${name} is not a prometheus-metrics-ghc metric`);
      assert.match(
        query(rule).model.expr,
        /by \(namespace, service, pod\)/,
        `${rule.uid} keeps the labels its links use`
      );
    }
  });

  it("link the drill-down dashboard's panel on the same quantity, with its variables set to the firing service and pod", () => {
    const drilldown = jsonFile('src/dashboards/drilldown.json');
    assert.equal(drilldown.uid, 'ghcprof-drilldown');
    const variables = new Set(drilldown.templating.list.map((v: Doc) => v.name));
    const panelTitle: Record<string, RegExp> = {
      'ghcprof-gc-cpu-high': /GC CPU/,
      'ghcprof-live-bytes-growing': /Live/,
      'ghcprof-alloc-rate-spike': /Allocation rate/,
    };
    for (const rule of rules) {
      const a = rule.annotations;
      assert.equal(a.__dashboardUid__, drilldown.uid);
      const panel = drilldown.panels.find((p: Doc) => String(p.id) === a.__panelId__);
      assert.ok(panel, `${rule.uid}: no panel ${a.__panelId__} in the drill-down`);
      assert.match(panel.title, panelTitle[rule.uid], `${rule.uid} points at "${panel.title}"`);
      assert.equal(panel.type, 'timeseries', 'alert state shows on time series panels');
      for (const text of [a.description, a.runbook_url]) {
        assert.equal(text.split('{{').length, text.split('}}').length, `${rule.uid}: unbalanced braces`);
        assert.match(text, /\{\{ externalURL \}\}\/d\/ghcprof-drilldown\?/);
        const linked = [...text.matchAll(/var-(\w+)=\{\{ \$labels\.(\w+) \}\}/g)];
        assert.deepEqual(linked.map((m) => m[1]).sort(), ['pod', 'service'], rule.uid);
        for (const [, variable, label] of linked) {
          assert.ok(variables.has(variable), `the drill-down has no variable ${variable}`);
          assert.equal(variable, label);
        }
      }
      assert.ok(a.summary.includes('{{ $labels.pod }}'));
    }
  });

  it('are valid PromQL for promtool', () => {
    writeFileSync(
      join(dir, 'rules.yml'),
      stringify({ groups: [{ name: 'ghc-rts', rules: rules.map(asPrometheusRule) }] })
    );
    const check = promtool(['check', 'rules', 'rules.yml']);
    assert.equal(check.status, 0, check.output);
    assert.match(check.output, /SUCCESS: 3 rules found/);
  });

  it('fire for the misbehaving pod only (promtool test rules on synthetic series)', () => {
    writeFileSync(
      join(dir, 'rules.yml'),
      stringify({ groups: [{ name: 'ghc-rts', rules: rules.map(asPrometheusRule) }] })
    );
    const pod = (name: string) => `{namespace="shop",service="api",pod="${name}"}`;
    const firing = (alertname: string, podName: string) => ({
      exp_labels: {
        namespace: 'shop',
        service: 'api',
        pod: podName,
        ...rules.find((r) => r.uid === alertname)!.labels,
      },
    });
    const tests = [
      {
        // 30 % of the CPU in GC for "hot", 10 % for "ok" (counters in seconds, one sample a minute).
        interval: '1m',
        input_series: [
          { series: `ghc_gc_cpu_seconds_total${pod('hot')}`, values: '0+18x60' },
          { series: `ghc_cpu_seconds_total${pod('hot')}`, values: '0+60x60' },
          { series: `ghc_gc_cpu_seconds_total${pod('ok')}`, values: '0+6x60' },
          { series: `ghc_cpu_seconds_total${pod('ok')}`, values: '0+60x60' },
        ],
        alert_rule_test: [
          { eval_time: '8m', alertname: 'ghcprof-gc-cpu-high', exp_alerts: [] },
          { eval_time: '30m', alertname: 'ghcprof-gc-cpu-high', exp_alerts: [firing('ghcprof-gc-cpu-high', 'hot')] },
        ],
      },
      {
        // "leaky" grows 2 KiB/s, steadily; "bursty" jumps by 100 MB once and stays flat.
        interval: '1m',
        input_series: [
          { series: `ghc_gcdetails_live_bytes${pod('leaky')}`, values: '100000000+122880x150' },
          { series: `ghc_gcdetails_live_bytes${pod('bursty')}`, values: '100000000x75 200000000x75' },
        ],
        alert_rule_test: [
          {
            eval_time: '2h30m',
            alertname: 'ghcprof-live-bytes-growing',
            exp_alerts: [firing('ghcprof-live-bytes-growing', 'leaky')],
          },
        ],
      },
      {
        // "spiky" allocates 20 MB/s for 65 minutes, then 100 MB/s; "quiet" goes from 1 to 5 MB/s (below 10 MB/s).
        interval: '1m',
        input_series: [
          { series: `ghc_allocated_bytes_total${pod('spiky')}`, values: '0+1200000000x65 84000000000+6000000000x20' },
          { series: `ghc_allocated_bytes_total${pod('quiet')}`, values: '0+60000000x65 4200000000+300000000x20' },
        ],
        alert_rule_test: [
          { eval_time: '60m', alertname: 'ghcprof-alloc-rate-spike', exp_alerts: [] },
          {
            eval_time: '76m',
            alertname: 'ghcprof-alloc-rate-spike',
            exp_alerts: [firing('ghcprof-alloc-rate-spike', 'spiky')],
          },
        ],
      },
    ];
    writeFileSync(join(dir, 'tests.yml'), stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }));
    const run = promtool(['test', 'rules', 'tests.yml']);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /SUCCESS/);
  });
});
