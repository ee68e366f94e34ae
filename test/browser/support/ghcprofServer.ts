import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileMeta } from '../../../pkg/api/query';
import { ensureBuiltCli } from '../../../pkg/cli/__tests__/built-cli';
import { freePort } from '../../support/net';

export { freePort };

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'bin', 'ghcprof.js');

export interface Ghcprof {
  url: string;
  process: ChildProcess;
  createToken(scope: 'read' | 'write' | 'admin'): string;
  upload(fixture: string, labels: Record<string, string>, token: string): Promise<ProfileMeta>;
  stop(): Promise<void>;
}

/**
 * `node bin/ghcprof.js serve` on a fresh SQLite file and a free port; resolves once /healthz answers. bin/ loads the
 * compiled build/, rebuilt first when a backend source is newer (the CLI tests' helper).
 */
export async function startGhcprof(db: string, extraArgs: string[] = []): Promise<Ghcprof> {
  ensureBuiltCli();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--db', db, '--port', String(port), '--log-level', 'warn', ...extraArgs],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, () => output);
  return {
    url,
    process: child,
    createToken: (scope) =>
      execFileSync(
        process.execPath,
        [CLI, 'token', 'create', '--db', db, '--tenant', 't', '--scope', scope, '--name', `browser-${scope}`],
        {
          cwd: ROOT,
          encoding: 'utf8',
        }
      )
        .trim()
        .split('\n')
        .at(-1)!
        .trim(),
    upload: async (fixture, labels, token) => {
      const query = Object.entries(labels)
        .map(([k, v]) => `label=${encodeURIComponent(`${k}=${v}`)}`)
        .join('&');
      const response = await fetch(`${url}/api/v1/profiles?${query}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
        body: readFileSync(join(ROOT, fixture)),
      });
      if (!response.ok) {
        throw new Error(`upload of ${fixture} failed: ${response.status} ${await response.text()}`);
      }
      return (await response.json()) as ProfileMeta;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`ghcprof serve exited with ${child.exitCode}:\n${output()}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`ghcprof serve did not answer /healthz within 20 s:\n${output()}`);
}
