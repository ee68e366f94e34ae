/**
 * One store under test: a fresh SQLite file in a temp dir or a fresh database on a private PostgreSQL, tokens
 * for one tenant, and the `ghcprof serve` child on it (restartable, for cold queries).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../../test/support/postgres';
import { type CliMode, type Cleanup, createToken, expectStatus, httpRequest, ServerChild } from './harness';

export type StoreKind = 'sqlite' | 'postgres';

export interface Tokens {
  read: string;
  write: string;
}

export class BenchServer {
  private child: ServerChild | null = null;
  restarts = 0;

  constructor(
    readonly kind: StoreKind,
    readonly db: string,
    readonly mode: CliMode
  ) {}

  /** Set once the server has created the schema. */
  tokens: Tokens = { read: '', write: '' };

  get url(): string {
    return this.current.url;
  }

  get pid(): number {
    return this.current.pid;
  }

  get current(): ServerChild {
    if (!this.child) {
      throw new Error(`the ${this.kind} server is not running`);
    }
    return this.child;
  }

  async start(): Promise<void> {
    this.child = await ServerChild.start({ mode: this.mode, db: this.db });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
    this.restarts++;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    await child?.stop();
  }
}

let postgres: Promise<TestPostgres> | null = null;

/** A fresh, empty store of `kind`; what it creates is removed by `cleanup`. */
async function freshStore(kind: StoreKind, cleanup: Cleanup): Promise<string> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ghcprof-bench-'));
    cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'ghcprof.db');
  }
  if (!postgres) {
    postgres = startPostgres();
    const started = postgres;
    cleanup.add(async () => {
      postgres = null;
      await (await started).stop();
    });
  }
  return (await postgres).createDatabase(`ghcprof_bench_${process.pid}_${Date.now().toString(36)}`);
}

/** Store, a running server and tokens; stopped and removed by `cleanup`. */
export async function benchServer(kind: StoreKind, mode: CliMode, cleanup: Cleanup): Promise<BenchServer> {
  const db = await freshStore(kind, cleanup);
  const server = new BenchServer(kind, db, mode);
  cleanup.add(() => server.stop());
  // The server migrates the new store; the token commands (allowed while it runs) then find it ready.
  await server.start();
  const [read, write] = await Promise.all([
    createToken(mode, db, 'bench', 'read'),
    createToken(mode, db, 'bench', 'write'),
  ]);
  server.tokens = { read, write };
  return server;
}

/** Ids of the profiles of `service` the server lists in [from, to] (at most 10,000, the API's limit). */
export async function listedIds(server: BenchServer, service: string, from: number, to: number): Promise<Set<string>> {
  const params = new URLSearchParams({
    selector: `{service="${service}"}`,
    from: String(from),
    to: String(to),
    limit: '10000',
  });
  const r = expectStatus(
    await httpRequest(server.url, 'GET', `/api/v1/profiles?${params}`, { token: server.tokens.read }),
    `list of service=${service}`,
    200
  );
  return new Set(r.json<{ profiles: Array<{ id: string }> }>().profiles.map((p) => p.id));
}
