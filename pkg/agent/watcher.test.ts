import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AgentLog } from './log';
import { Spool } from './spool';
import { Watcher } from './watcher';

const GHC = 'test/fixtures/ghc';

interface Harness {
  dir: string;
  spool: Spool;
  watcher: Watcher;
  logs: string[];
  clock: { t: number };
  /** Concatenation of the queued pieces of `path`'s current generation, in order. */
  spooled(path: string): Promise<Buffer>;
  /** Simulates the uploader: acknowledge every queued piece. */
  ackAll(): Promise<void>;
}

async function harness(root: string, opts: { maxBytes?: number; deleteAfterUpload?: boolean } = {}): Promise<Harness> {
  // Calling it again on the same root is what an agent restart looks like: same watched directory, same spool.
  const dir = join(root, 'watch');
  await mkdir(dir, { recursive: true });
  const spool = await Spool.open(join(root, 'spool'), opts.maxBytes ?? 1 << 24);
  const logs: string[] = [];
  const log: AgentLog = {
    info: (m) => logs.push(`INFO ${m}`),
    warn: (m) => logs.push(`WARN ${m}`),
    error: (m) => logs.push(`ERROR ${m}`),
  };
  const clock = { t: 1_000_000 };
  const watcher = new Watcher({
    dir,
    spool,
    labels: { service: 'api' },
    settleMs: 5000,
    intervalMs: 30_000,
    log,
    now: () => clock.t,
    deleteAfterUpload: opts.deleteAfterUpload,
  });
  return {
    dir,
    spool,
    watcher,
    logs,
    clock,
    async spooled(path) {
      const key = spool.current(path)?.key;
      const pieces = spool.pieces().filter((p) => p.key === key);
      return Buffer.concat(
        await Promise.all(
          pieces.map((p) => readFile(join(spool.dir, 'pieces', `${String(p.seq).padStart(10, '0')}.bin`)))
        )
      );
    },
    async ackAll() {
      for (let next = await spool.next(); next; next = await spool.next())
        await spool.acknowledge(next.piece, `id-${next.piece.key}`);
    },
  };
}

