/** Label names and values for template variables and selector autocomplete. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BenchmarkNamesResponseSchema, LabelNamesResponseSchema, LabelValuesResponseSchema } from '../../api/query';
import { benchmarkNames } from '../../query/bench';
import { benchMetricsText } from '../../query/bench-metrics';
import { filterOf } from '../../query/selection';
import { requireAuth } from '../auth';
import type { AppContext } from '../context';
import { LabelNameParamsSchema, SelectorQuerySchema, errorResponses } from '../schemas';

export function labelRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/labels',
      {
        config: { scope: 'read' },
        schema: {
          summary: 'Label names of the profiles matching a selector and time range',
          querystring: SelectorQuerySchema,
          response: { 200: LabelNamesResponseSchema, ...errorResponses() },
        },
      },
      async (request) => ({ names: await ctx.store.labelNames(requireAuth(request).tenant, filterOf(request.query)) })
    );
    app.get(
      '/labels/:name/values',
      {
        config: { scope: 'read' },
        schema: {
          summary: 'Values of one label among the profiles matching a selector and time range',
          params: LabelNameParamsSchema,
          querystring: SelectorQuerySchema,
          response: { 200: LabelValuesResponseSchema, ...errorResponses() },
        },
      },
      async (request) => {
        const { name } = request.params;
        const values = await ctx.store.labelValues(requireAuth(request).tenant, name, filterOf(request.query));
        return { name, values };
      }
    );
    // Label-values-like: the benchmark names inside the selected bench results (the editor's benchmark picker).
    app.get(
      '/benchmarks/names',
      {
        config: { scope: 'read' },
        schema: {
          summary: 'Benchmark names of the bench results matching a selector and time range',
          querystring: SelectorQuerySchema,
          response: { 200: BenchmarkNamesResponseSchema, ...errorResponses() },
        },
      },
      async (request) => ({
        names: await benchmarkNames(
          { store: ctx.store, tenant: requireAuth(request).tenant, maxProfiles: ctx.config.maxQueryProfiles },
          request.query
        ),
      })
    );
    // The tenant's benchmark regressions as Prometheus gauges (for Grafana alerting through Prometheus).
    app.get(
      '/benchmarks/metrics',
      {
        config: { scope: 'read' },
        schema: {
          summary: "Prometheus gauges of the tenant's benchmarks: latest version against the one before, per suite",
          response: { 200: z.string(), ...errorResponses() },
        },
      },
      async (request, reply) => {
        const text = await benchMetricsText({
          store: ctx.store,
          tenant: requireAuth(request).tenant,
          maxProfiles: ctx.config.maxQueryProfiles,
        });
        reply.type('text/plain; version=0.0.4; charset=utf-8');
        return text;
      }
    );
  };
}
