/**
 * Bearer-token authentication for /api/v1: every route declares the scope it needs in its `config.scope`; the
 * token decides the tenant. A token bound to Grafana orgs also needs Grafana's signed ID token (grafana-id.ts). The check runs in `onRequest`, so an unauthorised upload is refused before its body
 * is read.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Scope, Store, TokenRecord } from '../store/store';
import { GRAFANA_ID_HEADER, type GrafanaIdVerifier } from './grafana-id';
import { HttpError } from '../api/errors';
import { hashToken, scopeAllows } from './tokens';

export interface RequestAuth {
  tenant: string;
  scope: Scope;
  tokenId: string;
  tokenName: string;
  tokenHash: string;
  /**
   * Who is asking, recorded as uploader: for a token bound to Grafana orgs the username (else `sub`) of Grafana's
   * verified ID token; otherwise `X-Grafana-User` when Grafana's data proxy sends it (anyone can send that header).
   */
  user: string | null;
  /** What the audit log records: `user`, with the ID token's `sub` when verified (`alice (user:ad1f…)`). */
  auditUser: string | null;
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

/**
 * RFC 6750 §2.1: the scheme (case-insensitive, RFC 9110 §11.1), exactly one space, then the token's b64token
 * characters. JavaScript's `\s` would also take a no-break space or a tab.
 */
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]{1,512}=*)$/i;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `X-Grafana-User` as text. Node hands header values over as latin1 (one character per byte), and Grafana sends
 * logins as UTF-8 bytes: `é` arrives as `Ã©` unless the bytes are decoded again. Bytes that are not UTF-8 stay latin1.
 */
function grafanaUser(request: FastifyRequest): string | null {
  const raw = request.headers['x-grafana-user'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  if (!header) {
    return null;
  }
  const bytes = Buffer.from(header, 'latin1');
  let user: string;
  try {
    user = UTF8.decode(bytes);
  } catch {
    user = header;
  }
  return user.slice(0, 256);
}

/** The caller as Grafana's ID token names it, for a token bound to Grafana orgs; the X-Grafana-User header otherwise. */
async function callerOf(
  token: TokenRecord,
  request: FastifyRequest,
  grafana: GrafanaIdVerifier | null
): Promise<Pick<RequestAuth, 'user' | 'auditUser'>> {
  if (token.grafanaOrgs.length === 0) {
    const user = grafanaUser(request);
    return { user, auditUser: user };
  }
  if (!grafana) {
    throw new HttpError(
      403,
      GRAFANA_ID_ERROR,
      `this token is bound to Grafana org ${token.grafanaOrgs.join(', ')}, but the server runs without --grafana-url to verify Grafana's ID tokens`
    );
  }
  let identity;
  try {
    identity = await grafana.verify(request.headers[GRAFANA_ID_HEADER], token.grafanaOrgs);
  } catch (err) {
    // Told apart from a bad secret: the failed-authentication limiter must not lock Grafana's address out.
    throw err instanceof HttpError && err.statusCode < 500
      ? new HttpError(err.statusCode, GRAFANA_ID_ERROR, err.message, err.details)
      : err;
  }
  const user = identity.username ?? identity.subject;
  return { user, auditUser: `${user} (${identity.subject})` };
}

/** The error code of a refused or missing Grafana ID token (the bearer secret itself was valid). */
export const GRAFANA_ID_ERROR = 'grafana_id_token';

export async function authenticate(
  store: Store,
  request: FastifyRequest,
  grafana: GrafanaIdVerifier | null = null
): Promise<RequestAuth> {
  const header = request.headers.authorization;
  if (!header) {
    throw new HttpError(401, 'unauthorized', 'missing Authorization: Bearer <token> header');
  }
  const m = BEARER.exec(header);
  if (!m) {
    throw new HttpError(401, 'unauthorized', 'Authorization header must be "Bearer <token>"');
  }
  const tokenHash = hashToken(m[1]);
  const token = await store.findTokenByHash(tokenHash);
  if (!token || token.revokedAt !== null) {
    throw new HttpError(401, 'unauthorized', 'invalid or revoked token');
  }
  return {
    tenant: token.tenant,
    scope: token.scope,
    tokenId: token.id,
    tokenName: token.name,
    tokenHash,
    ...(await callerOf(token, request, grafana)),
  };
}

/**
 * Failed authentications per client address in fixed windows. A token is only rate-limited once it is valid (the
 * per-token limiter keys on it), so without this anyone could guess tokens as fast as the server answers 401s.
 */
export class AuthFailureLimiter {
  /** Addresses kept before expired windows are swept (a flood from many addresses cannot grow the map forever). */
  private static readonly SWEEP_AT = 10_000;
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now
  ) {}

  /** Seconds until `address` may try again, or null when it is under the limit. */
  blockedFor(address: string): number | null {
    const entry = this.failures.get(address);
    const now = this.now();
    if (!entry || entry.resetAt <= now || entry.count < this.limit) {
      return null;
    }
    return Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
  }

  recordFailure(address: string): void {
    const now = this.now();
    const entry = this.failures.get(address);
    if (entry && entry.resetAt > now) {
      entry.count++;
      return;
    }
    if (this.failures.size >= AuthFailureLimiter.SWEEP_AT) {
      this.sweep(now);
    }
    this.failures.set(address, { count: 1, resetAt: now + this.windowMs });
  }

  private sweep(now: number): void {
    for (const [address, entry] of this.failures) {
      if (entry.resetAt <= now) {
        this.failures.delete(address);
      }
    }
  }
}

async function authenticateLimited(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  failures: AuthFailureLimiter | null,
  grafana: GrafanaIdVerifier | null
): Promise<RequestAuth> {
  const wait = failures?.blockedFor(request.ip) ?? null;
  if (wait !== null) {
    reply.header('retry-after', String(wait));
    throw new HttpError(
      429,
      'rate_limited',
      `more than ${failures!.limit} failed authentications from ${request.ip} per ${failures!.windowMs / 1000} s; retry in ${wait} s`
    );
  }
  try {
    return await authenticate(store, request, grafana);
  } catch (err) {
    if (err instanceof HttpError && err.statusCode === 401 && err.code !== GRAFANA_ID_ERROR) {
      failures?.recordFailure(request.ip);
    }
    throw err;
  }
}

/**
 * Adds the hook to an encapsulated context: every route registered in it with `config.scope` is protected. With
 * `failures`, an address over its failed-authentication budget is refused (429) before its token is looked at.
 */
export function installAuth(
  app: FastifyInstance,
  store: Store,
  failures: AuthFailureLimiter | null = null,
  grafana: GrafanaIdVerifier | null = null
): void {
  app.addHook('onRequest', async (request, reply) => {
    const needed = request.routeOptions.config.scope;
    if (!needed) {
      return;
    }
    const auth = await authenticateLimited(store, request, reply, failures, grafana);
    request.auth = auth;
    if (!scopeAllows(auth.scope, needed)) {
      throw new HttpError(
        403,
        'forbidden',
        `this route needs a token with ${needed} scope; the token has ${auth.scope}`
      );
    }
  });
}

export function requireAuth(request: FastifyRequest): RequestAuth {
  if (!request.auth) {
    throw new HttpError(401, 'unauthorized', 'not authenticated');
  }
  return request.auth;
}
