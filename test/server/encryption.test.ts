/**
 * Encryption at rest (issue 12 §6), on both stores: with --encryption-key-file no store file holds a cost-centre name
 * of an uploaded profile in plain text (nor inside any gzip stream in it), every blob carries its key id, a server
 * without the key refuses to start naming it, and `rekey` moves every blob to a new key.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { constants, inflateRawSync } from 'node:zlib';
import { buildApp } from '../../pkg/server/app';
import { testConfig } from '../../pkg/server/config';
import { startServer } from '../../pkg/server/server';
import { createToken } from '../../pkg/server/tokens';
import { openDriver, openSqlStore } from '../../pkg/store';
import { BlobCipher, blobKeyFromHex, sealedKeyId, type BlobKey } from '../../pkg/store/blob-cipher';
import type { SqlDriver } from '../../pkg/store/driver';
import { rekeyBlobs } from '../../pkg/store/rekey';
import { BLOB_COLUMNS } from '../../pkg/store/schema';
import { PG_BIN } from '../support/postgres';
import { bearer, fixture, freshStoreSpec, STORE_KINDS, stopPostgres, type StoreKind } from './support';

after(stopPostgres);

/** Cost centres of leaky.prof that appear nowhere else (not in the program name, labels or file names). */
const NAMES = ['simulateStrict', 'applyStrict'];

function newKeyFile(dir: string, name: string): { file: string; key: BlobKey } {
  const hex = randomBytes(32).toString('hex');
  const file = join(dir, name);
  writeFileSync(file, `${hex}\n`);
  return { file, key: blobKeyFromHex(hex) };
}

/**
 * Every gzip member that starts somewhere in `bytes` (header 1f 8b 08, no optional fields: as zlib writes them),
 * inflated as a raw deflate stream so the bytes after it do not matter, and as far as it is contiguous there.
 */
function inflatedStreams(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = bytes.indexOf(0x1f); at >= 0 && at < bytes.length - 10; at = bytes.indexOf(0x1f, at + 1)) {
    if (bytes[at + 1] === 0x8b && bytes[at + 2] === 0x08 && bytes[at + 3] === 0) {
      try {
        out.push(inflateRawSync(bytes.subarray(at + 10), { finishFlush: constants.Z_SYNC_FLUSH }));
      } catch {
        // not a gzip stream after all, or one broken by a page boundary
      }
    }
  }
  return out;
}

/** Names found in the bytes as they are, or in any gzip stream inside them. */
function plaintextNames(bytes: Buffer): string[] {
  const texts = [bytes, ...inflatedStreams(bytes)];
  return NAMES.filter((n) => texts.some((t) => t.includes(n)));
}

/** The store's bytes as files hold them: the SQLite file and its WAL, or PostgreSQL's data as pg_dump writes it. */
function storeFileBytes(kind: StoreKind, spec: string): Buffer {
  if (kind === 'sqlite') {
    return Buffer.concat([spec, `${spec}-wal`].filter(existsSync).map((f) => readFileSync(f)));
  }
  const dump = spawnSync(join(PG_BIN, 'pg_dump'), ['--data-only', spec], { maxBuffer: 64 << 20 });
  assert.equal(dump.status, 0, dump.stderr.toString());
  // bytea columns are dumped as hex (\x1f8b...): decode them so gzip streams inside are looked into as well.
  const hex = [...dump.stdout.toString('latin1').matchAll(/\\\\x([0-9a-f]+)/g)].map((m) => Buffer.from(m[1], 'hex'));
  return Buffer.concat([dump.stdout, ...hex]);
}

