/**
 * `ghcprof agent` end to end: a real `ghcprof serve` child process, the agent as a child process watching a temp
 * directory into which the tests write GHC fixtures (whole, or growing sample by sample as a running program would).
 * The outage lasts GHCPROF_OUTAGE_SECONDS (default 6; set 60 for the long version).
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  api,
  createToken,
  freePort,
  listProfiles,
  rawOf,
  runCli,
  spawnCli,
  startServer,
  waitFor,
  type CliProcess,
  type RunningServer,
  type StoredMeta,
} from './support/ghcprof';

const GHC = 'test/fixtures/ghc';
const OUTAGE_MS = Number(process.env.GHCPROF_OUTAGE_SECONDS ?? 6) * 1000;

interface RunningAgent {
  proc: CliProcess;
  port: number;
  health(): Promise<{ status: string; queuePieces: number; queueBytes: number; lastError: string | null }>;
  metrics(): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Offsets just past each `END_SAMPLE` line of a .hp: where a running program's file can be seen to stop. */
function sampleEnds(hp: Buffer): number[] {
  return [...hp.toString('latin1').matchAll(/^END_SAMPLE .*\n/gm)].map((m) => m.index! + m[0].length);
}

// Six scenarios of 15-70 s each (more on a loaded machine): the cap is there to end a hang, not to time them.
describe('ghcprof agent (end to end)', { timeout: 600_000 }, () => {
  let dir: string;
  let watch: string;
  let spool: string;
  let db: string;
  let token: string;
  /** Raw downloads of eventlogs need admin scope (issue 12 §5). */
  let adminToken: string;
  let server: RunningServer | undefined;
  const agents: RunningAgent[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ghcprof-agent-e2e-'));
    watch = join(dir, 'profiles');
    spool = join(dir, 'spool');
    mkdirSync(watch);
    db = join(dir, 'ghcprof.db');
    token = createToken(db, 'shop', 'write');
    adminToken = createToken(db, 'shop', 'admin');
    server = await startServer(db, undefined, join(dir, 'serve.log'));
  });
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.kill('SIGKILL');
    await server?.stop();
    if (!process.env.GHCPROF_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  });

  async function startAgent(extra: string[] = []): Promise<RunningAgent> {
    const port = await freePort();
    const args = [
      'agent',
      '--watch',
      watch,
      '--spool',
      spool,
      '--url',
      server!.url,
      '--token',
      token,
      '--label',
      'service=shop',
    ];
    args.push(
      '--settle',
      '2s',
      '--interval',
      '1s',
      '--poll',
      '200ms',
      '--retry-max-delay',
      '1s',
      '--listen',
      `127.0.0.1:${port}`,
      ...extra
    );
    const proc = spawnCli(args, {
      env: { POD_NAME: 'shop-7d9f-x2', POD_NAMESPACE: 'prod' },
      logFile: join(dir, 'agent.log'),
    });
    const base = `http://127.0.0.1:${port}`;
    const agent: RunningAgent = {
      proc,
      port,
      health: async () => (await fetch(`${base}/healthz`)).json() as ReturnType<RunningAgent['health']>,
      metrics: async () => (await fetch(`${base}/metrics`)).text(),
      async kill(signal = 'SIGTERM') {
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
        await proc.done;
      },
    };
    agents.push(agent);
    await waitFor('the agent /healthz', async () => (await fetch(`${base}/healthz`)).ok, 30_000);
    return agent;
  }

  /** Waits until every file is stored exactly once with exactly its bytes; returns the stored profiles. */
  async function waitUntilStored(files: Record<string, Buffer>, timeoutMs = 60_000): Promise<Map<string, StoredMeta>> {
    return waitFor(
      `all of ${Object.keys(files).join(', ')} stored`,
      async () => {
        const byFile = new Map<string, StoredMeta[]>();
        for (const p of await listProfiles(server!, token))
          byFile.set(p.labels.file, [...(byFile.get(p.labels.file) ?? []), p]);
        for (const [name, bytes] of Object.entries(files)) {
          const stored = byFile.get(name) ?? [];
          assert.ok(stored.length <= 1, `${name} stored ${stored.length} times`);
          if (stored.length === 0 || stored[0].size !== bytes.length) {
            throw new Error(
              `${name}: ${stored.length === 0 ? 'not stored' : `${stored[0].size} of ${bytes.length} bytes stored`}`
            );
          }
        }
        return new Map([...byFile].map(([name, [meta]]) => [name, meta]));
      },
      timeoutMs,
      250
    );
  }

  async function assertStoredExactly(files: Record<string, Buffer>, stored: Map<string, StoredMeta>): Promise<void> {
    const all = await listProfiles(server!, token);
    assert.equal(all.length, Object.keys(files).length, `profiles: ${all.map((p) => p.labels.file).join(', ')}`);
    for (const [name, bytes] of Object.entries(files)) {
      const meta = stored.get(name)!;
      assert.deepEqual(await rawOf(server!, adminToken, meta.id), bytes, `${name}: stored bytes`);
      assert.equal(meta.labels.service, 'shop');
      assert.equal(meta.labels.pod, 'shop-7d9f-x2');
      assert.equal(meta.labels.namespace, 'prod');
    }
  }

  it(`OUTAGE: files keep arriving while the server is down for ${OUTAGE_MS / 1000}s; afterwards each is stored exactly once`, async () => {
    const agent = await startAgent();
    const files: Record<string, Buffer> = {
      'before.prof': readFileSync(`${GHC}/search.prof`),
      'during.prof': readFileSync(`${GHC}/jsonagg.prof`),
      'during-pj.prof': readFileSync(`${GHC}/leaky.json.prof`),
      'growing.hp': readFileSync(`${GHC}/pipeline.hT.hp`),
      'run.eventlog': readFileSync(`${GHC}/search.eventlog`),
    };
    writeFileSync(join(watch, 'before.prof'), files['before.prof']);
    await waitUntilStored({ 'before.prof': files['before.prof'] });

    await server!.stop();
    const outageStart = Date.now();
    const ends = sampleEnds(files['growing.hp']);
    writeFileSync(join(watch, 'growing.hp'), files['growing.hp'].subarray(0, ends[3]));
    writeFileSync(join(watch, 'during.prof'), files['during.prof']);
    writeFileSync(join(watch, 'run.eventlog'), files['run.eventlog'].subarray(0, 150_000));
    await waitFor('the agent to notice the outage', async () => (await agent.health()).status === 'degraded', 20_000);
    writeFileSync(join(watch, 'during-pj.prof'), files['during-pj.prof']);
    // The program keeps running: more heap samples and event blocks while the server is away.
    const steps = 6;
    for (let i = 1; i <= steps; i++) {
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)) / (steps - i + 1));
      const hpEnd = i === steps ? files['growing.hp'].length : ends[3 + Math.floor(((ends.length - 4) * i) / steps)];
      appendFileSync(
        join(watch, 'growing.hp'),
        files['growing.hp'].subarray(readFileSync(join(watch, 'growing.hp')).length, hpEnd)
      );
    }
    appendFileSync(join(watch, 'run.eventlog'), files['run.eventlog'].subarray(150_000));
    const during = await agent.health();
    assert.equal(during.status, 'degraded');
    assert.ok(during.queuePieces >= 3, `pieces waiting: ${during.queuePieces}`);
    assert.match(during.lastError ?? '', /ECONNREFUSED/);

    server = await startServer(db, server!.port, join(dir, 'serve.log'));
    const stored = await waitUntilStored(files, 60_000 + OUTAGE_MS);
    await assertStoredExactly(files, stored);
    await waitFor('an empty queue', async () => (await agent.health()).queuePieces === 0, 10_000);
    assert.equal((await agent.health()).status, 'ok');
    const metrics = await agent.metrics();
    const failures = Number(/ghcprof_agent_upload_failures_total\{kind="transient"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(failures >= 1, metrics);
    const total = Object.values(files).reduce((sum, b) => sum + b.length, 0);
    assert.equal(
      Number(/ghcprof_agent_uploaded_bytes_total (\d+)/.exec(metrics)?.[1]),
      total,
      'every byte acknowledged once'
    );
    assert.match(metrics, /ghcprof_agent_queue_pieces 0/);
  });

  it('RESTART: an agent killed (SIGKILL) again and again while files arrive uploads nothing twice and skips nothing', async () => {
    const files: Record<string, Buffer> = {
      'a.prof': readFileSync(`${GHC}/pipeline.prof`),
      'b.hp': readFileSync(`${GHC}/leaky.hT.hp`),
      'c.eventlog': readFileSync(`${GHC}/leaky.hT.eventlog`),
      'd.prof': readFileSync(`${GHC}/search.json.prof`),
    };
    const ends = sampleEnds(files['b.hp']);
    let agent = await startAgent();
    writeFileSync(join(watch, 'a.prof'), files['a.prof']);
    writeFileSync(join(watch, 'b.hp'), files['b.hp'].subarray(0, ends[4]));
    writeFileSync(join(watch, 'c.eventlog'), files['c.eventlog'].subarray(0, 80_000));
    for (let round = 1; round <= 4; round++) {
      await sleep(900);
      await agent.kill('SIGKILL');
      // Data keeps arriving while no agent runs.
      const hpEnd = round === 4 ? files['b.hp'].length : ends[4 + round * 5];
      appendFileSync(join(watch, 'b.hp'), files['b.hp'].subarray(readFileSync(join(watch, 'b.hp')).length, hpEnd));
      if (round === 2) appendFileSync(join(watch, 'c.eventlog'), files['c.eventlog'].subarray(80_000));
      if (round === 3) writeFileSync(join(watch, 'd.prof'), files['d.prof']);
      agent = await startAgent();
    }
    const stored = await waitUntilStored(files);
    await assertStoredExactly(files, stored);
    const log = readFileSync(join(dir, 'agent.log'), 'utf8');
    assert.equal(log.match(/INFO agent: watching .* left from before/g)?.length, 5, 'five agent processes, one spool');
  });

  it('SHUTDOWN: on SIGTERM the agent uploads what the exiting program just wrote, then exits', async () => {
    // --settle 60s: only the final scan can count the report as finished.
    const agent = await startAgent(['--settle', '60s', '--drain-timeout', '20s']);
    const files = { 'exit.prof': readFileSync(`${GHC}/leaky.prof`), 'exit.hp': readFileSync(`${GHC}/leaky.hy.hp`) };
    writeFileSync(join(watch, 'exit.hp'), files['exit.hp']);
    writeFileSync(join(watch, 'exit.prof'), files['exit.prof']);
    await sleep(500);
    agent.proc.child.kill('SIGTERM');
    const run = await agent.proc.done;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /SIGTERM: final scan/);
    assert.match(run.stderr, /everything uploaded; bye/);
    const stored = await waitUntilStored(files, 5000);
    await assertStoredExactly(files, stored);
  });

  it('NO SIZE CAP: a growing .hp 2.6 times --max-upload-bytes grows in one profile (only requests are capped)', async () => {
    const full = readFileSync(`${GHC}/pipeline.hT.hp`);
    const ends = sampleEnds(full);
    assert.ok(full.length > 2.5 * 12000);
    await server!.stop();
    server = await startServer(db, server!.port, join(dir, 'serve.log'), ['--max-upload-bytes', '12000']);
    await startAgent(['--settle', '4s']);
    const path = join(watch, 'long.hp');
    writeFileSync(path, '');
    // Three censuses a step, a step a little slower than --interval (1s): pieces of ~3.6 KB, well under the limit.
    for (let i = 2; i < ends.length; i += 3) {
      appendFileSync(path, full.subarray(readFileSync(path).length, ends[i]));
      await sleep(1300);
    }
    appendFileSync(path, full.subarray(readFileSync(path).length));
    const grown = await waitFor(
      'every sample stored',
      async () => {
        const stored = (await listProfiles(server!, token)).filter((p) => p.labels.file === 'long.hp');
        return stored.length === 1 && stored[0].size === full.length ? stored[0] : undefined;
      },
      60_000,
      300
    );
    assert.equal(grown.labels.segment, undefined);
    assert.deepEqual(await rawOf(server!, token, grown.id), full);
    const heap = await api<{ frames: Array<{ data: { values: unknown[][] } }> }>(server!, token, '/api/v1/query/heap', {
      profileIds: [grown.id],
    });
    assert.equal(heap.frames[0].data.values[0].length, ends.length, 'every census once');
  });

  it('EVENTLOG: a growing threaded +RTS -p -hc -l eventlog tailed by the agent equals the file uploaded whole', async () => {
    const full = readFileSync(`${GHC}/leaky.eventlog`);
    const other = createToken(db, 'whole', 'write');
    await startAgent(['--settle', '4s']);
    const path = join(watch, 'leaky.eventlog');
    writeFileSync(path, '');
    for (let i = 1; i <= 8; i++) {
      appendFileSync(path, full.subarray(Math.floor(((i - 1) * full.length) / 8), Math.floor((i * full.length) / 8)));
      await sleep(1300);
    }
    const grown = await waitFor(
      'the whole eventlog stored',
      async () => {
        const stored = (await listProfiles(server!, token)).filter((p) => p.labels.file === 'leaky.eventlog');
        return stored.length === 1 && stored[0].size === full.length ? stored[0] : undefined;
      },
      60_000,
      300
    );
    const res = await fetch(`${server!.url}/api/v1/profiles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other}`, 'content-type': 'application/octet-stream' },
      body: full,
    });
    assert.equal(res.status, 201);
    const whole = (await res.json()) as StoredMeta & Record<string, unknown>;
    const meta = await api<Record<string, unknown>>(server!, token, `/api/v1/profiles/${grown.id}`);
    for (const key of ['sha256', 'startTime', 'endTime', 'timeSource', 'program', 'has']) {
      assert.deepEqual(meta[key], whole[key], key);
    }
    // An eventlog's raw bytes are the admin scope's by default (--raw-download).
    assert.ok((await rawOf(server!, createToken(db, 'shop', 'admin'), grown.id)).equals(full), 'raw bytes');
    type Frames = { frames: Array<{ data: { values: unknown[][] } }> };
    const heap = async (t: string, id: string) =>
      (await api<Frames>(server!, t, '/api/v1/query/heap', { profileIds: [id], topN: 1000 })).frames[0].data.values;
    assert.deepEqual(await heap(token, grown.id), await heap(other, whole.id), 'censuses');
    // Flame graph rows as a multiset (sibling order may differ between a merged and a read tree).
    const flame = async (t: string, id: string) => {
      const v = (await api<Frames>(server!, t, '/api/v1/query/top', { profileIds: [id], limit: 100000 })).frames[0].data
        .values;
      return v[0].map((_, row) => JSON.stringify(v.map((col) => col[row]))).sort();
    };
    assert.deepEqual(await flame(token, grown.id), await flame(other, whole.id), 'time samples per function');
  });

  it('INCREMENTAL: a growing .hp is appended sample by sample to one stored profile that ends equal to the whole file', async () => {
    const full = readFileSync(`${GHC}/leaky.hc.hp`);
    const ends = sampleEnds(full);
    assert.equal(ends.length, 37);
    await startAgent(['--settle', '4s']);
    const path = join(watch, 'leaky.hp');
    writeFileSync(path, '');
    const observed: Array<{ id: string; size: number; samples: number }> = [];
    let written = 0;
    let lagChecked = false;
    let lagMs = Infinity;
    for (let i = 2; i < ends.length; i += 3) {
      appendFileSync(path, full.subarray(written, ends[i] + 12)); // a bit of the next sample: a program mid-census
      written = ends[i] + 12;
      if (i >= 14 && !lagChecked) {
        // At most --interval (1s) behind, plus a directory poll (0.2s) and an append (a re-parse on the server);
        // 5s of slack keeps a loaded CI machine from failing it.
        const started = Date.now();
        await waitFor('the stored profile to catch up', async () => (await observe()).size === ends[i], 5000, 100);
        lagMs = Date.now() - started;
        lagChecked = true;
      } else {
        await sleep(400);
        await observe();
      }
    }
    appendFileSync(path, full.subarray(written));
    await waitFor('the whole file stored', async () => (await observe()).size === full.length, 20_000, 200);

    /** The stored profile of leaky.hp now: exactly one (or none yet), with its size and heap sample count. */
    async function observe(): Promise<{ id: string; size: number; samples: number }> {
      for (;;) {
        const stored = (await listProfiles(server!, token)).filter((p) => p.labels.file === 'leaky.hp');
        assert.ok(stored.length <= 1, `leaky.hp stored ${stored.length} times`);
        if (stored.length === 0) return { id: '', size: 0, samples: 0 };
        const [meta] = stored;
        const heap = await api<{ frames: Array<{ data: { values: unknown[][] } }> }>(
          server!,
          token,
          '/api/v1/query/heap',
          {
            profileIds: [meta.id],
          }
        ).catch(() => null); // an append replaced it between the two requests: look again
        if (!heap) continue;
        const entry = { id: meta.id, size: meta.size, samples: heap.frames[0].data.values[0].length };
        observed.push(entry);
        return entry;
      }
    }

    // One stored profile at every moment (observe() checks that), appended to. Its id stays the same: the store
    // replaces in place (Store.replaceProfile).
    const seen = observed.filter((o) => o.id);
    const sizes = seen.map((o) => o.size);
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => a - b),
      'never shrinks'
    );
    for (const size of sizes) assert.ok(ends.includes(size), `stored ${size} bytes: not at a sample boundary`);
    const partial = new Set(sizes.filter((s) => s < full.length));
    assert.ok(partial.size >= 4, `grew in steps while the file was written (${[...partial].join(', ')})`);
    const samples = seen.map((o) => o.samples);
    assert.deepEqual(
      samples,
      [...samples].sort((a, b) => a - b)
    );
    assert.equal(samples.at(-1), 37, 'every census in the heap timeline');
    assert.ok(lagMs < 5000, `caught up ${lagMs} ms after the write`);
    const id = seen.at(-1)!.id;
    assert.deepEqual(await rawOf(server!, adminToken, id), full);
    // The same bytes pushed whole are the same profile.
    const push = await runCli(['push', `${GHC}/leaky.hc.hp`, '--url', server!.url, '--token', token]);
    assert.equal(push.stdout.trim(), `${id}\t${GHC}/leaky.hc.hp\texisting`);
  });
});
