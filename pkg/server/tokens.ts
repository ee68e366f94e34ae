/**
 * API tokens: a random secret shown once, stored only as its sha256. Scopes are ordered: admin ⊃ write ⊃ read.
 * Shared by the server (authentication), `ghcprof token ...` and `ghcprof demo`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Scope, Store, TokenRecord } from '../store/store';

export const SCOPES: readonly Scope[] = ['read', 'write', 'admin'];
export const TENANT_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
/** Secrets look like `ghcp_<43 base64url chars>`: a prefix secret scanners can match. */
export const TOKEN_PREFIX = 'ghcp_';

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function scopeAllows(granted: Scope, needed: Scope): boolean {
  return SCOPES.indexOf(granted) >= SCOPES.indexOf(needed);
}

export function checkTenant(tenant: string): string {
  if (!TENANT_PATTERN.test(tenant)) {
    throw new Error(`invalid tenant "${tenant}": 1-64 characters of a-z A-Z 0-9 _ . - starting with a letter or digit`);
  }
  return tenant;
}

export function checkScope(scope: string): Scope {
  if (!(SCOPES as readonly string[]).includes(scope)) {
    throw new Error(`invalid scope "${scope}": expected one of ${SCOPES.join(', ')}`);
  }
  return scope as Scope;
}

/** A Grafana organisation id (`--grafana-org`): a positive integer. */
export function checkGrafanaOrg(org: number | string): number {
  const n = typeof org === 'number' ? org : /^[1-9][0-9]{0,15}$/.test(org) ? Number(org) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`invalid Grafana org id "${org}": expected a positive integer (Grafana's orgId)`);
  }
  return n;
}

export async function createToken(
  store: Store,
  opts: { tenant: string; scope: Scope; name?: string; user?: string | null; grafanaOrgs?: number[] }
): Promise<{ record: TokenRecord; secret: string }> {
  const tenant = checkTenant(opts.tenant);
  const scope = checkScope(opts.scope);
  const grafanaOrgs = [...new Set(opts.grafanaOrgs ?? [])].map(checkGrafanaOrg).sort((a, b) => a - b);
  const secret = newTokenSecret();
  const record = await store.createToken({
    tenant,
    scope,
    name: opts.name ?? `${tenant}-${scope}`,
    hash: hashToken(secret),
    grafanaOrgs,
  });
  const detail = grafanaOrgs.length > 0 ? `${scope}, Grafana org ${grafanaOrgs.join(', ')}` : scope;
  await store.audit({ tenant, action: 'token.create', user: opts.user ?? null, tokenId: record.id, detail });
  return { record, secret };
}

export async function revokeToken(store: Store, id: string, user: string | null = null): Promise<TokenRecord | null> {
  const record = (await store.listTokens()).find((t) => t.id === id) ?? null;
  if (!record || !(await store.revokeToken(id))) {
    return null;
  }
  await store.audit({ tenant: record.tenant, action: 'token.revoke', user, tokenId: id });
  return record;
}