async function uploadLeaky(spec: string, cipher: BlobCipher): Promise<void> {
  const store = await openSqlStore(spec, { cipher });
  await store.migrate();
  await store.checkEncryptionKeys();
  const app = await buildApp({ store, config: testConfig({ db: spec }) });
  try {
    const { secret } = await createToken(store, { tenant: 'acme', scope: 'write' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/profiles?label=service%3Dleaky',
      headers: { ...bearer(secret), 'content-type': 'application/octet-stream' },
      payload: fixture('leaky.prof'),
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json<{ id: string }>().id;
    // Read back through the sealing layer: the same bytes and tree as uploaded.
    assert.deepEqual(await store.getRaw('acme', id), fixture('leaky.prof'));
    const tree = JSON.stringify(await store.getTree('acme', id));
    for (const n of NAMES) assert.ok(tree.includes(n), `tree lost ${n}`);
  } finally {
    await app.close();
  }
}

async function storedBlobs(driver: SqlDriver): Promise<Buffer[]> {
  const blobs: Buffer[] = [];
  for (const { table, column } of BLOB_COLUMNS) {
    const rows = await driver.query<{ data: Buffer | null }>(`SELECT ${column} AS data FROM ${table}`);
    blobs.push(...rows.map((r) => r.data).filter((d): d is Buffer => d !== null));
  }
  return blobs;
}

async function readableWith(spec: string, cipher: BlobCipher): Promise<string> {
  const store = await openSqlStore(spec, { cipher });
  try {
    await store.checkEncryptionKeys();
    const [meta] = await store.listProfiles('acme', { matchers: [] });
    return JSON.stringify(await store.getTree('acme', meta.id));
  } finally {
    await store.close();
  }
}

for (const kind of STORE_KINDS) {
  describe(`encryption at rest (${kind})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ghcprof-keys-'));

    test('without a key the scan finds the cost-centre names (the check below can fail)', async () => {
      const { spec } = await freshStoreSpec(kind);
      await uploadLeaky(spec, new BlobCipher(null));
      assert.deepEqual(plaintextNames(storeFileBytes(kind, spec)), NAMES);
    });

    test('with a key: no plaintext names in the files, every blob sealed with its key id; refuses without it; rekey', async () => {
      const { spec } = await freshStoreSpec(kind);
      const a = newKeyFile(dir, 'a.key');
      const b = newKeyFile(dir, 'b.key');
      await uploadLeaky(spec, new BlobCipher(a.key));

      assert.deepEqual(plaintextNames(storeFileBytes(kind, spec)), []);
      const driver = await openDriver(spec);
      try {
        const blobs = await storedBlobs(driver);
        // raw + tree of the profile, and the hourly rollup's tree
        assert.ok(blobs.length >= 3, `only ${blobs.length} blobs`);
        assert.deepEqual(new Set(blobs.map(sealedKeyId)), new Set([a.key.id]));
      } finally {
        await driver.close();
      }

      // A server started without the key, or with another one, refuses and names the key it needs.
      await assert.rejects(
        startServer(testConfig({ db: spec, port: 0 })),
        new RegExp(`encrypted with key ${a.key.id}, which was not given: start with --encryption-key-file`)
      );
      await assert.rejects(
        startServer(testConfig({ db: spec, port: 0, encryptionKeyFile: b.file })),
        new RegExp(`key ${a.key.id}, which was not given.*given: ${b.key.id}`)
      );
      const server = await startServer(testConfig({ db: spec, port: 0, encryptionKeyFile: a.file }));
      await server.close();

      // Rotation: every blob re-sealed with b; a is forgotten, so a start with a alone now refuses naming b.
      const raw = await openDriver(spec);
      try {
        const moved = await rekeyBlobs(raw, new BlobCipher(b.key, [a.key]), b.key);
        assert.ok(moved.resealed >= 3);
        assert.deepEqual(new Set((await storedBlobs(raw)).map(sealedKeyId)), new Set([b.key.id]));
        assert.equal((await rekeyBlobs(raw, new BlobCipher(b.key, [a.key]), b.key)).resealed, 0, 'idempotent');
      } finally {
        await raw.close();
      }
      assert.ok((await readableWith(spec, new BlobCipher(b.key))).includes(NAMES[0]));
      await assert.rejects(
        readableWith(spec, new BlobCipher(a.key)),
        new RegExp(`key ${b.key.id}, which was not given`)
      );
      assert.deepEqual(plaintextNames(storeFileBytes(kind, spec)), []);
    });

    test('rekey of a plain store seals the blobs written before it had a key', async () => {
      const { spec } = await freshStoreSpec(kind);
      await uploadLeaky(spec, new BlobCipher(null));
      const k = newKeyFile(dir, 'k.key');
      const raw = await openDriver(spec);
      try {
        await rekeyBlobs(raw, new BlobCipher(k.key), k.key);
        assert.deepEqual(new Set((await storedBlobs(raw)).map(sealedKeyId)), new Set([k.key.id]));
      } finally {
        await raw.close();
      }
      assert.ok((await readableWith(spec, new BlobCipher(k.key))).includes(NAMES[1]));
      // The plain blobs are gone from the files too (compacted), not just overwritten in place.
      assert.deepEqual(plaintextNames(storeFileBytes(kind, spec)), []);
    });
  });
}
