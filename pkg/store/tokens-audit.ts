/**
 * Tokens and the audit log over the shared driver (SqlStore delegates here). Only a hash of a token's secret is
 * stored. Audit lines are written through whichever executor the caller holds, so a change and its audit line
 * share one transaction.
 */
import type { Row, SqlExecutor } from './driver';
import { newId } from './ids';
import type { AuditEntry, NewToken, Scope, StoredAuditEntry, TokenRecord } from './store';

const TOKEN_COLUMNS = 'id, tenant, scope, name, created_at, revoked_at, grafana_orgs';

interface TokenRow extends Row {
  id: string;
  tenant: string;
  scope: Scope;
  name: string;
  created_at: number;
  revoked_at: number | null;
  /** JSON array of Grafana org ids, or NULL (not bound). */
  grafana_orgs: string | null;
}

export async function createToken(exec: SqlExecutor, t: NewToken): Promise<TokenRecord> {
  const record: TokenRecord = {
    id: newId('tok_'),
    tenant: t.tenant,
    scope: t.scope,
    name: t.name,
    createdAt: Date.now(),
    revokedAt: null,
    grafanaOrgs: [...(t.grafanaOrgs ?? [])],
  };
  await exec.execute(
    `INSERT INTO tokens (id, tenant, scope, name, hash, created_at, revoked_at, grafana_orgs)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
    [
      record.id,
      record.tenant,
      record.scope,
      record.name,
      t.hash,
      record.createdAt,
      record.grafanaOrgs.length > 0 ? JSON.stringify(record.grafanaOrgs) : null,
    ]
  );
  return record;
}

/** The token with this hash, revoked or not (callers check revokedAt). */
export async function findTokenByHash(exec: SqlExecutor, hash: string): Promise<TokenRecord | null> {
  const rows = await exec.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = ?`, [hash]);
  return rows.length > 0 ? tokenOf(rows[0]) : null;
}

/** Oldest first. */
export async function listTokens(exec: SqlExecutor, tenant?: string): Promise<TokenRecord[]> {
  const rows = await exec.query<TokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM tokens
     ${tenant === undefined ? '' : 'WHERE tenant = ?'} ORDER BY created_at, id`,
    tenant === undefined ? [] : [tenant]
  );
  return rows.map(tokenOf);
}

/** True when the token existed and was active until now. */
export async function revokeToken(exec: SqlExecutor, id: string): Promise<boolean> {
  const changed = await exec.execute(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, [
    Date.now(),
    id,
  ]);
  return changed > 0;
}

export async function insertAudit(exec: SqlExecutor, entry: AuditEntry): Promise<void> {
  await exec.execute(
    `INSERT INTO audit_log (at, tenant, action, profile_id, user_name, token_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [Date.now(), entry.tenant, entry.action, entry.profileId ?? null, entry.user, entry.tokenId, entry.detail ?? null]
  );
}

/** A change's audit line inside the change's own transaction, naming the profile it changed. */
export async function auditIn(tx: SqlExecutor, audit: AuditEntry | undefined, profileId: string): Promise<void> {
  if (audit) {
    await insertAudit(tx, { ...audit, profileId });
  }
}

/** A tenant's audit log, newest first. */
export async function listAudit(exec: SqlExecutor, tenant: string, limit: number): Promise<StoredAuditEntry[]> {
  const rows = await exec.query<Row>(
    `SELECT id, at, tenant, action, profile_id, user_name, token_id, detail FROM audit_log
     WHERE tenant = ? ORDER BY at DESC, id DESC LIMIT ?`,
    [tenant, limit]
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    tenant: r.tenant as string,
    action: r.action as AuditEntry['action'],
    ...(r.profile_id !== null ? { profileId: r.profile_id as string } : {}),
    user: r.user_name as string | null,
    tokenId: r.token_id as string | null,
    ...(r.detail !== null ? { detail: r.detail as string } : {}),
  }));
}

function tokenOf(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    scope: r.scope,
    name: r.name,
    createdAt: Number(r.created_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    grafanaOrgs: r.grafana_orgs === null ? [] : (JSON.parse(r.grafana_orgs) as number[]),
  };
}
