/**
 * Bearer-token authentication for /api/v1: every route declares the scope it needs in its `config.scope`; the
 * token decides the tenant. The check runs in `onRequest`, so an unauthorised upload is refused before its body
 * is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Scope, Store } from '../store/store';
import { ApiError } from './errors';
import { hashToken, scopeAllows } from './tokens';

export interface RequestAuth {
  tenant: string;
  scope: Scope;
  tokenId: string;
  tokenName: string;
  tokenHash: string;
  /** `X-Grafana-User` when Grafana's data proxy sends it: recorded as uploader and in the audit log. */
  user: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
  interface FastifyContextConfig {
    /** Scope the route needs; routes without one are public. */
    scope?: Scope;
    /** The body is a raw artefact (documented as binary in OpenAPI). */
    rawUpload?: boolean;
  }
}

const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;

function grafanaUser(request: FastifyRequest): string | null {
  const raw = request.headers['x-grafana-user'];
  const user = Array.isArray(raw) ? raw[0] : raw;
  return user ? user.slice(0, 256) : null;
}

export async function authenticate(store: Store, request: FastifyRequest): Promise<RequestAuth> {
  const header = request.headers.authorization;
  if (!header) {
    throw new ApiError(401, 'unauthorized', 'missing Authorization: Bearer <token> header');
  }
  const m = BEARER.exec(header);
  if (!m) {
    throw new ApiError(401, 'unauthorized', 'Authorization header must be "Bearer <token>"');
  }
  const tokenHash = hashToken(m[1]);
  const token = await store.findTokenByHash(tokenHash);
  if (!token || token.revokedAt !== null) {
    throw new ApiError(401, 'unauthorized', 'invalid or revoked token');
  }
  return {
    tenant: token.tenant,
    scope: token.scope,
    tokenId: token.id,
    tokenName: token.name,
    tokenHash,
    user: grafanaUser(request),
  };
}

/** Adds the hook to an encapsulated context: every route registered in it with `config.scope` is protected. */
export function installAuth(app: FastifyInstance, store: Store): void {
  app.addHook('onRequest', async (request) => {
    const needed = request.routeOptions.config.scope;
    if (!needed) {
      return;
    }
    const auth = await authenticate(store, request);
    request.auth = auth;
    if (!scopeAllows(auth.scope, needed)) {
      throw new ApiError(
        403,
        'forbidden',
        `this route needs a token with ${needed} scope; the token has ${auth.scope}`
      );
    }
  });
}

export function requireAuth(request: FastifyRequest): RequestAuth {
  if (!request.auth) {
    throw new ApiError(401, 'unauthorized', 'not authenticated');
  }
  return request.auth;
}
