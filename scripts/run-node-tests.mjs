#!/usr/bin/env node
// Runs every *.test.ts under the given directories with node's own test runner (TypeScript through tsx).
// Node 20's `--test` does not expand globs or pick up .ts files from a directory, hence this small launcher.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2);
if (roots.length === 0) {roots.push('pkg', 'test');}
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) {continue;}
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {walk(path);}
    else if (name.endsWith('.test.ts')) {files.push(path);}
  }
};
for (const root of roots) {
  const st = statSync(root, { throwIfNoEntry: false });
  if (!st) {continue;}
  st.isDirectory() ? walk(root) : files.push(root);
}
if (process.env.TEST_FILTER) {
  const re = new RegExp(process.env.TEST_FILTER);
  files.splice(0, files.length, ...files.filter((f) => re.test(f)));
}
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
files.sort();
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' }
);
process.exit(result.status ?? 1);
