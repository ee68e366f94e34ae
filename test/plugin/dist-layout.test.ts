import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }, 0);
}

/** Build when dist/ is missing or older than src/, so the layout checked is the layout of this source. */
before(() => {
  const module = join(DIST, 'module.js');
  if (!existsSync(module) || statSync(module).mtimeMs < newestMtime(join(ROOT, 'src'))) {
    const build = spawnSync('npm', ['run', 'build:plugin'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build:plugin failed:\n${build.stdout}\n${build.stderr}`);
  }
});

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
