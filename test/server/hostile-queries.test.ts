/**
 * Queries an attacker with one tenant's read token can send, on every store kind (issue 12 §1, §3): regexes that
 * make a backtracking engine take exponential time, selectors with hundreds of matchers, times beyond the Date
 * range, and label names equal to Object.prototype's properties. Each must answer quickly with 200 or 400, never
 * 500, and never hold up the other requests the server is serving.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bearer, fixture, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

/** A label value at the length limit, all `a`s: the value that makes `(a+)+b` explode in a backtracking engine. */
const LONG_A = 'a'.repeat(1024);
const SHORT_A = 'a'.repeat(31);

/** Patterns that take ~2^n steps in JavaScript's RegExp on n `a`s (the issue's two, and kin). */
const EXPONENTIAL = ['(a+)+b', '(a|a)*b', '(a|aa)*b', '(.*a){20}b', '(x+x+)+y|(a+)+b'];

/** n characters of a and b, the same for the same seed (xorshift32). */
function randomAb(n: number, seed: number): string {
  let x = (seed + 1) * 0x9e3779b1;
  let out = '';
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += x & 1 ? 'a' : 'b';
  }
  return out;
}

for (const kind of STORE_KINDS) {
  describe(`hostile queries on ${kind}`, () => {
    let env: TestEnv;
    let base: string;

    before(async () => {
      env = await testEnv(kind);
      for (const [file, labels] of [
        ['leaky.prof', { service: 'regex', x: LONG_A, x31: SHORT_A }],
        ['jsonagg.prof', { service: 'regex', x: `${LONG_A.slice(1)}b`, x31: `${SHORT_A}b` }],
      ] as const) {
        const res = await upload(env, fixture(file), { token: env.acme.write, labels });
        assert.equal(res.statusCode, 201, res.body);
      }
      await env.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
    });
    after(async () => env.close());

    const get = (path: string, token = env.acme.read) => fetch(`${base}${path}`, { headers: bearer(token) });
    const sel = (s: string) => encodeURIComponent(s);

    describe('regexes run on RE2 (linear time)', () => {
      it('answers exponential patterns against 1,024-character values on every selector route, correctly', async () => {
        for (const name of ['x', 'x31']) {
          for (const p of EXPONENTIAL) {
            for (const [route, pick] of [
              [`/api/v1/profiles?selector=${sel(`{${name}=~"${p}"}`)}`, (b: { profiles: unknown[] }) => b.profiles],
              [`/api/v1/labels?selector=${sel(`{${name}=~"${p}"}`)}`, (b: { names: unknown[] }) => b.names],
              [
                `/api/v1/labels/service/values?selector=${sel(`{${name}=~"${p}"}`)}`,
                (b: { values: unknown[] }) => b.values,
              ],
            ] as const) {
              const started = performance.now();
              const res = await get(route);
              const ms = performance.now() - started;
              assert.equal(res.status, 200, `${route}: ${await res.clone().text()}`);
              // The profile whose value ends in b matches the patterns that end in b.
              const body = (await res.json()) as never;
              assert.equal((pick as (b: never) => unknown[])(body).length > 0, p.endsWith('b') ? true : false, route);
              assert.ok(ms < 2000, `${route} took ${ms.toFixed(0)} ms`);
            }
          }
        }
      });

      it('negated: !~ with the same patterns keeps exactly the profile whose value does not match', async () => {
        const res = await get(`/api/v1/profiles?selector=${sel(`{x!~"(a+)+b"}`)}`);
        assert.equal(res.status, 200);
        const { profiles } = (await res.json()) as { profiles: Array<{ labels: Record<string, string> }> };
        assert.deepEqual(
          profiles.map((p) => p.labels.x),
          [LONG_A]
        );
      });

      it('keeps /healthz and other tenants answering while a hostile regex query runs', async () => {
        const hostile = Array.from({ length: 8 }, (_, i) =>
          get(`/api/v1/labels/service/values?selector=${sel(`{x=~"${EXPONENTIAL[i % EXPONENTIAL.length]}"}`)}`)
        );
        const started = performance.now();
        const health = await fetch(`${base}/healthz`);
        const healthMs = performance.now() - started;
        const other = await get('/api/v1/profiles', env.other.read);
        assert.equal(health.status, 200);
        assert.equal(other.status, 200);
        assert.ok(healthMs < 1000, `/healthz took ${healthMs.toFixed(0)} ms while regex queries ran`);
        for (const res of await Promise.all(hostile)) {
          assert.equal(res.status, 200);
        }
      });

      it('matches many distinct values in slices: a costly (linear) pattern does not hold up /healthz', async () => {
        // [ab]*a[ab]{40} needs 2^40 DFA states, so re2js falls back to its NFA: ~4 ms per 1 KiB value, about a
        // second for 200 distinct values.
        for (let i = 0; i < 200; i++) {
          await env.store.insertProfile({
            tenant: 'acme',
            kind: 'prof',
            labels: { service: 'many', y: randomAb(1000, i) },
            startTime: Date.UTC(2026, 0, 1) + i,
            endTime: null,
            timeSource: 'parameter',
            program: 'many',
            rtsArguments: [],
            size: 1,
            sha256: createHash('sha256').update(`many-${i}`).digest('hex'),
            uploader: null,
            warnings: [],
            raw: Buffer.from(`${i}`),
          });
        }
        let done = false;
        const costly = get(`/api/v1/profiles?selector=${sel('{y=~"[ab]*a[ab]{40}"}')}`).finally(() => (done = true));
        // /healthz again and again while the query runs: the slowest answer is how long the event loop was held.
        let worstMs = 0;
        const started = performance.now();
        while (!done) {
          const t = performance.now();
          const health = await fetch(`${base}/healthz`);
          assert.equal(health.status, 200);
          worstMs = Math.max(worstMs, performance.now() - t);
        }
        const res = await costly;
        assert.equal(res.status, 200);
        const totalMs = performance.now() - started;
        assert.ok(totalMs > 300, `the query took ${totalMs.toFixed(0)} ms: too fast to show anything`);
        // Held for the whole match, /healthz would wait about as long as the query; in slices, a small part of it
        // (relative, so a loaded machine slows both alike).
        assert.ok(
          worstMs < totalMs / 4,
          `/healthz waited ${worstMs.toFixed(0)} ms while the query ran (${totalMs.toFixed(0)} ms)`
        );
      });

      it('refuses what RE2 does not accept with 400 naming the problem: []| is an unterminated class in RE2', async () => {
        for (const [p, says] of [
          ['[]|(a+)+b', /missing closing \]/],
          ['(a)\\1', /bad regular expression/],
          ['a(?=b)', /bad regular expression/],
          ['x'.repeat(1025), /at most 1024/],
        ] as const) {
          const res = await get(`/api/v1/profiles?selector=${sel(`{x31=~\`${p}\`}`)}`);
          assert.equal(res.status, 400, p);
          const { error } = (await res.json()) as { error: { message: string } };
          assert.match(error.message, says, p);
        }
      });

      it('applies the same engine to query selectors (POST /query/flamegraph)', async () => {
        const res = await fetch(`${base}/api/v1/query/flamegraph`, {
          method: 'POST',
          headers: { ...bearer(env.acme.read), 'content-type': 'application/json' },
          body: JSON.stringify({ selector: `{x=~"(a|a)*b"}` }),
        });
        assert.equal(res.status, 200, await res.clone().text());
        const { frames } = (await res.json()) as {
          frames: Array<{ schema: { meta?: { custom?: { ghcprof?: { profiles?: number } } } } }>;
        };
        assert.equal(frames[0].schema.meta?.custom?.ghcprof?.profiles, 1);
      });
    });
  });
}
