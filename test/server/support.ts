/**
 * Shared setup of the server tests: a fresh store of each kind (SQLite in a temp dir, a fresh database on the one
 * private PostgreSQL the test process starts), an app on it, tokens for two tenants, and upload helpers.
 * `STORE_BACKENDS=sqlite` narrows the store kinds (default: both), as for the store's own tests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../pkg/server/app';
import { type ServerConfig, testConfig } from '../../pkg/server/config';
import { createToken } from '../../pkg/server/tokens';
import { openStore } from '../../pkg/store';
import type { Scope, Store } from '../../pkg/store/store';
import { startPostgres } from '../support/postgres';
import { STORE_BACKENDS, type StoreBackend } from '../support/store-backends';

export const FIXTURES = 'test/fixtures/ghc';
export const fixture = (name: string) => readFileSync(join(FIXTURES, name));

export type StoreKind = StoreBackend;
export const STORE_KINDS: StoreKind[] = STORE_BACKENDS;

type Postgres = Awaited<ReturnType<typeof startPostgres>>;
let postgres: Promise<Postgres> | null = null;
let databases = 0;

/** The store spec (SQLite path or postgres:// URL) of a fresh, empty store; `cleanup` removes what it made. */
export async function freshStoreSpec(kind: StoreKind): Promise<{ spec: string; cleanup: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ghcprof-server-'));
    return { spec: join(dir, 'ghcprof.db'), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  postgres ??= startPostgres();
  const pg = await postgres;
  const url = await pg.createDatabase(`ghcprof_server_${process.pid}_${++databases}`);
  return { spec: url, cleanup: async () => undefined };
}

/** Stops the PostgreSQL server this test file started (call from a top-level `after`). */
export async function stopPostgres(): Promise<void> {
  if (postgres) {
    const pg = await postgres;
    postgres = null;
    await pg.stop();
  }
}

export type Tokens = Record<Scope, string>;

export interface TestEnv {
  kind: StoreKind;
  spec: string;
  store: Store;
  app: FastifyInstance;
  config: ServerConfig;
  /** Tenant `acme` and tenant `other`, each with a read, a write and an admin token. */
  acme: Tokens;
  other: Tokens;
  close(): Promise<void>;
}

export async function tenantTokens(store: Store, tenant: string): Promise<Tokens> {
  const out = {} as Tokens;
  for (const scope of ['read', 'write', 'admin'] as const) {
    out[scope] = (await createToken(store, { tenant, scope, name: `${tenant}-${scope}` })).secret;
  }
  return out;
}

export async function testEnv(kind: StoreKind, overrides: Partial<ServerConfig> = {}): Promise<TestEnv> {
  const { spec, cleanup } = await freshStoreSpec(kind);
  const store = await openStore(spec);
  await store.migrate();
  const config = testConfig({ db: spec, ...overrides });
  const app = await buildApp({ store, config });
  await app.ready();
  return {
    kind,
    spec,
    store,
    app,
    config,
    acme: await tenantTokens(store, 'acme'),
    other: await tenantTokens(store, 'other'),
    close: async () => {
      await app.close();
      await cleanup();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface UploadOptions {
  token: string;
  labels?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export function uploadUrl(labels: Record<string, string> = {}, query: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(labels)) {
    params.append('label', `${k}=${v}`);
  }
  for (const [k, v] of Object.entries(query)) {
    params.append(k, v);
  }
  const qs = params.toString();
  return `/api/v1/profiles${qs ? `?${qs}` : ''}`;
}

export function upload(env: TestEnv, body: Buffer, opts: UploadOptions): Promise<LightMyRequestResponse> {
  return env.app.inject({
    method: 'POST',
    url: uploadUrl(opts.labels, opts.query),
    headers: { ...bearer(opts.token), 'content-type': 'application/octet-stream', ...opts.headers },
    payload: body,
  });
}

export function query(
  env: TestEnv,
  type: string,
  body: unknown,
  token = env.acme.read
): Promise<LightMyRequestResponse> {
  return env.app.inject({
    method: 'POST',
    url: `/api/v1/query/${type}`,
    headers: bearer(token),
    payload: body as object,
  });
}

/** A frame's column by field name. */
export function columnOf(
  frame: { schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } },
  name: string
): unknown[] {
  const i = frame.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) {
    throw new Error(`frame has no field ${name}: ${frame.schema.fields.map((f) => f.name).join(', ')}`);
  }
  return frame.data.values[i];
}

/** Label texts of an enum column. */
export function enumTexts(
  frame: {
    schema: { fields: Array<{ name: string; config: Record<string, unknown> }> };
    data: { values: unknown[][] };
  },
  name: string
): string[] {
  const field = frame.schema.fields.find((f) => f.name === name)!;
  const texts = (field.config.type as { enum: { text: string[] } }).enum.text;
  return (columnOf(frame, name) as number[]).map((i) => texts[i]);
}
