/**
 * Appends to growing profiles on both stores: a real eventlog and .hp grown in pieces give the same bytes, censuses,
 * series, samples, digest and placement as the file uploaded whole; the append contract (offsets, idempotent
 * retries, 409 on a gap or differing bytes, 422 on bytes that do not parse) holds against chunk boundaries.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BACKENDS, useStore } from '../store/__tests__/backends';
import type { Store } from '../store/store';
import { forEachNode } from '../model/tree';
import type { CallTree } from '../model/types';
import { appendToProfile } from './append';
import { HttpError } from '../api/errors';
import { ingest } from './ingest';
import { FormatError } from '../formats/errors';

const MAX = 64 * 1024 * 1024;

function ticksByPath(tree: CallTree | null): Map<string, number> {
  const byPath = new Map<string, number>();
  const path: string[] = [];
  if (tree) {
    forEachNode(tree.root, (node, depth) => {
      path.length = depth;
      path.push(`${node.module}.${node.label}`);
      if (node.ticks !== 0) {
        byPath.set(path.join(';'), (byPath.get(path.join(';')) ?? 0) + node.ticks);
      }
    });
  }
  return byPath;
}

/** Uploads the first piece (partial), then appends the rest in pieces ending at `cuts`; returns the profile id. */
async function grow(store: Store, tenant: string, bytes: Buffer, cuts: number[], labels: Record<string, string>) {
  const first = await ingest(store, bytes.subarray(0, cuts[0]), {
    tenant,
    labels,
    uploader: null,
    maxBytes: MAX,
    allowPartial: true,
  });
  const id = first.meta.id;
  for (let i = 0; i < cuts.length; i++) {
    const from = cuts[i];
    const to = cuts[i + 1] ?? bytes.length;
    const res = await appendToProfile(store, {
      tenant,
      id,
      body: bytes.subarray(from, to),
      offset: from,
      uploader: null,
      tokenId: null,
    });
    assert.equal(res.storedBytes, to);
    assert.equal(res.meta.id, id);
  }
  return id;
}

function evenCuts(length: number, pieces: number): number[] {
  return Array.from({ length: pieces - 1 }, (_, i) => Math.floor(((i + 1) * length) / pieces));
}

async function assertSameAsWhole(store: Store, tenant: string, grownId: string, wholeId: string): Promise<void> {
  const [g, w] = [await store.getProfile(tenant, grownId), await store.getProfile(tenant, wholeId)];
  assert.ok(g && w);
  assert.equal(g.size, w.size);
  assert.equal(g.sha256, w.sha256, 'digest of the whole artefact');
  assert.deepEqual([g.startTime, g.endTime, g.timeSource], [w.startTime, w.endTime, w.timeSource], 'placement');
  assert.equal(g.program, w.program);
  assert.deepEqual(g.has, w.has);
  assert.ok((await store.getRaw(tenant, grownId))?.equals((await store.getRaw(tenant, wholeId)) as Buffer), 'raw');
  const pieces: Buffer[] = [];
  for await (const p of store.rawPieces(tenant, grownId)) pieces.push(p);
  assert.ok(pieces.length > 1, 'the raw download streams chunk by chunk');
  assert.ok(Buffer.concat(pieces).equals((await store.getRaw(tenant, wholeId)) as Buffer));
  const [gh, wh] = [await store.getHeap(tenant, grownId), await store.getHeap(tenant, wholeId)];
  assert.deepEqual(gh?.samples, wh?.samples, 'censuses');
  assert.deepEqual(new Set(gh?.bands), new Set(wh?.bands));
  const [gr, wr] = [await store.getRts(tenant, grownId), await store.getRts(tenant, wholeId)];
  const series = (r: typeof gr) => new Map((r?.series ?? []).map((s) => [s.name, s.points]));
  assert.deepEqual(series(gr), series(wr), 'RTS series');
  assert.deepEqual(gr?.gc, wr?.gc);
  assert.deepEqual(gr?.markers, wr?.markers);
  assert.deepEqual(
    ticksByPath(await store.getTree(tenant, grownId)),
    ticksByPath(await store.getTree(tenant, wholeId)),
    'time samples'
  );
}

