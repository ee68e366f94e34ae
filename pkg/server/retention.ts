/**
 * Retention: every hour (and at start) delete the profiles, of every tenant, whose run ended longer than
 * `retentionMs` ago. The store deletes in batches, fixes its rollups and audit-logs each deletion.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/store';
import type { ServerConfig } from './config';

const SWEEP_EVERY_MS = 3_600_000;

/** Deletes expired profiles; returns how many. */
export async function sweepExpired(store: Store, retentionMs: number, now = Date.now()): Promise<number> {
  return (await store.deleteOlderThan(now - retentionMs)).length;
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
