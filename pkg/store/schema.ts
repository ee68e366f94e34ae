/**
 * The schema as a versioned list of migrations, written once for both backends with the dialect's column types.
 * Append new versions; never edit an applied one. `migrate` (migrate.ts) applies the missing ones in order.
 */
import type { Dialect, SqlExecutor } from './driver';
import { labelsKey, rebuildAllRollups } from './rollups';

export interface Migration {
  version: number;
  name: string;
  statements(d: Dialect): string[];
  /** Data changes after the statements, in the same transaction (rows written before the migration existed). */
  backfill?(tx: SqlExecutor, d: Dialect): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'profiles, labels, blobs, tokens, audit log',
    statements: ({ types: t }) => [
      // labels/rts_arguments/warnings are JSON text: read back with the metadata, never queried inside.
      `CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        kind TEXT NOT NULL,
        labels TEXT NOT NULL,
        start_time ${t.bigint} NOT NULL,
        end_time ${t.bigint},
        time_source TEXT NOT NULL,
        program TEXT NOT NULL,
        rts_arguments TEXT NOT NULL,
        size ${t.bigint} NOT NULL,
        sha256 TEXT NOT NULL,
        uploader TEXT,
        created_at ${t.bigint} NOT NULL,
        warnings TEXT NOT NULL,
        has_tree SMALLINT NOT NULL,
        has_heap SMALLINT NOT NULL,
        has_rts SMALLINT NOT NULL,
        heap_mode TEXT,
        stored_bytes ${t.bigint} NOT NULL
      )`,
      // The idempotency key: concurrent uploads of the same bytes meet here.
      `CREATE UNIQUE INDEX profiles_tenant_sha256 ON profiles (tenant, sha256)`,
      `CREATE INDEX profiles_tenant_start ON profiles (tenant, start_time)`,
      // One row per label, so selectors are index lookups: (tenant, name, value) -> profiles.
      `CREATE TABLE profile_labels (
        profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        tenant TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (profile_id, name)
      )`,
      `CREATE INDEX profile_labels_lookup ON profile_labels (tenant, name, value, profile_id)`,
      // part: raw (the artefact, gzip) | tree | heap | rts (normalised model, gzip'd JSON).
      `CREATE TABLE profile_blobs (
        profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        part TEXT NOT NULL,
        data ${t.blob} NOT NULL,
        PRIMARY KEY (profile_id, part)
      )`,
      `CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        scope TEXT NOT NULL,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at ${t.bigint} NOT NULL,
        revoked_at ${t.bigint}
      )`,
      `CREATE INDEX tokens_tenant ON tokens (tenant)`,
      `CREATE TABLE audit_log (
        id ${t.serialPrimaryKey},
        at ${t.bigint} NOT NULL,
        tenant TEXT NOT NULL,
        action TEXT NOT NULL,
        profile_id TEXT,
        user_name TEXT,
        token_id TEXT,
        detail TEXT
      )`,
      `CREATE INDEX audit_log_tenant_at ON audit_log (tenant, at)`,
    ],
  },
  {
    version: 2,
    name: 'hourly tree rollups, retention index',
    statements: ({ types: t }) => [
      // The bucket identity of a profile: its label set in one canonical text (rollups.ts labelsKey).
      `ALTER TABLE profiles ADD COLUMN labels_key TEXT`,
      `CREATE INDEX profiles_bucket ON profiles (tenant, kind, labels_key, start_time)`,
      // Retention deletes by end (or start) time across tenants.
      `CREATE INDEX profiles_expiry ON profiles ((COALESCE(end_time, start_time)))`,
      `CREATE TABLE tree_rollups (
        tenant TEXT NOT NULL,
        kind TEXT NOT NULL,
        labels_key TEXT NOT NULL,
        hour_start ${t.bigint} NOT NULL,
        profile_count INTEGER NOT NULL,
        tree ${t.blob},
        PRIMARY KEY (tenant, kind, labels_key, hour_start)
      )`,
      `CREATE INDEX tree_rollups_tenant_hour ON tree_rollups (tenant, hour_start)`,
    ],
    // The rollups themselves are built by version 3's backfill (with the revision column it adds), which always
    // runs in the same transaction as this one.
    backfill: async (tx) => {
      const rows = await tx.query<{ id: string; labels: string }>(`SELECT id, labels FROM profiles`);
      for (const r of rows) {
        await tx.execute(`UPDATE profiles SET labels_key = ? WHERE id = ?`, [
          labelsKey(JSON.parse(r.labels) as Record<string, string>),
          r.id,
        ]);
      }
    },
  },
  {
    version: 3,
    name: 'rollup revisions, profiles pending their rollup',
    statements: ({ types: t }) => [
      // A random id per write of the row: what the decoded-rollup cache is keyed by (rollup-cache.ts).
      `ALTER TABLE tree_rollups ADD COLUMN revision TEXT`,
      // Profiles stored but not yet merged into their bucket's rollup (rollups.ts addPending / foldPending).
      `CREATE TABLE rollup_pending (
        profile_id TEXT PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
        tenant TEXT NOT NULL,
        kind TEXT NOT NULL,
        labels_key TEXT NOT NULL,
        hour_start ${t.bigint} NOT NULL
      )`,
      `CREATE INDEX rollup_pending_bucket ON rollup_pending (tenant, kind, labels_key, hour_start)`,
    ],
    // Every bucket rebuilt, so every rollup has a revision (and databases from version 1 get their rollups).
    backfill: (tx, d) => rebuildAllRollups(tx, d),
  },
  {
    version: 4,
    name: 'encryption keys in use',
    statements: ({ types: t }) => [
      // Ids of the keys blobs were sealed with (blob-cipher.ts): a server without one of them refuses to start.
      `CREATE TABLE blob_keys (
        key_id TEXT PRIMARY KEY,
        first_used_at ${t.bigint} NOT NULL
      )`,
    ],
  },
  {
    version: 5,
    name: 'growing profiles: chunks',
    statements: ({ types: t }) => [
      // One row per append of a growing .hp/eventlog (chunks.ts): its bytes (gzip) and what completed in them
      // (delta: gzip'd JSON of the censuses, time samples, RTS series and markers), never rewritten. Times are
      // relative to the artefact's start (ns), so re-placing the profile in time moves every chunk with it.
      `CREATE TABLE profile_chunks (
        profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        start_offset ${t.bigint} NOT NULL,
        end_offset ${t.bigint} NOT NULL,
        sha256 TEXT NOT NULL,
        first_ns ${t.bigint},
        last_ns ${t.bigint},
        raw ${t.blob} NOT NULL,
        delta ${t.blob} NOT NULL,
        PRIMARY KEY (profile_id, seq)
      )`,
      `CREATE INDEX profile_chunks_offset ON profile_chunks (profile_id, end_offset)`,
    ],
  },
  {
    version: 6,
    name: 'tokens bound to Grafana organisations',
    // JSON array of Grafana org ids; NULL: the token is not bound (any caller with the secret may use it).
    statements: () => [`ALTER TABLE tokens ADD COLUMN grafana_orgs TEXT`],
  },
];

/**
 * Every column that holds blobs (sealed by sealing-driver.ts when the store has a key), with the primary key of its
 * table: what `ghcprof store rekey` walks. A new blob table must be added here.
 */
export const BLOB_COLUMNS: ReadonlyArray<{ table: string; column: string; key: readonly string[] }> = [
  { table: 'profile_blobs', column: 'data', key: ['profile_id', 'part'] },
  { table: 'tree_rollups', column: 'tree', key: ['tenant', 'kind', 'labels_key', 'hour_start'] },
  { table: 'profile_chunks', column: 'raw', key: ['profile_id', 'seq'] },
  { table: 'profile_chunks', column: 'delta', key: ['profile_id', 'seq'] },
];
