/**
 * The small interface the SQL store core (sql-store.ts) talks to. Each backend folder (`sqlite/`, `postgres/`)
 * provides a `driver.ts` (connections, transactions, the migration lock) and a `dialect.ts` (its declared
 * differences). The core writes one SQL text for both, with `?` placeholders; the PostgreSQL driver numbers them.
 */

/** Values a statement binds. A string list is one parameter (see Dialect.inTextList). */
export type SqlParam = string | number | null | Buffer | readonly string[];

export type Row = Record<string, unknown>;

export interface SqlExecutor {
  /** Rows of a SELECT (or of a statement with RETURNING). */
  query<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  execute(sql: string, params?: readonly SqlParam[]): Promise<number>;
}

export type TransactionMode =
  /** Takes the write lock up front (SQLite BEGIN IMMEDIATE), so a transaction never fails half-way on lock upgrade. */
  | 'write'
  /** One consistent snapshot for several reads (PostgreSQL REPEATABLE READ READ ONLY; SQLite deferred BEGIN). */
  | 'read';

export interface SqlDriver extends SqlExecutor {
  readonly dialect: Dialect;
  /** Runs fn in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, mode?: TransactionMode): Promise<T>;
  /**
   * Runs fn in one write transaction that also holds the store-wide migration lock, so replicas (processes) that
   * start together migrate one after the other.
   */
  migrationTransaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Bytes the database occupies. */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

/** What differs between the backends, declared once instead of `if (sqlite)` in queries. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Column types used by the schema (schema.ts). */
  readonly types: {
    /** 64-bit integers: ms timestamps, byte counts. */
    bigint: string;
    blob: string;
    /** An auto-numbered 64-bit primary key column definition. */
    serialPrimaryKey: string;
  };
  /** SQL true when `expr` is one of the strings bound (with textList) to the one `?` it contains. */
  inTextList(expr: string): string;
  textList(values: readonly string[]): SqlParam;
  /** Appended to a SELECT that must lock its rows until commit ('' where a write transaction locks everything). */
  readonly forUpdate: string;
  /** A statement (outside any transaction) that drops the bytes of deleted and overwritten rows from the files. */
  readonly compact: string;
}
