/**
 * POST /api/v1/query/<type> -> `{frames: DataFrameJSON[]}`. Each route validates its body with the shared schema
 * of pkg/api/query.ts and calls the query layer (pkg/query); nothing here knows about trees or frames.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import {
  AnnotationsQuerySchema,
  BenchCompareQuerySchema,
  BenchmarksQuerySchema,
  DiffQuerySchema,
  FlamegraphQuerySchema,
  FramesResponseSchema,
  HeapQuerySchema,
  LeaksQuerySchema,
  RtsQuerySchema,
  SelectionSchema,
  ServicesQuerySchema,
  TopQuerySchema,
} from '../../api/query';
import type { FramesResponse } from '../../api/dataframe';
import { annotationsQuery, profilesQuery } from '../../query/profiles';
import { benchCompareQuery, benchmarksQuery } from '../../query/bench';
import { heapQuery, leaksQuery } from '../../query/heap';
import { rtsQuery } from '../../query/rts';
import { servicesQuery } from '../../query/services';
import type { QueryContext } from '../../query/selection';
import { diffQuery, flamegraphQuery, topQuery } from '../../query/trees';
import { requireAuth } from '../auth';
import type { AppContext } from '../context';
import { PROMETHEUS_URL_HEADER, requestRtsSources } from '../rts-sources';
import { errorResponses } from '../schemas';

interface QueryRoute<S extends z.ZodType> {
  summary: string;
  schema: S;
  /** `ctx` is the server's context, the one way routes reach it (the same object as `request.server.ghcprof`). */
  run: (qctx: QueryContext, body: z.output<S>, ctx: AppContext, request: FastifyRequest) => Promise<FramesResponse>;
}

const route = <S extends z.ZodType>(r: QueryRoute<S>) => r;

export const QUERY_ROUTES = {
  flamegraph: route({
    summary: 'Flame graph of the merged cost-centre trees of the selected profiles',
    schema: FlamegraphQuerySchema,
    run: (c, q) => flamegraphQuery(c, q),
  }),
  diff: route({
    summary: 'Diff flame graph of two selections (left = baseline)',
    schema: DiffQuerySchema,
    run: (c, q) => diffQuery(c, q),
  }),
  top: route({
    summary: 'Top functions (self and total) of the merged, unpruned tree',
    schema: TopQuerySchema,
    run: (c, q) => topQuery(c, q),
  }),
  heap: route({
    summary: 'Heap profile bands over time, on the wall clock (profile start + sample time)',
    schema: HeapQuerySchema,
    run: (c, q) => heapQuery(c, q),
  }),
  leaks: route({
    summary: 'Heap bands ranked by growth (slope, intercept, integrated size)',
    schema: LeaksQuerySchema,
    run: (c, q) => leaksQuery(c, q),
  }),
  annotations: route({
    summary: 'One annotation per stored profile (and per eventlog user marker)',
    schema: AnnotationsQuerySchema,
    run: (c, q) => annotationsQuery(c, q),
  }),
  profiles: route({
    summary: 'Table of the selected stored profiles',
    schema: SelectionSchema,
    run: (c, q) => profilesQuery(c, q),
  }),
  benchmarks: route({
    summary: 'Benchmark results over time (mean with bounds, one series per benchmark), or a table by version',
    schema: BenchmarksQuerySchema,
    run: (c, q) => benchmarksQuery(c, q),
  }),
  benchCompare: route({
    summary:
      'Benchmarks of two selections compared (newest result per benchmark): ratio, change, significance, geometric mean',
    schema: BenchCompareQuerySchema,
    run: (c, q) => benchCompareQuery(c, q),
  }),
  services: route({
    summary: 'One row per service: profile and pod counts, newest profile, steepest heap band (slope, R²)',
    schema: ServicesQuerySchema,
    run: (c, q) => servicesQuery(c, q),
  }),
  rts: route({
    summary: 'GHC RTS metrics from Prometheus or an ekg endpoint, with stored profiles as exemplars',
    schema: RtsQuerySchema,
    run: (c, q, ctx, request) =>
      rtsQuery(c, q, requestRtsSources(ctx.config, ctx.rts, request.headers[PROMETHEUS_URL_HEADER])),
  }),
} as const;

export function queryRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    for (const [type, r] of Object.entries(QUERY_ROUTES) as Array<[string, QueryRoute<z.ZodType>]>) {
      app.post(
        `/query/${type}`,
        {
          config: { scope: 'read' },
          schema: {
            summary: r.summary,
            body: r.schema,
            response: {
              200: FramesResponseSchema,
              ...errorResponses(404, 422, ...(type === 'rts' ? ([502] as const) : [])),
            },
          },
        },
        async (request) => {
          const qctx: QueryContext = {
            store: ctx.store,
            tenant: requireAuth(request).tenant,
            maxProfiles: ctx.config.maxQueryProfiles,
          };
          return r.run(qctx, request.body, ctx, request);
        }
      );
    }
  };
}
