/** GET /api/v1/auth/check: the tenant and scope of the caller's token (the datasource's "Save & test"). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuthCheckResponseSchema } from '../../api/query';
import { requireAuth } from '../auth';
import { errorResponses } from '../schemas';

export function authCheckRoutes(): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/auth/check',
      {
        config: { scope: 'read' },
        schema: {
          summary: "The token's tenant and scope",
          response: { 200: AuthCheckResponseSchema, ...errorResponses() },
        },
      },
      async (request) => {
        const auth = requireAuth(request);
        return { tenant: auth.tenant, scope: auth.scope, tokenId: auth.tokenId, tokenName: auth.tokenName };
      }
    );
  };
}
