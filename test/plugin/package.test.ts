import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { packagePlugin, type PluginPackage } from '../../scripts/package-plugin';
import { DIST, ROOT, ensureDistBuilt } from './built-dist';

/**
 * The zip `npm run package` makes, unpacked again and checked against what Grafana's installer and plugin validator
 * look for: `grafana cli --pluginUrl` unpacks the archive into the plugins directory and expects one folder named by
 * the plugin id with plugin.json at its top (grafana/grafana pkg/plugins/storage/fs.go, Extract), and the
 * validator's archive, metadata, logos and screenshots analyzers (grafana/plugin-validator pkg/analysis/passes/
 * {archive,metadatapaths,logos,screenshots}) read the manifest's paths inside that folder.
 */
const ID = 'ghcprof-profiles-app';
let pkg: PluginPackage;
let entries: Map<string, Buffer>;

before(() => {
  ensureDistBuilt();
  pkg = packagePlugin(DIST, mkdtempSync(join(tmpdir(), 'ghcprof-package-')));
  entries = new Map(
    new AdmZip(pkg.zip)
      .getEntries()
      .filter((e) => !e.isDirectory)
      .map((e) => [e.entryName, e.getData()])
  );
});

const file = (path: string) => {
  const bytes = entries.get(`${ID}/${path}`);
  assert.ok(bytes, `${ID}/${path} is not in the zip`);
  return bytes;
};
const manifest = (path: string) => JSON.parse(file(path).toString('utf8'));

describe('npm run package: the plugin zip', () => {
  it('is named <id>-<version>.zip and holds one top-level folder named by the plugin id, nothing else', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    assert.ok(pkg.zip.endsWith(`/${ID}-${version}.zip`), pkg.zip);
    assert.ok(entries.size > 10);
    for (const name of entries.keys()) {
      assert.ok(name.startsWith(`${ID}/`) && !name.split('/').includes('..'), `stray entry ${name}`);
    }
  });

  it('has the app and the nested data source, with README, CHANGELOG and LICENSE', () => {
    for (const path of ['plugin.json', 'module.js', 'datasource/plugin.json', 'datasource/module.js']) {
      assert.ok(file(path).length > 0, path);
    }
    assert.match(file('README.md').toString(), /ghcprof/);
    assert.match(file('CHANGELOG.md').toString(), /^# Changelog/m);
    assert.match(file('LICENSE').toString(), /Apache License/);
  });

  it('manifests are the built ones: ids, version and every path they name are in the zip', () => {
    const app = manifest('plugin.json');
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    assert.equal(app.id, ID);
    assert.equal(app.type, 'app');
    assert.equal(app.info.version, version);
    const ds = app.includes.find((i: { type: string }) => i.type === 'datasource');
    const datasource = manifest(ds.path);
    assert.equal(datasource.type, 'datasource');
    assert.match(datasource.id, /^ghcprof-[a-z]+-datasource$/);
    for (const [json, dir] of [
      [app, ''],
      [datasource, 'datasource/'],
    ]) {
      assert.doesNotMatch(JSON.stringify(json), /%VERSION%|%TODAY%|%PLUGIN_ID%/);
      file(dir + json.info.logos.small);
      file(dir + json.info.logos.large);
    }
    assert.ok(app.info.screenshots.length >= 3, 'the catalogue shows screenshots');
    for (const shot of app.info.screenshots) {
      assert.deepEqual([...file(shot.path).subarray(1, 4)], [...Buffer.from('PNG')], `${shot.path} is a PNG`);
    }
    for (const include of app.includes.filter((i: { type: string }) => i.type === 'dashboard')) {
      assert.ok(manifest(include.path).panels.length > 0, include.path);
    }
  });

  it('every file is byte-identical to dist/', () => {
    for (const [name, bytes] of entries) {
      assert.ok(readFileSync(join(DIST, name.slice(ID.length + 1))).equals(bytes), name);
    }
  });

  it('.sha1 and .md5 beside it hold the digests of the zip as written', () => {
    const bytes = readFileSync(pkg.zip);
    for (const algorithm of ['sha1', 'md5'] as const) {
      const expected = createHash(algorithm).update(bytes).digest('hex');
      assert.equal(readFileSync(`${pkg.zip}.${algorithm}`, 'utf8'), `${expected}\n`);
    }
  });
});
