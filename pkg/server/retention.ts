/**
 * Retention: every hour (and at start) delete each tenant's profiles that ended longer than `retentionMs` ago.
 * Tenants are the ones holding tokens: a tenant without tokens cannot upload.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/store';
import type { ServerConfig } from './config';

const SWEEP_EVERY_MS = 3_600_000;
const BATCH = 500;

/** Deletes expired profiles; returns how many. */
export async function sweepExpired(store: Store, retentionMs: number, now = Date.now()): Promise<number> {
  const cutoff = now - retentionMs;
  const tenants = [...new Set((await store.listTokens()).map((t) => t.tenant))];
  let deleted = 0;
  for (const tenant of tenants) {
    for (;;) {
      const old = (await store.listProfiles(tenant, { matchers: [], to: cutoff, limit: BATCH })).filter(
        (p) => (p.endTime ?? p.startTime) < cutoff
      );
      for (const p of old) {
        if (await store.deleteProfile(tenant, p.id)) {
          deleted++;
          await store.audit({
            tenant,
            action: 'delete',
            profileId: p.id,
            user: null,
            tokenId: null,
            detail: 'retention',
          });
        }
      }
      if (old.length < BATCH) {
        break;
      }
    }
  }
  return deleted;
}

export function startRetention(store: Store, config: ServerConfig, log: FastifyBaseLogger): () => void {
  const retentionMs = config.retentionMs;
  if (retentionMs === null) {
    return () => undefined;
  }
  const sweep = () =>
    sweepExpired(store, retentionMs).then(
      (n) => n > 0 && log.info({ deleted: n }, 'retention: deleted expired profiles'),
      (err) => log.error({ err }, 'retention sweep failed')
    );
  void sweep();
  const timer = setInterval(sweep, SWEEP_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
