/**
 * The seam where stored blobs are encrypted (issue 12 §6): an SqlDriver around the backend's driver that seals every
 * Buffer bound to a statement and opens every Buffer read back. In this schema a Buffer parameter is always a blob
 * column's value (profile_blobs.data, tree_rollups.tree, and any blob table added later, such as growing profiles'
 * chunks), so no caller can forget to encrypt one, and the codec (codec.ts) stays a pure function of its data.
 * The SQL never compares blobs, so a random nonce per write changes no query's meaning.
 */
import { PLAIN, type BlobCipher } from './blob-cipher';
import type { Row, SqlDriver, SqlExecutor, SqlParam, TransactionMode } from './driver';

export function sealingExecutor(inner: SqlExecutor, cipher: BlobCipher): SqlExecutor {
  return {
    query: async <T extends Row>(sql: string, params?: readonly SqlParam[]) =>
      openRows(await inner.query<T>(sql, params && sealParams(params, cipher)), cipher),
    execute: (sql: string, params?: readonly SqlParam[]) => inner.execute(sql, params && sealParams(params, cipher)),
  };
}

export class SealingDriver implements SqlDriver {
  private readonly direct: SqlExecutor;

  constructor(
    /** The backend's driver: what `ghcprof store rekey` and tests use to see blobs as stored. */
    readonly inner: SqlDriver,
    readonly cipher: BlobCipher
  ) {
    this.direct = sealingExecutor(inner, cipher);
  }

  get dialect() {
    return this.inner.dialect;
  }

  query<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return this.direct.query<T>(sql, params);
  }

  execute(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.direct.execute(sql, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, mode?: TransactionMode): Promise<T> {
    return this.inner.transaction((tx) => fn(sealingExecutor(tx, this.cipher)), mode);
  }

  migrationTransaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inner.migrationTransaction((tx) => fn(sealingExecutor(tx, this.cipher)));
  }

  sizeBytes(): Promise<number> {
    return this.inner.sizeBytes();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * The driver as the store uses it. Wrapped even without a key: a sealed blob read then fails naming the key it needs
 * instead of failing somewhere in gunzip.
 */
export function withCipher(driver: SqlDriver, cipher: BlobCipher = PLAIN): SealingDriver {
  return new SealingDriver(driver, cipher);
}

function sealParams(params: readonly SqlParam[], cipher: BlobCipher): SqlParam[] {
  return params.map((p) => (Buffer.isBuffer(p) ? cipher.seal(p) : p));
}

function openRows<T extends Row>(rows: T[], cipher: BlobCipher): T[] {
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      const value = row[key];
      if (Buffer.isBuffer(value)) {
        (row as Row)[key] = cipher.open(value);
      }
    }
  }
  return rows;
}
