/**
 * The app over a real socket (listen on port 0): uploads the way curl and the agent send them (form content type,
 * no content type, chunked transfer, gzip streamed), downloads, request ids, and the retention sweep.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { ProfileMeta } from '../../pkg/api/query';
import { ingest } from '../../pkg/query/ingest';
import { sweepExpired } from '../../pkg/server/retention';
import { buildApp } from '../../pkg/server/app';
import { testConfig } from '../../pkg/server/config';
import { openStore } from '../../pkg/store';
import { fixture, freshStoreSpec, STORE_KINDS, stopPostgres, type TestEnv, testEnv } from './support';

after(stopPostgres);

/** A raw node:http request (no fetch niceties): chunked when `body` is a stream. */
function send(
  url: string,
  opts: { method: string; headers: Record<string, string>; body?: Buffer | Readable }
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (opts.body instanceof Readable) {
      opts.body.pipe(req);
    } else {
      req.end(opts.body);
    }
  });
}

for (const kind of STORE_KINDS) {
  describe(`over HTTP on ${kind}`, () => {
    let env: TestEnv;
    let base: string;

    before(async () => {
      env = await testEnv(kind);
      base = await env.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => env.close());

    const auth = (token: string) => ({ authorization: `Bearer ${token}` });

    it('accepts the artefact whatever content type the client claims', async () => {
      const cases: Array<[string, Record<string, string>]> = [
        ['search.prof', { 'content-type': 'application/x-www-form-urlencoded' }], // curl --data-binary
        ['search.json.prof', { 'content-type': 'application/json' }],
        ['search.hc.hp', {}],
        ['search.hy.hp', { 'content-type': 'multipart/form-data; boundary=x' }],
      ];
      for (const [file, headers] of cases) {
        const res = await send(`${base}/api/v1/profiles?label=service%3Dhttp`, {
          method: 'POST',
          headers: { ...auth(env.acme.write), ...headers },
          body: fixture(file),
        });
        assert.equal(res.status, 201, `${file}: ${res.body}`);
        const meta = JSON.parse(res.body.toString()) as ProfileMeta;
        assert.equal(meta.size, fixture(file).length);
      }
    });

    it('takes a chunked, streamed gzip body (an eventlog) and serves the bytes back', async () => {
      const gz = gzipSync(fixture('leaky.eventlog'));
      const chunks = Array.from({ length: Math.ceil(gz.length / 4096) }, (_, i) =>
        gz.subarray(i * 4096, (i + 1) * 4096)
      );
      const res = await send(`${base}/api/v1/profiles?label=service%3Dstream`, {
        method: 'POST',
        headers: { ...auth(env.acme.write), 'content-encoding': 'gzip', 'content-type': 'application/octet-stream' },
        body: Readable.from(chunks),
      });
      assert.equal(res.status, 201, res.body.toString());
      const meta = JSON.parse(res.body.toString()) as ProfileMeta;
      assert.equal(meta.kind, 'eventlog');
      // leaky.eventlog: wall clock from the eventlog itself; tree, heap and RTS series all present.
      assert.equal(meta.timeSource, 'artefact');
      assert.deepEqual(meta.has, { tree: true, heap: true, rts: true });
      const raw = await send(`${base}/api/v1/profiles/${meta.id}/raw`, {
        method: 'GET',
        headers: auth(env.acme.admin),
      });
      assert.equal(raw.status, 200);
      assert.ok(raw.body.equals(fixture('leaky.eventlog')));
    });

    it('returns the request id it was given, or a new one', async () => {
      const given = await send(`${base}/healthz`, { method: 'GET', headers: { 'x-request-id': 'trace-123' } });
      assert.equal(given.headers['x-request-id'], 'trace-123');
      const made = await send(`${base}/healthz`, { method: 'GET', headers: {} });
      assert.match(String(made.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    it('answers 408 to a client that stalls past the request timeout', async () => {
      const slow = await testEnv(kind, { requestTimeoutMs: 1000 });
      try {
        const url = await slow.app.listen({ port: 0, host: '127.0.0.1' });
        const body = fixture('search.prof');
        const res = await new Promise<number>((resolve, reject) => {
          const req = request(
            `${url}/api/v1/profiles`,
            { method: 'POST', headers: { authorization: `Bearer ${slow.acme.write}`, 'content-length': body.length } },
            (r) => resolve(r.statusCode!)
          );
          req.on('error', reject);
          req.write(body.subarray(0, 100)); // and never the rest
        });
        assert.equal(res, 408);
        assert.deepEqual(await slow.store.listProfiles('acme', { matchers: [] }), []);
      } finally {
        await slow.close();
      }
    });

    it('/readyz answers 503 once the store is unreachable, /healthz still 200', async () => {
      const { spec, cleanup } = await freshStoreSpec(kind);
      const store = await openStore(spec);
      await store.migrate();
      const app = await buildApp({ store, config: testConfig({ db: spec }), ownsStore: false });
      try {
        assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
        await store.close();
        const res = await app.inject({ url: '/readyz' });
        assert.equal(res.statusCode, 503);
        assert.deepEqual(res.json(), { status: 'store unreachable' });
        assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
      } finally {
        await app.close();
        await cleanup();
      }
    });

    it('retention deletes the profiles whose run ended before the cut-off, and only those', async () => {
      const now = Date.UTC(2026, 10, 27, 12);
      const day = 86_400_000;
      const put = async (file: string, startMs: number) =>
        (
          await ingest(env.store, fixture(file), {
            tenant: 'other',
            labels: { service: 'retention' },
            start: startMs,
            startOverridesArtefact: true,
            uploader: null,
            maxBytes: 1 << 26,
          })
        ).meta;
      const old = await put('jsonagg.prof', now - 40 * day);
      const recent = await put('jsonagg.json.prof', now - 2 * day);
      const kept = await env.store.listProfiles('acme', { matchers: [] });
      assert.equal(await sweepExpired(env.store, 30 * day, now), 1);
      const audit = await env.store.listAudit('other');
      assert.ok(audit.some((e) => e.action === 'delete' && e.profileId === old.id && e.detail === 'retention'));
      assert.equal(await env.store.getProfile('other', old.id), null);
      assert.ok(await env.store.getProfile('other', recent.id));
      assert.deepEqual(await env.store.listProfiles('acme', { matchers: [] }), kept, "acme's profiles are newer");
    });
  });
}
