/** PostgreSQL through a `pg` Pool. Transactions take a client from the pool for their whole duration. */
import { Pool, types as pgTypes, type PoolClient, type PoolConfig } from 'pg';
import type { Dialect, Row, SqlDriver, SqlExecutor, SqlParam, TransactionMode } from '../driver';
import { postgresDialect } from './dialect';

/** The part of pg's Pool and PoolClient the store uses. */
interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** Any 64-bit number from the schema (ms timestamps, byte counts) is below 2^53, so JS numbers hold it exactly. */
const INT8_OID = 20;
const storeTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
};

/** One key for the whole schema: every ghcprof process migrating the same database queues on it. */
const MIGRATION_LOCK_KEY = 0x67686370; // 'ghcp'

export class PostgresDriver implements SqlDriver {
  readonly dialect: Dialect = postgresDialect;
  private readonly pool: Pool;

  constructor(config: PoolConfig) {
    this.pool = new Pool({ ...config, types: storeTypes });
    // An idle client losing its connection (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  query<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return queryOn<T>(this.pool, sql, params);
  }

  execute(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return executeOn(this.pool, sql, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, mode: TransactionMode = 'write'): Promise<T> {
    return this.withClient(mode === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  /** The advisory lock is held until the transaction ends, so it cannot leak past a failed migration. */
  migrationTransaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.withClient('BEGIN', async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      return fn(tx);
    });
  }

  async sizeBytes(): Promise<number> {
    const rows = await this.query<{ bytes: number }>(`SELECT pg_database_size(current_database()) AS bytes`);
    return Number(rows[0].bytes);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async withClient<T>(begin: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    const tx: SqlExecutor = {
      query: (sql, params) => queryOn(client, sql, params),
      execute: (sql, params) => executeOn(client, sql, params),
    };
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection is unusable: drop it from the pool instead of handing it to the next caller.
        broken = rollbackErr as Error;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

async function queryOn<T>(db: PgQueryable, sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
  return (await db.query(numberPlaceholders(sql), [...params])).rows as T[];
}

async function executeOn(db: PgQueryable, sql: string, params: readonly SqlParam[] = []): Promise<number> {
  return (await db.query(numberPlaceholders(sql), [...params])).rowCount ?? 0;
}

const numbered = new Map<string, string>();

/** `?` -> `$1, $2, ...` (the store's SQL has no `?` inside literals). Cached: the core reuses a few dozen texts. */
function numberPlaceholders(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (numbered.size < 1000) {
      numbered.set(sql, text);
    }
  }
  return text;
}

export function openPostgresDriver(url: string): PostgresDriver {
  return new PostgresDriver({ connectionString: url, max: 10 });
}
