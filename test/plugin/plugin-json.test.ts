import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

const app = readJson(join(SRC, 'plugin.json'));
const datasource = readJson(join(SRC, 'datasource', 'plugin.json'));
const ID_PATTERN = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource)$/;

/**
 * The vendored schema (see README.md) predates plugin RBAC; these are the three properties Grafana added for it,
 * with the shapes its docs give: top-level `roles`, route `reqAction`, include `action`.
 */
function schemaWithRbac() {
  const schema = readJson(join(__dirname, 'plugin.schema.json'));
  schema.properties.roles = {
    type: 'array',
    items: {
      type: 'object',
      required: ['role', 'grants'],
      additionalProperties: false,
      properties: {
        role: {
          type: 'object',
          required: ['name', 'permissions'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            description: { type: 'string' },
            permissions: {
              type: 'array',
              items: {
                type: 'object',
                required: ['action'],
                additionalProperties: false,
                properties: { action: { type: 'string' }, scope: { type: 'string' } },
              },
            },
          },
        },
        grants: { type: 'array', items: { enum: ['Viewer', 'Editor', 'Admin', 'Grafana Admin', 'None'] } },
      },
    },
  };
  schema.properties.routes.items.properties.reqAction = { type: 'string' };
  schema.properties.includes.items.properties.action = { type: 'string' };
  return schema;
}

// Grafana's patterns escape '-' (`\-`), which the u flag rejects: compile them as plain ECMAScript regexes.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schemaWithRbac());

function assertValid(json: unknown, name: string) {
  const ok = validate(json);
  assert.ok(ok, `${name}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

describe('plugin.json against Grafana plugin.json schema', () => {
  it('the app and the nested data source are valid', () => {
    assertValid(app, 'src/plugin.json');
    assertValid(datasource, 'src/datasource/plugin.json');
  });

  it('the schema really checks: an unknown property, a bad id and a bad route property are rejected', () => {
    assert.equal(validate({ ...app, bogus: true }), false);
    assert.equal(validate({ ...app, id: 'GHCprof_app' }), false);
    const badRoute = { ...datasource, routes: [{ ...datasource.routes[0], reqRoles: 'Viewer' }] };
    assert.equal(validate(badRoute), false);
  });
});

describe('plugin-validator rules', () => {
  it('ids follow the naming pattern and end with the plugin type; names differ from ids', () => {
    for (const plugin of [app, datasource]) {
      assert.match(plugin.id, ID_PATTERN);
      assert.ok(plugin.id.endsWith(`-${plugin.type}`), `${plugin.id} does not end with -${plugin.type}`);
      assert.notEqual(plugin.name, plugin.id);
    }
    assert.equal(app.id, 'ghcprof-profiles-app');
    assert.equal(datasource.id, 'ghcprof-profiles-datasource');
  });

  it('declares a grafanaDependency both plugins share', () => {
    assert.match(app.dependencies.grafanaDependency, /^>=\d+\.\d+\.\d+$/);
    assert.equal(datasource.dependencies.grafanaDependency, app.dependencies.grafanaDependency);
  });

  it('has SVG logos that exist next to each plugin.json', () => {
    for (const [plugin, dir] of [
      [app, SRC],
      [datasource, join(SRC, 'datasource')],
    ] as const) {
      for (const logo of [plugin.info.logos.small, plugin.info.logos.large]) {
        const path = join(dir, logo);
        assert.ok(existsSync(path), `${plugin.id}: logo ${logo} missing`);
        assert.match(readFileSync(path, 'utf8'), /^<svg[\s>]/);
      }
    }
  });

  it('the app declares its nested data source', () => {
    const nested = app.includes.filter((include: { type: string }) => include.type === 'datasource');
    assert.deepEqual(nested, [{ type: 'datasource', name: 'ghcprof', path: 'datasource/plugin.json' }]);
    assert.ok(existsSync(join(SRC, dirname(nested[0].path), 'module.ts')));
  });

  it('app pages carry a role and an RBAC action the app grants', () => {
    const pages = app.includes.filter((include: { type: string }) => include.type === 'page');
    assert.deepEqual(
      pages.map((page: { name: string }) => page.name),
      ['Services', 'Profiles', 'Profile', 'Compare', 'Settings']
    );
    const granted = new Set(
      app.roles.flatMap((r: { role: { permissions: Array<{ action: string }> } }) =>
        r.role.permissions.map((p) => p.action)
      )
    );
    for (const page of pages) {
      assert.ok(['Viewer', 'Editor', 'Admin'].includes(page.role), `${page.name} has no role`);
      assert.ok(
        granted.has(page.action) || page.action === 'plugins:write',
        `${page.name}: action ${page.action} not declared`
      );
    }
  });

  it('includes the three dashboards with stable uids, files present', () => {
    const dashboards = app.includes.filter((include: { type: string }) => include.type === 'dashboard');
    assert.deepEqual(
      dashboards.map((d: { uid: string; path: string }) => [d.uid, d.path]),
      [
        ['ghcprof-rts-overview', 'dashboards/rts-overview.json'],
        ['ghcprof-drilldown', 'dashboards/drilldown.json'],
        ['ghcprof-benchmarks', 'dashboards/benchmarks.json'],
      ]
    );
    for (const dashboard of dashboards) {
      assert.equal(readJson(join(SRC, dashboard.path)).uid, dashboard.uid);
    }
  });
});

describe('data source routes and roles', () => {
  const route = (path: string) => datasource.routes.find((r: { path: string }) => r.path === path);

  it('has one route per token scope, each injecting its own token from secureJsonData', () => {
    assert.deepEqual(
      datasource.routes.map((r: { path: string; reqRole: string }) => [r.path, r.reqRole]),
      [
        ['read', 'Viewer'],
        ['write', 'Editor'],
        ['admin', 'Admin'],
      ]
    );
    for (const [path, token] of [
      ['read', 'readToken'],
      ['write', 'writeToken'],
      ['admin', 'adminToken'],
    ]) {
      assert.equal(route(path).url, '{{ .JsonData.url }}');
      const auth = route(path).headers.find((h: { name: string }) => h.name === 'Authorization');
      assert.equal(auth.content, `Bearer {{ .SecureJsonData.${token} }}`);
    }
  });

  it('guards each route with an action of its own plugin, granted to the matching basic role', () => {
    const grantsOf = new Map<string, string[]>();
    for (const { role, grants } of datasource.roles) {
      for (const permission of role.permissions) {
        assert.ok(
          permission.action.startsWith(`${datasource.id}.`),
          `${permission.action} is not prefixed with the plugin id`
        );
        grantsOf.set(permission.action, grants);
      }
    }
    for (const r of datasource.routes) {
      assert.deepEqual(grantsOf.get(r.reqAction), [r.reqRole], `${r.path}: ${r.reqAction} not granted to ${r.reqRole}`);
    }
    for (const { role } of app.roles) {
      for (const permission of role.permissions) {
        assert.ok(permission.action.startsWith(`${app.id}.`));
      }
    }
  });

  it('is a profiling data source with metrics and annotations', () => {
    assert.equal(datasource.category, 'profiling');
    assert.equal(datasource.metrics, true);
    assert.equal(datasource.annotations, true);
  });
});
