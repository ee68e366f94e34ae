/**
 * Hourly tree rollups and retention, on both backends: merging what getTreesForQuery returns must give exactly the
 * merge of every selected profile's own tree, whatever was inserted and deleted before.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatSelector, parseSelector } from '../api/selector';
import { mergeTrees } from '../model/tree';
import type { CallTree, ProfileKind, TreeNode } from '../model/types';
import { coveredHours, ROLLUP_BUCKET_MS } from './rollups';
import { openSqlStore } from './index';
import { SqlStore } from './sql-store';
import type { ProfileFilter, TreeQueryResult } from './store';
import { BACKENDS, driverOf, newProfile, sampleTree, useStore } from './__tests__/backends';

const H = ROLLUP_BUCKET_MS;
const DAY0 = Date.UTC(2026, 10, 20); // a multiple of one hour
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

/** Children sorted by (module, label) at every level: merge order only decides sibling order. */
function canonical(tree: CallTree): CallTree {
  const sortNode = (n: TreeNode): TreeNode => ({
    ...n,
    children: n.children
      .map(sortNode)
      .sort((a, b) => (a.module + '\u0000' + a.label < b.module + '\u0000' + b.label ? -1 : 1)),
  });
  return { ...tree, root: sortNode(tree.root) };
}

function mergedSources(r: TreeQueryResult): CallTree {
  return canonical(mergeTrees(r.sources.map((s) => s.tree)));
}

/** The reference: each selected profile's own tree, merged. */
async function mergedRaw(
  store: SqlStore,
  tenant: string,
  filter: ProfileFilter
): Promise<{ tree: CallTree; count: number }> {
  const metas = await store.listProfiles(tenant, { ...filter, has: 'tree', limit: undefined });
  const trees: CallTree[] = [];
  for (const m of metas.reverse()) {
    trees.push((await store.getTree(tenant, m.id))!);
  }
  return { tree: canonical(mergeTrees(trees)), count: trees.length };
}

const FRAMES = [
  { module: 'Main', label: 'main' },
  { module: 'Main', label: 'go' },
  { module: 'Data.Map.Internal', label: 'insert' },
  { module: 'GHC.Base', label: '>>=' },
  { module: 'PROFILING', label: 'GC' },
];

/** Small random trees over a few frames; src is a function of the frame, as in real profiles. */
const treeArb: fc.Arbitrary<CallTree> = fc
  .record({
    stacks: fc.array(
      fc.record({
        path: fc.array(fc.integer({ min: 0, max: FRAMES.length - 1 }), { minLength: 1, maxLength: 4 }),
        ticks: fc.nat(1000),
        alloc: fc.nat(1_000_000),
        entries: fc.nat(50),
      }),
      { minLength: 1, maxLength: 6 }
    ),
    tickIntervalUs: fc.constantFrom(1000, 250, 20_000),
    approximate: fc.boolean(),
  })
  .map(({ stacks, tickIntervalUs, approximate }) => {
    const root: TreeNode = node('MAIN', 'MAIN');
    for (const s of stacks) {
      let at = root;
      for (const i of s.path) {
        const f = FRAMES[i];
        let child = at.children.find((c) => c.module === f.module && c.label === f.label);
        if (!child) {
          child = node(f.label, f.module);
          at.children.push(child);
        }
        at = child;
      }
      at.ticks += s.ticks;
      at.alloc += s.alloc;
      at.entries += s.entries;
    }
    return { root, tickIntervalUs, approximate };
  });

function node(label: string, module: string): TreeNode {
  return { label, module, src: `${module}:${label}`, ccId: 7, ccsId: 9, entries: 0, ticks: 0, alloc: 0, children: [] };
}

/** A process that stopped between an insert's commit and its rollup fold: the profile stays pending. */
class UnfoldedStore extends SqlStore {
  protected override async foldIntoRollup(): Promise<void> {}
}

async function pendingCount(store: SqlStore): Promise<number> {
  const rows = await driverOf(store).query<{ n: number }>(`SELECT COUNT(*) AS n FROM rollup_pending`);
  return Number(rows[0].n);
}

