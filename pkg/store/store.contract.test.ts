/**
 * The Store contract, run against every backend (SQLite and a private PostgreSQL) on every run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readCriterionCsv } from '../formats/bench/criterion-csv';
import { parseSelector } from '../api/selector';
import type { ProfileMeta } from '../api/query';
import { openSqlStore } from './index';
import { SqlStore } from './sql-store';
import type { SqlExecutor } from './driver';
import type { NewProfile, ProfileFilter } from './store';
import {
  BACKENDS,
  driverOf,
  newProfile,
  sampleHeap,
  sampleRts,
  sampleTree,
  sha256,
  useStore,
} from './__tests__/backends';
import { packJson } from './codec';
import { migrate } from './migrate';
import { MIGRATIONS } from './schema';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

const all = (extra: Partial<ProfileFilter> = {}): ProfileFilter => ({ matchers: [], ...extra });
const sel = (s: string, extra: Partial<ProfileFilter> = {}): ProfileFilter => ({
  matchers: parseSelector(s),
  ...extra,
});
const ids = (metas: ProfileMeta[]) => metas.map((m) => m.id).sort();

for (const backend of BACKENDS) {
  describe(`store contract [${backend}]: profiles`, () => {
    const fx = useStore(backend);

    it('stores a profile and reads back exactly the metadata it was given', async () => {
      const p = newProfile({
        tenant: 'meta',
        kind: 'prof-json',
        labels: { service: 'api', pod: 'api-7f9c', namespace: 'prod' },
        startTime: T0,
        endTime: T0 + 61_500,
        timeSource: 'parameter',
        rtsArguments: ['-pj', '-hc', '-i0.05'],
        warnings: ['line 12: approximate ticks', 'unicode ✓'],
        uploader: null,
        tree: sampleTree(),
        heap: sampleHeap(),
      });
      const before = Date.now();
      const { meta, created } = await fx.store.insertProfile(p);
      assert.equal(created, true);
      assert.match(meta.id, /^[A-Za-z0-9_-]{16}$/);
      assert.ok(meta.createdAt >= before && meta.createdAt <= Date.now());
      assert.deepEqual(meta, {
        id: meta.id,
        kind: 'prof-json',
        labels: { service: 'api', pod: 'api-7f9c', namespace: 'prod' },
        startTime: T0,
        endTime: T0 + 61_500,
        timeSource: 'parameter',
        program: 'search',
        rtsArguments: ['-pj', '-hc', '-i0.05'],
        size: p.raw.length,
        sha256: p.sha256,
        uploader: null,
        createdAt: meta.createdAt,
        warnings: ['line 12: approximate ticks', 'unicode ✓'],
        has: { tree: true, heap: true, rts: false },
        heapMode: 'hc',
      });
      assert.deepEqual(await fx.store.getProfile('meta', meta.id), meta);
      assert.deepEqual(await fx.store.listProfiles('meta', all()), [meta]);
    });

    it('gives every profile a different id', async () => {
      const metas = await Promise.all(
        Array.from({ length: 10 }, () => fx.store.insertProfile(newProfile({ tenant: 'ids' })))
      );
      assert.equal(new Set(metas.map((m) => m.meta.id)).size, 10);
    });

    it('deletes metadata, raw bytes and normalised data together', async () => {
      const { meta } = await fx.store.insertProfile(
        newProfile({ tenant: 'del', tree: sampleTree(), heap: sampleHeap(), rts: sampleRts() })
      );
      assert.equal(await fx.store.deleteProfile('del', meta.id), true);
      assert.equal(await fx.store.getProfile('del', meta.id), null);
      assert.equal(await fx.store.getRaw('del', meta.id), null);
      assert.equal(await fx.store.getTree('del', meta.id), null);
      assert.equal(await fx.store.getHeap('del', meta.id), null);
      assert.equal(await fx.store.getRts('del', meta.id), null);
      assert.deepEqual(await fx.store.labelNames('del', all()), []);
      assert.equal(await fx.store.deleteProfile('del', meta.id), false, 'a second delete finds nothing');
    });

    it('returns null for what a profile does not hold', async () => {
      const { meta } = await fx.store.insertProfile(newProfile({ tenant: 'partial', heap: sampleHeap() }));
      assert.equal(await fx.store.getTree('partial', meta.id), null);
      assert.equal(await fx.store.getRts('partial', meta.id), null);
      assert.deepEqual(await fx.store.getHeap('partial', meta.id), sampleHeap());
      assert.equal(await fx.store.getProfile('partial', 'no-such-id'), null);
    });

    it('rejects what the backends cannot store alike, before writing anything', async () => {
      const cases: Array<[Partial<NewProfile>, RegExp]> = [
        [{ labels: { 'pod-name': 'x' } }, /label name "pod-name" is not valid/],
        [{ startTime: 1.5 }, /startTime 1.5 is not an integer/],
        [
          { startTime: T0, endTime: T0 - 1 },
          /endTime \d+ must be an integer number of milliseconds not before startTime/,
        ],
        [{ size: -1 }, /size -1 is not a byte count/],
        [{ sha256: 'ABC' }, /sha256 "ABC" is not 64 lowercase hex digits/],
      ];
      for (const [bad, message] of cases) {
        await assert.rejects(fx.store.insertProfile(newProfile({ tenant: 'invalid', ...bad })), message);
      }
      assert.deepEqual(await fx.store.listProfiles('invalid', all()), []);
    });

    it('filters by kind and by what a profile holds', async () => {
      const t = 'kinds';
      const prof = (await fx.store.insertProfile(newProfile({ tenant: t, kind: 'prof', tree: sampleTree() }))).meta;
      const hp = (await fx.store.insertProfile(newProfile({ tenant: t, kind: 'hp', heap: sampleHeap() }))).meta;
      const ev = (
        await fx.store.insertProfile(newProfile({ tenant: t, kind: 'eventlog', heap: sampleHeap(), rts: sampleRts() }))
      ).meta;
      assert.deepEqual(ids(await fx.store.listProfiles(t, all({ kind: 'hp' }))), [hp.id]);
      assert.deepEqual(ids(await fx.store.listProfiles(t, all({ has: 'heap' }))), ids([hp, ev]));
      assert.deepEqual(ids(await fx.store.listProfiles(t, all({ has: 'tree' }))), [prof.id]);
      assert.deepEqual(ids(await fx.store.listProfiles(t, all({ has: 'rts', kind: 'eventlog' }))), [ev.id]);
    });

    it('lists newest first and honours the limit', async () => {
      const t = 'order';
      for (const h of [3, 1, 2]) {
        await fx.store.insertProfile(newProfile({ tenant: t, startTime: T0 + h * HOUR, endTime: null }));
      }
      const listed = await fx.store.listProfiles(t, all());
      assert.deepEqual(
        listed.map((m) => m.startTime),
        [T0 + 3 * HOUR, T0 + 2 * HOUR, T0 + HOUR]
      );
      const two = await fx.store.listProfiles(t, all({ limit: 2 }));
      assert.deepEqual(
        two.map((m) => m.startTime),
        [T0 + 3 * HOUR, T0 + 2 * HOUR]
      );
    });
  });

  describe(`store contract [${backend}]: replaceProfile`, () => {
    const fx = useStore(backend);

    it('replaces content in place, keeping id, tenant and createdAt', async () => {
      const t = 'repl';
      const first = newProfile({
        tenant: t,
        kind: 'hp',
        labels: { service: 'api' },
        heap: sampleHeap(),
        endTime: T0 + 10,
      });
      const { meta: old } = await fx.store.insertProfile(first);
      const grown = Buffer.concat([first.raw, Buffer.from('MARK 0.2\n')]);
      const next = newProfile({
        tenant: t,
        kind: 'hp',
        labels: { service: 'api', pod: 'api-1' },
        raw: grown,
        size: grown.length,
        sha256: sha256(grown),
        endTime: T0 + 20,
        heap: { ...sampleHeap(), marks: [0.07, 0.2] },
        warnings: ['truncated at byte 99'],
        uploader: 'agent',
      });
      const replaced = await fx.store.replaceProfile(t, old.id, next);
      assert.ok(replaced);
      assert.equal(replaced.id, old.id);
      assert.equal(replaced.createdAt, old.createdAt);
      assert.equal(replaced.sha256, next.sha256);
      assert.deepEqual(replaced.labels, { service: 'api', pod: 'api-1' });
      assert.deepEqual(await fx.store.getProfile(t, old.id), replaced);
      assert.ok((await fx.store.getRaw(t, old.id))!.equals(grown));
      assert.deepEqual((await fx.store.getHeap(t, old.id))!.marks, [0.07, 0.2]);
      assert.deepEqual(await fx.store.labelValues(t, 'pod', { matchers: [] }), ['api-1']);
      assert.equal((await fx.store.listProfiles(t, all())).length, 1);
      // The new bytes are now the idempotency key; the old ones are free again.
      assert.deepEqual(await fx.store.insertProfile(next), { meta: replaced, created: false });
      assert.equal((await fx.store.insertProfile(first)).created, true);
    });

    it('answers null for another tenant or a missing id and changes nothing', async () => {
      const { meta } = await fx.store.insertProfile(newProfile({ tenant: 'repl-a' }));
      assert.equal(await fx.store.replaceProfile('repl-b', meta.id, newProfile({ tenant: 'repl-b' })), null);
      assert.equal(await fx.store.replaceProfile('repl-a', 'missing', newProfile({ tenant: 'repl-a' })), null);
      assert.deepEqual(await fx.store.getProfile('repl-a', meta.id), meta);
    });

    it('refuses bytes another profile of the tenant holds', async () => {
      const a = newProfile({ tenant: 'repl-dup' });
      const b = newProfile({ tenant: 'repl-dup' });
      await fx.store.insertProfile(a);
      const { meta } = await fx.store.insertProfile(b);
      await assert.rejects(fx.store.replaceProfile('repl-dup', meta.id, a), /already holds these bytes/);
      assert.deepEqual(await fx.store.getProfile('repl-dup', meta.id), meta);
    });

    it('moves the tree between rollup buckets when the start hour changes', async () => {
      const t = 'repl-roll';
      const { meta } = await fx.store.insertProfile(newProfile({ tenant: t, startTime: T0, tree: sampleTree(1) }));
      await fx.store.insertProfile(newProfile({ tenant: t, startTime: T0 + 2 * HOUR, tree: sampleTree(2) }));
      await fx.store.replaceProfile(
        t,
        meta.id,
        newProfile({ tenant: t, startTime: T0 + 2 * HOUR + 5, tree: sampleTree(5) })
      );
      const r = await fx.store.getTreesForQuery(t, all());
      assert.deepEqual(
        r.sources.map((s) => (s.type === 'rollup' ? s.profileCount : -1)),
        [2],
        'the old bucket is gone, the new one holds both'
      );
      const go = r.sources[0].tree.root.children[0].children.find((c) => c.label === 'go')!;
      assert.equal(go.ticks, 90 * (2 + 5));
    });
  });

  describe(`store contract [${backend}]: idempotency`, () => {
    const fx = useStore(backend);

    it('returns the existing profile with created:false for the same bytes', async () => {
      const p = newProfile({ tenant: 'idem', tree: sampleTree() });
      const first = await fx.store.insertProfile(p);
      const again = await fx.store.insertProfile({ ...p, labels: { service: 'other' }, startTime: T0 + 5 });
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.deepEqual(again.meta, first.meta, 'the stored profile is returned unchanged');
      assert.equal((await fx.store.listProfiles('idem', all())).length, 1);
    });

    it('keeps one row when 20 uploads of the same bytes race', async () => {
      const p = newProfile({ tenant: 'race', tree: sampleTree(), raw: randomBytes(200_000) });
      p.sha256 = sha256(p.raw);
      const results = await Promise.all(Array.from({ length: 20 }, () => fx.store.insertProfile({ ...p })));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.meta.id)).size, 1);
      const listed = await fx.store.listProfiles('race', all());
      assert.equal(listed.length, 1);
      assert.deepEqual(await fx.store.labelValues('race', 'service', all()), ['api']);
    });

    it('keeps the same bytes separately per tenant', async () => {
      const p = newProfile({ tenant: 'idem-a' });
      const a = await fx.store.insertProfile(p);
      const b = await fx.store.insertProfile({ ...p, tenant: 'idem-b' });
      assert.equal(b.created, true);
      assert.notEqual(a.meta.id, b.meta.id);
    });
  });

  describe(`store contract [${backend}]: tenant isolation`, () => {
    const fx = useStore(backend);

    it('answers another tenant exactly as if the id did not exist', async () => {
      const { meta } = await fx.store.insertProfile(
        newProfile({ tenant: 'tenant-a', labels: { secret_label: 'a-only' }, tree: sampleTree(), rts: sampleRts() })
      );
      for (const id of [meta.id, 'missing-id-000000']) {
        assert.equal(await fx.store.getProfile('tenant-b', id), null);
        assert.equal(await fx.store.getRaw('tenant-b', id), null);
        assert.equal(await fx.store.getTree('tenant-b', id), null);
        assert.equal(await fx.store.getHeap('tenant-b', id), null);
        assert.equal(await fx.store.getRts('tenant-b', id), null);
        assert.equal(await fx.store.deleteProfile('tenant-b', id), false);
      }
      assert.notEqual(await fx.store.getProfile('tenant-a', meta.id), null, "B's delete did not touch A's profile");
    });

    it("never shows one tenant's profiles, label names or values to another", async () => {
      await fx.store.insertProfile(newProfile({ tenant: 'iso-a', labels: { service: 'payments', team: 'red' } }));
      await fx.store.insertProfile(newProfile({ tenant: 'iso-b', labels: { service: 'search' } }));
      assert.deepEqual(await fx.store.labelNames('iso-b', all()), ['service']);
      assert.deepEqual(await fx.store.labelValues('iso-b', 'service', all()), ['search']);
      assert.deepEqual(await fx.store.labelValues('iso-b', 'team', all()), []);
      assert.deepEqual(await fx.store.listProfiles('iso-b', sel('{service="payments"}')), []);
      assert.deepEqual(await fx.store.listProfiles('iso-b', sel('{team=~".+"}')), []);
      assert.equal((await fx.store.listProfiles('iso-b', sel('{service=~".*"}'))).length, 1);
    });
  });

  describe(`store contract [${backend}]: selectors and time`, () => {
    const fx = useStore(backend);
    const t = 'sel';
    const byName = new Map<string, string>();

    it('sets up labelled profiles', async () => {
      const specs: Array<[string, Record<string, string>]> = [
        ['api-1', { service: 'api', pod: 'api-1', env: 'prod' }],
        ['api-2', { service: 'api', pod: 'api-2', env: 'dev' }],
        ['web-1', { service: 'web', pod: 'web-1', env: 'prod' }],
        ['batch', { service: 'batch' }],
        ['empty-env', { service: 'web', env: '' }],
      ];
      for (const [i, [name, labels]] of specs.entries()) {
        const { meta } = await fx.store.insertProfile(newProfile({ tenant: t, labels, startTime: T0 + i * 1000 }));
        byName.set(name, meta.id);
      }
    });

    const expectSelect = async (selector: string, expected: string[]) => {
      const got = ids(await fx.store.listProfiles(t, sel(selector)));
      assert.deepEqual(got, expected.map((n) => byName.get(n)!).sort(), selector);
    };

    it('matches = and != with missing labels as ""', async () => {
      await expectSelect('{service="api"}', ['api-1', 'api-2']);
      await expectSelect('{service="api",env="prod"}', ['api-1']);
      await expectSelect('{env!="prod"}', ['api-2', 'batch', 'empty-env']);
      await expectSelect('{env=""}', ['batch', 'empty-env']);
      await expectSelect('{env!=""}', ['api-1', 'api-2', 'web-1']);
      await expectSelect('{nosuch="x"}', []);
      await expectSelect('{}', ['api-1', 'api-2', 'web-1', 'batch', 'empty-env']);
    });

    it('matches =~ and !~ anchored, including the empty value of missing labels', async () => {
      await expectSelect('{pod=~"api-.*"}', ['api-1', 'api-2']);
      await expectSelect('{pod=~"api"}', []);
      await expectSelect('{pod!~"api-.*"}', ['web-1', 'batch', 'empty-env']);
      await expectSelect('{env=~"prod|"}', ['api-1', 'web-1', 'batch', 'empty-env']);
      await expectSelect('{env=~".+"}', ['api-1', 'api-2', 'web-1']);
      await expectSelect('{env!~".*"}', []);
      await expectSelect('{service=~"(?i)WEB",env!~"dev"}', ['web-1', 'empty-env']);
      await expectSelect('{nosuch=~"x.*"}', []);
    });

    it('applies the limit after regex matching', async () => {
      const got = await fx.store.listProfiles(t, sel('{pod=~"(api|web)-1"}', { limit: 1 }));
      assert.deepEqual(ids(got), [byName.get('web-1')], 'the newest of the two matching, not the newest overall');
    });

    it('filters label names and values by selector', async () => {
      assert.deepEqual(await fx.store.labelNames(t, all()), ['env', 'pod', 'service']);
      assert.deepEqual(await fx.store.labelNames(t, sel('{service="batch"}')), ['service']);
      assert.deepEqual(await fx.store.labelValues(t, 'pod', sel('{env="prod"}')), ['api-1', 'web-1']);
      assert.deepEqual(await fx.store.labelValues(t, 'service', all()), ['api', 'batch', 'web']);
      assert.deepEqual(await fx.store.labelValues(t, 'service', all({ limit: 2 })), ['api', 'batch']);
    });

    it('selects profiles overlapping [from, to]', async () => {
      const tt = 'time';
      const spans: Array<[string, number, number | null]> = [
        ['early', T0, T0 + 10 * 60_000],
        ['long', T0 + 5 * 60_000, T0 + 3 * HOUR],
        ['point', T0 + HOUR, null],
        ['late', T0 + 2 * HOUR, T0 + 2 * HOUR + 60_000],
      ];
      const id = new Map<string, string>();
      for (const [name, startTime, endTime] of spans) {
        id.set(name, (await fx.store.insertProfile(newProfile({ tenant: tt, startTime, endTime }))).meta.id);
      }
      const between = async (from: number | undefined, to: number | undefined) =>
        (await fx.store.listProfiles(tt, all({ from, to }))).map((m) => [...id].find(([, v]) => v === m.id)![0]).sort();
      assert.deepEqual(await between(T0 + 20 * 60_000, T0 + 30 * 60_000), ['long']);
      assert.deepEqual(await between(T0 + 10 * 60_000, T0 + 10 * 60_000), ['early', 'long'], 'end is inclusive');
      assert.deepEqual(await between(T0 + HOUR, T0 + HOUR), ['long', 'point'], 'a point profile at its start');
      assert.deepEqual(await between(T0 + HOUR + 1, T0 + 2 * HOUR - 1), ['long']);
      assert.deepEqual(await between(undefined, T0 - 1), []);
      assert.deepEqual(await between(T0 + 2 * HOUR, undefined), ['late', 'long']);
      assert.deepEqual(await between(undefined, undefined), ['early', 'late', 'long', 'point']);
    });
  });

  describe(`store contract [${backend}]: stored data`, () => {
    const fx = useStore(backend);

    it('returns raw bytes byte-identical, also above 1 MB', async () => {
      // Incompressible and compressible halves: both paths of gzip are exercised.
      const raw = Buffer.concat([randomBytes(900_000), Buffer.from('COST CENTRE MODULE\n'.repeat(60_000))]);
      assert.ok(raw.length > 1_900_000);
      const { meta } = await fx.store.insertProfile(
        newProfile({ tenant: 'raw', raw, size: raw.length, sha256: sha256(raw) })
      );
      const back = await fx.store.getRaw('raw', meta.id);
      assert.ok(back);
      assert.equal(back.length, raw.length);
      assert.ok(back.equals(raw));
    });

    it('returns normalised tree, heap and RTS data deep-equal', async () => {
      const deep = sampleTree(1e6); // values beyond 2^31, as GHC's counters reach
      const { meta } = await fx.store.insertProfile(
        newProfile({ tenant: 'norm', tree: deep, heap: sampleHeap(), rts: sampleRts() })
      );
      assert.deepEqual(await fx.store.getTree('norm', meta.id), deep);
      assert.deepEqual(await fx.store.getHeap('norm', meta.id), sampleHeap());
      assert.deepEqual(await fx.store.getRts('norm', meta.id), sampleRts());
    });

    it("keeps a bench artefact's results per tenant, deleted with it", async () => {
      const bench = readCriterionCsv(readFileSync('test/fixtures/ghc/bench/suite-v1.criterion.csv', 'utf8'))!;
      const { meta } = await fx.store.insertProfile(newProfile({ tenant: 'bench-a', kind: 'bench', bench }));
      assert.deepEqual(await fx.store.getBench('bench-a', meta.id), bench);
      assert.equal(await fx.store.getBench('bench-b', meta.id), null, 'another tenant sees nothing');
      assert.deepEqual(
        (await fx.store.listProfiles('bench-a', { matchers: [], kind: 'bench' })).map((m) => m.id),
        [meta.id]
      );
      assert.equal(await fx.store.deleteProfile('bench-a', meta.id), true);
      assert.equal(await fx.store.getBench('bench-a', meta.id), null);
    });

    it('reports its size and grows with what it stores', async () => {
      const before = await fx.store.sizeBytes();
      assert.ok(before > 0);
      for (let i = 0; i < 3; i++) {
        const raw = randomBytes(1_000_000);
        await fx.store.insertProfile(newProfile({ tenant: 'size', raw, size: raw.length, sha256: sha256(raw) }));
      }
      const after = await fx.store.sizeBytes();
      assert.ok(after >= before + 2_500_000, `size ${before} -> ${after}`);
    });

    it('answers ping', async () => {
      await fx.store.ping();
    });
  });

  describe(`store contract [${backend}]: atomic insert`, () => {
    const fx = useStore(backend);

    it('leaves nothing behind when the transaction fails half-way', async () => {
      /** A store whose insert fails after the profile row, labels and blobs are written. */
      class FailingStore extends SqlStore {
        protected override async afterInsert(_tx: SqlExecutor, _p: NewProfile): Promise<void> {
          throw new Error('simulated crash inside the insert transaction');
        }
      }
      const failing = new FailingStore(driverOf(fx.store));
      const p = newProfile({ tenant: 'atomic', labels: { service: 'ghost' }, tree: sampleTree() });
      await assert.rejects(failing.insertProfile(p), /simulated crash/);
      assert.deepEqual(await fx.store.listProfiles('atomic', all()), []);
      assert.deepEqual(await fx.store.labelNames('atomic', all()), []);
      // The same bytes can be stored afterwards: no half-written row holds the idempotency key.
      assert.equal((await fx.store.insertProfile(p)).created, true);
    });
  });

  describe(`store contract [${backend}]: tokens and audit`, () => {
    const fx = useStore(backend);

    it('creates, finds, lists and revokes tokens by hash', async () => {
      const a = await fx.store.createToken({ tenant: 'tok-a', scope: 'write', name: 'agent', hash: 'h-a' });
      // Tokens list in creation order (ms); two made in the same millisecond fall back to id order.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const b = await fx.store.createToken({ tenant: 'tok-b', scope: 'read', name: 'grafana', hash: 'h-b' });
      assert.match(a.id, /^tok_[A-Za-z0-9_-]{16}$/);
      assert.deepEqual(await fx.store.findTokenByHash('h-a'), a);
      assert.equal(await fx.store.findTokenByHash('nope'), null);
      assert.deepEqual(await fx.store.listTokens('tok-b'), [b]);
      assert.deepEqual(
        (await fx.store.listTokens()).filter((t) => t.tenant.startsWith('tok-')).map((t) => t.id),
        [a.id, b.id]
      );
      assert.equal(await fx.store.revokeToken(a.id), true);
      assert.equal(await fx.store.revokeToken(a.id), false, 'already revoked');
      assert.equal(await fx.store.revokeToken('tok_missing'), false);
      const revoked = await fx.store.findTokenByHash('h-a');
      assert.ok(revoked?.revokedAt && revoked.revokedAt >= a.createdAt);
      await assert.rejects(fx.store.createToken({ tenant: 'tok-c', scope: 'admin', name: 'dup', hash: 'h-b' }));
    });

    it('records audit entries per tenant, newest first', async () => {
      await fx.store.audit({ tenant: 'aud', action: 'upload', profileId: 'p1', user: 'alice', tokenId: 'tok_1' });
      await fx.store.audit({
        tenant: 'aud',
        action: 'delete',
        profileId: 'p1',
        user: null,
        tokenId: null,
        detail: 'retention',
      });
      await fx.store.audit({ tenant: 'other', action: 'token.create', user: 'root', tokenId: 'tok_2' });
      const entries = await fx.store.listAudit('aud');
      assert.deepEqual(
        entries.map(({ id: _id, at: _at, ...rest }) => rest),
        [
          { tenant: 'aud', action: 'delete', profileId: 'p1', user: null, tokenId: null, detail: 'retention' },
          { tenant: 'aud', action: 'upload', profileId: 'p1', user: 'alice', tokenId: 'tok_1' },
        ]
      );
      assert.ok(entries.every((e) => e.at > T0));
    });
  });

  describe(`store contract [${backend}]: migrations`, () => {
    const fx = useStore(backend);

    it('records each version once and is idempotent', async () => {
      const versions = await fx.store.schemaVersions();
      assert.ok(versions.length >= 1);
      await fx.store.migrate();
      await fx.store.migrate();
      assert.deepEqual(await fx.store.schemaVersions(), versions);
    });

    it('upgrades a version-1 database: bucket keys backfilled, rollups built for stored profiles', async () => {
      const store = await openSqlStore(await fx.freshSpec());
      try {
        const driver = driverOf(store);
        assert.deepEqual(await migrate(driver, MIGRATIONS.slice(0, 1)), [1]);
        // A profile as version 1 wrote it (no labels_key column, no rollups).
        await driver.execute(
          `INSERT INTO profiles (id, tenant, kind, labels, start_time, end_time, time_source, program, rts_arguments,
             size, sha256, uploader, created_at, warnings, has_tree, has_heap, has_rts, heap_mode, stored_bytes)
           VALUES ('old1', 'up', 'prof', '{"service":"api","env":"prod"}', ?, NULL, 'upload', 'search', '[]',
             10, 'abc', NULL, ?, '[]', 1, 0, 0, NULL, 10)`,
          [T0, T0]
        );
        await driver.execute(
          `INSERT INTO profile_labels (profile_id, tenant, name, value) VALUES ('old1', 'up', 'service', 'api'), ('old1', 'up', 'env', 'prod')`
        );
        await driver.execute(`INSERT INTO profile_blobs (profile_id, part, data) VALUES ('old1', 'tree', ?)`, [
          await packJson(sampleTree(3)),
        ]);
        assert.deepEqual(
          await migrate(driver),
          MIGRATIONS.slice(1).map((m) => m.version)
        );
        const rows = await driver.query<{ labels_key: string }>(`SELECT labels_key FROM profiles WHERE id = 'old1'`);
        assert.equal(rows[0].labels_key, '{"env":"prod","service":"api"}');
        const trees = await store.getTreesForQuery('up', sel('{env="prod"}'));
        assert.equal(trees.profileCount, 1);
        assert.equal(trees.sources[0].type, 'rollup');
        assert.equal(trees.sources[0].tree.root.children[0].children[0].ticks, 90 * 3);
        // And the upgraded store keeps working: a new profile in the same hour joins the rollup.
        await store.insertProfile(
          newProfile({ tenant: 'up', labels: { service: 'api', env: 'prod' }, startTime: T0 + 1, tree: sampleTree(1) })
        );
        const after = await store.getTreesForQuery('up', sel('{service="api"}'));
        assert.deepEqual(
          after.sources.map((s) => [s.type, s.type === 'rollup' ? s.profileCount : 0]),
          [['rollup', 2]]
        );
      } finally {
        await store.close();
      }
    });

    it('lets two stores migrate the same empty database at once', async () => {
      const spec = await fx.freshSpec();
      const [s1, s2] = await Promise.all([openSqlStore(spec), openSqlStore(spec)]);
      try {
        await Promise.all([s1.migrate(), s2.migrate()]);
        assert.deepEqual(await s1.schemaVersions(), await fx.store.schemaVersions());
        const { meta } = await s1.insertProfile(newProfile({ tenant: 'mig' }));
        assert.deepEqual(await s2.getProfile('mig', meta.id), meta);
      } finally {
        await Promise.all([s1.close(), s2.close()]);
      }
    });
  });
}
