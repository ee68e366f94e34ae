import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist');

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }, 0);
}

/** Builds when dist/ is missing or older than src/, so what a test checks is the build of this source. */
export function ensureDistBuilt(): void {
  const module = join(DIST, 'module.js');
  if (!existsSync(module) || statSync(module).mtimeMs < newestMtime(join(ROOT, 'src'))) {
    const build = spawnSync('npm', ['run', 'build:plugin'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build:plugin failed:\n${build.stdout}\n${build.stderr}`);
  }
}
