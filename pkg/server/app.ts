/**
 * The ghcprof HTTP app: `buildApp({store, config})` wires the store, auth, limits, metrics, OpenAPI and routes;
 * it never listens (pkg/server/server.ts does). Tests use `app.inject` or `listen({port: 0})`.
 */
import { randomUUID } from 'node:crypto';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type FastifyPluginAsyncZod,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { HttpError } from '../api/errors';
import { API_PREFIX } from '../api/paths';
import type { Store } from '../store/store';
import { AuthFailureLimiter, installAuth } from './auth';
import type { ServerConfig } from './config';
import type { AppContext } from './context';
import { GrafanaIdVerifier } from './grafana-id';
import type { TlsFiles } from './tls';
import { installErrorHandlers } from './errors';
import { createMetrics, installRequestMetrics } from './metrics';
import { authCheckRoutes } from './routes/auth-check';
import { healthRoutes } from './routes/health';
import { labelRoutes } from './routes/labels';
import { profileRoutes } from './routes/profiles';
import { queryRoutes } from './routes/query';
import { rtsSources, runPollers } from './rts-sources';

export interface BuildAppOptions {
  store: Store;
  config: ServerConfig;
  /** Close the store when the app closes (default true; the demo and tests that share a store pass false). */
  ownsStore?: boolean;
  /** Serve HTTPS with this certificate and key (PEM; server.ts reads them from --tls-cert/--tls-key). */
  tls?: TlsFiles | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    ghcprof: AppContext;
  }
}

function apiRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (api) => {
    const { authFailureLimit, rateLimitWindowMs } = ctx.config;
    installAuth(
      api,
      ctx.store,
      authFailureLimit > 0 ? new AuthFailureLimiter(authFailureLimit, rateLimitWindowMs) : null,
      ctx.grafanaId
    );
    await api.register(fastifyRateLimit, {
      max: ctx.config.rateLimitMax,
      timeWindow: ctx.config.rateLimitWindowMs,
      hook: 'preParsing',
      // Per token (its hash: the secret never reaches the limiter's memory); unauthenticated routes per address.
      keyGenerator: (request) => request.auth?.tokenHash ?? `ip:${request.ip}`,
      errorResponseBuilder: (_request, rl) =>
        new HttpError(
          429,
          'rate_limited',
          `rate limit of ${rl.max} requests per ${ctx.config.rateLimitWindowMs / 1000} s exceeded; retry in ${rl.after}`
        ),
    });
    api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());
    await api.register(authCheckRoutes());
    await api.register(profileRoutes(ctx));
    await api.register(labelRoutes(ctx));
    await api.register(queryRoutes(ctx));
  };
}

/**
 * The zod -> JSON Schema transform, plus the raw request body of the upload routes (they have no zod body: any bytes
 * are accepted and read by the format readers).
 */
const openApiTransform: typeof jsonSchemaTransform = (args) => {
  const out = jsonSchemaTransform(args);
  if ((args.route.config as { rawUpload?: boolean } | undefined)?.rawUpload) {
    out.schema = {
      ...out.schema,
      consumes: ['application/octet-stream'],
      body: { type: 'string', format: 'binary', description: 'the artefact, optionally gzip-compressed' },
    } as typeof out.schema;
  }
  return out;
};

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { store, config } = opts;
  const app = Fastify({
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    logger: { level: config.logLevel },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    requestTimeout: config.requestTimeoutMs,
    // Node checks the timeouts only every connectionsCheckingInterval (default 30 s) and lets headers take 60 s
    // whatever requestTimeout says: both scaled to the request timeout.
    http: {
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(config.requestTimeoutMs / 4))),
      headersTimeout: Math.min(60_000, config.requestTimeoutMs),
    },
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Uploads may be large; the upload routes set their own limit, everything else stays small.
    bodyLimit: 4 * 1024 * 1024,
    // Label values may contain anything, so query strings are parsed as they come; arrays for repeated keys.
    routerOptions: { maxParamLength: 256 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);

  const metrics = createMetrics(store);
  const ctx: AppContext = {
    store,
    config,
    metrics,
    rts: rtsSources(config),
    grafanaId: config.grafanaUrl
      ? new GrafanaIdVerifier(config.grafanaUrl, {
          issuer: config.grafanaIssuer ?? undefined,
          refetchCooldownMs: config.grafanaKeysCooldownMs,
        })
      : null,
  };
  app.decorate('ghcprof', ctx);
  runPollers(app, ctx.rts);
  if (opts.ownsStore ?? true) {
    app.addHook('onClose', async () => store.close());
  }
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  installErrorHandlers(app);
  installRequestMetrics(app, metrics);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ghcprof API',
        version: 'v1',
        description:
          'GHC profiles, heap profiles and eventlogs for Grafana. Every /api/v1 route but this document needs `Authorization: Bearer <token>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: openApiTransform,
  });
  await app.register(healthRoutes(ctx));
  await app.register(apiRoutes(ctx), { prefix: API_PREFIX });
  return app;
}
