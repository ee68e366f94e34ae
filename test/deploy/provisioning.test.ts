import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { QUERY_TYPES } from '../../pkg/api/query';
import { jsonFile, yamlDoc, type Doc } from './support';

const APP = jsonFile('src/plugin.json');
const DATASOURCE_PLUGIN = jsonFile('src/datasource/plugin.json');
const compose = yamlDoc('docker-compose.yml');
/** What Grafana reads at start-up (the compose token job copies these dirs), then the teams' orgs' files. */
const STARTUP_DIRS = ['datasources', 'plugins', 'dashboards', 'alerting'];
const TEAMS = 'provisioning/teams';
const teamDatasources: Doc[] = yamlDoc(`${TEAMS}/datasources.yaml`).datasources;
const datasources: Doc[] = [
  ...readdirSync('provisioning/datasources').flatMap((f) => yamlDoc(`provisioning/datasources/${f}`).datasources),
  ...teamDatasources,
];
const ghcprofSources = datasources.filter((d) => d.type === DATASOURCE_PLUGIN.id);

/** Maps a path inside the Grafana container to the repository through docker-compose.yml's bind mounts. */
function repoPath(containerPath: string): string {
  for (const volume of compose.services.grafana.volumes as string[]) {
    const [source, target] = volume.split(':');
    if (source.startsWith('.') && (containerPath === target || containerPath.startsWith(`${target}/`))) {
      return join(source, containerPath.slice(target.length));
    }
  }
  throw new Error(`${containerPath} is not mounted into the Grafana container`);
}

/** `{{ .JsonData.url }}` / `{{ .SecureJsonData.readToken }}` names used by the plugin's routes. */
function routeFields(kind: 'JsonData' | 'SecureJsonData'): Set<string> {
  const text = JSON.stringify(DATASOURCE_PLUGIN.routes);
  return new Set([...text.matchAll(new RegExp(`\\.${kind}\\.(\\w+)`, 'g'))].map((m) => m[1]));
}

function dashboardFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f));
}