const profileArb = fc.record({
  tree: treeArb,
  /** False: inserted by a process that never folded it into its rollup. */
  folded: fc.boolean(),
  kind: fc.constantFrom<ProfileKind>('prof', 'prof-json'),
  service: fc.constantFrom('api', 'web'),
  pod: fc.option(fc.constantFrom('p1', 'p2'), { nil: undefined }),
  startOffset: fc.integer({ min: 0, max: 6 * H - 1 }),
  duration: fc.option(fc.integer({ min: 0, max: 2 * H }), { nil: undefined }),
  /** Afterwards: delete it, replace its content (new tree, start hour, labels), or leave it. */
  later: fc.oneof(
    fc.constant({ action: 'keep' as const }),
    fc.constant({ action: 'delete' as const }),
    fc.record({
      action: fc.constant('replace' as const),
      tree: treeArb,
      startOffset: fc.integer({ min: 0, max: 6 * H - 1 }),
      service: fc.constantFrom('api', 'web'),
    })
  ),
});

const selectorArb = fc.constantFrom('{}', '{service="api"}', '{pod=~"p.*"}', '{pod!="p1"}', '{service!~"web",pod=""}');
const boundArb = fc.option(fc.integer({ min: -H, max: 7 * H }), { nil: undefined });

let tenantCounter = 0;

