/**
 * `npm run package`: the built plugin (dist/) as the zip Grafana users install, in the layout `grafana cli
 * --pluginUrl <zip> plugins install` and the plugin validator expect: one top-level folder named by the plugin id
 * holding plugin.json, module.js, the nested data source, README, CHANGELOG, LICENSE, logos and screenshots. Beside
 * it, `<zip>.sha1` and `<zip>.md5` hold the hex digests alone, as grafana/plugin-actions' build-plugin writes them
 * (`sha1sum ARCHIVE | cut -f1 -d' '`). The archive is unsigned: signing needs a Grafana access policy token.
 *
 *   node --import tsx scripts/package-plugin.ts [--dist dist] [--out artifacts]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AdmZip from 'adm-zip';

export interface PluginPackage {
  zip: string;
  sha1: string;
  md5: string;
  folder: string;
}

const digest = (algorithm: 'sha1' | 'md5', bytes: Buffer) => createHash(algorithm).update(bytes).digest('hex');

export function packagePlugin(distDir: string, outDir: string): PluginPackage {
  const manifest = JSON.parse(readFileSync(join(distDir, 'plugin.json'), 'utf8')) as {
    id: string;
    info: { version: string };
  };
  if (/%[A-Z_]+%/.test(manifest.info.version)) {
    throw new Error(`${distDir}/plugin.json still has build placeholders: run npm run build:plugin first`);
  }
  const archive = new AdmZip();
  archive.addLocalFolder(distDir, manifest.id);
  const bytes = archive.toBuffer();
  mkdirSync(outDir, { recursive: true });
  const zip = join(outDir, `${manifest.id}-${manifest.info.version}.zip`);
  const result = { zip, sha1: digest('sha1', bytes), md5: digest('md5', bytes), folder: manifest.id };
  writeFileSync(zip, bytes);
  writeFileSync(`${zip}.sha1`, `${result.sha1}\n`);
  writeFileSync(`${zip}.md5`, `${result.md5}\n`);
  return result;
}

if (require.main === module) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(name);
    return resolve(i > 0 ? process.argv[i + 1] : fallback);
  };
  const pkg = packagePlugin(arg('--dist', 'dist'), arg('--out', 'artifacts'));
  console.log(`${pkg.zip}\nsha1 ${pkg.sha1}\nmd5  ${pkg.md5}`);
}
