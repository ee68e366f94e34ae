/**
 * Data that should not leak to every reader (issue 12 §5), on both stores: secrets in the command line of real GHC
 * artefacts (test/fixtures/ghc/secrets) are redacted before storing (raw bytes, meta, `heap` answers' `job`), sizes
 * kept so appends at byte offsets still continue the stored bytes; --redact=off keeps them; raw downloads of
 * eventlogs need admin scope unless --raw-download read.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ServerConfig } from '../../pkg/server/config';
import { bearer, query, STORE_KINDS, stopPostgres, testEnv, upload, type TestEnv } from './support';

after(stopPostgres);

const secretsFixture = (name: string) => readFileSync(`test/fixtures/ghc/secrets/${name}`);
const SECRETS = ['hunter2', 'sk_live_abc123', 'dbuser', 'dbpass'];
const found = (text: string | Buffer) => SECRETS.filter((s) => text.includes(s));
const ALL_TIME = { from: 0, to: 'now+1d' };

async function uploaded(env: TestEnv, file: string, service: string, query: Record<string, string> = {}) {
  const res = await upload(env, secretsFixture(file), { token: env.acme.write, labels: { service }, query });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: string; size: number; warnings: string[]; rtsArguments: string[] }>();
}

const raw = (env: TestEnv, id: string, token: string) =>
  env.app.inject({ url: `/api/v1/profiles/${id}/raw`, headers: bearer(token) });

function useEnv(kind: (typeof STORE_KINDS)[number], overrides: Partial<ServerConfig> = {}): () => TestEnv {
  let env: TestEnv;
  before(async () => {
    env = await testEnv(kind, overrides);
  });
  after(() => env.close());
  return () => env;
}

for (const kind of STORE_KINDS) {
  describe(`redaction on by default (${kind})`, () => {
    const env = useEnv(kind);

    for (const file of [
      'leaky-secrets.prof',
      'leaky-secrets.json.prof',
      'leaky-secrets.hc.hp',
      'leaky-secrets.eventlog',
    ]) {
      it(`${file}: stored bytes, meta and answers hold no secret; meta says the bytes were redacted`, async () => {
        const meta = await uploaded(env(), file, file.replace(/[^a-z]/g, '_'));
        assert.equal(meta.size, secretsFixture(file).length, 'size kept');
        assert.ok(
          meta.warnings.some((w) => w.startsWith('redacted 3 secrets')),
          JSON.stringify(meta.warnings)
        );
        assert.deepEqual(found(JSON.stringify(meta)), []);
        const res = await raw(env(), meta.id, env().acme.admin);
        assert.equal(res.statusCode, 200);
        assert.equal(res.rawPayload.length, meta.size);
        assert.deepEqual(found(res.rawPayload), []);
        assert.ok(res.rawPayload.includes('--password=*******'));
      });
    }

    it('heap answers: the job string of .hp and eventlog heaps carries no secret', async () => {
      for (const service of ['leaky_secrets_hc_hp', 'leaky_secrets_eventlog']) {
        const res = await query(env(), 'heap', { selector: `{service="${service}"}`, ...ALL_TIME });
        assert.equal(res.statusCode, 200, res.body);
        const custom = res.json().frames[0].schema.meta.custom.ghcprof;
        assert.ok(String(custom.job).includes('--password=*******'), JSON.stringify(custom.job));
        assert.deepEqual(found(res.body), []);
      }
    });

    it('a growing eventlog: the client appends its own (secret) bytes at offsets and the stored copy continues', async () => {
      // Tenant `other`, which holds no complete copy yet (else the append would answer with that profile).
      const full = secretsFixture('leaky-secrets.eventlog');
      const cut = 4096; // past ProgramArgs, inside the event blocks
      const first = await upload(env(), full.subarray(0, cut), {
        token: env().other.write,
        labels: { service: 'growing' },
        query: { partial: 'true' },
      });
      assert.equal(first.statusCode, 201, first.body);
      const id = first.json().id;
      const append = (offset: number) =>
        env().app.inject({
          method: 'POST',
          url: `/api/v1/profiles/${id}/append?offset=${offset}`,
          headers: { ...bearer(env().other.write), 'content-type': 'application/octet-stream' },
          payload: full.subarray(offset),
        });
      // From an offset inside the part already stored: the overlap holds the client's unredacted secrets.
      const res = await append(100);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().storedBytes, full.length, res.body);
      assert.equal((await append(cut)).json().changed, false, 'the same bytes again change nothing');
      const stored = (await raw(env(), id, env().other.admin)).rawPayload;
      assert.equal(stored.length, full.length);
      assert.deepEqual(found(stored), []);
    });

    it('raw download of an eventlog needs admin scope; other kinds stay readable with read', async () => {
      const metas = (await env().store.listProfiles('acme', { matchers: [] })).filter(
        (m) => m.kind === 'eventlog' || m.kind === 'prof'
      );
      for (const m of metas) {
        const res = await raw(env(), m.id, env().acme.read);
        if (m.kind === 'eventlog') {
          assert.equal(res.statusCode, 403, res.body);
          assert.match(res.json().error.message, /raw eventlog .* needs a token with admin scope; the token has read/);
        } else {
          assert.equal(res.statusCode, 200);
        }
      }
      // Another tenant's eventlog is still just not found.
      const theirs = await raw(env(), metas.find((m) => m.kind === 'eventlog')!.id, env().other.admin);
      assert.equal(theirs.statusCode, 404);
    });
  });

  describe(`--redact=off and --raw-download read (${kind})`, () => {
    const env = useEnv(kind, { redact: false, rawDownloadScope: 'read' });

    it('keeps the bytes as uploaded and lets read tokens download eventlogs', async () => {
      const meta = await uploaded(env(), 'leaky-secrets.eventlog', 'kept');
      assert.ok(!meta.warnings.some((w) => w.startsWith('redacted')));
      const res = await raw(env(), meta.id, env().acme.read);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.rawPayload, secretsFixture('leaky-secrets.eventlog'));
    });
  });
}
