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
import { MAX_MATCHERS } from '../../pkg/api/selector';
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
    const post = (type: string, body: unknown) =>
      fetch(`${base}/api/v1/query/${type}`, {
        method: 'POST',
        headers: { ...bearer(env.acme.read), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

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

    describe('selectors with many matchers', () => {
      const many = (n: number, m: (i: number) => string) => `{${Array.from({ length: n }, (_, i) => m(i)).join(',')}}`;
      const routes = (s: string) => [
        `/api/v1/profiles?selector=${sel(s)}`,
        `/api/v1/labels?selector=${sel(s)}`,
        `/api/v1/labels/service/values?selector=${sel(s)}`,
      ];

      it(`answers ${MAX_MATCHERS} matchers of every kind on every route (SQL stays within the engines' limits)`, async () => {
        const kinds = [(i: number) => `l${i}!="x"`, (i: number) => `x31=~"a{${i % 40},}"`, () => 'service="regex"'];
        const s = many(MAX_MATCHERS, (i) => kinds[i % kinds.length](i));
        for (const route of routes(s)) {
          const res = await get(route);
          assert.equal(res.status, 200, `${route.slice(0, 40)}: ${await res.text()}`);
        }
      });

      it(`refuses more than ${MAX_MATCHERS} matchers with 400 naming the limit (490 used to be a 500 on /labels)`, async () => {
        for (const route of [
          ...routes(many(490, (i) => `a${i % 10}=""`)),
          ...routes(many(MAX_MATCHERS + 1, () => 'a=""')),
        ]) {
          const res = await get(route);
          assert.equal(res.status, 400, route.slice(0, 40));
          const { error } = (await res.json()) as { error: { message: string } };
          assert.match(error.message, new RegExp(`at most ${MAX_MATCHERS} matchers`));
        }
      });
    });

    describe('times beyond the Date range', () => {
      it('answers 400 naming the time, on the list routes and in query bodies', async () => {
        for (const t of [
          '1e300',
          '99999999999999999999999',
          '-99999999999999999999999',
          '8640000000000001',
          'now+300000y',
        ]) {
          for (const route of [
            `/api/v1/profiles?from=${t}`,
            `/api/v1/labels?to=${t}`,
            `/api/v1/labels/x/values?from=${t}`,
          ]) {
            const res = await get(route);
            assert.equal(res.status, 400, `${route}: ${await res.clone().text()}`);
            assert.match(((await res.json()) as { error: { message: string } }).error.message, /time/, route);
          }
        }
        for (const from of [1e300, -1e300, '1e300', 8.64e15 + 1]) {
          const res = await post('profiles', { from, to: 'now' });
          assert.equal(res.status, 400, `${JSON.stringify(from)}: ${await res.clone().text()}`);
        }
        const edge = await get(`/api/v1/profiles?from=-8640000000000000&to=8640000000000000`);
        assert.equal(edge.status, 200, 'the ends of the Date range themselves are fine');
      });
    });

    describe('label names equal to Object.prototype properties', () => {
      const PROTO_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'];

      before(async () => {
        const hp = fixture('leaky.hc.hp');
        for (const [pod, constructor] of [
          ['proto-a', 'c1'],
          ['proto-b', undefined],
        ] as const) {
          const variant = Buffer.from(hp.toString('utf8').replace('JOB "leaky', `JOB "leaky-${pod}`));
          const labels: Record<string, string> = { service: 'proto', pod };
          if (constructor) {
            labels.constructor = constructor;
            labels.toString = 'ts';
          }
          const res = await upload(env, variant, { token: env.acme.write, labels });
          assert.equal(res.statusCode, 201, res.body);
        }
        for (const [file, labels] of [
          ['leaky.prof', { service: 'proto-tree', constructor: 'c1' }],
          ['jsonagg.prof', { service: 'proto-tree' }],
        ] as const) {
          const res = await upload(env, fixture(file), { token: env.other.write, labels });
          assert.equal(res.statusCode, 201, res.body);
        }
      });

      const pods = async (selector: string) => {
        const res = await get(`/api/v1/profiles?selector=${sel(selector)}`);
        assert.equal(res.status, 200, await res.clone().text());
        const { profiles } = (await res.json()) as { profiles: Array<{ labels: Record<string, string> }> };
        return profiles.map((p) => p.labels.pod).sort();
      };

      it('selects on them as on any label: a missing one is "", never a function', async () => {
        assert.deepEqual(await pods('{service="proto",constructor=""}'), ['proto-b']);
        assert.deepEqual(await pods('{service="proto",constructor="c1"}'), ['proto-a']);
        assert.deepEqual(await pods('{service="proto",constructor=~".*native code.*"}'), []);
        assert.deepEqual(await pods('{service="proto",constructor!=""}'), ['proto-a']);
        assert.deepEqual(await pods('{service="proto",hasOwnProperty=""}'), ['proto-a', 'proto-b']);
        assert.deepEqual(await pods('{service="proto",__proto__=""}'), ['proto-a', 'proto-b']);
        assert.deepEqual(await pods('{service="proto",valueOf=~".+"}'), []);
      });

      it('selects on them in flame graphs too, where whole hours come from the rollups', async () => {
        const merged = async (selector: string) => {
          const res = await fetch(`${base}/api/v1/query/flamegraph`, {
            method: 'POST',
            headers: { ...bearer(env.other.read), 'content-type': 'application/json' },
            body: JSON.stringify({ selector, from: 0, to: 'now' }),
          });
          assert.equal(res.status, 200, await res.clone().text());
          const { frames } = (await res.json()) as {
            frames: Array<{ schema: { meta: { custom: { ghcprof: { profiles: number; rollups: number } } } } }>;
          };
          return frames[0].schema.meta.custom.ghcprof;
        };
        const all = await merged('{service="proto-tree"}');
        assert.equal(all.profiles, 2);
        assert.ok(all.rollups > 0, 'the rollups answer this range');
        assert.equal((await merged('{service="proto-tree",constructor=""}')).profiles, 1);
        assert.equal((await merged('{service="proto-tree",constructor=~".*native code.*"}')).profiles, 0);
        assert.equal((await merged('{service="proto-tree",toString!=""}')).profiles, 0);
      });

      it('keeps heap bands named like them (band names come from the file) as ordinary bands', async () => {
        // leaky.hc.hp's MAIN band (9992 bytes in every sample) renamed __proto__, (299)main (32 bytes) constructor.
        const hp = fixture('leaky.hc.hp')
          .toString('utf8')
          .replace(/^MAIN\t/gm, '__proto__\t')
          .replace(/^\(299\)main\t/gm, 'constructor\t')
          .replace(/^\(303\)main\.steps\/main\t/gm, 'toString\t');
        const res = await upload(env, Buffer.from(hp), { token: env.acme.write, labels: { service: 'proto-bands' } });
        assert.equal(res.statusCode, 201, res.body);
        const heap = await post('heap', { selector: '{service="proto-bands"}', topN: 100, from: 0, to: 'now' });
        assert.equal(heap.status, 200, await heap.clone().text());
        const [frame] = (
          (await heap.json()) as {
            frames: Array<{ schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } }>;
          }
        ).frames;
        const column = (name: string) => frame.data.values[frame.schema.fields.findIndex((f) => f.name === name)];
        assert.deepEqual(column('__proto__').slice(1, 4), [9992, 9992, 9992]);
        assert.deepEqual(column('constructor').slice(1, 4), [32, 32, 32]);
        assert.deepEqual(column('toString').slice(1, 4), [16, 16, 16]);
        const leaks = await post('leaks', { selector: '{service="proto-bands"}', topN: 100, from: 0, to: 'now' });
        assert.equal(leaks.status, 200, await leaks.clone().text());
        const [table] = (
          (await leaks.json()) as {
            frames: Array<{ schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } }>;
          }
        ).frames;
        const bands = table.data.values[table.schema.fields.findIndex((f) => f.name === 'band')] as string[];
        const max = table.data.values[table.schema.fields.findIndex((f) => f.name === 'max')] as number[];
        const largest = (re: RegExp) => Math.max(...[...hp.matchAll(re)].map((m) => Number(m[1])));
        assert.equal(max[bands.indexOf('__proto__')], largest(/^__proto__\t(\d+)$/gm));
        assert.equal(max[bands.indexOf('constructor')], largest(/^constructor\t(\d+)$/gm));
      });

      it('refuses __proto__ as an upload label name with 400, as any __ name (it used to vanish silently)', async () => {
        const proto = await env.app.inject({
          method: 'POST',
          url: '/api/v1/profiles?label=__proto__%3Dx&label=service%3Dp',
          headers: { ...bearer(env.acme.write), 'content-type': 'application/octet-stream' },
          payload: fixture('leaky.prof'),
        });
        assert.equal(proto.statusCode, 400, proto.body);
        assert.match(proto.json().error.message, /label name "__proto__"/);
      });

      it('lists them as names and values', async () => {
        const names = (await (await get(`/api/v1/labels?selector=${sel('{service="proto"}')}`)).json()) as {
          names: string[];
        };
        assert.deepEqual(names.names, ['constructor', 'pod', 'service', 'toString']);
        const values = await get(`/api/v1/labels/constructor/values?selector=${sel('{service="proto"}')}`);
        assert.deepEqual(((await values.json()) as { values: string[] }).values, ['c1']);
      });

      it('splits heap and leaks by them: a profile without the label is its own series, no 500', async () => {
        for (const splitBy of PROTO_NAMES) {
          for (const type of ['heap', 'leaks']) {
            const res = await post(type, { selector: '{service="proto"}', splitBy, from: 0, to: 'now' });
            assert.equal(res.status, 200, `${type} by ${splitBy}: ${await res.clone().text()}`);
            const { frames } = (await res.json()) as { frames: Array<{ schema: { name?: string } }> };
            const text = JSON.stringify(frames);
            assert.doesNotMatch(text, /undefined|native code|function/, `${type} by ${splitBy}`);
            if (type === 'heap') {
              const expected =
                splitBy === 'constructor'
                  ? ['heap', 'heap {constructor="c1"}']
                  : splitBy === 'toString'
                    ? ['heap', 'heap {toString="ts"}']
                    : ['heap'];
              assert.deepEqual(frames.map((f) => f.schema.name).sort(), expected, `heap by ${splitBy}`);
            }
          }
        }
      });
    });
  });
}
