/**
 * Keeps `npm run bench:server` working: runs bench/server.ts in its reduced mode (BENCH_SMALL=1: 20 profiles,
 * 8 uploads of 1 MiB, a 2 s autocannon run, from the sources) against both stores, and checks that it finished,
 * printed its table and that what it measured is consistent: every acknowledged upload listed and byte-identical,
 * the flame graphs merged exactly the profiles in their ranges, the load test got answers and lost nothing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BenchResults } from '../../bench/server/results';

const dir = mkdtempSync(join(tmpdir(), 'ghcprof-bench-test-'));
const resultsFile = join(dir, 'results.json');

async function runBench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server.ts'], {
    env: {
      ...process.env,
      BENCH_SMALL: '1',
      BENCH_INGEST_UPLOADS: '8',
      BENCH_LOAD_SECONDS: '2',
      BENCH_RESULTS: resultsFile,
      BENCH_TIMEOUT_S: '150',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('bench/server.ts in its reduced mode', () => {
  let run: { code: number | null; stdout: string; stderr: string };
  let results: BenchResults;

  before(async () => {
    run = await runBench();
    assert.equal(run.code, 0, `bench failed:\n${run.stdout}\n${run.stderr}`);
    results = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('measures both stores and prints the table with the ratios and goals', () => {
    assert.deepEqual(
      results.stores.map((s) => s.store),
      ['sqlite', 'postgres']
    );
    assert.match(run.stdout, /ratio warm \(goal <= 10x\)\s+\d+\.\d\dx (ok|MISSED)\s+\d+\.\d\dx (ok|MISSED)/);
    assert.match(run.stdout, /uploads\/s \(goal >= 50\)/);
    assert.match(run.stdout, /latency p50 \/ p99 \/ max \(ms\)/);
  });

  for (const store of ['sqlite', 'postgres'] as const) {
    describe(store, () => {
      const of = () => results.stores.find((s) => s.store === store)!;

      it('merged exactly the 20 stored profiles over the week and 1 over its own range', () => {
        const f = of().flamegraph;
        assert.equal(f.profiles, 20);
        assert.equal(f.many.profiles, 20);
        assert.equal(f.one.profiles, 1);
        assert.equal(f.many.warmMs.length, 2);
        assert.equal(f.one.coldMs.length, 1);
        assert.ok(f.many.rootValue > f.one.rootValue * 5, `week ${f.many.rootValue} ns vs one ${f.one.rootValue} ns`);
        assert.ok(f.ratioWarm > 0 && Number.isFinite(f.ratioWarm));
        // The week's whole hours come from the store's hourly rollups; a two-minute range never covers an hour.
        assert.ok((f.rollups.many ?? 0) > 0, `rollups over the week: ${f.rollups.many}`);
        assert.equal(f.rollups.one, 0);
      });

      it('lost no acknowledged upload: all 8 listed and downloaded byte-identical', () => {
        const i = of().ingest;
        assert.equal(i.failed, 0, i.firstFailure ?? '');
        assert.equal(i.acked, 8);
        assert.equal(i.listed, 8);
        assert.equal(i.identical, 8);
        assert.ok(i.bodyBytes >= 1024 * 1024, `body of ${i.bodyBytes} bytes`);
        assert.ok(i.uploadsPerSecond > 0);
      });

      it('ran the load test without errors, every acknowledged upload listed, RSS sampled', () => {
        const l = of().load;
        assert.ok(l.requests > 0);
        assert.equal(l.non2xx, 0);
        assert.equal(l.errors, 0);
        assert.ok(l.uploadsAcked > 0);
        assert.equal(l.uploadsListed, l.uploadsAcked);
        assert.ok(l.latencyP99Ms >= l.latencyP50Ms);
        assert.ok(l.rss.samples >= 2 && l.rss.startKiB > 10_000 && l.rss.peakKiB >= l.rss.endKiB);
      });
    });
  }
});
