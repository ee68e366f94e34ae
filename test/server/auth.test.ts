/**
 * The access-control matrix: every /api/v1 route × every kind of caller -> the status it must get.
 * Callers: no Authorization header, a malformed header, an unknown token, a revoked token, each scope of the
 * profile's own tenant, and the needed scope of another tenant (which must see a missing profile: 404, or nothing).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Scope } from '../../pkg/store/store';
import { createToken } from '../../pkg/server/tokens';
import { fixture, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

type Caller = 'none' | 'malformed' | 'unknown' | 'revoked' | Scope | 'other-tenant';

interface RouteCase {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Needed scope. */
  scope: Scope;
  /** Status for a caller with the needed scope (or a higher one). */
  ok: number;
  /** What another tenant's token with the needed scope gets: 404, or `ok` with none of acme's data. */
  otherTenant: 'not_found' | 'sees_nothing' | 'own_tenant';
  /** Builds the request for a caller; `fresh` makes a new acme profile when the route consumes one. */
  request: (ctx: {
    id: string;
    fresh: () => Promise<Growing>;
    seq: number;
  }) => Promise<{ url: string; payload?: Buffer | object }>;
}

const hp = fixture('search.hc.hp');
/** A distinct valid .hp per call (its JOB line differs), so every upload creates a profile. */
const hpVariant = (n: number) => Buffer.from(hp.toString('utf8').replace('JOB "search', `JOB "search-${n}`));
/** Where a growing .hp's first piece ends: after an END_SAMPLE line in its second half. */
const cutOf = (b: Buffer) => b.indexOf('\n', b.indexOf('END_SAMPLE', b.length / 2)) + 1;

interface Growing {
  id: string;
  rest: Buffer;
  offset: number;
}

const q =
  (type: string, body: (id: string) => object): RouteCase['request'] =>
  async ({ id }) => ({
    url: `/api/v1/query/${type}`,
    payload: body(id),
  });

const ROUTES: RouteCase[] = [
  {
    name: 'GET auth/check',
    method: 'GET',
    scope: 'read',
    ok: 200,
    otherTenant: 'own_tenant',
    request: async () => ({ url: '/api/v1/auth/check' }),
  },
  {
    name: 'GET profiles',
    method: 'GET',
    scope: 'read',
    ok: 200,
    otherTenant: 'sees_nothing',
    request: async () => ({ url: '/api/v1/profiles' }),
  },
  {
    name: 'GET profiles/:id',
    method: 'GET',
    scope: 'read',
    ok: 200,
    otherTenant: 'not_found',
    request: async ({ id }) => ({ url: `/api/v1/profiles/${id}` }),
  },
  {
    name: 'GET profiles/:id/raw',
    method: 'GET',
    scope: 'read',
    ok: 200,
    otherTenant: 'not_found',
    request: async ({ id }) => ({ url: `/api/v1/profiles/${id}/raw` }),
  },
  {
    name: 'GET labels',
    method: 'GET',
    scope: 'read',
    ok: 200,
    otherTenant: 'sees_nothing',
    request: async () => ({ url: '/api/v1/labels' }),
  },
  {
    name: 'GET labels/:name/values',
    method: 'GET',
    scope: 'read',
    ok: 200,
    otherTenant: 'sees_nothing',
    request: async () => ({ url: '/api/v1/labels/service/values' }),
  },
  {
    name: 'POST query/flamegraph',
    method: 'POST',
    scope: 'read',
    ok: 200,
    otherTenant: 'not_found',
    request: q('flamegraph', (id) => ({ profileIds: [id] })),
  },
  {
    name: 'POST query/diff',
    method: 'POST',
    scope: 'read',
    ok: 200,
    otherTenant: 'not_found',
    request: q('diff', (id) => ({ left: { profileIds: [id] }, right: { selector: '{}' } })),
  },
  {
    name: 'POST query/top',
    method: 'POST',
    scope: 'read',
    ok: 200,
    otherTenant: 'not_found',
    request: q('top', (id) => ({ profileIds: [id] })),
  },
  {
    name: 'POST query/heap',
    method: 'POST',
    scope: 'read',
    ok: 200,
    otherTenant: 'not_found',
    request: q('heap', (id) => ({ profileIds: [id] })),
  },
  {
    name: 'POST query/leaks',
    method: 'POST',
    scope: 'read',
    ok: 200,
    otherTenant: 'not_found',
    request: q('leaks', (id) => ({ profileIds: [id] })),
  },
  {
    name: 'POST query/profiles',
    method: 'POST',
    scope: 'read',
    ok: 200,
    otherTenant: 'sees_nothing',
    request: q('profiles', () => ({ selector: '{}' })),
  },
  {
    name: 'POST query/annotations',
    method: 'POST',
    scope: 'read',
    ok: 200,
    otherTenant: 'sees_nothing',
    request: q('annotations', () => ({ selector: '{}' })),
  },
  {
    name: 'POST profiles (upload)',
    method: 'POST',
    scope: 'write',
    ok: 201,
    otherTenant: 'own_tenant',
    request: async ({ seq }) => ({ url: '/api/v1/profiles?label=service%3Dmatrix', payload: hpVariant(seq) }),
  },
  {
    name: 'POST profiles/:id/append',
    method: 'POST',
    scope: 'write',
    ok: 200,
    otherTenant: 'not_found',
    request: async ({ fresh }) => {
      const g = await fresh();
      return { url: `/api/v1/profiles/${g.id}/append?offset=${g.offset}`, payload: g.rest };
    },
  },
  {
    name: 'DELETE profiles/:id',
    method: 'DELETE',
    scope: 'admin',
    ok: 204,
    otherTenant: 'not_found',
    request: async ({ fresh }) => ({ url: `/api/v1/profiles/${(await fresh()).id}` }),
  },
];

