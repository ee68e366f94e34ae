/**
 * gzip on the way in (issue 12 §4, §8; issue 14): HTTP bodies and files go through one bounded gunzip
 * (pkg/formats/gunzip.ts) and so answer alike: a damaged gzip gives its intact part, reported as truncation; a gzip
 * inside a gzip is refused; a gzip bomb is refused long before it is inflated, by its ratio. Last, the memory a
 * real server process reaches (VmHWM from /proc) with four bombs at once at the default 512 MiB limit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGzip, gzipSync } from 'node:zlib';
import { readProfile, readProfileFile } from '../../pkg/formats';
import { UnknownFormatError } from '../../pkg/formats/errors';
import { RATIO_GRACE_BYTES } from '../../pkg/formats/gunzip';
import { createToken } from '../../pkg/server/tokens';
import { openStore } from '../../pkg/store';
import { startServe, stopChild } from './spawn';
import { bearer, fixture, freshStoreSpec, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

/** gzip of `size` zero bytes, made in 1 MiB pieces (the test never holds the inflated bytes). */
async function zeroBomb(size: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (c: Buffer) => parts.push(c));
  const piece = Buffer.alloc(1 << 20);
  for (let left = size; left > 0; left -= piece.length) {
    if (!gz.write(left >= piece.length ? piece : piece.subarray(0, left))) {
      await new Promise((r) => gz.once('drain', r));
    }
  }
  await new Promise((r) => gz.end(r));
  return Buffer.concat(parts);
}

