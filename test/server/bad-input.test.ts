/**
 * Every broken artefact of test/fixtures/ghc/bad uploaded over HTTP: 422 (a GHC format, broken) or 415 (no GHC
 * format), with the reader's message naming the line / byte offset and what was expected; nothing stored; the server
 * keeps serving. Also malformed requests (bad ids, bad JSON, bad encodings).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { bearer, FIXTURES, fixture, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

/** What each bad file must answer, and text the message must contain (facts from test/fixtures/ghc/bad/README.md). */
const EXPECTED: Record<string, { status: 415 | 422; says: RegExp[] }> = {
  'bad-header.eventlog': { status: 422, says: [/byte offset 0/, /hdrb/] },
  'binary.prof': { status: 415, says: [/not a GHC profiling artefact/] },
  'empty.eventlog': { status: 415, says: [/empty file/] },
  'empty.hp': { status: 415, says: [/empty file/] },
  'empty.prof': { status: 415, says: [/empty file/] },
  'eventlog-named.prof': { status: 422, says: [/eventlog ends early/, /byte 8192/, /cut off/] },
  'garbage-lines.hp': { status: 422, says: [/line 13/, /line 22/, /LABEL<TAB>INTEGER/] },
  'garbage-lines.prof': { status: 422, says: [/line 31/, /line 37/, /line 43/, /line 49/, /entries/] },
  'interleaved-corrupt.eventlog': { status: 422, says: [/byte 273009/, /cut off/] },
  'truncated.eventlog': { status: 422, says: [/byte 198696/, /0xffff/] },
  'truncated.hp': { status: 422, says: [/line 136/, /line 132/] },
  'truncated.json.prof': { status: 422, says: [/line 43, column 39/] },
  'truncated.prof': { status: 422, says: [/line 41/] },
};

const BAD_DIR = join(FIXTURES, 'bad');
const BAD_FILES = readdirSync(BAD_DIR)
  .filter((f) => f !== 'README.md')
  .sort();

for (const kind of STORE_KINDS) {
  describe(`bad input on ${kind}`, () => {
    let env: TestEnv;
    before(async () => {
      env = await testEnv(kind);
    });
    after(async () => env.close());

    it('knows what every file in bad/ must answer', () => {
      assert.deepEqual(BAD_FILES, Object.keys(EXPECTED).sort());
    });

    for (const file of BAD_FILES) {
      it(`${file}: ${EXPECTED[file].status} naming what is wrong, nothing stored`, async () => {
        const res = await upload(env, fixture(`bad/${file}`), { token: env.acme.write, labels: { service: 'bad' } });
        assert.equal(res.statusCode, EXPECTED[file].status, res.body);
        const { error } = res.json();
        const codes = EXPECTED[file].status === 415 ? ['unknown_format'] : ['invalid_artefact', 'truncated_artefact'];
        assert.ok(codes.includes(error.code), error.code);
        for (const re of EXPECTED[file].says) {
          assert.match(error.message, re);
        }
        assert.deepEqual(await env.store.listProfiles('acme', { matchers: [] }), []);
      });
    }

    it('stays up and serves after every bad upload', async () => {
      assert.equal((await env.app.inject({ url: '/healthz' })).statusCode, 200);
      const res = await upload(env, fixture('search.prof'), { token: env.acme.write });
      assert.equal(res.statusCode, 201, res.body);
      const flame = await env.app.inject({
        method: 'POST',
        url: '/api/v1/query/flamegraph',
        headers: bearer(env.acme.read),
        payload: { profileIds: [res.json().id] },
      });
      assert.equal(flame.statusCode, 200);
    });

    it('refuses malformed requests with 400 (415 for an unknown content coding) and the field at fault', async () => {
      const cases: Array<[string, InjectOptions, RegExp]> = [
        ['id with a slash-like character', { url: '/api/v1/profiles/abc%2F..', headers: bearer(env.acme.read) }, /id/],
        ['overlong id', { url: `/api/v1/profiles/${'a'.repeat(65)}`, headers: bearer(env.acme.read) }, /id/],
        ['limit not a number', { url: '/api/v1/profiles?limit=many', headers: bearer(env.acme.read) }, /limit/],
        ['unknown kind', { url: '/api/v1/profiles?kind=pdf', headers: bearer(env.acme.read) }, /kind/],
        [
          'query body that is not JSON',
          {
            method: 'POST',
            url: '/api/v1/query/flamegraph',
            headers: { ...bearer(env.acme.read), 'content-type': 'application/json' },
            payload: '{"metric":',
          },
          /JSON/i,
        ],
        [
          'negative append offset',
          {
            method: 'POST',
            url: '/api/v1/profiles/abc/append?offset=-1',
            headers: bearer(env.acme.write),
            payload: 'x',
          },
          /offset/,
        ],
      ];
      for (const [what, request, says] of cases) {
        const res = await env.app.inject(request);
        assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
        assert.match(res.json().error.message, says, what);
      }
      const br = await env.app.inject({
        method: 'POST',
        url: '/api/v1/profiles',
        headers: { ...bearer(env.acme.write), 'content-encoding': 'br' },
        payload: 'x',
      });
      assert.equal(br.statusCode, 415, br.body);
      assert.match(br.json().error.message, /Content-Encoding "br" is not supported/);
      assert.equal((await env.store.listProfiles('acme', { matchers: [] })).length, 1);
    });

    it('answers unknown routes with the error shape', async () => {
      const res = await env.app.inject({ url: '/api/v1/nothing-here', headers: bearer(env.acme.read) });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, 'not_found');
    });
  });
}
