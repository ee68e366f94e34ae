/**
 * Retention over the shared driver: profiles that ended before a cutoff go in batches, each batch one transaction
 * that also fixes the affected rollups (through the store's own delete) and writes one audit line per profile.
 */
import type { SqlDriver, SqlExecutor } from './driver';
import type { DeletedProfile } from './store';
import { insertAudit } from './tokens-audit';

/** How a store deletes a tenant's profiles inside a transaction (rows, labels, blobs, derived data). */
export type DeleteProfiles = (tx: SqlExecutor, tenant: string, ids: string[]) => Promise<number>;

export async function deleteOlderThan(
  driver: SqlDriver,
  deleteProfiles: DeleteProfiles,
  cutoffMs: number,
  opts: { tenant?: string; batchSize?: number } = {}
): Promise<DeletedProfile[]> {
  const batchSize = opts.batchSize ?? 200;
  const deleted: DeletedProfile[] = [];
  for (;;) {
    const batch = await driver.transaction(async (tx) => {
      const rows = await tx.query<{ tenant: string; id: string }>(
        `SELECT tenant, id FROM profiles WHERE COALESCE(end_time, start_time) < ?
         ${opts.tenant === undefined ? '' : 'AND tenant = ?'} ORDER BY tenant, id LIMIT ?`,
        opts.tenant === undefined ? [cutoffMs, batchSize] : [cutoffMs, opts.tenant, batchSize]
      );
      for (const [tenant, ids] of groupByTenant(rows)) {
        await deleteProfiles(tx, tenant, ids);
        for (const id of ids) {
          await insertAudit(tx, { tenant, action: 'delete', profileId: id, user: null, tokenId: null, detail: 'retention' });
        }
      }
      return rows;
    });
    deleted.push(...batch);
    if (batch.length < batchSize) {
      return deleted;
    }
  }
}

function groupByTenant(rows: DeletedProfile[]): Map<string, string[]> {
  const byTenant = new Map<string, string[]>();
  for (const r of rows) {
    byTenant.set(r.tenant, [...(byTenant.get(r.tenant) ?? []), r.id]);
  }
  return byTenant;
}
