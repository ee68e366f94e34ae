/**
 * Real ghcprof processes for the end-to-end tests: `ghcprof serve` on a SQLite file and a free 127.0.0.1 port,
 * tokens made with `ghcprof token create`, and the CLI (`push`, `agent`) as child processes. Everything runs from
 * source through tsx (see run-cli.ts). Call `stop()` in `after` hooks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../support/net';

export { freePort };

/** Node arguments that run the ghcprof CLI from source. */
export const NODE_ARGS = ['--import', 'tsx', join(__dirname, 'run-cli.ts')];

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 100
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** `ghcprof token create`: the secret is the last line of stdout. */
export function createToken(db: string, tenant: string, scope: 'read' | 'write' | 'admin'): string {
  const run = spawnSync(
    process.execPath,
    [...NODE_ARGS, 'token', 'create', '--db', db, '--tenant', tenant, '--scope', scope],
    { encoding: 'utf8' }
  );
  if (run.status !== 0) throw new Error(`token create failed: ${run.stderr}`);
  return run.stdout.trim().split('\n').at(-1)!;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves when the process exits. */
  done: Promise<CliRun>;
}

export function spawnCli(args: string[], opts: { env?: NodeJS.ProcessEnv; logFile?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : null;
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
    log?.write(c);
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
    log?.write(c);
  });
  const done = new Promise<CliRun>((resolve) =>
    child.once('close', (code) => {
      log?.end();
      resolve({ code, stdout, stderr });
    })
  );
  return { child, output: () => stdout + stderr, done };
}

export function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  return spawnCli(args, { env }).done;
}

export interface RunningServer {
  url: string;
  port: number;
  db: string;
  stop(): Promise<void>;
}

/** `ghcprof serve` on `db`; resolves once /healthz answers. */
export async function startServer(
  db: string,
  port?: number,
  logFile?: string,
  extraArgs: string[] = []
): Promise<RunningServer> {
  const chosen = port ?? (await freePort());
  const args = [
    'serve',
    '--db',
    db,
    '--host',
    '127.0.0.1',
    '--port',
    String(chosen),
    '--log-level',
    'warn',
    ...extraArgs,
  ];
  const proc = spawnCli(args, { logFile });
  const url = `http://127.0.0.1:${chosen}`;
  let exited = false;
  void proc.done.then(() => (exited = true));
  await waitFor(`ghcprof serve on ${url}`, async () => {
    if (exited) throw new Error(`ghcprof serve exited: ${proc.output()}`);
    return (await fetch(`${url}/healthz`)).ok;
  });
  return {
    url,
    port: chosen,
    db,
    async stop() {
      if (!exited) proc.child.kill('SIGTERM');
      await proc.done;
    },
  };
}

/** A JSON request to the server's API. */
export async function api<T = Record<string, unknown>>(
  server: { url: string },
  token: string,
  path: string,
  body?: unknown
): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function rawOf(server: { url: string }, token: string, id: string): Promise<Buffer> {
  const res = await fetch(`${server.url}/api/v1/profiles/${id}/raw`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`raw ${id}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export interface StoredMeta {
  id: string;
  kind: string;
  labels: Record<string, string>;
  size: number;
}

export async function listProfiles(server: { url: string }, token: string): Promise<StoredMeta[]> {
  return (await api<{ profiles: StoredMeta[] }>(server, token, '/api/v1/profiles?limit=10000')).profiles;
}
