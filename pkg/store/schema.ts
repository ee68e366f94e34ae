/**
 * The schema as a versioned list of migrations, written once for both backends with the dialect's column types.
 * Append new versions; never edit an applied one. `migrate` (migrate.ts) applies the missing ones in order.
 */
import type { Dialect } from './driver';

export interface Migration {
  version: number;
  name: string;
  statements(d: Dialect): string[];
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
];
