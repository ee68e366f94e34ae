import type { SqlDriver, SqlExecutor } from './driver';
import { MIGRATIONS, type Migration } from './schema';

/**
 * Applies the migrations not yet recorded in `schema_migrations`, all in one transaction under the driver's
 * migration lock: a second process migrating at the same time waits, then finds nothing left to do.
 * Returns the versions it applied.
 */
export async function migrate(driver: SqlDriver, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return driver.migrationTransaction(async (tx) => {
    await tx.execute(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at ${driver.dialect.types.bigint} NOT NULL
      )`
    );
    const done = new Set((await appliedVersions(tx)).map((v) => v));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) {
        continue;
      }
      for (const sql of m.statements(driver.dialect)) {
        await tx.execute(sql);
      }
      await m.backfill?.(tx, driver.dialect);
      await tx.execute(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied.push(m.version);
    }
    return applied;
  });
}

export async function appliedVersions(exec: SqlExecutor): Promise<number[]> {
  const rows = await exec.query<{ version: number }>(`SELECT version FROM schema_migrations ORDER BY version`);
  return rows.map((r) => Number(r.version));
}
