/**
 * Tokens bound to Grafana organisations (issue 12 §2), on both stores, with real ES256 JWTs made by jose carrying
 * exactly the claims Grafana signs, served from a JWKS endpoint started here (no Grafana server runs in tests).
 *
 * What Grafana does, from its sources (grafana/grafana):
 * - pkg/api/pluginproxy/ds_proxy.go: the data proxy calls proxyutil.ApplyForwardIDHeader(req, SignedInUser), which
 *   sets `X-Grafana-Id` (pkg/util/proxyutil: IDHeaderName) to the user's ID token (feature toggle idForwarding).
 * - pkg/services/auth/idimpl/service.go: the claims: Issuer cfg.AppURL (root_url, ends with "/"), Audience
 *   ["org:<orgId>"] (getAudience), Subject id.GetID() ("user:<uid>"), Expiry now + tokenTTL (10 minutes), IssuedAt;
 *   namespace from the namespace mapper ("default" for org 1, "org-<id>" otherwise); for users email and username.
 * - pkg/services/auth/idimpl/signer.go: ES256, the signing key's id in the `kid` header; the public keys are served
 *   as a JWKS at /api/signing-keys/keys.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createToken } from '../../pkg/server/tokens';
import { bearer, fixture, STORE_KINDS, stopPostgres, testEnv, upload, type TestEnv } from './support';

after(stopPostgres);

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

/** Grafana's /api/signing-keys/keys: the published keys (mutable: rotation), and how often it was fetched. */
class FakeGrafanaKeys {
  published: SigningKey[] = [];
  fetches = 0;
  url = '';
  private server: Server | null = null;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/api/signing-keys/keys') {
        res.writeHead(404).end();
        return;
      }
      this.fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.published.map((k) => k.jwk) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}

interface IdClaims {
  org: number;
  uid?: string;
  username?: string;
  iss?: string;
  /** Seconds from now. */
  expiresIn?: number;
}

