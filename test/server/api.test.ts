/**
 * The whole API end to end through app.inject, on every store kind: uploads (idempotent, gzip, partial, append),
 * metadata, raw download, listing, labels, every query type with values checked against the fixture files, delete.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { ProfileMeta } from '../../pkg/api/query';
import {
  bearer,
  columnOf,
  enumTexts,
  fixture,
  query,
  STORE_KINDS,
  stopPostgres,
  type TestEnv,
  testEnv,
  upload,
} from './support';

after(stopPostgres);

// leaky.json.prof: "total_ticks": 1168, "tick_interval": 1000 (µs), "total_alloc": 1724450592,
// "end_time": "Fri Nov 27 13:48 2026", "total_time": 1.17.
const LEAKY_TICKS = 1168;
const LEAKY_ALLOC = 1724450592;
const LEAKY_END = Date.UTC(2026, 10, 27, 13, 48);
// search.json.prof: "total_ticks": 575, "total_alloc": 1850934832.
const SEARCH_TICKS = 575;
const NS_PER_TICK = 1000 * 1000;
const ALL_TIME = { from: 0, to: 'now+1d' };

for (const kind of STORE_KINDS) {
  describe(`API v1 on ${kind}`, () => {
    let env: TestEnv;
    let leaky: ProfileMeta;
    let search: ProfileMeta;

    before(async () => {
      env = await testEnv(kind);
    });
    after(async () => env.close());

    describe('upload', () => {
      it('stores a -pj report: 201, kind detected, start from the artefact, labels kept, uploader recorded', async () => {
        const res = await upload(env, fixture('leaky.json.prof'), {
          token: env.acme.write,
          labels: { service: 'ledger', pod: 'ledger-0', namespace: 'prod', version: '1.2.3' },
          headers: { 'x-grafana-user': 'alice', 'content-type': 'application/json' },
        });
        assert.equal(res.statusCode, 201, res.body);
        leaky = res.json();
        assert.equal(leaky.kind, 'prof-json');
        assert.equal(leaky.program, 'leaky');
        assert.deepEqual(leaky.labels, { service: 'ledger', pod: 'ledger-0', namespace: 'prod', version: '1.2.3' });
        assert.equal(leaky.timeSource, 'artefact');
        assert.equal(leaky.endTime, LEAKY_END);
        assert.equal(leaky.startTime, LEAKY_END - 1170);
        assert.equal(leaky.uploader, 'alice');
        assert.deepEqual(leaky.rtsArguments, ['-A4m', '-pj']);
        assert.equal(leaky.size, fixture('leaky.json.prof').length);
        assert.equal(leaky.sha256, createHash('sha256').update(fixture('leaky.json.prof')).digest('hex'));
        assert.deepEqual(leaky.has, { tree: true, heap: false, rts: false });
        assert.equal(res.headers.location, `/api/v1/profiles/${leaky.id}`);
        assert.ok(res.headers['x-request-id']);
      });

      it('is idempotent on identical bytes: 200 with the same id, plain or gzip-compressed', async () => {
        const again = await upload(env, fixture('leaky.json.prof'), { token: env.acme.write });
        assert.equal(again.statusCode, 200);
        assert.equal(again.json().id, leaky.id);
        const gz = await upload(env, gzipSync(fixture('leaky.json.prof')), {
          token: env.acme.write,
          headers: { 'content-encoding': 'gzip' },
        });
        assert.equal(gz.statusCode, 200);
        assert.equal(gz.json().id, leaky.id);
      });

      it('detects gzip by its magic bytes without Content-Encoding', async () => {
        const res = await upload(env, gzipSync(fixture('search.json.prof')), {
          token: env.acme.write,
          labels: { service: 'search' },
        });
        assert.equal(res.statusCode, 201, res.body);
        search = res.json();
        assert.equal(search.kind, 'prof-json');
        assert.equal(search.size, fixture('search.json.prof').length);
      });

      it('names the service after the program when no service label is given', async () => {
        const res = await upload(env, fixture('pipeline.hc.hp'), {
          token: env.acme.write,
          labels: { pod: 'pipeline-0' },
        });
        assert.equal(res.statusCode, 201, res.body);
        const meta: ProfileMeta = res.json();
        assert.equal(meta.labels.service, 'pipeline');
        assert.equal(meta.kind, 'hp');
        assert.equal(meta.heapMode, 'hc');
        // DATE "Fri Nov 27 13:48 2026"; the last sample (END_SAMPLE) is at 0.814238 s.
        assert.equal(meta.startTime, Date.UTC(2026, 10, 27, 13, 48));
        assert.equal(meta.endTime, Date.UTC(2026, 10, 27, 13, 48) + Math.round(814.238));
      });

      it('takes the start parameter only when the artefact has no time of its own', async () => {
        const undated = Buffer.from(
          fixture('search.hT.hp').toString('utf8').replace('DATE "Fri Nov 27 13:48 2026"', 'DATE "unknown"')
        );
        const start = Date.UTC(2026, 0, 2, 3, 4, 5);
        const withStart = await upload(env, undated, { token: env.acme.write, query: { start: String(start) } });
        assert.equal(withStart.statusCode, 201, withStart.body);
        assert.equal(withStart.json().timeSource, 'parameter');
        assert.equal(withStart.json().startTime, start);
        const ignored = await upload(env, fixture('search.hT.hp'), {
          token: env.acme.write,
          query: { start: String(start) },
        });
        assert.equal(ignored.json().timeSource, 'artefact');
        assert.equal(ignored.json().startTime, Date.UTC(2026, 10, 27, 13, 48));
        const before = Date.now();
        const undatedOther = Buffer.from(undated.toString('utf8').replace('JOB "search"', 'JOB "search2"'));
        const atUpload = await upload(env, undatedOther, { token: env.acme.write });
        assert.equal(atUpload.json().timeSource, 'upload');
        assert.ok(atUpload.json().startTime >= before && atUpload.json().startTime <= Date.now());
      });

      it('refuses labels that break Prometheus naming or the limits (400, nothing stored)', async () => {
        const count = (await env.store.listProfiles('acme', { matchers: [] })).length;
        for (const [labels, needle] of [
          [{ '9lives': 'x' }, 'label name "9lives"'],
          [{ __name__: 'x' }, 'not start with __'],
          [{ service: 'x'.repeat(1025) }, 'longer than 1024'],
        ] as const) {
          const res = await upload(env, fixture('jsonagg.json.prof'), { token: env.acme.write, labels });
          assert.equal(res.statusCode, 400);
          assert.equal(res.json().error.code, 'invalid_label');
          assert.match(res.json().error.message, new RegExp(needle.replace(/[()]/g, '\\$&')));
        }
        const tooMany = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'v']));
        const res = await upload(env, fixture('jsonagg.json.prof'), { token: env.acme.write, labels: tooMany });
        assert.equal(res.statusCode, 400);
        assert.equal((await env.store.listProfiles('acme', { matchers: [] })).length, count);
      });
    });

    describe('read back', () => {
      it('GET /profiles/:id returns the metadata', async () => {
        const res = await env.app.inject({ url: `/api/v1/profiles/${leaky.id}`, headers: bearer(env.acme.read) });
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), leaky);
      });

      it('GET /profiles/:id/raw returns the bytes as uploaded (decompressed)', async () => {
        for (const [meta, file] of [
          [leaky, 'leaky.json.prof'],
          [search, 'search.json.prof'],
        ] as const) {
          const res = await env.app.inject({ url: `/api/v1/profiles/${meta.id}/raw`, headers: bearer(env.acme.read) });
          assert.equal(res.statusCode, 200);
          assert.equal(res.headers['content-type'], 'application/octet-stream');
          assert.match(String(res.headers['content-disposition']), new RegExp(`${meta.id}\\.json"$`));
          assert.ok(res.rawPayload.equals(fixture(file)));
        }
      });

      it('GET /profiles filters by selector, time range and kind', async () => {
        const list = async (qs: string) => {
          const res = await env.app.inject({ url: `/api/v1/profiles?${qs}`, headers: bearer(env.acme.read) });
          assert.equal(res.statusCode, 200, res.body);
          return (res.json().profiles as ProfileMeta[]).map((p) => p.id);
        };
        assert.deepEqual(await list(`selector=${encodeURIComponent('{service="ledger"}')}`), [leaky.id]);
        assert.deepEqual(
          await list(`selector=${encodeURIComponent('{service=~"led.*|search"}')}&kind=prof-json`).then((l) =>
            l.sort()
          ),
          [leaky.id, search.id].sort()
        );
        assert.deepEqual(await list(`selector=${encodeURIComponent('{service="nobody"}')}`), []);
        assert.deepEqual(await list(`kind=eventlog`), []);
        // The run ended at 13:48:00; a range that closes a minute before it starts excludes it.
        assert.deepEqual(
          await list(`selector=${encodeURIComponent('{service="ledger"}')}&from=0&to=${LEAKY_END - 61_000}`),
          []
        );
        assert.deepEqual(
          await list(`selector=${encodeURIComponent('{service="ledger"}')}&from=${LEAKY_END - 500}&to=now`),
          [leaky.id]
        );
        assert.equal((await list('limit=2')).length, 2);
      });

      it('answers a bad selector or time with 400 naming the problem', async () => {
        const res = await env.app.inject({
          url: `/api/v1/profiles?selector=${encodeURIComponent('{service=}')}`,
          headers: bearer(env.acme.read),
        });
        assert.equal(res.statusCode, 400);
        assert.match(res.json().error.message, /selector/);
        const time = await env.app.inject({ url: '/api/v1/profiles?from=yesterday', headers: bearer(env.acme.read) });
        assert.equal(time.statusCode, 400);
        assert.match(time.json().error.message, /invalid time "yesterday"/);
      });

      it('lists label names and values, optionally under a selector', async () => {
        const names = await env.app.inject({ url: '/api/v1/labels', headers: bearer(env.acme.read) });
        assert.equal(names.statusCode, 200);
        for (const n of ['service', 'pod', 'namespace', 'version']) {
          assert.ok(names.json().names.includes(n), `label ${n} in ${names.body}`);
        }
        const values = await env.app.inject({ url: '/api/v1/labels/service/values', headers: bearer(env.acme.read) });
        assert.deepEqual(values.json(), { name: 'service', values: ['ledger', 'pipeline', 'search', 'search2'] });
        const scoped = await env.app.inject({
          url: `/api/v1/labels/pod/values?selector=${encodeURIComponent('{service="ledger"}')}`,
          headers: bearer(env.acme.read),
        });
        assert.deepEqual(scoped.json().values, ['ledger-0']);
        const bad = await env.app.inject({ url: '/api/v1/labels/9x/values', headers: bearer(env.acme.read) });
        assert.equal(bad.statusCode, 400);
      });

      it('auth/check names the tenant and scope of the token', async () => {
        const res = await env.app.inject({ url: '/api/v1/auth/check', headers: bearer(env.acme.write) });
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().tenant, 'acme');
        assert.equal(res.json().scope, 'write');
        assert.equal(res.json().tokenName, 'acme-write');
      });
    });

    describe('queries', () => {
      it('flamegraph: total time and allocation of leaky.json.prof at the root', async () => {
        for (const [metric, total, unit] of [
          ['time', LEAKY_TICKS * NS_PER_TICK, 'ns'],
          ['alloc', LEAKY_ALLOC, 'bytes'],
        ] as const) {
          const res = await query(env, 'flamegraph', { selector: '{service="ledger"}', ...ALL_TIME, metric });
          assert.equal(res.statusCode, 200, res.body);
          const [frame] = res.json().frames;
          assert.equal(frame.schema.meta.preferredVisualisationType, 'flamegraph');
          assert.equal(columnOf(frame, 'level')[0], 0);
          assert.equal(columnOf(frame, 'value')[0], total);
          assert.equal(enumTexts(frame, 'label')[0], 'MAIN.MAIN');
          assert.equal(frame.schema.fields.find((f: { name: string }) => f.name === 'value').config.unit, unit);
        }
      });

      it('flamegraph by entries: the root holds every call the -pj report counts', async () => {
        type PjNode = { entries: number; children: PjNode[] };
        const sum = (n: PjNode): number => n.entries + n.children.reduce((acc, c) => acc + sum(c), 0);
        const calls = sum((JSON.parse(fixture('leaky.json.prof').toString('utf8')) as { profile: PjNode }).profile);
        const res = await query(env, 'flamegraph', { profileIds: [leaky.id], metric: 'entries' });
        const [frame] = res.json().frames;
        assert.equal(columnOf(frame, 'value')[0], calls);
        assert.equal(frame.schema.fields.find((f: { name: string }) => f.name === 'value').config.unit, 'short');
      });

      it('flamegraph merges every selected profile and prunes to maxNodes, keeping the function table exact', async () => {
        const full = (await query(env, 'flamegraph', { selector: '{service=~"ledger|search"}', ...ALL_TIME })).json()
          .frames[0];
        assert.equal(columnOf(full, 'value')[0], (LEAKY_TICKS + SEARCH_TICKS) * NS_PER_TICK);
        // The range covers whole hours: the store's hourly rollups stand in for the profiles, same totals.
        assert.equal(full.schema.meta.custom.ghcprof.profiles, 2);
        assert.ok(full.schema.meta.custom.ghcprof.rollups >= 1);
        // A range that covers the runs' hour only in part reads the profiles' own trees.
        const partial = (
          await query(env, 'flamegraph', {
            selector: '{service=~"ledger|search"}',
            from: LEAKY_END - 5000,
            to: LEAKY_END + 5000,
          })
        ).json().frames[0];
        assert.equal(partial.schema.meta.custom.ghcprof.rollups, 0);
        assert.equal(columnOf(partial, 'value')[0], (LEAKY_TICKS + SEARCH_TICKS) * NS_PER_TICK);
        const res = await query(env, 'flamegraph', { profileIds: [leaky.id, search.id], maxNodes: 20 });
        const pruned = res.json().frames[0];
        assert.ok(columnOf(pruned, 'level').length <= 20);
        assert.ok((columnOf(pruned, 'truncated') as boolean[]).some(Boolean));
        assert.equal(columnOf(pruned, 'value')[0], (LEAKY_TICKS + SEARCH_TICKS) * NS_PER_TICK);
        const table = pruned.schema.meta.custom.functionTable;
        assert.ok(table.rows.length > 20, `function table from the unpruned tree: ${table.rows.length} rows`);
        assert.equal(table.total, (LEAKY_TICKS + SEARCH_TICKS) * NS_PER_TICK);
        assert.equal(pruned.schema.meta.custom.ghcprof.profiles, 2);
      });

      it('flamegraph of nothing is still a frame with the four fields', async () => {
        const res = await query(env, 'flamegraph', { selector: '{service="nobody"}' });
        const [frame] = res.json().frames;
        for (const f of ['level', 'value', 'self', 'label']) {
          assert.ok(columnOf(frame, f));
        }
        assert.equal(columnOf(frame, 'value')[0], 0);
      });

      it('diff: the left side in value/self, the right side in valueRight/selfRight', async () => {
        const res = await query(env, 'diff', {
          left: { profileIds: [search.id] },
          right: { selector: '{service="ledger"}', ...ALL_TIME },
          metric: 'time',
        });
        assert.equal(res.statusCode, 200, res.body);
        const [frame] = res.json().frames;
        assert.equal(columnOf(frame, 'value')[0], SEARCH_TICKS * NS_PER_TICK);
        assert.equal(columnOf(frame, 'valueRight')[0], LEAKY_TICKS * NS_PER_TICK);
        assert.ok(columnOf(frame, 'selfRight'));
      });

      it('top: cost centres by self value, largest first, self values summing to the total', async () => {
        const res = await query(env, 'top', { profileIds: [leaky.id], metric: 'alloc', limit: 100000 });
        assert.equal(res.statusCode, 200, res.body);
        const [frame] = res.json().frames;
        const self = columnOf(frame, 'self') as number[];
        assert.deepEqual(
          [...self].sort((a, b) => b - a),
          self
        );
        assert.equal(
          self.reduce((a, b) => a + b, 0),
          LEAKY_ALLOC
        );
        const limited = (await query(env, 'top', { profileIds: [leaky.id], limit: 3 })).json().frames[0];
        assert.equal(columnOf(limited, 'function').length, 3);
      });

      it('profiles: a table row per selected profile', async () => {
        const res = await query(env, 'profiles', { selector: '{service=~"ledger|search"}', ...ALL_TIME });
        const [frame] = res.json().frames;
        const ids = columnOf(frame, 'id') as string[];
        const stored = await env.store.listProfiles('acme', {
          matchers: [{ name: 'service', op: '=~', value: 'ledger|search' }],
        });
        assert.deepEqual([...ids].sort(), stored.map((p) => p.id).sort());
        assert.ok(ids.includes(leaky.id) && ids.includes(search.id));
        assert.ok((columnOf(frame, 'labels') as string[]).every((l) => /service="(ledger|search)"/.test(l)));
      });

      it('annotations: a region per profile over its run', async () => {
        const res = await query(env, 'annotations', { selector: '{service="ledger"}', ...ALL_TIME });
        const [frame] = res.json().frames;
        assert.equal(frame.schema.meta.dataTopic, 'annotations');
        assert.deepEqual(columnOf(frame, 'time'), [leaky.startTime]);
        assert.deepEqual(columnOf(frame, 'timeEnd'), [leaky.endTime]);
        assert.deepEqual(columnOf(frame, 'isRegion'), [true]);
      });

      it('heap: samples on the wall clock (start + sample time), overlapping pods kept apart', async () => {
        // Two uploads of leaky's -hc run under two pods: same times, so summing them would double every value.
        const hp = fixture('leaky.hc.hp');
        const a = (
          await upload(env, hp, { token: env.acme.write, labels: { service: 'heapy', pod: 'heapy-a' } })
        ).json();
        const variant = Buffer.from(hp.toString('utf8').replace('JOB "leaky 400000', 'JOB "leaky 400001'));
        const b = (
          await upload(env, variant, { token: env.acme.write, labels: { service: 'heapy', pod: 'heapy-b' } })
        ).json();
        assert.equal(a.startTime, b.startTime);
        const res = await query(env, 'heap', { selector: '{service="heapy"}', ...ALL_TIME, topN: 3 });
        assert.equal(res.statusCode, 200, res.body);
        const frames = res.json().frames;
        assert.equal(frames.length, 2);
        assert.deepEqual(
          frames.map(
            (f: { schema: { fields: Array<{ labels?: Record<string, string> }> } }) => f.schema.fields[1].labels?.pod
          ),
          ['heapy-a', 'heapy-b']
        );
        const times = columnOf(frames[0], 'time') as number[];
        // leaky.hc.hp: 37 samples (BEGIN_SAMPLE 0.000000 ... 0.762728).
        assert.equal(times.length, 37);
        assert.equal(times[0], a.startTime);
        assert.equal(times.at(-1), a.startTime + 762.728);
        assert.equal(frames[0].schema.fields.length, 1 + 3 + 1, 'time, top 3 bands, other');
        assert.deepEqual(frames[0].data.values.slice(1), frames[1].data.values.slice(1));
      });

      it('heap keeps profiles of different -h modes apart and filters by mode', async () => {
        await upload(env, fixture('leaky.hy.hp'), {
          token: env.acme.write,
          labels: { service: 'heapy', pod: 'heapy-a' },
        });
        const mixed = (await query(env, 'heap', { selector: '{service="heapy"}', ...ALL_TIME })).json().frames;
        assert.equal(mixed.length, 3);
        const onlyHy = (await query(env, 'heap', { selector: '{service="heapy"}', ...ALL_TIME, mode: 'hy' })).json()
          .frames;
        assert.equal(onlyHy.length, 1);
        assert.equal(onlyHy[0].schema.meta.custom.ghcprof.mode, 'hy');
      });

      it('leaks: one row per band and pod with slope and integrated size', async () => {
        const res = await query(env, 'leaks', { selector: '{service="heapy"}', ...ALL_TIME, mode: 'hc', topN: 5 });
        assert.equal(res.statusCode, 200, res.body);
        const [frame] = res.json().frames;
        const slopes = columnOf(frame, 'slope') as number[];
        assert.equal(slopes.length, 2 * 6, '5 bands + other, for each of 2 pods');
        assert.deepEqual(
          [...slopes].sort((x, y) => y - x),
          slopes
        );
        assert.ok((columnOf(frame, 'integrated') as number[]).every((v) => v >= 0));
        // eventlog2html's evidence: R² of each fit and the band's standard deviation; steady = rising with R² >= 0.8.
        const r2 = columnOf(frame, 'r2') as number[];
        assert.ok(
          r2.every((v) => v >= 0 && v <= 1),
          String(r2)
        );
        assert.ok((columnOf(frame, 'stddev') as number[]).some((v) => v > 0));
        assert.equal(frame.schema.meta.custom.ghcprof.minR2, 0.8);
        assert.deepEqual(
          columnOf(frame, 'steady'),
          slopes.map((slope, i) => slope > 0 && r2[i] >= 0.8)
        );
        const lenient = (
          await query(env, 'leaks', { selector: '{service="heapy"}', ...ALL_TIME, mode: 'hc', topN: 5, minR2: 0 })
        ).json().frames[0];
        assert.deepEqual(
          columnOf(lenient, 'steady'),
          slopes.map((slope) => slope > 0)
        );
      });

      it('rejects an invalid query body with 400 naming the field', async () => {
        const res = await query(env, 'flamegraph', { metric: 'cpu' });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error.code, 'invalid_request');
        assert.match(res.json().error.message, /metric/);
        const ids = await query(env, 'flamegraph', { profileIds: ['no-such-profile'] });
        assert.equal(ids.statusCode, 404);
      });

      it('relative time ranges select by the run time', async () => {
        const far = await query(env, 'profiles', { selector: '{service="ledger"}', from: 'now-100y', to: 'now' });
        assert.equal(columnOf(far.json().frames[0], 'id').length, 1);
        const future = await query(env, 'profiles', { selector: '{service="ledger"}', from: 'now+1d', to: 'now+2d' });
        assert.equal(columnOf(future.json().frames[0], 'id').length, 0);
      });
    });

    describe('append (growing .hp)', () => {
      const full = fixture('search.hc.hp');
      // Cut right after an END_SAMPLE line: the first part is a valid, shorter .hp.
      const cut = full.indexOf('END_SAMPLE', full.length / 2);
      const firstEnd = full.indexOf('\n', cut) + 1;
      let id: string;

      it('a first piece that ends early is refused without partial=true and stored with it', async () => {
        const refused = await upload(env, full.subarray(0, firstEnd + 5), {
          token: env.acme.write,
          labels: { service: 'grow' },
        });
        assert.equal(refused.statusCode, 422);
        assert.equal(refused.json().error.code, 'truncated_artefact');
        const res = await upload(env, full.subarray(0, firstEnd), {
          token: env.acme.write,
          labels: { service: 'grow' },
          query: { partial: 'true' },
        });
        assert.equal(res.statusCode, 201, res.body);
        id = res.json().id;
      });

      it('appends at an offset, re-parses into the stored profile, and is idempotent', async () => {
        const append = (body: Buffer, offset?: number) =>
          env.app.inject({
            method: 'POST',
            url: `/api/v1/profiles/${id}/append${offset === undefined ? '' : `?offset=${offset}`}`,
            headers: { ...bearer(env.acme.write), 'content-type': 'application/octet-stream' },
            payload: body,
          });
        const res = await append(full.subarray(firstEnd), firstEnd);
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().changed, true);
        assert.equal(res.json().storedBytes, full.length);
        assert.equal(res.json().profile.id, id, 'the store replaces the profile in place');
        assert.equal(res.json().profile.labels.service, 'grow');
        const raw = await env.app.inject({ url: `/api/v1/profiles/${id}/raw`, headers: bearer(env.acme.read) });
        assert.ok(raw.rawPayload.equals(full));
        // search.hc.hp holds 30 samples.
        const heap = (await query(env, 'heap', { profileIds: [id] })).json().frames[0];
        assert.equal(columnOf(heap, 'time').length, 30);
        const again = await append(full.subarray(firstEnd), firstEnd);
        assert.equal(again.statusCode, 200);
        assert.equal(again.json().changed, false);
        assert.equal(again.json().profile.id, id);
        const whole = await append(full);
        assert.equal(whole.json().changed, false);
        const gap = await append(Buffer.from('x'), full.length + 10);
        assert.equal(gap.statusCode, 409);
        assert.equal(gap.json().error.details.storedBytes, full.length);
        const list = await env.store.listProfiles('acme', { matchers: [{ name: 'service', op: '=', value: 'grow' }] });
        assert.deepEqual(
          list.map((p) => p.id),
          [id]
        );
      });

      it('refuses to append to a report (only .hp and .eventlog grow)', async () => {
        const res = await env.app.inject({
          method: 'POST',
          url: `/api/v1/profiles/${leaky.id}/append?offset=0`,
          headers: bearer(env.acme.write),
          payload: fixture('leaky.json.prof'),
        });
        assert.equal(res.statusCode, 409);
      });
    });

    describe('delete', () => {
      it('removes metadata, bytes and data (admin), then 404 everywhere', async () => {
        const res = await env.app.inject({
          method: 'DELETE',
          url: `/api/v1/profiles/${search.id}`,
          headers: { ...bearer(env.acme.admin), 'x-grafana-user': 'bob' },
        });
        assert.equal(res.statusCode, 204);
        for (const url of [`/api/v1/profiles/${search.id}`, `/api/v1/profiles/${search.id}/raw`]) {
          assert.equal((await env.app.inject({ url, headers: bearer(env.acme.read) })).statusCode, 404);
        }
        assert.equal((await query(env, 'flamegraph', { profileIds: [search.id] })).statusCode, 404);
        const again = await env.app.inject({
          method: 'DELETE',
          url: `/api/v1/profiles/${search.id}`,
          headers: bearer(env.acme.admin),
        });
        assert.equal(again.statusCode, 404);
        assert.equal(again.json().error.code, 'not_found');
      });

      it('the audit log holds uploads, appends and deletes with the Grafana user and the token', async () => {
        const audit = await env.store.listAudit('acme', 1000);
        const tokens = await env.store.listTokens('acme');
        const tokenName = (id: string | null) => tokens.find((t) => t.id === id)?.name;
        const upload = audit.find((e) => e.action === 'upload' && e.profileId === leaky.id)!;
        assert.equal(upload.user, 'alice');
        assert.equal(tokenName(upload.tokenId), 'acme-write');
        const deletion = audit.find((e) => e.action === 'delete' && e.profileId === search.id)!;
        assert.equal(deletion.user, 'bob');
        assert.equal(tokenName(deletion.tokenId), 'acme-admin');
        assert.ok(audit.some((e) => e.action === 'append'));
        assert.ok((await env.store.listAudit('other', 1000)).every((e) => e.action === 'token.create'));
      });
    });

    describe('limits', () => {
      it('413 for a body over the limit and for a gzip bomb (bounded by the decompressed size)', async () => {
        const small = await testEnv(kind, { maxUploadBytes: 64 * 1024 });
        try {
          const big = await upload(small, Buffer.alloc(65 * 1024, 'a'), { token: small.acme.write });
          assert.equal(big.statusCode, 413);
          // 16 MiB of zeros compress to ~16 KiB: under the wire limit, far over the decompressed one.
          const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024));
          assert.ok(bomb.length < 64 * 1024);
          const res = await upload(small, bomb, { token: small.acme.write, headers: { 'content-encoding': 'gzip' } });
          assert.equal(res.statusCode, 413);
          assert.equal(res.json().error.code, 'payload_too_large');
          assert.deepEqual(await small.store.listProfiles('acme', { matchers: [] }), []);
        } finally {
          await small.close();
        }
      });

      it('429 with Retry-After once a token spends its budget; other tokens unaffected', async () => {
        const limited = await testEnv(kind, { rateLimitMax: 3, rateLimitWindowMs: 60_000 });
        try {
          const check = (token: string) => limited.app.inject({ url: '/api/v1/auth/check', headers: bearer(token) });
          for (let i = 0; i < 3; i++) {
            assert.equal((await check(limited.acme.read)).statusCode, 200);
          }
          const res = await check(limited.acme.read);
          assert.equal(res.statusCode, 429);
          assert.equal(res.json().error.code, 'rate_limited');
          assert.ok(Number(res.headers['retry-after']) > 0);
          assert.equal((await check(limited.acme.write)).statusCode, 200);
        } finally {
          await limited.close();
        }
      });
    });

    describe('health and metrics', () => {
      it('/healthz, /readyz and /metrics answer without a token', async () => {
        assert.deepEqual((await env.app.inject({ url: '/healthz' })).json(), { status: 'ok' });
        assert.deepEqual((await env.app.inject({ url: '/readyz' })).json(), { status: 'ready' });
        const metrics = await env.app.inject({ url: '/metrics' });
        assert.equal(metrics.statusCode, 200);
        assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
        assert.match(metrics.body, /^ghcprof_uploads_total\{kind="prof-json",result="created"\} \d+$/m);
        assert.match(
          metrics.body,
          /^ghcprof_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/query\/flamegraph",status="200"\} \d+$/m
        );
        assert.match(metrics.body, /^ghcprof_parse_errors_total\{status="422"\} \d+$/m);
        assert.match(metrics.body, /^ghcprof_store_size_bytes [1-9]\d*$/m);
      });
    });
  });
}
