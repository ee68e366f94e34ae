/**
 * openStore(dbSpec): `postgres://` / `postgresql://` URLs open PostgreSQL, anything else is an SQLite file path
 * (parent directories are created). The caller runs `migrate()`.
 */
import { SqlStore } from './sql-store';
import type { Store } from './store';

export function isPostgresUrl(dbSpec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(dbSpec);
}

export async function openSqlStore(dbSpec: string): Promise<SqlStore> {
  if (isPostgresUrl(dbSpec)) {
    const { openPostgresDriver } = await import('./postgres/driver');
    return new SqlStore(openPostgresDriver(dbSpec));
  }
  if (dbSpec.trim() === '') {
    throw new Error('no database given: pass a file path for SQLite or a postgres:// URL');
  }
  const { openSqliteDriver } = await import('./sqlite/driver');
  return new SqlStore(openSqliteDriver(dbSpec));
}

export async function openStore(dbSpec: string): Promise<Store> {
  return openSqlStore(dbSpec);
}
