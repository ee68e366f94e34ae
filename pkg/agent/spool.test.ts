import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Spool } from './spool';

const identity = { ino: 1, headHash: 'h', headLength: 1 };

describe('Spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ghcprof-spool-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps queued pieces and acknowledged offsets across a restart', async () => {
    const spool = await Spool.open(dir, 1 << 20);
    const record = await spool.begin('app.hp', 'hp', identity, { service: 'api' }, 1234);
    assert.equal(await spool.enqueue(record.key, 0, Buffer.from('sample-1\n')), 'queued');
    assert.equal(await spool.enqueue(record.key, 9, Buffer.from('sample-2\n')), 'queued');
    const first = await spool.next();
    assert.equal(first!.bytes.toString(), 'sample-1\n');
    await spool.acknowledge(first!.piece, 'p1');

    const reopened = await Spool.open(dir, 1 << 20);
    const state = reopened.current('app.hp')!;
    assert.equal(state.spooledOffset, 18);
    assert.equal(state.ackedOffset, 9);
    assert.equal(state.profileId, 'p1');
    assert.equal(state.startedAt, 1234);
    assert.deepEqual(state.labels, { service: 'api' });
    const second = await reopened.next();
    assert.equal(second!.piece.offset, 9);
    assert.equal(second!.bytes.toString(), 'sample-2\n');
    assert.equal((await readdir(join(dir, 'pieces'))).length, 1);
  });

  it('refuses pieces beyond its size limit and accepts them once uploads drained', async () => {
    const spool = await Spool.open(dir, 10);
    const record = await spool.begin('a.eventlog', 'eventlog', identity, {});
    assert.equal(await spool.enqueue(record.key, 0, Buffer.alloc(8)), 'queued');
    assert.equal(await spool.enqueue(record.key, 8, Buffer.alloc(4)), 'full');
    assert.equal(spool.current('a.eventlog')!.spooledOffset, 8);
    await spool.acknowledge((await spool.next())!.piece, 'p');
    assert.equal(await spool.enqueue(record.key, 8, Buffer.alloc(4)), 'queued');
    assert.equal(spool.pendingBytes(), 4);
  });

  it('refuses a piece that does not continue the spooled bytes', async () => {
    const spool = await Spool.open(dir, 100);
    const record = await spool.begin('a.hp', 'hp', identity, {});
    await assert.rejects(
      spool.enqueue(record.key, 5, Buffer.from('x')),
      /piece of a\.hp#1 at offset 5, but 0 bytes were spooled/
    );
  });

  it('deletes piece files a crashed agent wrote but never recorded', async () => {
    const spool = await Spool.open(dir, 100);
    const record = await spool.begin('a.hp', 'hp', identity, {});
    await spool.enqueue(record.key, 0, Buffer.from('kept'));
    await writeFile(join(dir, 'pieces', '0000000099.bin'), 'orphan');
    const reopened = await Spool.open(dir, 100);
    assert.deepEqual(await readdir(join(dir, 'pieces')), ['0000000001.bin']);
    assert.equal((await reopened.next())!.bytes.toString(), 'kept');
  });

  it('a rewritten path becomes a new generation; a rejected artefact drops its pieces', async () => {
    const spool = await Spool.open(dir, 100);
    const run1 = await spool.begin('a.hp', 'hp', identity, {});
    await spool.enqueue(run1.key, 0, Buffer.from('one'));
    await spool.enqueue(run1.key, 3, Buffer.from('two'));
    const run2 = await spool.begin('a.hp', 'hp', identity, {});
    assert.equal(run2.key, 'a.hp#2');
    await spool.enqueue(run2.key, 0, Buffer.from('three'));
    assert.equal(await spool.reject(run1.key, 'HTTP 422: broken'), 2);
    assert.deepEqual(
      spool.pieces().map((p) => p.key),
      ['a.hp#2']
    );
    assert.equal(spool.artefact(run1.key)!.rejected, 'HTTP 422: broken');
    assert.equal(spool.current('a.hp')!.key, 'a.hp#2');
  });

  it('forgets a vanished path only for artefacts with nothing left to upload', async () => {
    const spool = await Spool.open(dir, 100);
    const run1 = await spool.begin('a.hp', 'hp', identity, {});
    await spool.enqueue(run1.key, 0, Buffer.from('old'));
    const run2 = await spool.begin('a.hp', 'hp', identity, {});
    await spool.enqueue(run2.key, 0, Buffer.from('new'));
    await spool.acknowledge((await spool.next())!.piece, 'p1'); // run 1's piece
    await spool.forget('a.hp');
    assert.equal(spool.artefact(run1.key), undefined, 'run 1 is done and forgotten');
    assert.equal(spool.current('a.hp')?.key, run2.key, 'run 2 still has a piece to upload');
    await spool.acknowledge((await spool.next())!.piece, 'p2');
    await spool.forget('a.hp');
    assert.equal(spool.current('a.hp'), undefined);
    assert.deepEqual(spool.artefacts(), []);
  });

  it('explains a corrupt state file instead of starting empty', async () => {
    await writeFile(join(dir, 'state.json'), '{"version":1,');
    await assert.rejects(Spool.open(dir, 100), /state\.json: not valid JSON .*move it away/);
  });

  it('writes the state atomically (no temporary file left behind)', async () => {
    const spool = await Spool.open(dir, 100);
    await spool.begin('a.hp', 'hp', identity, {});
    assert.deepEqual((await readdir(dir)).sort(), ['pieces', 'state.json']);
    assert.equal(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')).current['a.hp'], 'a.hp#1');
  });
});