for (const backend of BACKENDS) {
  describe(`rollups [${backend}]`, () => {
    const fx = useStore(backend);

    it('serves whole hours from rollups and the partial hours from single profiles', async () => {
      const t = 'roll-example';
      // Hour 0: three api profiles; hour 1: one api, one web; hour 2: one api.
      const starts = [DAY0 + 60_000, DAY0 + 20 * 60_000, DAY0 + 50 * 60_000, DAY0 + H + 5, DAY0 + 2 * H + 10];
      for (const [i, start] of starts.entries()) {
        await fx.store.insertProfile(
          newProfile({ tenant: t, startTime: start, endTime: start + 1000, tree: sampleTree(i + 1) })
        );
      }
      await fx.store.insertProfile(
        newProfile({
          tenant: t,
          labels: { service: 'web' },
          startTime: DAY0 + H + 7,
          endTime: null,
          tree: sampleTree(9),
        })
      );
      await fx.store.insertProfile(newProfile({ tenant: t, startTime: DAY0 + 30, heap: undefined, tree: undefined }));

      // [DAY0 + 10 min, end of hour 2]: hour 0 partly covered, hours 1 and 2 whole.
      const filter: ProfileFilter = {
        matchers: parseSelector('{service="api"}'),
        from: DAY0 + 10 * 60_000,
        to: DAY0 + 3 * H - 1,
      };
      const result = await fx.store.getTreesForQuery(t, filter);
      const summary = result.sources.map((s) =>
        s.type === 'rollup'
          ? `rollup ${(s.hourStart - DAY0) / H} x${s.profileCount}`
          : `profile ${(s.meta.startTime - DAY0) / 60_000} min`
      );
      assert.deepEqual(summary, ['rollup 1 x1', 'rollup 2 x1', 'profile 20 min', 'profile 50 min']);
      assert.equal(result.profileCount, 4);
      const reference = await mergedRaw(fx.store, t, filter);
      assert.equal(reference.count, 4);
      assert.deepEqual(mergedSources(result), reference.tree);

      // Without a time range every hour is whole: only rollups, one per (label set, hour).
      const everything = await fx.store.getTreesForQuery(t, { matchers: [] });
      assert.ok(everything.sources.every((s) => s.type === 'rollup'));
      assert.equal(everything.sources.length, 4);
      assert.equal(everything.profileCount, 6);
      assert.deepEqual(mergedSources(everything), (await mergedRaw(fx.store, t, { matchers: [] })).tree);
    });

    it('keeps rollups exact across deletes and drops emptied ones', async () => {
      const t = 'roll-delete';
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const { meta } = await fx.store.insertProfile(
          newProfile({ tenant: t, startTime: DAY0 + i * 1000, tree: sampleTree(i + 1) })
        );
        ids.push(meta.id);
      }
      await fx.store.deleteProfile(t, ids[1]);
      let r = await fx.store.getTreesForQuery(t, { matchers: [] });
      assert.equal(r.sources.length, 1);
      assert.equal(r.profileCount, 2);
      assert.deepEqual(mergedSources(r), canonical(mergeTrees([sampleTree(1), sampleTree(3)])));
      const goTicks = r.sources[0].tree.root.children[0].children.find((c) => c.label === 'go')!.ticks;
      assert.equal(goTicks, 90 * (1 + 3));
      await fx.store.deleteProfile(t, ids[0]);
      await fx.store.deleteProfile(t, ids[2]);
      r = await fx.store.getTreesForQuery(t, { matchers: [] });
      assert.deepEqual(r, { sources: [], profileCount: 0 });
    });

    it('loses no update when concurrent inserts and deletes hit the same bucket', async () => {
      const t = 'roll-race';
      const first = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          fx.store.insertProfile(newProfile({ tenant: t, startTime: DAY0 + i, tree: sampleTree(i + 1) }))
        )
      );
      // Ten more inserts race with deleting every other one of the first ten.
      await Promise.all([
        ...Array.from({ length: 10 }, (_, i) =>
          fx.store.insertProfile(newProfile({ tenant: t, startTime: DAY0 + 100 + i, tree: sampleTree(i + 11) }))
        ),
        ...first.filter((_, i) => i % 2 === 0).map((r) => fx.store.deleteProfile(t, r.meta.id)),
      ]);
      const r = await fx.store.getTreesForQuery(t, { matchers: [] });
      assert.equal(r.sources.length, 1);
      assert.equal(r.profileCount, 15);
      assert.deepEqual(mergedSources(r), (await mergedRaw(fx.store, t, { matchers: [] })).tree);
    });

    it('never mixes tenants in rollups', async () => {
      await fx.store.insertProfile(newProfile({ tenant: 'roll-a', startTime: DAY0, tree: sampleTree(1) }));
      await fx.store.insertProfile(newProfile({ tenant: 'roll-b', startTime: DAY0 + 5, tree: sampleTree(100) }));
      const a = await fx.store.getTreesForQuery('roll-a', { matchers: [] });
      assert.equal(a.profileCount, 1);
      assert.deepEqual(mergedSources(a), canonical(mergeTrees([sampleTree(1)])));
    });

    it('reads one rollup per hour for a week of profiles instead of every tree', async () => {
      const t = 'roll-week';
      const perHour = 2;
      const hours = 168;
      for (let i = 0; i < hours * perHour; i++) {
        const start = DAY0 + Math.floor(i / perHour) * H + (i % perHour) * 60_000;
        await fx.store.insertProfile(
          newProfile({ tenant: t, startTime: start, endTime: start + 30_000, tree: sampleTree(i + 1) })
        );
      }
      const week: ProfileFilter = { matchers: parseSelector('{service="api"}'), from: DAY0, to: DAY0 + hours * H - 1 };
      let started = performance.now();
      const fromRollups = await fx.store.getTreesForQuery(t, week);
      const merged = mergedSources(fromRollups);
      const rollupMs = performance.now() - started;
      started = performance.now();
      const reference = await mergedRaw(fx.store, t, week);
      const rawMs = performance.now() - started;
      assert.equal(fromRollups.sources.length, hours);
      assert.ok(fromRollups.sources.every((s) => s.type === 'rollup' && s.profileCount === perHour));
      assert.equal(fromRollups.profileCount, hours * perHour);
      assert.deepEqual(merged, reference.tree);
      const n = hours * perHour;
      assert.equal(
        merged.root.children[0].children.find((c) => c.label === 'go')!.ticks,
        (90 * n * (n + 1)) / 2,
        'sum of 90 x scale over all profiles'
      );
      console.log(
        `[${backend}] week of ${n} profiles: ${hours} rollups in ${rollupMs.toFixed(0)} ms, ${n} raw trees in ${rawMs.toFixed(0)} ms`
      );
    });

    it('gives exactly the merge of the raw trees for any inserts, deletes, replacements, selector and range (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(profileArb, { minLength: 1, maxLength: 10 }),
          selectorArb,
          boundArb,
          boundArb,
          async (profiles, selector, a, b) => {
            const t = `prop-${++tenantCounter}`;
            const stored: string[] = [];
            const unfolded = new UnfoldedStore(driverOf(fx.store));
            for (const p of profiles) {
              const start = DAY0 + p.startOffset;
              const { meta } = await (p.folded ? fx.store : unfolded).insertProfile(
                newProfile({
                  tenant: t,
                  kind: p.kind,
                  labels: p.pod === undefined ? { service: p.service } : { service: p.service, pod: p.pod },
                  startTime: start,
                  endTime: p.duration === undefined ? null : start + p.duration,
                  tree: p.tree,
                })
              );
              stored.push(meta.id);
            }
            let from = a === undefined ? undefined : DAY0 + a;
            let to = b === undefined ? undefined : DAY0 + b;
            if (from !== undefined && to !== undefined && from > to) {
              [from, to] = [to, from];
            }
            const filter: ProfileFilter = { matchers: parseSelector(selector), from, to };
            const check = async (when: string) => {
              const got = await fx.store.getTreesForQuery(t, filter);
              const want = await mergedRaw(fx.store, t, filter);
              const what = `${when}: ${formatSelector(filter.matchers)} ${filter.from}..${filter.to}`;
              assert.equal(got.profileCount, want.count, what);
              assert.deepEqual(mergedSources(got), want.tree, what);
            };
            // Before the deletes and replacements too: this read also fills the rollup cache they must not fool.
            await check('after the inserts');
            for (const [i, p] of profiles.entries()) {
              if (p.later.action === 'delete') {
                await fx.store.deleteProfile(t, stored[i]);
              } else if (p.later.action === 'replace') {
                const start = DAY0 + p.later.startOffset;
                const next = newProfile({
                  tenant: t,
                  kind: p.kind,
                  labels: { service: p.later.service },
                  startTime: start,
                  endTime: null,
                  tree: p.later.tree,
                });
                assert.ok(await fx.store.replaceProfile(t, stored[i], next));
              }
            }
            await check('at the end');
          }
        ),
        { numRuns: RUNS }
      );
    });
  });

  describe(`rollup folding and cache [${backend}]`, () => {
    const fx = useStore(backend);

    it('reads profiles not yet folded exactly, and folds them with the next insert of their hour', async () => {
      const t = 'fold-later';
      const unfolded = new UnfoldedStore(driverOf(fx.store));
      for (let i = 0; i < 3; i++) {
        await unfolded.insertProfile(newProfile({ tenant: t, startTime: DAY0 + i * 1000, tree: sampleTree(i + 1) }));
      }
      let r = await fx.store.getTreesForQuery(t, { matchers: [] });
      assert.deepEqual(
        r.sources.map((s) => s.type),
        ['profile', 'profile', 'profile']
      );
      assert.equal(r.profileCount, 3);
      assert.deepEqual(mergedSources(r), canonical(mergeTrees([1, 2, 3].map(sampleTree))));
      assert.equal(await pendingCount(fx.store), 3);

      await fx.store.insertProfile(newProfile({ tenant: t, startTime: DAY0 + 5000, tree: sampleTree(4) }));
      r = await fx.store.getTreesForQuery(t, { matchers: [] });
      assert.deepEqual(
        r.sources.map((s) => [s.type, s.type === 'rollup' ? s.profileCount : 1]),
        [['rollup', 4]]
      );
      assert.deepEqual(mergedSources(r), canonical(mergeTrees([1, 2, 3, 4].map(sampleTree))));
      assert.equal(await pendingCount(fx.store), 0);
    });

    it('hands out cached rollup trees frozen, equal to the stored ones', async () => {
      const t = 'frozen';
      await fx.store.insertProfile(newProfile({ tenant: t, startTime: DAY0, tree: sampleTree(2) }));
      const first = await fx.store.getTreesForQuery(t, { matchers: [] });
      const again = await fx.store.getTreesForQuery(t, { matchers: [] });
      const tree = again.sources[0].tree;
      assert.equal(tree, first.sources[0].tree, 'the same cached object');
      assert.ok(Object.isFrozen(tree.root.children[0].children[0]));
      assert.equal(Reflect.set(tree.root.children[0], 'ticks', 1), false, 'a frozen node refuses writes');
      assert.throws(() => tree.root.children.push(tree.root), TypeError);
      // What a fresh store (empty cache) decodes from the database.
      const cold = await new SqlStore(driverOf(fx.store)).getTreesForQuery(t, { matchers: [] });
      assert.deepEqual(cold.sources[0].tree, tree);
      assert.equal(tree.root.children[0].ticks, 5 * 2);
    });

    it('never serves a cached rollup that another replica changed since', async () => {
      const spec = await fx.freshSpec();
      const [a, b] = [await openSqlStore(spec), await openSqlStore(spec)];
      try {
        await a.migrate();
        const t = 'replicas';
        const { meta } = await a.insertProfile(newProfile({ tenant: t, startTime: DAY0, tree: sampleTree(1) }));
        const ticksOfMain = async () => {
          const r = await a.getTreesForQuery(t, { matchers: [] });
          return [r.profileCount, mergeTrees(r.sources.map((s) => s.tree)).root.children[0].ticks];
        };
        assert.deepEqual(await ticksOfMain(), [1, 5]); // cached in a now
        await b.insertProfile(newProfile({ tenant: t, startTime: DAY0 + 1, tree: sampleTree(10) }));
        assert.deepEqual(await ticksOfMain(), [2, 55]);
        await b.deleteProfile(t, meta.id);
        assert.deepEqual(await ticksOfMain(), [1, 50]);
        const next = newProfile({ tenant: t, startTime: DAY0 + 2, tree: sampleTree(100) });
        const only = (await b.listProfiles(t, { matchers: [] }))[0];
        assert.ok(await b.replaceProfile(t, only.id, next));
        assert.deepEqual(await ticksOfMain(), [1, 500]);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('stays exact when two replicas fold the same hour at once', async () => {
      const spec = await fx.freshSpec();
      const [a, b] = [await openSqlStore(spec), await openSqlStore(spec)];
      try {
        await a.migrate();
        const t = 'fold-race';
        await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            (i % 2 === 0 ? a : b).insertProfile(newProfile({ tenant: t, startTime: DAY0 + i, tree: sampleTree(i + 1) }))
          )
        );
        for (const store of [a, b]) {
          const r = await store.getTreesForQuery(t, { matchers: [] });
          assert.equal(r.profileCount, 16);
          const ticks = mergeTrees(r.sources.map((s) => s.tree)).root.children[0].children[0].ticks;
          assert.equal(ticks, (90 * 16 * 17) / 2);
          assert.deepEqual(mergedSources(r), (await mergedRaw(store, t, { matchers: [] })).tree);
        }
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe(`retention [${backend}]`, () => {
    const fx = useStore(backend);

    it('deletes profiles that ended before the cutoff, fixes rollups and audits each deletion', async () => {
      const t = 'ret';
      const old1 = (
        await fx.store.insertProfile(
          newProfile({ tenant: t, startTime: DAY0, endTime: DAY0 + 1000, tree: sampleTree(1) })
        )
      ).meta;
      const old2 = (
        await fx.store.insertProfile(
          newProfile({ tenant: t, startTime: DAY0 + 2000, endTime: null, tree: sampleTree(2) })
        )
      ).meta;
      // Started before the cutoff but ended after it: kept.
      const spanning = (
        await fx.store.insertProfile(
          newProfile({ tenant: t, startTime: DAY0 + 3000, endTime: DAY0 + 2 * H, tree: sampleTree(4) })
        )
      ).meta;
      const other = (
        await fx.store.insertProfile(newProfile({ tenant: 'ret-other', startTime: DAY0, endTime: DAY0 + 1 }))
      ).meta;

      const deleted = await fx.store.deleteOlderThan(DAY0 + H, { tenant: t });
      assert.deepEqual(deleted.map((d) => d.id).sort(), [old1.id, old2.id].sort());
      assert.ok(deleted.every((d) => d.tenant === t));
      assert.deepEqual(
        (await fx.store.listProfiles(t, { matchers: [] })).map((m) => m.id),
        [spanning.id]
      );
      assert.notEqual(
        await fx.store.getProfile('ret-other', other.id),
        null,
        'other tenants untouched with opts.tenant'
      );

      const r = await fx.store.getTreesForQuery(t, { matchers: [] });
      assert.equal(r.profileCount, 1);
      assert.deepEqual(mergedSources(r), canonical(mergeTrees([sampleTree(4)])));

      const audit = await fx.store.listAudit(t);
      assert.deepEqual(
        audit.map((e) => [e.action, e.profileId, e.detail]).sort(),
        [
          ['delete', old1.id, 'retention'],
          ['delete', old2.id, 'retention'],
        ].sort()
      );

      const all = await fx.store.deleteOlderThan(DAY0 + H);
      assert.deepEqual(all, [{ tenant: 'ret-other', id: other.id }]);
    });

    it('lets readers see only whole batches while retention runs', async () => {
      const t = 'ret-concurrent';
      const n = 60;
      const batch = 10;
      const ids: string[] = [];
      const startOf = new Map<string, number>();
      const unit: CallTree = {
        root: { ...node('MAIN', 'MAIN'), children: [{ ...node('go', 'Main'), ticks: 1 }] },
        tickIntervalUs: 1000,
        approximate: false,
      };
      for (let i = 0; i < n; i++) {
        // Spread over 3 hours; the query below covers hour 0 only partly, so both paths are read.
        const { meta } = await fx.store.insertProfile(
          newProfile({ tenant: t, startTime: DAY0 + i * 3 * 60_000, endTime: null, tree: unit })
        );
        ids.push(meta.id);
        startOf.set(meta.id, meta.startTime);
      }
      const filter: ProfileFilter = { matchers: [], from: DAY0 + 30 * 60_000 };
      // Retention deletes in id order, `batch` at a time: the selected counts a reader may see are those between
      // two batches, never one in the middle of a batch.
      const order = [...ids].sort();
      const selectedAfter = (k: number) =>
        order.slice(k * batch).filter((id) => startOf.get(id)! >= filter.from!).length;
      const validStates = new Set(Array.from({ length: n / batch + 1 }, (_, k) => selectedAfter(k)));
      const seen: number[] = [];
      let done = false;
      const readers = Array.from({ length: 3 }, async () => {
        while (!done) {
          const r = await fx.store.getTreesForQuery(t, filter);
          const ticks = mergeTrees(r.sources.map((s) => s.tree)).root.children[0]?.ticks ?? 0;
          assert.equal(ticks, r.profileCount, 'rollups and profiles from one state');
          seen.push(r.profileCount);
        }
      });
      await fx.store.deleteOlderThan(DAY0 + 4 * H, { tenant: t, batchSize: batch });
      done = true;
      await Promise.all(readers);
      assert.ok(seen.length > 0);
      assert.equal(coveredHours(filter.from, undefined).firstHour, DAY0 + H, 'hour 0 is read from single profiles');
      assert.equal(selectedAfter(0), 50);
      const torn = seen.filter((c) => !validStates.has(c));
      assert.deepEqual(torn, [], `states seen: ${[...new Set(seen)].join(',')}; valid: ${[...validStates].join(',')}`);
      assert.deepEqual((await fx.store.listProfiles(t, { matchers: [] })).length, 0);
    });
  });
}
