/**
 * Runs the real `ghcprof` executable (`node bin/ghcprof.js`, which loads the compiled build/) as a child process.
 * In CI `npm ci` / `npm run build:pkg` builds build/ before the tests run; locally build/ may be older than the
 * sources, so ensureBuiltCli() rebuilds it when any backend source file is newer than the build.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');
const BUILT_MAIN = join(REPO, 'build/pkg/cli/main.js');

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) {
      if (name !== '__tests__' && name !== 'node_modules') {
        newest = Math.max(newest, newestSourceMtime(path));
      }
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
      newest = Math.max(newest, st.mtimeMs);
    }
  }
  return newest;
}

/** Builds build/ with the project's own command unless it is newer than every backend source file. */
export function ensureBuiltCli(): void {
  const built = statSync(BUILT_MAIN, { throwIfNoEntry: false });
  if (built !== undefined && built.mtimeMs >= newestSourceMtime(join(REPO, 'pkg'))) {
    return;
  }
  // tsc emits even when it reports type errors elsewhere; what matters here is that the CLI files exist afterwards.
  spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'pkg/tsconfig.json')], {
    cwd: REPO,
    stdio: 'ignore',
  });
  if (statSync(BUILT_MAIN, { throwIfNoEntry: false }) === undefined) {
    throw new Error(`building the CLI did not produce ${BUILT_MAIN}`);
  }
}

export interface CliResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `node bin/ghcprof.js ...args` from the repository root. */
export function runCli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/ghcprof.js'), ...args], {
    cwd: REPO,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** Runs the CLI and fails with its stderr unless it exits 0; returns stdout as text. */
export function cliText(args: string[]): string {
  const r = runCli(args);
  if (r.status !== 0) {
    throw new Error(`ghcprof ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return r.stdout.toString('utf8');
}
