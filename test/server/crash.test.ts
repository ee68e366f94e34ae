/**
 * Crash safety: `ghcprof serve` as a child process takes 100 concurrent uploads of distinct artefacts and is killed
 * with SIGKILL half-way. After a restart on the same store, every upload it acknowledged (201/200) is there,
 * readable and byte-identical, and every stored profile is whole (its bytes hash to its sha256 and its data
 * answers queries): an ack comes only after the store committed, and a commit is all or nothing.
 * The same for growing profiles: eight eventlogs appended in pieces, killed half-way; every acknowledged append is
 * there, each profile is exactly a prefix of its file (chunks and metadata commit together), and the appends then
 * continue from the stored length to the whole file.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { openStore } from '../../pkg/store';
import type { ProfileMeta } from '../../pkg/api/query';
import { fixture, freshStoreSpec, STORE_KINDS, stopPostgres, tenantTokens } from './support';
import { startServe, stopChild } from './spawn';

after(stopPostgres);

const UPLOADS = 100;
const KILL_AFTER_ACKS = 30;

/** A valid artefact that differs from every other variant: its program / JOB / command line carries `n`. */
function variant(n: number): Buffer {
  switch (n % 4) {
    case 0:
      return Buffer.from(fixture('leaky.hc.hp').toString('utf8').replace('JOB "leaky 400000', `JOB "leaky ${n}`));
    case 1:
      return Buffer.from(
        fixture('search.json.prof').toString('utf8').replace('"program": "search"', `"program": "search-${n}"`)
      );
    case 2:
      return Buffer.from(fixture('pipeline.prof').toString('utf8').replace('pipeline +RTS', `pipeline-${n} +RTS`));
    default:
      return Buffer.from(fixture('jsonagg.hy.hp').toString('utf8').replace('JOB "jsonagg', `JOB "jsonagg-${n}`));
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Ack {
  n: number;
  id: string;
}

async function uploadAll(
  url: string,
  token: string,
  bodies: Buffer[],
  onAck: (acks: number) => void
): Promise<{ acks: Ack[]; failed: number }> {
  const acks: Ack[] = [];
  let failed = 0;
  await Promise.all(
    bodies.map(async (body, n) => {
      try {
        const res = await postRetrying(`${url}/api/v1/profiles?label=service%3Dcrash&label=n%3D${n}`, token, body);
        if (res.status === 201 || res.status === 200) {
          acks.push({ n, id: ((await res.json()) as ProfileMeta).id });
          onAck(acks.length);
        } else {
          failed++;
        }
      } catch {
        failed++; // the connection died with the server
      }
    })
  );
  return { acks, failed };
}

for (const kind of STORE_KINDS) {
  describe(`crash test on ${kind}`, { timeout: 180_000 }, () => {
    it('keeps every acknowledged upload whole across kill -9', async () => {
      const { spec, cleanup } = await freshStoreSpec(kind);
      const setup = await openStore(spec);
      await setup.migrate();
      const tokens = await tenantTokens(setup, 'crash');
      await setup.close();
      const bodies = Array.from({ length: UPLOADS }, (_, n) => variant(n));
      assert.equal(new Set(bodies.map(sha)).size, UPLOADS, 'variants are distinct');

      // All uploads in flight at once, here and in the retry below (the default cap would answer most of them 503).
      const first = await startServe([
        '--db',
        spec,
        '--log-level',
        'info',
        '--max-concurrent-uploads',
        String(UPLOADS),
      ]);
      let killed = false;
      const { acks, failed } = await uploadAll(first.url, tokens.write, bodies, (count) => {
        if (count === KILL_AFTER_ACKS && !killed) {
          killed = true;
          first.child.process.kill('SIGKILL');
        }
      });
      assert.equal(await first.child.exited, 'SIGKILL');
      assert.ok(acks.length >= KILL_AFTER_ACKS, `${acks.length} acknowledged`);
      assert.ok(failed > 0, 'the kill happened while uploads were in flight');

      const second = await startServe([
        '--db',
        spec,
        '--log-level',
        'info',
        '--max-concurrent-uploads',
        String(UPLOADS),
      ]);
      try {
        const get = (path: string) =>
          fetch(`${second.url}${path}`, { headers: { authorization: `Bearer ${tokens.read}` } });
        for (const { n, id } of acks) {
          const meta = await get(`/api/v1/profiles/${id}`);
          assert.equal(meta.status, 200, `acknowledged upload ${n} (${id}) is missing after the crash`);
          const raw = Buffer.from(await (await get(`/api/v1/profiles/${id}/raw`)).arrayBuffer());
          assert.ok(raw.equals(bodies[n]), `upload ${n} is not byte-identical`);
        }
        const list = (await (await get('/api/v1/profiles?limit=10000')).json()) as { profiles: ProfileMeta[] };
        const known = new Map(bodies.map((b, n) => [sha(b), n]));
        assert.ok(list.profiles.length >= acks.length && list.profiles.length <= UPLOADS);
        for (const p of list.profiles) {
          const raw = Buffer.from(await (await get(`/api/v1/profiles/${p.id}/raw`)).arrayBuffer());
          assert.equal(sha(raw), p.sha256, `profile ${p.id}: stored bytes do not match its sha256`);
          assert.ok(known.has(p.sha256), `profile ${p.id} is none of the uploads`);
          assert.equal(p.labels.n, String(known.get(p.sha256)));
          const type = p.has.tree ? 'flamegraph' : 'heap';
          const q = await fetch(`${second.url}/api/v1/query/${type}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens.read}`, 'content-type': 'application/json' },
            body: JSON.stringify({ profileIds: [p.id] }),
          });
          assert.equal(q.status, 200, `profile ${p.id}: its ${type} data is not readable`);
        }
        // Retrying everything after the crash: what was stored answers 200 with its id, the rest is stored now.
        const retry = await uploadAll(second.url, tokens.write, bodies, () => undefined);
        assert.equal(retry.acks.length, UPLOADS);
        const after = (await (await get('/api/v1/profiles?limit=10000')).json()) as { profiles: ProfileMeta[] };
        assert.equal(after.profiles.length, UPLOADS);
        for (const { n, id } of acks) {
          assert.equal(retry.acks.find((a) => a.n === n)!.id, id);
        }
      } finally {
        assert.equal(await stopChild(second.child), 0);
        await cleanup();
      }
    });
  });

  describe(`crash test on ${kind}: appends`, { timeout: 180_000 }, () => {
    it('keeps every acknowledged append across kill -9, and the appends continue after it', async () => {
      const { spec, cleanup } = await freshStoreSpec(kind);
      const setup = await openStore(spec);
      await setup.migrate();
      const tokens = await tenantTokens(setup, 'crash');
      await setup.close();
      const files = ['leaky', 'search', 'pipeline', 'jsonagg'].flatMap((f) => [
        fixture(`${f}.eventlog`),
        fixture(`${f}.hT.eventlog`),
      ]);
      const args = ['--db', spec, '--log-level', 'info', '--max-concurrent-uploads', '64'];
      const first = await startServe(args);
      const acked = files.map(() => ({ id: '', bytes: 0 }));
      let acks = 0;
      let failed = 0;
      await Promise.all(
        files.map(async (bytes, n) => {
          try {
            await growFile(first.url, tokens.write, bytes, 0, acked[n], () => {
              if (++acks === 40) {
                first.child.process.kill('SIGKILL');
              }
            });
          } catch {
            failed++; // the connection died with the server
          }
        })
      );
      assert.equal(await first.child.exited, 'SIGKILL');
      assert.ok(failed > 0, 'the kill happened while appends were in flight');
      const second = await startServe(args);
      try {
        const get = (path: string) =>
          fetch(`${second.url}${path}`, { headers: { authorization: `Bearer ${tokens.read}` } });
        // An eventlog's raw bytes are the admin scope's by default (--raw-download).
        const getRaw = (id: string) =>
          fetch(`${second.url}/api/v1/profiles/${id}/raw`, { headers: { authorization: `Bearer ${tokens.admin}` } });
        for (const [n, bytes] of files.entries()) {
          if (acked[n].id === '') {
            continue;
          }
          const meta = (await (await get(`/api/v1/profiles/${acked[n].id}`)).json()) as ProfileMeta;
          assert.ok(
            meta.size >= acked[n].bytes,
            `file ${n}: ${acked[n].bytes} bytes acknowledged, ${meta.size} stored`
          );
          const raw = Buffer.from(await (await getRaw(acked[n].id)).arrayBuffer());
          assert.ok(raw.equals(bytes.subarray(0, meta.size)), `file ${n}: the stored bytes are a prefix of the file`);
          assert.equal(sha(raw), meta.sha256);
          // The agent's way on: from the stored length to the end.
          await growFile(second.url, tokens.write, bytes, meta.size, acked[n], () => undefined);
          const whole = Buffer.from(await (await getRaw(acked[n].id)).arrayBuffer());
          assert.ok(whole.equals(bytes), `file ${n} is whole after the appends continued`);
          const q = await fetch(`${second.url}/api/v1/query/heap`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens.read}`, 'content-type': 'application/json' },
            body: JSON.stringify({ profileIds: [acked[n].id] }),
          });
          assert.equal(q.status, 200, `file ${n}: its heap data is readable`);
        }
      } finally {
        assert.equal(await stopChild(second.child), 0);
        await cleanup();
      }
    });
  });
}

const PIECE = 16 * 1024;

/**
 * Uploads `bytes` as an agent tails a growing file: a first piece with partial=true, then appends at their offsets
 * from `from` on. `acked` records the profile id and the stored length of every acknowledged request.
 */
async function growFile(
  url: string,
  token: string,
  bytes: Buffer,
  from: number,
  acked: { id: string; bytes: number },
  onAck: () => void
): Promise<void> {
  for (let at = from; at < bytes.length; at += PIECE) {
    const body = bytes.subarray(at, at + PIECE);
    const res =
      acked.id === ''
        ? await postRetrying(`${url}/api/v1/profiles?partial=true&label=service%3Dgrow`, token, body)
        : await postRetrying(`${url}/api/v1/profiles/${acked.id}/append?offset=${at}`, token, body);
    assert.ok(res.status === 200 || res.status === 201, `${res.status} ${await res.clone().text()}`);
    const json = (await res.json()) as ProfileMeta | { profile: ProfileMeta; storedBytes: number };
    acked.id = 'profile' in json ? json.profile.id : json.id;
    acked.bytes = 'profile' in json ? json.storedBytes : json.size;
    onAck();
  }
}

/** POST a raw body, retrying a 503 (one tenant may hold only part of the upload slots) as the agent and push do. */
async function postRetrying(url: string, token: string, body: Buffer): Promise<Response> {
  for (;;) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body,
    });
    if (res.status !== 503) {
      return res;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
