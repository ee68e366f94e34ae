/**
 * ghcprof's own Prometheus metrics (GET /metrics). One registry per app, so several apps in one process (tests)
 * do not collide.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { API_PREFIX } from '../api/paths';
import type { Store } from '../store/store';

export interface ServerMetrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  uploads: Counter<'kind' | 'result'>;
  parseErrors: Counter<'status'>;
  /** Upload and append bodies being received or processed now (capped by maxConcurrentUploads). */
  uploadsInProgress: Gauge;
}

export function createMetrics(store: Store): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ghcprof_' });
  const requestDuration = new Histogram({
    name: 'ghcprof_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const uploads = new Counter({
    name: 'ghcprof_uploads_total',
    help: 'Accepted uploads by artefact kind and result (created, existing, appended)',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  const parseErrors = new Counter({
    name: 'ghcprof_parse_errors_total',
    help: 'Uploads rejected by the readers (422 broken artefact, 415 unknown format, 413 too large)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const uploadsInProgress = new Gauge({
    name: 'ghcprof_uploads_in_progress',
    help: 'Upload and append requests being received or processed now',
    registers: [registry],
  });
  new Gauge({
    name: 'ghcprof_store_size_bytes',
    help: 'Approximate bytes used by the store',
    registers: [registry],
    async collect() {
      this.set(await store.sizeBytes());
    },
  });
  return { registry, requestDuration, uploads, parseErrors, uploadsInProgress };
}

export function installRequestMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000
    );
    if (
      route.startsWith(`${API_PREFIX}/profiles`) &&
      request.method === 'POST' &&
      [413, 415, 422].includes(reply.statusCode)
    ) {
      metrics.parseErrors.inc({ status: String(reply.statusCode) });
    }
  });
}