/** An ID token as Grafana signs it (idimpl/service.go SignIdentity). */
function grafanaIdToken(key: SigningKey, issuer: string, c: IdClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const username = c.username ?? 'alice';
  return new SignJWT({
    namespace: c.org === 1 ? 'default' : `org-${c.org}`,
    username,
    email: `${username}@example.com`,
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(c.iss ?? `${issuer}/`)
    .setAudience([`org:${c.org}`])
    .setSubject(`user:${c.uid ?? 'ade3f0k2'}`)
    .setIssuedAt(now)
    .setExpirationTime(now + (c.expiresIn ?? 600))
    .sign(key.privateKey);
}

const COOLDOWN_MS = 1000;

for (const kind of STORE_KINDS) {
  describe(`tokens bound to Grafana orgs (${kind})`, () => {
    const grafana = new FakeGrafanaKeys();
    let env: TestEnv;
    let bound: string;
    let keyA: SigningKey;

    before(async () => {
      await grafana.start();
      keyA = await signingKey('id-key-a');
      grafana.published = [keyA];
      env = await testEnv(kind, { grafanaUrl: grafana.url, grafanaKeysCooldownMs: COOLDOWN_MS });
      // Team A's datasource lives in Grafana org 2 (and 5); its read token is bound to them.
      bound = (await createToken(env.store, { tenant: 'acme', scope: 'write', grafanaOrgs: [5, 2] })).secret;
    });
    after(async () => {
      await env.close();
      await grafana.stop();
    });

    const list = (token: string, headers: Record<string, string> = {}) =>
      env.app.inject({ url: '/api/v1/profiles', headers: { ...bearer(token), ...headers } });

    it('the binding is stored with the token', async () => {
      const tokens = await env.store.listTokens('acme');
      assert.deepEqual(tokens.map((t) => t.grafanaOrgs).sort(), [[], [], [], [2, 5]]);
    });

    it("answers with a valid ID token of one of the token's orgs", async () => {
      for (const org of [2, 5]) {
        const id = await grafanaIdToken(keyA, grafana.url, { org });
        const res = await list(bound, { 'x-grafana-id': id });
        assert.equal(res.statusCode, 200, res.body);
      }
    });

    it('refuses, saying why: missing, expired, foreign key, foreign issuer, another org', async () => {
      const stranger = await signingKey('id-key-a'); // same kid, other key: the signature does not verify
      const unknown = await signingKey('not-published');
      const cases: Array<[string, Promise<string> | null, number, RegExp]> = [
        ['missing', null, 401, /bound to Grafana org 2, 5: the request must carry Grafana's signed ID token/],
        [
          'expired',
          grafanaIdToken(keyA, grafana.url, { org: 2, expiresIn: -60 }),
          401,
          /X-Grafana-Id expired at \d{4}-/,
        ],
        ['foreign key (same kid)', grafanaIdToken(stranger, grafana.url, { org: 2 }), 401, /signature does not verify/],
        [
          'foreign key (unknown kid)',
          grafanaIdToken(unknown, grafana.url, { org: 2 }),
          401,
          /signed with a key that Grafana does not publish/,
        ],
        [
          'foreign issuer',
          grafanaIdToken(keyA, grafana.url, { org: 2, iss: 'https://evil.example/' }),
          401,
          /issued by "https:\/\/evil.example\/", not by the Grafana this server trusts/,
        ],
        [
          'another org',
          grafanaIdToken(keyA, grafana.url, { org: 3 }),
          403,
          /bound to Grafana org 2, 5; the ID token is for org:3/,
        ],
        ['not a JWT', Promise.resolve('garbage'), 401, /X-Grafana-Id is not a valid signed token/],
      ];
      for (const [name, token, status, message] of cases) {
        const headers = token ? { 'x-grafana-id': await token } : undefined;
        const res = await list(bound, headers);
        assert.equal(res.statusCode, status, `${name}: ${res.body}`);
        assert.equal(res.json().error.code, 'grafana_id_token', name);
        assert.match(res.json().error.message, message, name);
      }
    });

    it('records the verified user as uploader and in the audit log, ignoring X-Grafana-User', async () => {
      const id = await grafanaIdToken(keyA, grafana.url, { org: 2, username: 'bob', uid: 'b0b' });
      const res = await upload(env, fixture('leaky.prof'), {
        token: bound,
        labels: { service: 'verified' },
        headers: { 'x-grafana-id': id, 'x-grafana-user': 'admin' },
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().uploader, 'bob');
      const [entry] = await env.store.listAudit('acme', 1);
      assert.equal(entry.action, 'upload');
      assert.equal(entry.user, 'bob (user:b0b)');
    });

    it('tokens that are not bound keep working without an ID token (X-Grafana-User is only a hint there)', async () => {
      const res = await list(env.acme.read, { 'x-grafana-user': 'carol' });
      assert.equal(res.statusCode, 200);
    });

    it('follows key rotation: an unknown kid refetches the keys, at most once per cooldown', async () => {
      const keyB = await signingKey('id-key-b');
      const forged = await Promise.all(
        Array.from({ length: 20 }, async (_, i) =>
          grafanaIdToken(await signingKey(`made-up-${i}`), grafana.url, { org: 2 })
        )
      );
      grafana.published = [keyA, keyB]; // Grafana rotated: new tokens are signed with b
      await sleep(COOLDOWN_MS + 50);
      const before = grafana.fetches;
      const res = await list(bound, { 'x-grafana-id': await grafanaIdToken(keyB, grafana.url, { org: 2 }) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(grafana.fetches, before + 1, 'one fetch for the new kid');
      // A flood of made-up key ids right after: refused, without a fetch each.
      const flood = await Promise.all(forged.map((id) => list(bound, { 'x-grafana-id': id })));
      assert.deepEqual(new Set(flood.map((r) => r.statusCode)), new Set([401]));
      assert.equal(grafana.fetches, before + 1, 'no fetch within the cooldown');
      // The old key retired: its tokens fail once the keys are fetched again.
      grafana.published = [keyB];
      await sleep(COOLDOWN_MS + 50);
      const retiredKid = await signingKey('still-unknown');
      await list(bound, { 'x-grafana-id': await grafanaIdToken(retiredKid, grafana.url, { org: 2 }) }); // refetch
      const old = await list(bound, { 'x-grafana-id': await grafanaIdToken(keyA, grafana.url, { org: 2 }) });
      assert.equal(old.statusCode, 401, old.body);
      assert.match(old.json().error.message, /does not publish/);
    });

    it("a failing ID token does not count against the address's failed-authentication budget", async () => {
      for (let i = 0; i < env.config.authFailureLimit + 5; i++) {
        assert.equal((await list(bound)).statusCode, 401);
      }
      const id = await grafanaIdToken(keyA, grafana.url, { org: 2 });
      grafana.published = [keyA];
      await sleep(COOLDOWN_MS + 50);
      assert.equal((await list(bound, { 'x-grafana-id': id })).statusCode, 200);
    });
  });
}

describe('a bound token on a server without --grafana-url', () => {
  it('is refused with 403 naming the missing setting', async () => {
    const env = await testEnv(STORE_KINDS[0]);
    try {
      const { secret } = await createToken(env.store, { tenant: 'acme', scope: 'read', grafanaOrgs: [2] });
      const res = await env.app.inject({ url: '/api/v1/profiles', headers: bearer(secret) });
      assert.equal(res.statusCode, 403);
      assert.match(res.json().error.message, /runs without --grafana-url/);
    } finally {
      await env.close();
    }
  });
});

describe('--grafana-issuer: keys fetched from one address, tokens issued under the root_url users see', () => {
  it("accepts Grafana's root_url as iss and refuses the fetch address", async () => {
    const grafana = new FakeGrafanaKeys();
    await grafana.start();
    const key = await signingKey('k1');
    grafana.published = [key];
    const env = await testEnv(STORE_KINDS[0], { grafanaUrl: grafana.url, grafanaIssuer: 'http://localhost:3000/' });
    try {
      const { secret } = await createToken(env.store, { tenant: 'acme', scope: 'read', grafanaOrgs: [2] });
      const get = async (iss: string) =>
        env.app.inject({
          url: '/api/v1/profiles',
          headers: { ...bearer(secret), 'x-grafana-id': await grafanaIdToken(key, '', { org: 2, iss }) },
        });
      assert.equal((await get('http://localhost:3000/')).statusCode, 200);
      const other = await get(`${grafana.url}/`);
      assert.equal(other.statusCode, 401);
      assert.match(other.json().error.message, /not by the Grafana this server trusts \(http:\/\/localhost:3000\)/);
    } finally {
      await env.close();
      await grafana.stop();
    }
  });
});
