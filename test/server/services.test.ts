/**
 * The services overview query (POST /api/v1/query/services) on every store kind: one row per service label value,
 * counts and newest profile from what was uploaded, the leak indicator checked against a least-squares fit computed
 * in the test from the `.hp` censuses, and another tenant's token sees none of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProfileMeta } from '../../pkg/api/query';
import { steepestHeapBand } from '../support/hpFacts';
import { columnOf, fixture, query, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

const ALL_TIME = { from: 0, to: 'now+1d' };

for (const kind of STORE_KINDS) {
  describe(`services query on ${kind}`, () => {
    let env: TestEnv;
    const stored: Record<string, ProfileMeta> = {};

    before(async () => {
      env = await testEnv(kind);
      const put = async (name: string, file: string, labels: Record<string, string>) => {
        const res = await upload(env, fixture(file), { token: env.acme.write, labels });
        assert.ok(res.statusCode === 201, res.body);
        stored[name] = res.json();
      };
      await put('leakyHeap', 'leaky.hc.hp', { service: 'leaky', pod: 'leaky-1' });
      await put('searchHeap', 'search.hc.hp', { service: 'search', pod: 'search-1' });
      await put('searchProf', 'search.prof', { service: 'search', pod: 'search-1' });
      await put('searchRun2', 'search.eventlog-run.prof', { service: 'search', pod: 'search-2' });
      // Uploaded without a service label: ingest names the service after the program (jsonagg).
      await put('jsonagg', 'jsonagg.prof', { pod: 'x' });
    });
    after(async () => env.close());

    it('one row per service, the leaky one first by slope, with counts and the newest profile', async () => {
      const res = await query(env, 'services', { ...ALL_TIME });
      assert.equal(res.statusCode, 200, res.body);
      const [frame] = res.json().frames;
      assert.equal(frame.schema.name, 'services');
      // By slope: leaky's steepest band grows faster than search's; jsonagg has no heap profile, so it comes last.
      assert.deepEqual(columnOf(frame, 'service'), ['leaky', 'search', 'jsonagg']);
      assert.deepEqual(columnOf(frame, 'profiles'), [1, 3, 1]);
      assert.deepEqual(columnOf(frame, 'pods'), [1, 2, 1]);
      const searchNewest = [stored.searchHeap, stored.searchProf, stored.searchRun2].reduce((a, b) =>
        b.startTime > a.startTime ? b : a
      );
      assert.deepEqual(columnOf(frame, 'newestId'), [stored.leakyHeap.id, searchNewest.id, stored.jsonagg.id]);
      assert.deepEqual(columnOf(frame, 'newestKind'), ['hp', searchNewest.kind, 'prof']);
      assert.deepEqual(columnOf(frame, 'newestTime').slice(0, 2), [stored.leakyHeap.startTime, searchNewest.startTime]);
    });

    it('leak indicator: the steepest band, its slope and R² as a least-squares fit of the .hp censuses gives them', async () => {
      const [frame] = (await query(env, 'services', { ...ALL_TIME })).json().frames;
      for (const [i, file] of [
        [0, 'leaky.hc.hp'],
        [1, 'search.hc.hp'],
      ] as const) {
        const expected = steepestHeapBand(file);
        assert.equal(columnOf(frame, 'leakBand')[i], expected.band, file);
        assert.ok(Math.abs((columnOf(frame, 'leakSlope')[i] as number) - expected.slope) < 1e-6 * expected.slope);
        assert.ok(Math.abs((columnOf(frame, 'leakR2')[i] as number) - expected.r2) < 1e-9, file);
        assert.equal(columnOf(frame, 'leakSteady')[i], expected.r2 >= 0.8, file);
      }
      assert.deepEqual(columnOf(frame, 'leakSeries'), ['{pod="leaky-1"}', '{pod="search-1"}', null]);
      const lenient = (await query(env, 'services', { ...ALL_TIME, minR2: 0 })).json().frames[0];
      assert.deepEqual(columnOf(lenient, 'leakSteady'), [true, true, null]);
    });

    it('a service without heap profiles has no leak cells; the selector and range narrow the rows', async () => {
      const [frame] = (
        await query(env, 'services', { selector: '{service="search",pod="search-2"}', ...ALL_TIME })
      ).json().frames;
      assert.deepEqual(columnOf(frame, 'service'), ['search']);
      assert.deepEqual(columnOf(frame, 'profiles'), [1]);
      assert.deepEqual(columnOf(frame, 'leakBand'), [null]);
      assert.deepEqual(columnOf(frame, 'leakSlope'), [null]);
      const future = (await query(env, 'services', { from: 'now+1d', to: 'now+2d' })).json().frames[0];
      assert.deepEqual(columnOf(future, 'service'), []);
    });

    it("another tenant's token sees no service of this one", async () => {
      const res = await query(env, 'services', { ...ALL_TIME }, env.other.read);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(columnOf(res.json().frames[0], 'service'), []);
    });

    it('rejects a bad threshold with 400 naming the field', async () => {
      const res = await query(env, 'services', { ...ALL_TIME, minR2: 2 });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().error.message, /minR2/);
    });
  });
}