/** Peak resident memory of a process (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmHWM in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

const MIB = 1024 * 1024;

describe('one gunzip for files and HTTP bodies', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ghcprof-gzip-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const kind of STORE_KINDS) {
    describe(`on ${kind}`, () => {
      let env: TestEnv;
      before(async () => {
        env = await testEnv(kind);
      });
      after(async () => env.close());

      it('a damaged gzip: the intact part, truncated, the same from a file and over HTTP (422, or 201 with partial)', async () => {
        const gz = gzipSync(fixture('leaky.hc.hp'));
        const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
        const path = join(dir, 'cut.hp.gz');
        writeFileSync(path, cut);
        const fromFile = await readProfileFile(path);
        assert.equal(fromFile.truncated, true);
        const refused = await upload(env, cut, { token: env.acme.write });
        assert.equal(refused.statusCode, 422, refused.body);
        assert.equal(refused.json().error.code, 'truncated_artefact');
        assert.match(refused.json().error.message, /gzip data is damaged or cut off after \d+ decompressed bytes/);
        const stored = await upload(env, cut, { token: env.acme.write, query: { partial: 'true' } });
        assert.equal(stored.statusCode, 201, stored.body);
        assert.ok(stored.json().warnings.some((w: string) => /gzip data is damaged/.test(w)));
        const heap = await env.store.getHeap('acme', stored.json().id);
        assert.equal(heap?.samples.length, fromFile.heap?.samples.length);
        const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
        assert.deepEqual(plain(heap?.samples), plain(fromFile.heap?.samples));
      });

      it('an append body that is a damaged gzip: 422 and nothing appended (an append is exactly what the file holds)', async () => {
        const full = Buffer.from(fixture('leaky.hy.hp').toString('utf8').replace('JOB "leaky', 'JOB "leaky-gz-append'));
        const cut = full.indexOf('\nBEGIN_SAMPLE', full.length >> 1) + 1;
        const first = await upload(env, full.subarray(0, cut), { token: env.acme.write, query: { partial: 'true' } });
        assert.equal(first.statusCode, 201, first.body);
        const gz = gzipSync(full.subarray(cut));
        const res = await env.app.inject({
          method: 'POST',
          url: `/api/v1/profiles/${first.json().id}/append?offset=${cut}`,
          headers: { ...bearer(env.acme.write), 'content-type': 'application/octet-stream' },
          payload: gz.subarray(0, gz.length >> 1),
        });
        assert.equal(res.statusCode, 422, res.body);
        assert.match(res.json().error.message, /append body: the gzip data is damaged.*nothing was appended/);
        assert.equal((await env.store.getProfile('acme', first.json().id))?.size, cut);
      });

      it('gzip garbage: 415 "nothing readable after decompression", as readProfileFile says', async () => {
        const garbage = Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]);
        const path = join(dir, 'garbage.gz');
        writeFileSync(path, garbage);
        await assert.rejects(readProfileFile(path), /nothing readable after decompression/);
        const res = await upload(env, garbage, { token: env.acme.write });
        assert.equal(res.statusCode, 415, res.body);
        assert.match(res.json().error.message, /nothing readable after decompression/);
      });

      it('gzip inside gzip: 415 over HTTP and UnknownFormatError from a file (it used to be stored as the inner gzip)', async () => {
        const nested = gzipSync(gzipSync(fixture('leaky.prof')));
        const stored = (await env.store.listProfiles('acme', { matchers: [] })).length;
        for (const headers of [{}, { 'content-encoding': 'gzip' }]) {
          const res = await upload(env, nested, { token: env.acme.write, headers });
          assert.equal(res.statusCode, 415, res.body);
          assert.match(res.json().error.message, /gzip inside gzip/);
        }
        await assert.rejects(readProfile(nested, { file: 'nested.gz' }), (err: unknown) => {
          assert.ok(err instanceof UnknownFormatError);
          assert.match(err.message, /gzip inside gzip/);
          return true;
        });
        assert.equal((await env.store.listProfiles('acme', { matchers: [] })).length, stored);
      });

      it('a gzip bomb under the limit is refused (413) by its ratio, after a few MiB instead of all of it', async () => {
        // 64 MiB of zeros: under the default 512 MiB limit, so only the ratio (~1,000) can refuse it.
        const bomb = await zeroBomb(64 * MIB);
        const res = await upload(env, bomb, { token: env.acme.write });
        assert.equal(res.statusCode, 413, res.body);
        assert.match(res.json().error.message, /refused as a gzip bomb after \d+ bytes/);
        const after = Number(/after (\d+) bytes/.exec(res.json().error.message)![1]);
        assert.ok(after < RATIO_GRACE_BYTES + MIB, `stopped after ${after} bytes`);
        // Files: zeros are no artefact, refused from the first bytes before anything more is inflated.
        await assert.rejects(readProfile(bomb, { file: 'bomb.gz' }), UnknownFormatError);
      });

      it('a real artefact compressed as hard as gzip can is read (its ratio is far from a bomb)', async () => {
        const res = await upload(env, gzipSync(fixture('leaky.hT.hp'), { level: 9 }), { token: env.acme.write });
        assert.equal(res.statusCode, 201, res.body);
      });
    });
  }
});

describe('memory of a real server under four concurrent gzip bombs at the default limit', () => {
  it('keeps the peak RSS (VmHWM) under 256 MB and answers each bomb 413', { timeout: 240_000 }, async () => {
    const { spec, cleanup } = await freshStoreSpec('sqlite');
    const store = await openStore(spec);
    await store.migrate();
    // Four tenants: one tenant may hold only half of the four upload slots.
    const tokens: string[] = [];
    for (const tenant of ['t1', 't2', 't3', 't4']) {
      tokens.push((await createToken(store, { tenant, scope: 'write', name: 'bombs' })).secret);
    }
    await store.close();
    // 600 MiB of zeros in ~600 KB: over the default --max-upload-bytes (512 MiB) once inflated.
    const bomb = await zeroBomb(600 * MIB);
    const { child, url } = await startServe(['--db', spec]);
    try {
      const pid = child.process.pid!;
      const before = peakRss(pid);
      const answers = await Promise.all(
        tokens.map((token) =>
          fetch(`${url}/api/v1/profiles`, {
            method: 'POST',
            headers: { ...bearer(token), 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' },
            body: bomb,
          })
        )
      );
      for (const res of answers) {
        assert.equal(res.status, 413, await res.text());
      }
      const peak = peakRss(pid);
      console.log(
        `server VmHWM: ${(before / MIB).toFixed(0)} MiB at start, ${(peak / MIB).toFixed(0)} MiB after 4 bombs`
      );
      assert.ok(peak < 256 * 1000 * 1000, `peak RSS ${(peak / MIB).toFixed(0)} MiB`);
    } finally {
      await stopChild(child);
      await cleanup();
    }
  });
});