describe('Watcher', () => {
  let root: string;
  let h: Harness;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ghcprof-watch-'));
    h = await harness(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('uploads a written-once .prof once it has settled, once, with its path as a label', async () => {
    const bytes = readFileSync(`${GHC}/search.prof`);
    await writeFile(join(h.dir, 'search.prof'), bytes);
    await h.watcher.scan();
    assert.equal(h.spool.pieces().length, 0, 'not settled yet');
    h.clock.t += 5000;
    await h.watcher.scan();
    await h.watcher.scan();
    assert.equal(h.spool.pieces().length, 1);
    const record = h.spool.current('search.prof')!;
    assert.equal(record.kind, 'prof');
    assert.deepEqual(record.labels, { service: 'api', file: 'search.prof' });
    assert.equal(record.complete, true);
    assert.deepEqual(await h.spooled('search.prof'), bytes);
  });

  it('recognises -pj JSON written under a .prof name, in a subdirectory', async () => {
    await mkdir(join(h.dir, 'run1'));
    await writeFile(join(h.dir, 'run1', 'leaky.prof'), readFileSync(`${GHC}/leaky.json.prof`));
    await h.watcher.scan();
    h.clock.t += 6000;
    await h.watcher.scan();
    assert.equal(h.spool.current('run1/leaky.prof')?.kind, 'prof-json');
    assert.equal(h.spool.pieces().length, 1);
  });

  it('cuts a growing .hp at complete samples every interval, and the pieces add up to the file', async () => {
    const full = readFileSync(`${GHC}/leaky.hc.hp`);
    const sampleEnds = [...full.toString('latin1').matchAll(/^END_SAMPLE .*\n/gm)].map((m) => m.index! + m[0].length);
    const path = join(h.dir, 'leaky.hp');
    // Three samples and half of the fourth.
    await writeFile(path, full.subarray(0, sampleEnds[2] + 40));
    await h.watcher.scan();
    assert.deepEqual(await h.spooled('leaky.hp'), full.subarray(0, sampleEnds[2]));
    // More samples within the interval: nothing new until it has passed.
    await appendFile(path, full.subarray(sampleEnds[2] + 40, sampleEnds[9] + 7));
    h.clock.t += 10_000;
    await h.watcher.scan();
    assert.equal((await h.spooled('leaky.hp')).length, sampleEnds[2]);
    h.clock.t += 20_000;
    await h.watcher.scan();
    assert.deepEqual(await h.spooled('leaky.hp'), full.subarray(0, sampleEnds[9]));
    // The program exits: the rest arrives, the file settles, everything is spooled.
    await appendFile(path, full.subarray(sampleEnds[9] + 7));
    h.clock.t += 1000;
    await h.watcher.scan();
    h.clock.t += 5000;
    await h.watcher.scan();
    assert.deepEqual(await h.spooled('leaky.hp'), full);
    assert.deepEqual(
      h.spool.pieces().map((p) => p.offset),
      [0, sampleEnds[2], sampleEnds[9]]
    );
    assert.ok(h.spool.current('leaky.hp')!.startedAt! > 0);
  });

  it('holds back the t=0 sample alone (identical for two runs), even settled, until the final scan', async () => {
    const full = readFileSync(`${GHC}/leaky.hT.hp`);
    const firstEnd = full.indexOf('END_SAMPLE 0.000000\n') + 20;
    await writeFile(join(h.dir, 'a.hp'), full.subarray(0, firstEnd));
    await h.watcher.scan();
    h.clock.t += 60_000;
    await h.watcher.scan();
    assert.equal(h.spool.pieces().length, 0, 'a quiet service before its second census');
    await h.watcher.scan({ final: true });
    assert.deepEqual(await h.spooled('a.hp'), full.subarray(0, firstEnd), 'the program exited');
  });

  it('cuts a growing eventlog at block boundaries only; its end marker completes it', async () => {
    const full = readFileSync(`${GHC}/leaky.eventlog`);
    const path = join(h.dir, 'leaky.eventlog');
    await writeFile(path, full.subarray(0, 100_000));
    await h.watcher.scan();
    assert.equal(h.spool.pieces().length, 0, 'first block (to 187612) incomplete');
    await appendFile(path, full.subarray(100_000, 200_000));
    h.clock.t += 30_000;
    await h.watcher.scan();
    assert.deepEqual(await h.spooled('leaky.eventlog'), full.subarray(0, 187_612));
    await appendFile(path, full.subarray(200_000));
    h.clock.t += 30_000;
    await h.watcher.scan();
    assert.deepEqual(await h.spooled('leaky.eventlog'), full);
    assert.equal(h.spool.current('leaky.eventlog')!.complete, true);
  });

  it('treats a truncated-and-rewritten file (the program restarted) as a new artefact', async () => {
    const full = readFileSync(`${GHC}/search.hT.hp`);
    const path = join(h.dir, 'search.hp');
    await writeFile(path, full);
    await h.watcher.scan();
    assert.equal(h.spool.current('search.hp')!.spooledOffset, full.length);
    const second = readFileSync(`${GHC}/search.hc.hp`).subarray(0, 2000);
    await writeFile(path, second);
    h.clock.t += 1000;
    await h.watcher.scan();
    const record = h.spool.current('search.hp')!;
    assert.equal(record.key, 'search.hp#2');
    assert.ok(record.spooledOffset > 0 && record.spooledOffset < 2000);
    assert.ok(h.logs.some((l) => l.includes('watching search.hp (hp, run 2)')));
  });

  it('ignores files that are not GHC artefacts, saying so once', async () => {
    await writeFile(join(h.dir, 'notes.prof'), 'just some notes\n');
    await writeFile(join(h.dir, 'other.txt'), 'JOB "x"\n');
    for (let i = 0; i < 3; i++) {
      h.clock.t += 6000;
      await h.watcher.scan();
    }
    assert.equal(h.spool.pieces().length, 0);
    assert.deepEqual(
      h.logs.filter((l) => l.startsWith('WARN')),
      ['WARN notes.prof: not a GHC profiling artefact (by its first bytes); ignored']
    );
  });

  it('deletes a settled artefact once it is uploaded, with --delete-after-upload', async () => {
    h = await harness(root, { deleteAfterUpload: true });
    const path = join(h.dir, 'jsonagg.prof');
    await writeFile(path, readFileSync(`${GHC}/jsonagg.prof`));
    await h.watcher.scan();
    h.clock.t += 5000;
    await h.watcher.scan();
    assert.ok(existsSync(path), 'not uploaded yet');
    await h.ackAll();
    await h.watcher.scan();
    assert.equal(existsSync(path), false);
    assert.equal(h.spool.current('jsonagg.prof'), undefined, 'forgotten');
    assert.ok(h.logs.some((l) => /deleted jsonagg\.prof \(.*\) after upload as id-jsonagg\.prof#1/.test(l)));
  });

  it('deletes a growing artefact only when nothing more will be written: eventlog end marker, .hp after 10 x settle', async () => {
    h = await harness(root, { deleteAfterUpload: true });
    const eventlog = readFileSync(`${GHC}/search.hT.eventlog`);
    const hp = readFileSync(`${GHC}/search.hT.hp`);
    // A running program's eventlog (no end marker yet) and .hp, both quiet for a while.
    await writeFile(join(h.dir, 'live.eventlog'), eventlog.subarray(0, eventlog.length - 2));
    await writeFile(join(h.dir, 'live.hp'), hp);
    await h.watcher.scan();
    h.clock.t += 6000;
    await h.watcher.scan();
    await h.ackAll();
    h.clock.t += 6000;
    await h.watcher.scan();
    assert.ok(existsSync(join(h.dir, 'live.eventlog')) && existsSync(join(h.dir, 'live.hp')), 'both may still grow');
    // The program exits: the eventlog gets its end marker and can go; the .hp goes after 10 x settle of silence.
    await appendFile(join(h.dir, 'live.eventlog'), eventlog.subarray(eventlog.length - 2));
    await h.watcher.scan();
    h.clock.t += 6000;
    await h.watcher.scan();
    assert.equal(h.spool.current('live.eventlog')!.complete, true);
    await h.ackAll();
    await h.watcher.scan();
    assert.equal(existsSync(join(h.dir, 'live.eventlog')), false);
    assert.ok(existsSync(join(h.dir, 'live.hp')));
    h.clock.t += 40_000;
    await h.watcher.scan();
    assert.equal(existsSync(join(h.dir, 'live.hp')), false);
  });

  it('leaves data in the source while the spool is full, logs it once, and resumes', async () => {
    const a = readFileSync(`${GHC}/search.prof`);
    const b = readFileSync(`${GHC}/leaky.prof`);
    h = await harness(root, { maxBytes: Math.max(a.length, b.length) + 10 });
    await writeFile(join(h.dir, 'a.prof'), a);
    await writeFile(join(h.dir, 'b.prof'), b);
    await h.watcher.scan();
    h.clock.t += 5000;
    await h.watcher.scan();
    await h.watcher.scan();
    assert.equal(h.spool.pieces().length, 1);
    const full = h.logs.filter((l) => l.includes('spool full'));
    assert.equal(full.length, 1);
    assert.match(full[0], /WARN spool full: .* of .* \(--spool-max-bytes\) wait for the server; b\.prof .* stays in/);
    await h.ackAll();
    await h.watcher.scan();
    assert.equal(h.spool.pieces().length, 1);
    assert.equal(h.spool.pieces()[0].key, 'b.prof#1');
    assert.ok(h.logs.some((l) => l.includes('spool has room again')));
  });

  it('after a restart, continues where the spool left off: acknowledged bytes are not cut again, queued ones stay', async () => {
    const full = readFileSync(`${GHC}/pipeline.hc.hp`);
    const path = join(h.dir, 'p.hp');
    await writeFile(path, full.subarray(0, 5000));
    await h.watcher.scan();
    const first = await h.spooled('p.hp');
    assert.ok(first.length > 0);
    await h.ackAll();
    await appendFile(path, full.subarray(5000, 9000));
    h.clock.t += 30_000;
    await h.watcher.scan();
    const second = await h.spooled('p.hp');
    assert.ok(second.length > 0);

    // A new agent process (the second piece not acknowledged yet): a fresh watcher and spool on the same directories.
    await appendFile(path, full.subarray(9000));
    const restarted = await harness(root);
    assert.deepEqual(await restarted.spooled('p.hp'), second, 'the unacknowledged piece is still queued');
    await restarted.watcher.scan();
    const all = await restarted.spooled('p.hp');
    assert.deepEqual(Buffer.concat([first, all]), full);
    assert.equal(restarted.spool.current('p.hp')!.key, 'p.hp#1', 'same artefact, not a new run');
  });
});
