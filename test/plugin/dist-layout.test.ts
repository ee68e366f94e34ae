import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, ROOT, ensureDistBuilt } from './built-dist';

before(ensureDistBuilt);

const read = (path: string) => readFileSync(join(DIST, path), 'utf8');

describe('dist/ layout (what Grafana loads from the plugin directory)', () => {
  it('has the app and the nested data source, each with plugin.json, module.js and logos', () => {
    for (const path of [
      'plugin.json',
      'module.js',
      'img/logo.svg',
      'datasource/plugin.json',
      'datasource/module.js',
      'datasource/img/logo.svg',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      'dashboards/rts-overview.json',
      'dashboards/drilldown.json',
    ]) {
      assert.ok(existsSync(join(DIST, path)), `dist/${path} missing`);
    }
  });

  it('logos named in the built plugin.json files exist', () => {
    for (const [json, dir] of [
      ['plugin.json', ''],
      ['datasource/plugin.json', 'datasource/'],
    ]) {
      const logos = JSON.parse(read(json)).info.logos;
      assert.ok(existsSync(join(DIST, dir, logos.small)) && existsSync(join(DIST, dir, logos.large)), json);
    }
  });

  it('replaced the build placeholders', () => {
    for (const json of ['plugin.json', 'datasource/plugin.json']) {
      const text = read(json);
      assert.doesNotMatch(text, /%VERSION%|%TODAY%|%PLUGIN_ID%/, json);
      const info = JSON.parse(text).info;
      assert.equal(info.version, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
      assert.match(info.updated, /^\d{4}-\d{2}-\d{2}$/);
    }
    assert.ok(
      JSON.parse(read('plugin.json')).includes.some(
        (i: { path: string }) => i.path === '/a/ghcprof-profiles-app/profiles'
      )
    );
  });

  it('modules are AMD bundles exporting `plugin`, with Grafana packages left external', () => {
    for (const module of ['module.js', 'datasource/module.js']) {
      const code = read(module);
      assert.match(code, /define\(\[/, `${module} is not AMD`);
      assert.match(code, /"@grafana\/data"/);
      assert.match(code, /plugin/);
    }
    // The data source bundle carries the shared zod schemas it validates queries with.
    assert.match(read('datasource/module.js'), /maxNodes/);
  });
});
