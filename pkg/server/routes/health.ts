/** Liveness, readiness (the store answers) and ghcprof's own metrics; public, outside /api/v1. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context';
import { HealthResponseSchema, errorResponses } from '../schemas';

export function healthRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', { schema: { hide: true, response: { 200: HealthResponseSchema } } }, async () => ({
      status: 'ok',
    }));
    app.get(
      '/readyz',
      { schema: { hide: true, response: { 200: HealthResponseSchema, 503: HealthResponseSchema } } },
      async (request, reply) => {
        try {
          await ctx.store.ping();
          return { status: 'ready' };
        } catch (err) {
          request.log.warn({ err }, 'store not reachable');
          return reply.status(503).send({ status: 'store unreachable' });
        }
      }
    );
    app.get(
      '/metrics',
      { schema: { hide: true, response: { 200: z.string(), ...errorResponses() } } },
      async (_request, reply) => {
        reply.type(ctx.metrics.registry.contentType);
        return ctx.metrics.registry.metrics();
      }
    );
  };
}
