/**
 * openStore(dbSpec): `postgres://` / `postgresql://` URLs open PostgreSQL, anything else is an SQLite file path
 * (parent directories are created). The caller runs `migrate()`.
 */
import type { BlobCipher } from './blob-cipher';
import type { SqlDriver } from './driver';
import { withCipher } from './sealing-driver';
import { SqlStore } from './sql-store';
import type { Store } from './store';

export function isPostgresUrl(dbSpec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(dbSpec);
}

export interface OpenStoreOptions {
  /** Keys blobs are sealed and opened with (encryption at rest); default: none. */
  cipher?: BlobCipher;
}

/** The backend's own driver, without encryption. */
export async function openDriver(dbSpec: string): Promise<SqlDriver> {
  if (isPostgresUrl(dbSpec)) {
    const { openPostgresDriver } = await import('./postgres/driver');
    return openPostgresDriver(dbSpec);
  }
  if (dbSpec.trim() === '') {
    throw new Error('no database given: pass a file path for SQLite or a postgres:// URL');
  }
  const { openSqliteDriver } = await import('./sqlite/driver');
  return openSqliteDriver(dbSpec);
}

export async function openSqlStore(dbSpec: string, opts: OpenStoreOptions = {}): Promise<SqlStore> {
  return new SqlStore(withCipher(await openDriver(dbSpec), opts.cipher));
}

export async function openStore(dbSpec: string, opts: OpenStoreOptions = {}): Promise<Store> {
  return openSqlStore(dbSpec, opts);
}
