/**
 * A private PostgreSQL 15 for tests: one server per test process (started on first use, on 127.0.0.1 with a free
 * port, data and socket in a temp dir), a fresh logical database per suite (`createDatabase()`), in the manner of
 * Backstage's TestDatabases. As root, initdb/pg_ctl run as user `postgres` (PostgreSQL refuses to run as root).
 * If the server cannot start, startPostgres rejects with the server's log: the test fails, it is never skipped.
 *
 *   const pg = await startPostgres();           // in before()
 *   const url = await pg.createDatabase();      // postgres://postgres@127.0.0.1:PORT/test_...
 *   await pg.stop();                            // in after(); the last stop() shuts the server down
 */
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './net';

const execFileAsync = promisify(execFile);

export const PG_BIN = process.env.GHCPROF_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** URL of the server's `postgres` database (superuser, trust auth). */
  url: string;
  /** Creates an empty database (default: a unique name) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Releases this handle; the server stops when every handle is released (and at process exit regardless). */
  stop(): Promise<void>;
}

interface Server {
  port: number;
  baseDir: string;
  dataDir: string;
}

let running: Promise<Server> | null = null;
let handles = 0;
let databaseCounter = 0;

export async function startPostgres(): Promise<TestPostgres> {
  handles++;
  running ??= startServer();
  let server: Server;
  try {
    server = await running;
  } catch (err) {
    handles--;
    running = null;
    throw err;
  }
  const url = urlOf(server.port, 'postgres');
  let released = false;
  return {
    url,
    createDatabase: (name) => createDatabase(server.port, name),
    stop: async () => {
      if (released) return;
      released = true;
      handles--;
      if (handles === 0 && running) {
        running = null;
        await stopServer(server);
      }
    },
  };
}

function urlOf(port: number, database: string): string {
  return `postgres://postgres@127.0.0.1:${port}/${database}`;
}

async function createDatabase(port: number, name?: string): Promise<string> {
  const db = name ?? `test_${process.pid}_${++databaseCounter}_${Math.random().toString(36).slice(2, 8)}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(db)) {
    throw new Error(`test database name ${JSON.stringify(db)} must match [a-z_][a-z0-9_]*`);
  }
  const admin = new Client({ connectionString: urlOf(port, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${db}`);
  } finally {
    await admin.end();
  }
  return urlOf(port, db);
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as user postgres when we are root. */
async function pgCommand(binary: string, args: string[], cwd: string): Promise<void> {
  const file = join(PG_BIN, binary);
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  try {
    await execFileAsync(cmd, argv, { cwd, timeout: 60_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

async function startServer(): Promise<Server> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    throw new Error(
      `PostgreSQL 15 binaries not found in ${PG_BIN} (apt-get install postgresql, or set GHCPROF_PG_BIN)`
    );
  }
  const baseDir = mkdtempSync(join(tmpdir(), 'ghcprof-pg-'));
  if (isRoot()) {
    const pgUser = lookupUid('postgres');
    chownSync(baseDir, pgUser.uid, pgUser.gid);
  }
  const dataDir = join(baseDir, 'data');
  await pgCommand(
    'initdb',
    ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '-N'],
    baseDir
  );
  // The port is free when probed but could be taken before the server binds it: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = { port, baseDir, dataDir };
    try {
      await pgCommand(
        'pg_ctl',
        [
          '-D',
          dataDir,
          '-l',
          join(baseDir, 'server.log'),
          // Tests need no durability: skip fsync to keep the suites fast.
          '-o',
          `-p ${port} -k ${baseDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
          '-w',
          '-t',
          '30',
          'start',
        ],
        baseDir
      );
      stopAtExit(server);
      return server;
    } catch (err) {
      lastError = err;
    }
  }
  const log = existsSync(join(baseDir, 'server.log')) ? readFileSync(join(baseDir, 'server.log'), 'utf8') : '';
  rmSync(baseDir, { recursive: true, force: true });
  throw new Error(`could not start the test PostgreSQL: ${(lastError as Error).message}\nserver log:\n${log}`);
}

function lookupUid(user: string): { uid: number; gid: number } {
  const out = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (out.status !== 0 || gid.status !== 0) {
    throw new Error(`running as root, but there is no user ${user} to run PostgreSQL as`);
  }
  return { uid: Number(out.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const exitHooks = new Map<string, () => void>();

/**
 * A test process that never calls stop() (a crash, a forgotten after hook) or is interrupted must not leave a server
 * running: stop it at exit, and on SIGINT/SIGTERM/SIGHUP stop it and then die of the same signal as before.
 */
function stopAtExit(server: Server): void {
  const hook = () => {
    stopServerSync(server);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    unhook(server);
    stopServerSync(server);
    process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) {
    process.once(signal, onSignal);
  }
  process.once('exit', hook);
  exitHooks.set(server.baseDir, () => {
    process.removeListener('exit', hook);
    for (const signal of signals) {
      process.removeListener(signal, onSignal);
    }
  });
}

function unhook(server: Server): void {
  exitHooks.get(server.baseDir)?.();
  exitHooks.delete(server.baseDir);
}

function pgCtlStopArgs(server: Server): [string, string[]] {
  const file = join(PG_BIN, 'pg_ctl');
  const args = ['-D', server.dataDir, '-m', 'immediate', '-w', 'stop'];
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

function stopServerSync(server: Server): void {
  const [cmd, args] = pgCtlStopArgs(server);
  spawnSync(cmd, args, { cwd: server.baseDir, stdio: 'ignore' });
  rmSync(server.baseDir, { recursive: true, force: true });
}

async function stopServer(server: Server): Promise<void> {
  unhook(server);
  const [cmd, args] = pgCtlStopArgs(server);
  await execFileAsync(cmd, args, { cwd: server.baseDir }).catch(() => undefined);
  rmSync(server.baseDir, { recursive: true, force: true });
}
