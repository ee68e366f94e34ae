/**
 * The RTS metric sources the config names, for POST /api/v1/query/rts: Prometheus (queried per request) and an
 * ekg endpoint (polled in the background while the app runs).
 */
import type { FastifyInstance } from 'fastify';
import { EkgPoller, type RtsDeps } from '../rts';
import type { ServerConfig } from './config';

export function rtsSources(config: ServerConfig): Omit<RtsDeps, 'profilesInRange'> {
  return {
    prometheusUrl: config.prometheusUrl ?? undefined,
    labelMap: config.prometheusLabels,
    ekg: config.ekgUrl ? new EkgPoller({ url: config.ekgUrl, labels: config.ekgLabels }) : undefined,
  };
}

/** Polls the ekg endpoint from when the app is ready until it closes. */
export function runPollers(app: FastifyInstance, sources: Omit<RtsDeps, 'profilesInRange'>): void {
  const ekg = sources.ekg;
  if (ekg) {
    app.addHook('onReady', async () => ekg.start());
    app.addHook('onClose', async () => ekg.stop());
  }
}
