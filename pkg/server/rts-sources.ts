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

export const PROMETHEUS_URL_HEADER = 'x-ghcprof-prometheus-url';

/**
 * The sources of one request: the configured ones, or, when the server has no --prometheus-url and trusts it
 * (--prometheus-url-from-header), the Prometheus URL the Grafana datasource forwards in X-Ghcprof-Prometheus-Url.
 */
export function requestRtsSources(
  config: ServerConfig,
  sources: Omit<RtsDeps, 'profilesInRange'>,
  header: string | string[] | undefined
): Omit<RtsDeps, 'profilesInRange'> {
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (sources.prometheusUrl || !config.prometheusUrlFromHeader || !fromHeader || !/^https?:\/\/\S+$/.test(fromHeader)) {
    return sources;
  }
  return { ...sources, prometheusUrl: fromHeader };
}

/** Polls the ekg endpoint from when the app is ready until it closes. */
export function runPollers(app: FastifyInstance, sources: Omit<RtsDeps, 'profilesInRange'>): void {
  const ekg = sources.ekg;
  if (ekg) {
    app.addHook('onReady', async () => ekg.start());
    app.addHook('onClose', async () => ekg.stop());
  }
}
