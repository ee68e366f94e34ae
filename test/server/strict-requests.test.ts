/**
 * Request fields read strictly, on every store kind (issue 12 §8): the Authorization header is exactly
 * `Bearer <b64token>`, integers in query strings are decimal digits, and X-Grafana-User's UTF-8 bytes (which Node
 * hands over as latin1) are stored as the text they spell.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bearer, fixture, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

/** A raw HTTP request whose header values are sent as the given bytes (Node writes header strings as latin1). */
function rawRequest(
  base: string,
  opts: { method: string; path: string; headers: Record<string, string | Buffer>; body?: Buffer }
): Promise<{ status: number; body: string }> {
  const headers = Object.fromEntries(
    Object.entries(opts.headers).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('latin1') : v])
  );
  return new Promise((resolve, reject) => {
    const req = request(`${base}${opts.path}`, { method: opts.method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

for (const kind of STORE_KINDS) {
  describe(`strict request fields on ${kind}`, () => {
    let env: TestEnv;
    let base: string;

    before(async () => {
      env = await testEnv(kind);
      await env.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
    });
    after(async () => env.close());

    it('accepts exactly "Bearer" (any case) + one space + the token; refuses other spaces with 401', async () => {
      const token = env.acme.read;
      for (const ok of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`]) {
        const res = await rawRequest(base, { method: 'GET', path: '/api/v1/profiles', headers: { authorization: ok } });
        assert.equal(res.status, 200, `${ok.slice(0, 8)}: ${res.body}`);
      }
      for (const bad of [
        Buffer.from(`Bearer\u00a0${token}`, 'latin1'), // no-break space (0xa0): JavaScript's \s took it
        `Bearer\t${token}`,
        `Bearer  ${token}`,
        `Bearer${token}`,
        `Bearer ${token}\u00a0x`,
        `Bearer ${token} extra`,
        `Bearer ${token.slice(0, 10)}é${token.slice(10)}`,
      ]) {
        const res = await rawRequest(base, {
          method: 'GET',
          path: '/api/v1/profiles',
          headers: { authorization: bad },
        });
        assert.equal(res.status, 401, JSON.stringify(bad.toString()));
        assert.match(JSON.parse(res.body).error.message, /Bearer <token>/);
      }
    });

    it('stores X-Grafana-User as the UTF-8 text Grafana sent (é, not Ã©); non-UTF-8 bytes stay latin1', async () => {
      for (const [sent, stored] of [
        [Buffer.from('José Müller 日本', 'utf8'), 'José Müller 日本'],
        [Buffer.from([0x4a, 0xe9]), 'Jé'], // latin1 é alone is not UTF-8
      ] as const) {
        const hp = Buffer.from(
          fixture('leaky.hc.hp')
            .toString('utf8')
            .replace('JOB "leaky', `JOB "leaky-${sent.toString('hex')}`)
        );
        const res = await rawRequest(base, {
          method: 'POST',
          path: '/api/v1/profiles',
          headers: { ...bearer(env.acme.write), 'x-grafana-user': sent, 'content-type': 'application/octet-stream' },
          body: hp,
        });
        assert.equal(res.status, 201, res.body);
        const { id, uploader } = JSON.parse(res.body);
        assert.equal(uploader, stored);
        assert.equal((await env.store.getProfile('acme', id))?.uploader, stored);
        const entry = (await env.store.listAudit('acme')).find((e) => e.profileId === id);
        assert.equal(entry?.user, stored);
      }
    });

    it('takes offset and limit as decimal digits only (0x10, 1e1, +16 are 400)', async () => {
      const full = fixture('leaky.hy.hp');
      const cut = full.indexOf('\nBEGIN_SAMPLE', full.length >> 1) + 1;
      const first = await upload(env, full.subarray(0, cut), { token: env.acme.write, query: { partial: 'true' } });
      assert.equal(first.statusCode, 201, first.body);
      const append = (offset: string) =>
        env.app.inject({
          method: 'POST',
          url: `/api/v1/profiles/${first.json().id}/append?offset=${encodeURIComponent(offset)}`,
          headers: { ...bearer(env.acme.write), 'content-type': 'application/octet-stream' },
          payload: full.subarray(cut),
        });
      for (const bad of [`0x${cut.toString(16)}`, `${cut / 10}e1`, `+${cut}`, ` ${cut}`, `${cut}.0`, '-1', '']) {
        const res = await append(bad);
        assert.equal(res.statusCode, 400, `offset=${bad}: ${res.body}`);
        assert.match(res.json().error.message, /offset/);
      }
      assert.equal((await append(String(cut))).statusCode, 200);
      for (const bad of ['0x10', '1e1', '+5', '0']) {
        const res = await env.app.inject({ url: `/api/v1/profiles?limit=${bad}`, headers: bearer(env.acme.read) });
        assert.equal(res.statusCode, 400, `limit=${bad}`);
      }
      const limited = await env.app.inject({ url: '/api/v1/profiles?limit=1', headers: bearer(env.acme.read) });
      assert.equal(limited.json().profiles.length, 1);
    });
  });
}
