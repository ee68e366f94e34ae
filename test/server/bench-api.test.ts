/**
 * Benchmark results through the whole API on both stores: uploads of criterion and tasty-bench files as `bench`
 * artefacts, the benchmarks and benchCompare queries and the benchmark-name route, with tenancy and scopes as for
 * profiles. Expected values come from the fixture files (pkg/formats/bench/__tests__/expected.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { DataFrameJSON } from '../../pkg/api/dataframe';
import type { ProfileMeta } from '../../pkg/api/query';
import {
  criterionCsv,
  criterionJson,
  type Expected,
  expectedFromCriterionJson,
  expectedFromTastyCsv,
  TASTY_FILES,
} from '../../pkg/formats/bench/__tests__/expected';
import { bearer, columnOf, query, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

const T0 = Date.UTC(2026, 10, 20, 12, 0);
const HOUR = 3_600_000;
const RANGE = { from: T0 - HOUR, to: T0 + 10 * HOUR };

const v1 = expectedFromCriterionJson(criterionJson('v1'));
const v2 = expectedFromCriterionJson(criterionJson('v2'));

function expectedRows(oldList: Expected[], newList: Expected[]) {
  const olds = new Map(oldList.map((b) => [b.name, b]));
  return newList.map((n) => {
    const o = olds.get(n.name)!;
    const ratio = n.mean / o.mean;
    return {
      name: n.name,
      old: o.mean,
      new: n.mean,
      ratio,
      change: (ratio - 1) * 100,
      significant: n.meanLower > o.meanUpper || n.meanUpper < o.meanLower,
    };
  });
}

function rowsOf(frame: DataFrameJSON) {
  const [name, old, nw, ratio, change, significant] = ['name', 'old', 'new', 'ratio', 'change', 'significant'].map(
    (f) => columnOf(frame, f)
  );
  return name.map((n, i) => ({
    name: n,
    old: old[i],
    new: nw[i],
    ratio: ratio[i],
    change: change[i],
    significant: significant[i],
  }));
}

for (const kind of STORE_KINDS) {
  describe(`bench API on ${kind}`, () => {
    let env: TestEnv;
    const stored: ProfileMeta[] = [];

    const put = async (file: string, labels: Record<string, string>, start: number, token?: string) => {
      const res = await upload(env, readFileSync(file), {
        token: token ?? env.acme.write,
        labels,
        query: { start: String(start) },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as ProfileMeta;
    };

    before(async () => {
      env = await testEnv(kind);
    });
    after(async () => env.close());

    it('uploads criterion and tasty-bench results as bench artefacts, placed at the given start, labels kept', async () => {
      stored.push(await put(criterionJson('v1'), { suite: 'demo', version: 'v1', branch: 'main' }, T0));
      stored.push(await put(criterionJson('v2'), { suite: 'demo', version: 'v2', branch: 'main' }, T0 + HOUR));
      stored.push(await put(TASTY_FILES[0], { suite: 'fibo', version: 'v1' }, T0));
      for (const m of stored) assert.equal(m.kind, 'bench');
      assert.equal(stored[1].startTime, T0 + HOUR);
      assert.deepEqual(stored[1].labels, { suite: 'demo', version: 'v2', branch: 'main' });
      // the other tenant holds a result of the same suite: never visible to acme
      await put(criterionCsv('v1'), { suite: 'demo', version: 'v9' }, T0 + 2 * HOUR, env.other.write);
    });

    it('scopes as for profiles: a read token cannot upload, no token cannot query', async () => {
      const res = await upload(env, readFileSync(TASTY_FILES[1]), { token: env.acme.read });
      assert.equal(res.statusCode, 403);
      const anon = await env.app.inject({ method: 'POST', url: '/api/v1/query/benchmarks', payload: {} });
      assert.equal(anon.statusCode, 401);
    });

    it("benchmarks: one series per benchmark, mean/lower/upper at each result's time, exactly the files' values", async () => {
      const res = await query(env, 'benchmarks', { selector: '{suite="demo"}', ...RANGE });
      assert.equal(res.statusCode, 200, res.body);
      const frames: DataFrameJSON[] = res.json().frames;
      assert.deepEqual(frames.map((f) => f.schema.name).sort(), v1.map((b) => b.name).sort());
      for (const f of frames) {
        const [a, b] = [v1.find((x) => x.name === f.schema.name)!, v2.find((x) => x.name === f.schema.name)!];
        assert.deepEqual(columnOf(f, 'time'), [T0, T0 + HOUR]);
        assert.deepEqual(columnOf(f, 'mean'), [a.mean, b.mean]);
        assert.deepEqual(columnOf(f, 'lower'), [a.meanLower, b.meanLower]);
        assert.deepEqual(columnOf(f, 'upper'), [a.meanUpper, b.meanUpper]);
        assert.deepEqual(columnOf(f, 'version'), ['v1', 'v2']);
        assert.deepEqual(f.schema.fields[1].labels, { benchmark: f.schema.name, suite: 'demo' });
        assert.equal(f.schema.fields[1].config.unit, 's');
      }
    });

    it('benchmarks: the benchmark regex (RE2, anchored) keeps the matching ones; a bad one is a 400', async () => {
      const res = await query(env, 'benchmarks', { ...RANGE, benchmark: 'sort/.*' });
      assert.deepEqual(
        res
          .json()
          .frames.map((f: DataFrameJSON) => f.schema.name)
          .sort(),
        ['sort/insertion', 'sort/library']
      );
      const tasty = await query(env, 'benchmarks', { ...RANGE, benchmark: 'All\\.Fibonacci numbers\\..*' });
      const fibo = expectedFromTastyCsv(TASTY_FILES[0]);
      assert.deepEqual(
        tasty.json().frames.map((f: DataFrameJSON) => columnOf(f, 'mean')[0]),
        fibo.map((b) => b.mean)
      );
      const bad = await query(env, 'benchmarks', { ...RANGE, benchmark: '(' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /benchmark: bad regular expression/);
    });

    it('benchmarks by version: a table, one row per version in time order, a column per benchmark', async () => {
      const res = await query(env, 'benchmarks', { selector: '{suite="demo"}', ...RANGE, by: 'version' });
      const [table] = res.json().frames as DataFrameJSON[];
      assert.deepEqual(columnOf(table, 'version'), ['v1', 'v2']);
      for (const b of v1) {
        assert.deepEqual(columnOf(table, b.name), [b.mean, v2.find((x) => x.name === b.name)!.mean]);
      }
    });

    it('benchCompare: rows and geometric mean as computed from the two files; geomean in meta and a last row', async () => {
      const res = await query(env, 'benchCompare', {
        left: { selector: '{suite="demo",version="v1"}', ...RANGE },
        right: { selector: '{suite="demo",version="v2"}', ...RANGE },
      });
      assert.equal(res.statusCode, 200, res.body);
      const [frame] = res.json().frames as DataFrameJSON[];
      const rows = rowsOf(frame);
      const want = expectedRows(v1, v2);
      assert.deepEqual(rows.slice(0, -1), want);
      const geomean = Math.exp(want.reduce((s, r) => s + Math.log(r.ratio), 0) / want.length);
      const last = rows.at(-1)!;
      assert.equal(last.name, 'geometric mean');
      assert.ok(Math.abs((last.ratio as number) - geomean) < 1e-12 * geomean);
      assert.equal((frame.schema.meta!.custom!.ghcprof as { geomean: number }).geomean, last.ratio);
      assert.ok(rows.find((r) => r.name === 'sort/insertion')!.significant, 'the real regression is significant');
    });

    it('benchCompare: a selection holding several results of a benchmark uses the newest', async () => {
      // v1's CSV (v1's values) uploaded as a newer result of v2: the right side now holds v1's values
      await put(criterionCsv('v1'), { suite: 'demo', version: 'v2', rerun: '1' }, T0 + 3 * HOUR);
      const res = await query(env, 'benchCompare', {
        left: { selector: '{suite="demo",version="v1"}', ...RANGE },
        right: { selector: '{suite="demo",version="v2"}', ...RANGE },
      });
      const rows = rowsOf(res.json().frames[0]);
      assert.deepEqual(
        rows.map((r) => r.ratio),
        [...v1.map(() => 1), 1]
      );
      assert.ok(rows.slice(0, -1).every((r) => r.significant === false));
    });

    it('benchmark names: the picker route lists the names of the selected results, per tenant', async () => {
      const names = async (token: string, selector = '') =>
        (
          await env.app.inject({
            method: 'GET',
            url: `/api/v1/benchmarks/names?selector=${encodeURIComponent(selector)}&from=${RANGE.from}&to=${RANGE.to}`,
            headers: bearer(token),
          })
        ).json().names as string[];
      assert.deepEqual(await names(env.acme.read, '{suite="demo"}'), v1.map((b) => b.name).sort());
      assert.deepEqual(
        await names(env.acme.read),
        [...v1.map((b) => b.name), ...expectedFromTastyCsv(TASTY_FILES[0]).map((b) => b.name)].sort()
      );
      // tenant other: only its own upload (v1's CSV), and no acme version label leaks into its queries
      assert.deepEqual(await names(env.other.read), v1.map((b) => b.name).sort());
      const theirs = await query(env, 'benchmarks', { ...RANGE, by: 'version' }, env.other.read);
      assert.deepEqual(columnOf(theirs.json().frames[0], 'version'), ['v9']);
    });
  });
}
