import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { RecordingServer } from './__tests__/recording-server';
import type { AgentLog } from './log';
import { AgentMetrics } from './metrics';
import { Spool } from './spool';
import { Uploader } from './uploader';

const identity = { ino: 1, headHash: 'h', headLength: 1 };

describe('Uploader', () => {
  let server: RecordingServer;
  let dir: string;
  let spool: Spool;
  let logs: string[];
  let metrics: AgentMetrics;
  let uploader: Uploader;

  before(async () => {
    server = await RecordingServer.start();
  });
  after(() => server.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ghcprof-upl-'));
    spool = await Spool.open(dir, 1 << 20);
    logs = [];
    const log: AgentLog = {
      info: (m) => logs.push(`INFO ${m}`),
      warn: (m) => logs.push(`WARN ${m}`),
      error: (m) => logs.push(`ERROR ${m}`),
    };
    metrics = new AgentMetrics(spool, false);
    uploader = new Uploader({
      target: { url: server.url, token: 'test-token' },
      spool,
      policy: { baseMs: 5, maxMs: 20 },
      log,
      metrics,
    });
    server.requests.length = 0;
    server.failures.length = 0;
  });
  afterEach(async () => {
    await uploader.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const metric = async (name: string) =>
    (await metrics.registry.getSingleMetricAsString(name))
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');

  it('creates the profile with the first piece and appends later pieces at their offsets', async () => {
    const record = await spool.begin('app.hp', 'hp', identity, { service: 'api', file: 'app.hp' }, 1_700_000_000_000);
    await spool.enqueue(record.key, 0, Buffer.from('part-one;'));
    await spool.enqueue(record.key, 9, Buffer.from('part-two;'));
    await uploader.drain();
    assert.deepEqual(
      server.requests.map((r) => `${r.path}?${r.query}`),
      [
        '/api/v1/profiles?label=service%3Dapi&label=file%3Dapp.hp&start=1700000000000&partial=true',
        '/api/v1/profiles/p1/append?offset=9',
      ]
    );
    assert.equal(server.profiles.get('p1')!.content.toString(), 'part-one;part-two;');
    const state = spool.current('app.hp')!;
    assert.equal(state.ackedOffset, 18);
    assert.equal(state.profileId, 'p1');
    assert.equal(spool.pieces().length, 0);
    assert.match(await metric('ghcprof_agent_uploaded_bytes_total'), /ghcprof_agent_uploaded_bytes_total 18/);
    assert.match(await metric('ghcprof_agent_uploads_total'), /request="append"} 1/);
  });

  it('keeps appending a growing .hp to its one profile: no segments, a 413 drops the artefact with the reason', async () => {
    const hp = readFileSync('test/fixtures/ghc/leaky.hT.hp');
    const ends = [...hp.toString('latin1').matchAll(/^END_SAMPLE .*\n/gm)].map((m) => m.index! + m[0].length);
    const record = await spool.begin('big.hp', 'hp', identity, { service: 'api' });
    const cuts = [0, ends[2], ends[5], ends[8], ends[10]];
    for (let i = 0; i + 1 < cuts.length - 1; i++) {
      await spool.enqueue(record.key, cuts[i], hp.subarray(cuts[i], cuts[i + 1]));
    }
    await uploader.drain();
    const grown = [...server.profiles.values()].at(-1)!;
    assert.deepEqual(grown.content, hp.subarray(0, ends[8]), 'one profile holds every piece');
    assert.deepEqual(grown.labels, { service: 'api' });
    // One request over the server's per-request limit is refused for good; nothing starts a second profile.
    await spool.enqueue(record.key, ends[8], hp.subarray(ends[8], ends[10]));
    const before = server.profiles.size;
    server.maxContentBytes = ends[10] - ends[8] - 1;
    try {
      await uploader.drain();
    } finally {
      server.maxContentBytes = Infinity;
    }
    assert.equal(server.profiles.size, before);
    assert.match(spool.current('big.hp')!.rejected ?? '', /413/);
  });

  it('retries 503, 429 and refused connections until the server takes the piece', async () => {
    const record = await spool.begin('a.prof', 'prof', identity, {});
    await spool.enqueue(record.key, 0, Buffer.from('report'), { size: 6, mtimeMs: 1 });
    server.failures.push({ status: 503 }, { status: 429, headers: { 'retry-after': '0' } });
    await uploader.drain();
    assert.equal(server.requests.length, 3);
    assert.equal(spool.current('a.prof')!.profileId, [...server.profiles.keys()].at(-1));
    assert.match(await metric('ghcprof_agent_upload_failures_total'), /kind="transient"} 2/);
    assert.equal(logs.filter((l) => l.startsWith('WARN upload of a.prof')).length, 2);
    assert.match(
      logs.find((l) => l.startsWith('WARN'))!,
      /HTTP 503: injected 503\); retry 1 in .*s, 1 piece\(s\) \/ 6 B waiting in the spool/
    );
  });

  it('drops an artefact the server refuses (4xx) without retrying, and carries on with the next', async () => {
    const bad = await spool.begin('bad.hp', 'hp', identity, {});
    await spool.enqueue(bad.key, 0, Buffer.from('x1'));
    await spool.enqueue(bad.key, 2, Buffer.from('x2'));
    const good = await spool.begin('good.prof', 'prof', identity, {});
    await spool.enqueue(good.key, 0, Buffer.from('fine'));
    server.failures.push({
      status: 422,
      body: { error: { code: 'format_error', message: 'bad.hp: hp at line 1: expected JOB' } },
    });
    await uploader.drain();
    assert.equal(server.requests.length, 2, 'one refused request, one upload of good.prof');
    assert.equal(spool.artefact(bad.key)!.rejected, 'HTTP 422: bad.hp: hp at line 1: expected JOB');
    assert.deepEqual(
      logs.filter((l) => l.startsWith('ERROR')),
      [
        'ERROR server refused bad.hp bytes 0-2 [2 B]: HTTP 422: bad.hp: hp at line 1: expected JOB; dropped this artefact (2 piece(s))',
      ]
    );
    assert.ok(spool.current('good.prof')!.profileId);
  });

  it('runs in the background: a queued piece wakes it up; stop() ends a retry loop at once', async () => {
    uploader.start();
    const record = await spool.begin('b.prof', 'prof', identity, {});
    await spool.enqueue(record.key, 0, Buffer.from('bg'));
    for (let i = 0; i < 100 && spool.pieces().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(spool.pieces().length, 0);
    // Now the server fails forever: stop() must not wait for it.
    for (let i = 0; i < 1000; i++) server.failures.push({ status: 500 });
    const next = await spool.begin('c.prof', 'prof', identity, {});
    await spool.enqueue(next.key, 0, Buffer.from('cc'));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await uploader.stop();
    assert.ok(Date.now() - started < 1000);
    assert.equal(spool.pieces().length, 1, 'the piece stays in the spool for the next start');
    server.failures.length = 0;
  });
});
