/**
 * The server under test as a child process: `ghcprof serve` on 127.0.0.1 (built CLI, or the TypeScript sources
 * through tsx), tokens from `ghcprof token create`, readiness by polling /readyz, RSS from /proc/PID/status, and
 * an HTTP client with keep-alive. Everything it starts it stops (`ServerChild.stop`, `Cleanup.run`).
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../test/support/net';

export { freePort };

const execFileAsync = promisify(execFile);

export const ROOT = resolve(__dirname, '../..');

/** How to run the CLI: the built `bin/ghcprof.js` (as users run it) or the sources (no build needed). */
export type CliMode = 'build' | 'source';

function cliCommand(mode: CliMode): string[] {
  return mode === 'build'
    ? [join(ROOT, 'bin/ghcprof.js')]
    : ['--import', 'tsx', join(ROOT, 'bench/server/cli-entry.ts')];
}

/** Newest modification time (ms) of the .ts files under a directory. */
function newestTs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestTs(path));
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** True when build/ is missing or older than some pkg/**\/*.ts. */
export function buildIsStale(): boolean {
  const built = statSync(join(ROOT, 'build/pkg/cli/main.js'), { throwIfNoEntry: false });
  return !built || newestTs(join(ROOT, 'pkg')) > built.mtimeMs;
}

/** Compiles pkg/ to build/ (what `node bin/ghcprof.js` runs). */
export function buildCli(): void {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'pkg/tsconfig.json')],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
    }
  );
  if (r.status !== 0) {
    throw new Error(
      `npx tsc -p pkg/tsconfig.json failed (exit ${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(0, 4000)}`
    );
  }
}

/** `ghcprof token create`: the secret is alone on the last line of stdout. */
export async function createToken(
  mode: CliMode,
  db: string,
  tenant: string,
  scope: 'read' | 'write' | 'admin'
): Promise<string> {
  const args = [
    ...cliCommand(mode),
    'token',
    'create',
    '--db',
    db,
    '--tenant',
    tenant,
    '--scope',
    scope,
    '--name',
    `bench-${scope}`,
  ];
  const r = await execFileAsync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }).catch(
    (err: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`ghcprof token create --db ${db} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
  );
  const secret = r.stdout.trim().split('\n').at(-1)?.trim() ?? '';
  if (secret === '') {
    throw new Error(`ghcprof token create --db ${db} printed no token:\n${r.stdout}${r.stderr}`);
  }
  return secret;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process in KiB (VmRSS), null once it is gone. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export interface ServeOptions {
  mode: CliMode;
  db: string;
  /** Seconds to wait for /readyz before giving up. */
  readyTimeoutS?: number;
}

/** A running `ghcprof serve`. */
export class ServerChild {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string
  ) {
    const keep = (c: Buffer) => {
      // The last few KiB are enough to explain a failure.
      this.output = (this.output + c.toString('utf8')).slice(-8192);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = once(child, 'exit').then(() => undefined);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the server printed lately (its log at level warn and above). */
  get log(): string {
    return this.output;
  }

  static async start(opts: ServeOptions): Promise<ServerChild> {
    const port = await freePort();
    const args = [
      ...cliCommand(opts.mode),
      'serve',
      '--db',
      opts.db,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      // Request logs at info level would measure pino, and the bench's own traffic must not hit the rate limit.
      '--log-level',
      'warn',
      '--rate-limit',
      '1000000000',
      '--max-upload-bytes',
      '64MiB',
      // The ingest phase runs 16 concurrent clients: let them all in rather than measure 503 + retry.
      '--max-concurrent-uploads',
      '64',
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerChild(child, `http://127.0.0.1:${port}`);
    try {
      await server.waitReady((opts.readyTimeoutS ?? 60) * 1000);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) {
        throw new Error(
          `ghcprof serve exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready:\n${this.output}`
        );
      }
      const status = await httpRequest(this.url, 'GET', '/readyz').then(
        (r) => r.status,
        () => 0
      );
      if (status === 200) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `ghcprof serve not ready on ${this.url}/readyz after ${timeoutMs} ms (last status ${status}):\n${this.output}`
        );
      }
      await sleep(100);
    }
  }

  /** SIGTERM (graceful), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (!this.alive) {
      return;
    }
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(killer);
  }
}

let clockTicks: number | null = null;

/** CPU time (user + system, all threads) a process has used so far, in ms; null once it is gone. */
export function cpuMs(pid: number): number | null {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15 (man 5 proc).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return null;
  }
}

/** Server CPU ms used while `fn` runs: unlike wall time, hardly changed by other work on a shared machine. */
export async function withCpu<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const before = cpuMs(pid);
  const result = await fn();
  const after = cpuMs(pid);
  if (before === null || after === null) {
    throw new Error(`cannot read the CPU time of pid ${pid} from /proc: the server is gone`);
  }
  return { result, cpuMs: after - before };
}

/** RSS of one process every `everyMs`: start, peak, end. */
export class RssSampler {
  readonly samples: number[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pid: number,
    private readonly everyMs: number
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  stop(): { startKiB: number; peakKiB: number; endKiB: number; samples: number } {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.sample();
    if (this.samples.length === 0) {
      throw new Error(`no RSS sample of pid ${this.pid}: the server is gone`);
    }
    return {
      startKiB: this.samples[0],
      peakKiB: Math.max(...this.samples),
      endKiB: this.samples.at(-1)!,
      samples: this.samples.length,
    };
  }

  private sample(): void {
    const kib = rssKiB(this.pid);
    if (kib !== null) {
      this.samples.push(kib);
    }
  }
}

/** Cleanup steps run once, last registered first (server before database before temp dir). */
export class Cleanup {
  private readonly steps: Array<() => Promise<void> | void> = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step();
      } catch (err) {
        process.stderr.write(`bench cleanup: ${(err as Error).message}\n`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface HttpResponse {
  status: number;
  body: Buffer;
  json<T = unknown>(): T;
}

/** One request with keep-alive; rejects on network errors and after `timeoutMs`. */
export function httpRequest(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: Buffer | string; contentType?: string; timeoutMs?: number } = {}
): Promise<HttpResponse> {
  const url = new URL(path, base);
  const headers: Record<string, string> = {};
  if (opts.token) {
    headers.authorization = `Bearer ${opts.token}`;
  }
  if (opts.body !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/octet-stream';
    headers['content-length'] = String(Buffer.byteLength(opts.body));
  }
  return new Promise((res, rej) => {
    const req = request(url, { method, headers, agent, timeout: opts.timeoutMs ?? 120_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('error', rej);
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        res({ status: response.statusCode ?? 0, body, json: <T>() => JSON.parse(body.toString('utf8')) as T });
      });
    });
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${path}: no answer within ${opts.timeoutMs ?? 120_000} ms`))
    );
    req.on('error', rej);
    req.end(opts.body);
  });
}

/** Throws with the server's answer unless the status is one of `ok`. */
export function expectStatus(r: HttpResponse, what: string, ...ok: number[]): HttpResponse {
  if (!ok.includes(r.status)) {
    throw new Error(`${what}: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 500)}`);
  }
  return r;
}

export function closeHttp(): void {
  agent.destroy();
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
