/** Runs `ghcprof <command>` as a child process (the real CLI, from source) and reads what it prints. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';

const ENTRY = 'test/server/cli-entry.ts';

export interface Child {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { process: child, stdout: () => out, stderr: () => err, exited };
}

/** Runs a command to completion. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {}
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Waits until `find` returns something for the child's output so far. */
export async function waitFor<T>(
  child: Child,
  find: (stdout: string) => T | undefined,
  timeoutMs = 30_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find(child.stdout());
    if (found !== undefined) {
      return found;
    }
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(
        `ghcprof exited (${child.process.exitCode ?? child.process.signalCode}) before it was ready:\n${child.stdout()}\n${child.stderr()}`
      );
    }
    if (Date.now() > deadline) {
      throw new Error(`ghcprof not ready after ${timeoutMs} ms:\n${child.stdout()}\n${child.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `ghcprof serve` with the given options on a free port; resolves once it logged where it listens. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: Child; url: string }> {
  const child = startCli(['serve', '--port', '0', '--host', '127.0.0.1', ...args], env);
  const url = await waitFor(child, (out) => {
    for (const line of out.split('\n')) {
      if (line.includes('"ghcprof serving"')) {
        return JSON.parse(line).url as string;
      }
    }
    return undefined;
  });
  return { child, url };
}

export async function stopChild(child: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
  if (child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill(signal);
  }
  return child.exited;
}
