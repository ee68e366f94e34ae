import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUERY_TYPES, RtsPanelSchema } from '../../pkg/api/query';
import { anyDialectPromql, DASHBOARD_CONTEXT, PRESETS } from '../../pkg/api/rts/presets';
import { DASHBOARD_FILES } from '../../src/dashboards/build/files';

const DIR = join(__dirname, '..', '..', 'src', 'dashboards');
const committed = (file: string) => JSON.parse(readFileSync(join(DIR, file), 'utf8'));

interface Target {
  refId: string;
  expr?: string;
  queryType?: string;
  datasource?: { type: string; uid: string };
}
interface PanelJson {
  title: string;
  type: string;
  datasource: { type: string; uid: string };
  targets: Target[];
  links?: Array<{ url: string }>;
  fieldConfig?: { defaults: { links?: Array<{ url: string }> } };
}

const overview = committed('rts-overview.json');
const drilldown = committed('drilldown.json');
const panels = (dashboard: { panels: PanelJson[] }) => dashboard.panels;

describe('included dashboards', () => {
  it('are what scripts/gen-dashboards.ts writes from the builders (regenerate after changing pkg/api/rts/presets)', () => {
    for (const [file, build] of Object.entries(DASHBOARD_FILES)) {
      assert.deepEqual(
        committed(file),
        JSON.parse(JSON.stringify(build())),
        `${file} is stale: run npx tsx scripts/gen-dashboards.ts`
      );
    }
  });

  it('keep their uids and reference data sources through variables of the right plugin type', () => {
    assert.equal(overview.uid, 'ghcprof-rts-overview');
    assert.equal(drilldown.uid, 'ghcprof-drilldown');
    const variableTypes = (d: { templating: { list: Array<{ name: string; type: string; query: unknown }> } }) =>
      Object.fromEntries(d.templating.list.filter((v) => v.type === 'datasource').map((v) => [v.name, v.query]));
    assert.deepEqual(variableTypes(overview), { prometheus: 'prometheus' });
    assert.deepEqual(variableTypes(drilldown), { ghcprof: 'ghcprof-profiles-datasource' });
    for (const panel of [...panels(overview), ...panels(drilldown)]) {
      const expected = panel.datasource.type === 'prometheus' ? '${prometheus}' : '${ghcprof}';
      assert.equal(panel.datasource.uid, expected, panel.title);
    }
  });
});

describe('GHC RTS overview', () => {
  it('has one panel per RTS preset, whose queries are the presets of every dialect at once', () => {
    const byTitle = new Map(panels(overview).map((p) => [p.title, p]));
    assert.equal(panels(overview).length, RtsPanelSchema.options.length);
    for (const panel of RtsPanelSchema.options) {
      const queries = anyDialectPromql(panel, DASHBOARD_CONTEXT).filter((q) => q.expr !== null);
      const dashboardPanel = [...byTitle.values()].find(
        (p) => p.targets.length === queries.length && p.targets[0].expr === queries[0].expr
      );
      assert.ok(dashboardPanel, `no panel runs the ${panel} preset`);
      assert.deepEqual(
        dashboardPanel.targets.map((t) => t.expr),
        queries.map((q) => q.expr)
      );
      // Every dialect's own PromQL of the panel is inside the combined query.
      for (const [dialect, dialectQueries] of Object.entries(PRESETS[panel])) {
        for (const q of dialectQueries.filter((q) => q.expr !== null)) {
          const target = dashboardPanel.targets[queries.findIndex((c) => c.series === q.series)];
          assert.ok(target.expr?.includes(`(${q.expr})`), `${panel}/${dialect}/${q.series} missing`);
        }
      }
    }
  });

  it('filters by the service and pod variables and links to the drill-down with time range, service and pod', () => {
    for (const panel of panels(overview)) {
      for (const target of panel.targets) {
        assert.match(target.expr ?? '', /service=~"\$service",pod=~"\$pod"/);
      }
      const urls = [...(panel.links ?? []), ...(panel.fieldConfig?.defaults.links ?? [])].map((l) => l.url);
      assert.ok(urls.length >= 2, panel.title);
      for (const url of urls) {
        assert.match(url, /^\/d\/ghcprof-drilldown\?/);
        assert.ok(url.includes('${__from}') && url.includes('${__to}'), url);
        assert.match(url, /service/);
        assert.match(url, /pod/);
      }
    }
  });
});

describe('Haskell service drill-down', () => {
  it('runs only query types the data source implements, on the service and pod variables', () => {
    const types = panels(drilldown).map((p) => p.targets[0].queryType);
    assert.deepEqual(types, ['flamegraph', 'diff', 'heap', 'leaks', 'rts', 'rts', 'rts', 'profiles']);
    for (const panel of panels(drilldown)) {
      assert.ok((QUERY_TYPES as readonly string[]).includes(panel.targets[0].queryType ?? ''));
      assert.equal((panel.targets[0] as { selector?: string }).selector, '{service="$service",pod="$pod"}');
    }
    assert.equal(panels(drilldown)[0].type, 'flamegraph');
    assert.equal((panels(drilldown)[1].targets[0] as { baselineShift?: string }).baselineShift, '7d');
  });

  it('has service and pod variables from the data source and stored profiles as annotations', () => {
    const variables = Object.fromEntries(drilldown.templating.list.map((v: { name: string }) => [v.name, v]));
    assert.deepEqual(variables.service.query, { refId: 'service', kind: 'labelValues', label: 'service' });
    assert.deepEqual(variables.pod.query, {
      refId: 'pod',
      kind: 'labelValues',
      label: 'pod',
      selector: '{service="$service"}',
    });
    assert.equal(variables.pod.multi, true);
    assert.equal(drilldown.annotations.list[0].target.queryType, 'annotations');
  });

  it('links carry the time range, service and pod', () => {
    const urls = [
      ...drilldown.links.map((l: { url: string }) => l.url),
      ...panels(drilldown).flatMap((p) => (p.links ?? []).map((l) => l.url)),
    ];
    assert.ok(urls.length >= 5);
    for (const url of urls) {
      assert.ok(url.includes('${__from}') && url.includes('${__to}'), url);
      assert.match(url, /\$\{service[:}]/);
    }
    assert.ok(urls.some((url) => url.includes('${pod:queryparam}')));
  });
});
