/**
 * SQLite through better-sqlite3 (synchronous). The core is async, so every statement and transaction goes through
 * one queue: a transaction's awaits never let another caller's statements into it. The queue is per database file
 * and shared by every connection of the process: a second connection's BEGIN IMMEDIATE would otherwise block the
 * only thread (busy_timeout is a synchronous wait) while the first connection's transaction waits for that thread.
 * Other processes (the CLI next to a server) are kept apart by SQLite's file locks and busy_timeout.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Dialect, Row, SqlDriver, SqlExecutor, SqlParam, TransactionMode } from '../driver';
import { sqliteDialect } from './dialect';

/** The part of better-sqlite3's Database the store uses (tests could pass another implementation). */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
  readonly inTransaction: boolean;
}

export interface SqliteStatement {
  /** True when the statement returns rows. */
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}

/** How long a statement waits for another process's write lock (e.g. `ghcprof token create` next to a server). */
export const BUSY_TIMEOUT_MS = 10_000;

export function openSqliteDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true });
  }
  // Loaded here, so code paths that use PostgreSQL never load the native module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const BetterSqlite3 = require('better-sqlite3') as new (file: string) => SqliteDatabase;
  let db: SqliteDatabase;
  try {
    db = new BetterSqlite3(file);
  } catch (err) {
    throw new Error(`cannot open SQLite database ${file}: ${(err as Error).message}`);
  }
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // WAL: readers never block the writer and the CLI can write while a server runs on the same file.
  db.pragma('journal_mode = WAL');
  // FULL: each commit is fsynced before insertProfile resolves. NORMAL with WAL would already survive kill -9
  // (the WAL write reaches the OS before commit returns) but could lose the last commits on power loss, and the
  // server acknowledges uploads on commit; uploads are rare enough that one fsync each costs nothing noticeable.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}

export class SqliteDriver implements SqlDriver {
  readonly dialect: Dialect = sqliteDialect;
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly queue: FileQueue;
  private readonly direct: SqlExecutor;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly file: string
  ) {
    this.queue = queueFor(file);
    this.direct = {
      query: async <T extends Row>(sql: string, params: readonly SqlParam[] = []) =>
        this.prepared(sql).all(...bind(params)) as T[],
      execute: async (sql: string, params: readonly SqlParam[] = []) => this.prepared(sql).run(...bind(params)).changes,
    };
  }

  query<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return this.exclusive(() => this.direct.query<T>(sql, params));
  }

  execute(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.exclusive(() => this.direct.execute(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, mode: TransactionMode = 'write'): Promise<T> {
    return this.exclusive(() => this.inTransaction(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN', fn));
  }

  /** BEGIN IMMEDIATE takes the database's write lock, which is also the lock between processes migrating. */
  migrationTransaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.transaction(fn, 'write');
  }

  async sizeBytes(): Promise<number> {
    return this.exclusive(async () => {
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      const pageSize = this.db.pragma('page_size', { simple: true }) as number;
      return pages * pageSize + fileSize(`${this.file}-wal`);
    });
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.statements.clear();
      this.db.close();
    });
  }

  private async inTransaction<T>(begin: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.db.exec(begin);
    try {
      const result = await fn(this.direct);
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      // SQLite rolls back by itself on some errors (SQLITE_FULL, ...); a second ROLLBACK would hide the first error.
      if (this.db.inTransaction) {
        this.db.exec('ROLLBACK');
      }
      throw err;
    }
  }

  /** Runs fn after everything queued before it on this file has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.tail.then(fn, fn);
    this.queue.tail = run.catch(() => undefined);
    return run;
  }

  private prepared(sql: string): SqliteStatement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

interface FileQueue {
  tail: Promise<unknown>;
}

const fileQueues = new Map<string, FileQueue>();

function queueFor(file: string): FileQueue {
  if (file === ':memory:') {
    return { tail: Promise.resolve() }; // a private database per connection
  }
  const key = resolve(file);
  let q = fileQueues.get(key);
  if (!q) {
    q = { tail: Promise.resolve() };
    fileQueues.set(key, q);
  }
  return q;
}

function bind(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (Array.isArray(p) ? JSON.stringify(p) : p));
}

function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

export function openSqliteDriver(file: string): SqliteDriver {
  return new SqliteDriver(openSqliteDatabase(file), file);
}