const SCOPES: Scope[] = ['read', 'write', 'admin'];
const rank = (s: Scope) => SCOPES.indexOf(s);

function expected(route: RouteCase, caller: Caller): number {
  if (caller === 'none' || caller === 'malformed' || caller === 'unknown' || caller === 'revoked') {
    return 401;
  }
  if (caller === 'other-tenant') {
    return route.otherTenant === 'not_found' ? 404 : route.ok;
  }
  return rank(caller) >= rank(route.scope) ? route.ok : 403;
}

const CALLERS: Caller[] = ['none', 'malformed', 'unknown', 'revoked', 'read', 'write', 'admin', 'other-tenant'];

for (const kind of STORE_KINDS) {
  describe(`auth matrix on ${kind}`, () => {
    let env: TestEnv;
    let profileId: string;
    let revoked: string;
    let seq = 0;

    before(async () => {
      // The matrix sends hundreds of 401s from one address, far over the per-address failure budget (tested on its
      // own in hardening.test.ts): off here, so every cell shows the route's own answer.
      env = await testEnv(kind, { authFailureLimit: 0 });
      const res = await upload(env, fixture('leaky.hc.hp'), { token: env.acme.write, labels: { service: 'matrix' } });
      assert.equal(res.statusCode, 201);
      profileId = res.json().id;
      const r = await createToken(env.store, { tenant: 'acme', scope: 'admin', name: 'to-revoke' });
      assert.ok(await env.store.revokeToken(r.record.id));
      revoked = r.secret;
    });
    after(async () => env.close());

    /** A new acme profile (a growing .hp's first part, so append has something to grow). */
    async function fresh(): Promise<Growing> {
      const full = hpVariant(++seq);
      const offset = cutOf(full);
      const res = await upload(env, full.subarray(0, offset), { token: env.acme.write, query: { partial: 'true' } });
      assert.equal(res.statusCode, 201, res.body);
      return { id: res.json().id, rest: full.subarray(offset), offset };
    }

    function headersFor(route: RouteCase, caller: Caller): Record<string, string> {
      const token = {
        none: null,
        malformed: null,
        unknown: 'ghcp_not-a-real-token',
        revoked,
        read: env.acme.read,
        write: env.acme.write,
        admin: env.acme.admin,
        'other-tenant': env.other[route.scope],
      }[caller];
      if (caller === 'malformed') {
        return { authorization: `Basic ${Buffer.from(`x:${env.acme.admin}`).toString('base64')}` };
      }
      return token ? { authorization: `Bearer ${token}` } : {};
    }

    for (const route of ROUTES) {
      for (const caller of CALLERS) {
        const want = expected(route, caller);
        it(`${route.name} as ${caller} -> ${want}`, async () => {
          const req = await route.request({ id: profileId, fresh, seq: ++seq });
          const res = await env.app.inject({
            method: route.method,
            url: req.url,
            headers: {
              ...headersFor(route, caller),
              'content-type': Buffer.isBuffer(req.payload) ? 'application/octet-stream' : 'application/json',
            },
            payload: req.payload as string | Buffer | object | undefined,
          });
          assert.equal(res.statusCode, want, res.body);
          if (want >= 400) {
            const body = res.json();
            assert.equal(typeof body.error.code, 'string');
            assert.ok(body.error.message.length > 0);
          }
          if (caller === 'other-tenant' && route.otherTenant === 'sees_nothing') {
            // Lists, labels and selector queries of another tenant hold none of acme's profiles or labels.
            assert.ok(!res.body.includes(profileId), `other tenant sees ${profileId}: ${res.body.slice(0, 300)}`);
            assert.ok(!res.body.includes('"matrix"'), 'other tenant sees acme labels');
          }
        });
      }
    }

    it("another tenant's profile id and a missing id answer the same body", async () => {
      const other = await env.app.inject({
        url: `/api/v1/profiles/${profileId}`,
        headers: { authorization: `Bearer ${env.other.read}` },
      });
      const missing = await env.app.inject({
        url: '/api/v1/profiles/doesnotexist',
        headers: { authorization: `Bearer ${env.other.read}` },
      });
      assert.equal(other.statusCode, 404);
      assert.deepEqual(
        other.json().error.message.replace(profileId, 'ID'),
        missing.json().error.message.replace('doesnotexist', 'ID')
      );
    });
  });
}