for (const backend of BACKENDS) {
  describe(`append [${backend}]: growing profiles are chunks`, () => {
    const fx = useStore(backend);

    it('an eventlog grown in 12 appends equals the file uploaded whole (another tenant)', async () => {
      const bytes = readFileSync('test/fixtures/ghc/leaky.eventlog');
      const id = await grow(fx.store, 'acme', bytes, evenCuts(bytes.length, 12), { service: 'grow' });
      const whole = await ingest(fx.store, bytes, {
        tenant: 'other',
        labels: { service: 'grow' },
        uploader: null,
        maxBytes: MAX,
      });
      // Same tenant for the comparison helper: the whole upload's data read through the other tenant.
      await assertSameAsWhole(
        {
          ...fx.store,
          getProfile: (t, i) => fx.store.getProfile(i === whole.meta.id ? 'other' : t, i),
          getRaw: (t, i) => fx.store.getRaw(i === whole.meta.id ? 'other' : t, i),
          rawPieces: (t, i) => fx.store.rawPieces(t, i),
          getHeap: (t, i) => fx.store.getHeap(i === whole.meta.id ? 'other' : t, i),
          getRts: (t, i) => fx.store.getRts(i === whole.meta.id ? 'other' : t, i),
          getTree: (t, i) => fx.store.getTree(i === whole.meta.id ? 'other' : t, i),
        } as Store,
        'acme',
        id,
        whole.meta.id
      );
      assert.equal((await fx.store.listChunks('acme', id)).length, 12);
      // The hourly rollup the appends kept up to date equals the profile's own tree.
      const start = (await fx.store.getProfile('acme', id))!.startTime;
      const hour = Math.floor(start / 3_600_000) * 3_600_000;
      const read = await fx.store.getTreesForQuery('acme', { matchers: [], from: hour, to: hour + 3_600_000 });
      assert.deepEqual(
        read.sources.map((s) => s.type),
        ['rollup']
      );
      assert.deepEqual(ticksByPath(read.sources[0].tree), ticksByPath(await fx.store.getTree('acme', id)));
    });

    it('a .hp grown in 9 appends equals the file uploaded whole', async () => {
      const bytes = readFileSync('test/fixtures/ghc/search.hc.hp');
      const id = await grow(fx.store, 'hp1', bytes, evenCuts(bytes.length, 9), { service: 'hp' });
      const whole = await ingest(fx.store, bytes, {
        tenant: 'hp2',
        labels: { service: 'hp' },
        uploader: null,
        maxBytes: MAX,
      });
      const read = (t: string, i: string) => (i === whole.meta.id ? 'hp2' : t);
      await assertSameAsWhole(
        {
          getProfile: (t, i) => fx.store.getProfile(read(t, i), i),
          getRaw: (t, i) => fx.store.getRaw(read(t, i), i),
          rawPieces: (t, i) => fx.store.rawPieces(t, i),
          getHeap: (t, i) => fx.store.getHeap(read(t, i), i),
          getRts: (t, i) => fx.store.getRts(read(t, i), i),
          getTree: (t, i) => fx.store.getTree(read(t, i), i),
        } as Store,
        'hp1',
        id,
        whole.meta.id
      );
    });

    it('is placed at upload time minus its newest event until the wall-clock event arrives, then re-anchored to it', async () => {
      const bytes = readFileSync('test/fixtures/ghc/leaky.eventlog');
      const whole = await ingest(fx.store, bytes, { tenant: 'p2', labels: {}, uploader: null, maxBytes: MAX });
      assert.equal(whole.meta.timeSource, 'artefact');
      const t0 = Date.UTC(2030, 0, 1);
      const piece = 16 * 1024;
      const first = await ingest(fx.store, bytes.subarray(0, piece), {
        tenant: 'p1',
        labels: {},
        uploader: null,
        maxBytes: MAX,
        allowPartial: true,
        now: t0,
      });
      assert.equal(first.meta.timeSource, 'estimate');
      assert.equal(first.meta.endTime, t0, 'the data reaches up to the upload');
      const sources: string[] = [];
      for (let at = piece, i = 1; at < bytes.length; at += piece, i++) {
        const now = t0 + i * 60_000; // an upload a minute: the agent restarted, or a slow --interval
        const res = await appendToProfile(fx.store, {
          tenant: 'p1',
          id: first.meta.id,
          body: bytes.subarray(at, at + piece),
          offset: at,
          uploader: null,
          tokenId: null,
          now,
        });
        sources.push(res.meta.timeSource);
        if (res.meta.timeSource === 'estimate') {
          assert.equal(res.meta.endTime, now, `append ${i}: its newest event is placed at the upload time`);
        } else {
          assert.deepEqual(
            [res.meta.startTime, res.meta.endTime],
            [whole.meta.startTime, whole.meta.endTime],
            `append ${i}: placed as the whole file is`
          );
        }
      }
      const firstArtefact = sources.indexOf('artefact');
      assert.ok(firstArtefact > 3, 'GHC wrote WallClockTime late in this log');
      assert.ok(
        sources.slice(firstArtefact).every((s) => s === 'artefact'),
        'and the anchor stays once known'
      );
      // Every chunk moved with the anchor: the censuses sit where the whole file's do.
      const [grown, ref] = [await fx.store.getHeap('p1', first.meta.id), await fx.store.getHeap('p2', whole.meta.id)];
      assert.deepEqual(grown?.samples, ref?.samples);
    });

    it('retention drops the oldest chunks of a profile that lives on; the rest stays queryable and appends go on', async () => {
      const bytes = readFileSync('test/fixtures/ghc/pipeline.eventlog');
      const cuts = evenCuts(bytes.length, 12);
      const id = await grow(fx.store, 'r', bytes.subarray(0, cuts[10]), cuts.slice(0, 10), { service: 'r' });
      const meta = (await fx.store.getProfile('r', id))!;
      const before = (await fx.store.getHeap('r', id))!;
      const wall = (s: { time: number }) => meta.startTime + s.time * 1000;
      const cutoff = Math.round(wall(before.samples[Math.floor(before.samples.length / 2)]));
      const ticksBefore = [...ticksByPath(await fx.store.getTree('r', id)).values()].reduce((a, b) => a + b, 0);
      const chunksBefore = await fx.store.listChunks('r', id);
      assert.deepEqual(await fx.store.deleteOlderThan(cutoff, { tenant: 'r' }), [], 'the profile itself lives on');
      const chunksAfter = await fx.store.listChunks('r', id);
      assert.ok(chunksAfter.length < chunksBefore.length, `${chunksBefore.length} -> ${chunksAfter.length} chunks`);
      assert.equal(chunksAfter.at(-1)?.seq, chunksBefore.at(-1)?.seq, 'the newest chunk stays');
      const after = (await fx.store.getHeap('r', id))!;
      assert.ok(after.samples.length < before.samples.length);
      assert.deepEqual(after.samples, before.samples.slice(before.samples.length - after.samples.length), 'a suffix');
      const keptFrom = before.samples.length - after.samples.length;
      assert.ok(
        before.samples.slice(0, keptFrom).every((s) => wall(s) < cutoff),
        'only censuses before the cutoff went'
      );
      const ticksAfter = [...ticksByPath(await fx.store.getTree('r', id)).values()].reduce((a, b) => a + b, 0);
      assert.ok(ticksAfter > 0 && ticksAfter < ticksBefore, `ticks ${ticksBefore} -> ${ticksAfter}`);
      assert.ok((await fx.store.listAudit('r')).some((e) => e.profileId === id && /oldest chunk/.test(e.detail ?? '')));
      const res = await appendToProfile(fx.store, {
        tenant: 'r',
        id,
        body: bytes.subarray(cuts[10]),
        offset: cuts[10],
        uploader: null,
        tokenId: null,
      });
      assert.equal(res.storedBytes, bytes.length, 'appends continue at the same offsets');
    });

    it('retries, overlaps across chunk boundaries, gaps and differing bytes keep the contract', async () => {
      const bytes = readFileSync('test/fixtures/ghc/search.eventlog');
      const cuts = evenCuts(bytes.length, 5);
      const id = await grow(fx.store, 'c', bytes.subarray(0, cuts[3]), cuts.slice(0, 3), { service: 'c' });
      const append = (body: Buffer, offset?: number) =>
        appendToProfile(fx.store, { tenant: 'c', id, body, offset, uploader: null, tokenId: null });
      // A retry of the last piece, a piece spanning three chunks, the whole content so far: nothing changes.
      for (const [from, to] of [
        [cuts[2], cuts[3]],
        [cuts[0] + 7, cuts[3] - 3],
        [0, cuts[3]],
      ]) {
        const res = await append(bytes.subarray(from, to), from);
        assert.equal(res.changed, false, `${from}..${to}`);
        assert.equal(res.storedBytes, cuts[3]);
      }
      assert.equal((await append(bytes.subarray(0, cuts[3]))).changed, false, 'no offset: the complete content');
      const conflict = (storedBytes: number) => (err: unknown) =>
        err instanceof HttpError &&
        err.statusCode === 409 &&
        (err.details as { storedBytes: number }).storedBytes === storedBytes;
      await assert.rejects(append(bytes.subarray(cuts[3] + 10), cuts[3] + 10), conflict(cuts[3]), 'gap');
      const changed = Buffer.from(bytes.subarray(cuts[1] - 4, cuts[3] + 100));
      changed[10] ^= 0xff;
      await assert.rejects(append(changed, cuts[1] - 4), conflict(cuts[3]), 'differing bytes inside a chunk');
      const whole = Buffer.from(bytes.subarray(cuts[0], cuts[1]));
      whole[whole.length >> 1] ^= 1;
      await assert.rejects(append(whole, cuts[0]), conflict(cuts[3]), 'differing bytes of a whole chunk (by digest)');
      // An overlap that continues past the stored end appends only the new part.
      const res = await append(bytes.subarray(cuts[2], bytes.length), cuts[2]);
      assert.equal(res.changed, true);
      assert.ok((await fx.store.getRaw('c', id))?.equals(bytes));
    });

    it('garbage appended to a .hp is refused (422 with its offset) and the real continuation is then accepted', async () => {
      const bytes = readFileSync('test/fixtures/ghc/leaky.hc.hp');
      const cut = bytes.indexOf('\n', bytes.indexOf('END_SAMPLE', bytes.length >> 1)) + 1;
      const first = await ingest(fx.store, bytes.subarray(0, cut), {
        tenant: 'g',
        labels: {},
        uploader: null,
        maxBytes: MAX,
        allowPartial: true,
      });
      const append = (body: Buffer, offset: number) =>
        appendToProfile(fx.store, { tenant: 'g', id: first.meta.id, body, offset, uploader: null, tokenId: null });
      await assert.rejects(
        append(Buffer.from('\u0000\u0001 garbage that is not a heap profile\n'), cut),
        (err: unknown) => err instanceof FormatError && err.offset === cut
      );
      assert.equal((await fx.store.getProfile('g', first.meta.id))?.size, cut, 'nothing was stored');
      const res = await append(bytes.subarray(cut), cut);
      assert.equal(res.storedBytes, bytes.length);
      const eventlog = readFileSync('test/fixtures/ghc/search.eventlog');
      const log = await ingest(fx.store, eventlog.subarray(0, 20000), {
        tenant: 'g',
        labels: {},
        uploader: null,
        maxBytes: MAX,
        allowPartial: true,
      });
      await assert.rejects(
        appendToProfile(fx.store, {
          tenant: 'g',
          id: log.meta.id,
          body: Buffer.alloc(5000, 0x41),
          offset: 20000,
          uploader: null,
          tokenId: null,
        }),
        (err: unknown) => err instanceof FormatError && err.format === 'eventlog'
      );
    });

    it("an append that makes another stored profile's exact bytes answers with that profile, as an upload would", async () => {
      const bytes = readFileSync('test/fixtures/ghc/search.hy.hp');
      const whole = await ingest(fx.store, bytes, { tenant: 'd', labels: {}, uploader: null, maxBytes: MAX });
      const cut = bytes.indexOf('\n', bytes.indexOf('END_SAMPLE', bytes.length >> 1)) + 1;
      const part = await ingest(fx.store, bytes.subarray(0, cut), {
        tenant: 'd',
        labels: {},
        uploader: null,
        maxBytes: MAX,
        allowPartial: true,
      });
      const res = await appendToProfile(fx.store, {
        tenant: 'd',
        id: part.meta.id,
        body: bytes.subarray(cut),
        offset: cut,
        uploader: null,
        tokenId: null,
      });
      assert.equal(res.meta.id, whole.meta.id);
      assert.equal(res.changed, false);
      assert.equal((await fx.store.getProfile('d', part.meta.id))?.size, cut, 'the prefix profile is left as it was');
    });
  });
}