describe('Grafana provisioning', () => {
  it('every provisioning file parses and declares apiVersion 1', () => {
    const yamls = [...STARTUP_DIRS, 'teams'].flatMap((dir) =>
      readdirSync(`provisioning/${dir}`)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => `provisioning/${dir}/${f}`)
    );
    assert.ok(yamls.length >= 7);
    for (const file of yamls) assert.equal(yamlDoc(file).apiVersion, 1, file);
  });

  it('data sources have unique uids, a name, a type and an access mode; Prometheus points at the compose service', () => {
    const uids = datasources.map((d) => d.uid);
    assert.equal(new Set(uids).size, uids.length);
    for (const d of datasources)
      for (const field of ['name', 'uid', 'type', 'access']) assert.ok(d[field], `${d.name}: ${field}`);
    const prometheus = datasources.find((d) => d.type === 'prometheus')!;
    assert.equal(prometheus.uid, 'prometheus');
    assert.equal(prometheus.url, 'http://prometheus:9090');
    assert.ok(compose.services.prometheus);
  });

  it('ghcprof data sources fill every field the plugin routes template, and point at the compose server', () => {
    assert.deepEqual(ghcprofSources.map((d) => d.uid).sort(), ['ghcprof', 'ghcprof-team-a', 'ghcprof-team-b']);
    for (const d of ghcprofSources) {
      for (const field of routeFields('JsonData')) assert.ok(d.jsonData[field], `${d.uid}: jsonData.${field}`);
      const url = new URL(d.jsonData.url);
      assert.ok(compose.services[url.hostname], url.hostname);
      assert.equal(url.port, compose.services[url.hostname].environment.GHCPROF_PORT);
      assert.equal(d.jsonData.prometheusUrl, datasources.find((p) => p.type === 'prometheus')!.url);
      assert.ok(d.secureJsonData.readToken, `${d.uid}: readToken`);
      for (const key of Object.keys(d.secureJsonData))
        assert.ok(routeFields('SecureJsonData').has(key), `${d.uid}: ${key} is used by no route`);
    }
    const main = ghcprofSources.find((d) => d.uid === 'ghcprof')!;
    assert.deepEqual(
      Object.keys(main.secureJsonData).sort(),
      [...routeFields('SecureJsonData')].sort(),
      'one token per route scope'
    );
    assert.equal(main.isDefault, true);
  });

  it('the app is enabled and its jsonData names the ghcprof data source', () => {
    const app = yamlDoc('provisioning/plugins/apps.yaml').apps[0];
    assert.equal(app.type, APP.id);
    assert.equal(app.disabled, false);
    assert.equal(app.jsonData.datasourceUid, 'ghcprof');
    assert.ok(ghcprofSources.some((d) => d.uid === app.jsonData.datasourceUid));
  });

  it("the plugin dashboards provider reads dist/dashboards, where the build puts the app's included dashboards", () => {
    const provider = yamlDoc('provisioning/dashboards/ghcprof.yaml').providers[0];
    assert.equal(repoPath(provider.options.path), join('dist', 'dashboards'));
    const included = APP.includes.filter((i: Doc) => i.type === 'dashboard');
    // Every dashboard the generator writes (scripts/gen-dashboards.ts -> src/dashboards/*.json) is included.
    const generated = readdirSync('src/dashboards')
      .filter((f) => f.endsWith('.json'))
      .map((f) => jsonFile(join('src/dashboards', f)).uid);
    assert.ok(generated.length >= 3, `generated dashboards: ${generated}`);
    assert.deepEqual(included.map((i: Doc) => i.uid).sort(), generated.sort());
    for (const include of included) {
      assert.match(include.path, /^dashboards\/[\w-]+\.json$/);
      // The scaffold copies src/**/*.json into dist/ keeping the path.
      const source = join('src', include.path);
      assert.ok(existsSync(source), `${source} (built to dist/${include.path})`);
      assert.equal(jsonFile(source).uid, include.uid, source);
    }
  });

  it("the plugin dashboards' data source variables and uids resolve to provisioned data sources", () => {
    for (const include of APP.includes.filter((i: Doc) => i.type === 'dashboard')) {
      const dashboard = jsonFile(join('src', include.path));
      for (const variable of dashboard.templating.list.filter((v: Doc) => v.type === 'datasource')) {
        assert.ok(
          datasources.some((d) => d.type === variable.query),
          `${include.path}: no ${variable.query} data source`
        );
      }
      const variables = new Set(dashboard.templating.list.map((v: Doc) => `\${${v.name}}`));
      const uids = new Set<string>();
      JSON.stringify(dashboard, (key, value) => {
        if (key === 'datasource' && value && typeof value === 'object' && typeof value.uid === 'string')
          uids.add(value.uid);
        return value;
      });
      assert.ok(uids.size > 0, include.path);
      for (const uid of uids)
        assert.ok(variables.has(uid) || datasources.some((d) => d.uid === uid), `${include.path}: data source ${uid}`);
    }
  });

  it('teams: one Grafana org each (folders are no isolation in OSS); start-up provisioning names org 1 only', () => {
    const orgs = [
      ...readFileSync('deploy/compose/grafana-orgs.mjs', 'utf8').matchAll(/\{ id: (\d+), name: '([^']+)' \}/g),
    ].map((m) => Number(m[1]));
    const teamOrgs = teamDatasources.map((d) => d.orgId);
    assert.equal(new Set(teamOrgs).size, teamOrgs.length, 'each team its own org');
    assert.ok(
      teamOrgs.every((o) => Number.isInteger(o) && o > 1),
      'not the main org'
    );
    assert.deepEqual([...orgs].sort(), [...teamOrgs].sort(), 'grafana-orgs.mjs creates exactly these orgs');
    for (const provider of yamlDoc(`${TEAMS}/dashboards.yaml`).providers as Doc[]) {
      const ds = teamDatasources.find((d) => d.uid === `ghcprof-${provider.name}`)!;
      assert.equal(provider.orgId, ds.orgId, `${provider.name}: dashboards in the org of its data source`);
    }
    // Grafana refuses to start when a provisioning file names an org that does not exist yet.
    const text = STARTUP_DIRS.flatMap((dir) =>
      readdirSync(`provisioning/${dir}`)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => readFileSync(`provisioning/${dir}/${f}`, 'utf8'))
    ).join('\n');
    assert.deepEqual(
      [...text.matchAll(/orgId:\s*(\d+)/g)].filter((m) => m[1] !== '1'),
      []
    );
    // Each team's token is bound to its team's org (the server checks Grafana's ID token for it).
    const script = readFileSync('deploy/compose/create-tokens.sh', 'utf8');
    for (const ds of teamDatasources) {
      const file = /\$__file\{[^}]*\/([^/}]+)\}/.exec(ds.secureJsonData.readToken)![1];
      assert.match(
        script,
        new RegExp(`^create ${file} \\S+ read ${ds.orgId}$`, 'm'),
        `${file} bound to org ${ds.orgId}`
      );
    }
  });

  it('team dashboards: one provider and folder per team, bound to that team’s data source only', () => {
    const providers: Doc[] = yamlDoc(`${TEAMS}/dashboards.yaml`).providers;
    const all = [...providers, ...yamlDoc('provisioning/dashboards/ghcprof.yaml').providers];
    assert.equal(new Set(all.map((p) => p.folderUid)).size, all.length, 'folder uids differ');
    const dashboardUids: string[] = [];
    for (const provider of providers) {
      const dir = repoPath(provider.options.path);
      const files = dashboardFiles(dir);
      assert.ok(files.length > 0, dir);
      for (const file of files) {
        const dashboard = jsonFile(file);
        dashboardUids.push(dashboard.uid);
        const uids = new Set<string>();
        const collect = (node: unknown): void => {
          if (Array.isArray(node)) node.forEach(collect);
          else if (node && typeof node === 'object') {
            const o = node as Doc;
            if (o.datasource?.uid) uids.add(o.datasource.uid);
            if (o.refId && o.queryType !== undefined)
              assert.ok((QUERY_TYPES as readonly string[]).includes(o.queryType), `${file}: queryType ${o.queryType}`);
            Object.values(o).forEach(collect);
          }
        };
        collect(dashboard);
        assert.deepEqual([...uids], [`ghcprof-${provider.name}`], `${file} uses only its team's data source`);
        assert.ok(ghcprofSources.some((d) => d.uid === `ghcprof-${provider.name}`));
        const targets = dashboard.panels.flatMap((p: Doc) => p.targets);
        assert.deepEqual(targets.map((t: Doc) => t.queryType).sort(), ['flamegraph', 'heap', 'profiles']);
      }
    }
    assert.equal(new Set(dashboardUids).size, dashboardUids.length);
  });

  it('the notification template links the drill-down with the alert labels and start time, braces balanced', () => {
    const template: string = yamlDoc('provisioning/alerting/templates.yaml').templates[0].template;
    assert.equal(template.split('{{').length, template.split('}}').length);
    for (const part of [
      '/d/ghcprof-drilldown?',
      'var-pod={{ .Labels.pod }}',
      'var-service={{ .Labels.service }}',
      '.StartsAt',
    ]) {
      assert.ok(template.includes(part), part);
    }
    assert.match(readFileSync('provisioning/alerting/templates.yaml', 'utf8'), /define "ghcprof\.message"/);
  });
});
