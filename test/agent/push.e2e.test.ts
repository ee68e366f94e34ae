/** `ghcprof push` against a real `ghcprof serve` child process. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  NODE_ARGS,
  api,
  createToken,
  freePort,
  rawOf,
  runCli,
  spawnCli,
  startServer,
  waitFor,
  type RunningServer,
  type StoredMeta,
} from './support/ghcprof';

const GHC = 'test/fixtures/ghc';

/** `ID<TAB>FILE<TAB>created|existing` lines. */
function results(stdout: string): Array<{ id: string; file: string; state: string }> {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, file, state] = line.split('\t');
      return { id, file, state };
    });
}

describe('ghcprof push (end to end)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ghcprof-push-'));
  let server: RunningServer;
  let token: string;
  /** Raw downloads of eventlogs need admin scope (issue 12 §5). */
  let adminToken: string;

  before(async () => {
    const db = join(dir, 'ghcprof.db');
    token = createToken(db, 'shop', 'write');
    adminToken = createToken(db, 'shop', 'admin');
    server = await startServer(db, undefined, join(dir, 'serve.log'));
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const files = [`${GHC}/leaky.prof`, `${GHC}/leaky.json.prof`, `${GHC}/leaky.hc.hp`, `${GHC}/leaky.eventlog`];

  it('stores every file, prints one ID<TAB>FILE<TAB>created line each, with the labels given', async () => {
    const run = await runCli([
      'push',
      ...files,
      '--url',
      server.url,
      '--token',
      token,
      '--label',
      'service=ledger',
      '--label',
      'version=1.2.0',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const printed = results(run.stdout);
    assert.deepEqual(
      printed.map((r) => [r.file, r.state]),
      files.map((f) => [f, 'created'])
    );
    const kinds = ['prof', 'prof-json', 'hp', 'eventlog'];
    for (const [i, { id, file }] of printed.entries()) {
      const meta = await api<StoredMeta>(server, token, `/api/v1/profiles/${id}`);
      assert.equal(meta.kind, kinds[i]);
      assert.equal(meta.labels.service, 'ledger');
      assert.equal(meta.labels.version, '1.2.0');
      assert.deepEqual(await rawOf(server, adminToken, id), readFileSync(file));
    }
  });

  it('a second push of the same bytes prints the same ids as existing (URL and token from the environment)', async () => {
    const first = results((await runCli(['push', files[0], files[2], '--url', server.url, '--token', token])).stdout);
    const again = await runCli(['push', files[0], files[2]], { GHCPROF_URL: server.url, GHCPROF_TOKEN: token });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      results(again.stdout),
      first.map((r) => ({ ...r, state: 'existing' }))
    );
  });

  it('draws a progress bar (rate, ETA) on a terminal, then the result line', () => {
    // `script` (util-linux, in every Debian) runs the push on a pseudo-terminal, so stdout is a TTY.
    const file = `${GHC}/pipeline.eventlog`;
    const command = [process.execPath, ...NODE_ARGS, 'push', file, '--url', server.url, '--token', token].join(' ');
    const run = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\rpipeline\.eventlog \[#{24}\] 100% {2}[\d.]+ [KMG]?i?B\/s {2}ETA 0s/);
    assert.match(run.stdout, /\r\x1b\[K[\w-]+\ttest\/fixtures\/ghc\/pipeline\.eventlog\t(created|existing)/);
  });

  it('--gzip sends the file compressed; the server stores the original bytes', async () => {
    const run = await runCli(['push', `${GHC}/search.eventlog`, '--gzip', '--url', server.url, '--token', token]);
    assert.equal(run.code, 0, run.stderr);
    const [{ id, state }] = results(run.stdout);
    assert.equal(state, 'created');
    assert.deepEqual(await rawOf(server, adminToken, id), readFileSync(`${GHC}/search.eventlog`));
  });

  it("reports a 4xx with the server's message, does not retry it, and still pushes the other files", async () => {
    const started = Date.now();
    const run = await runCli([
      'push',
      `${GHC}/bad/binary.prof`,
      `${GHC}/search.prof`,
      '--url',
      server.url,
      '--token',
      token,
    ]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /ghcprof push: test\/fixtures\/ghc\/bad\/binary\.prof: HTTP 415: .*not a GHC profiling artefact/
    );
    assert.doesNotMatch(run.stderr, /retrying/);
    assert.match(run.stderr, /1 of 2 file\(s\) failed/);
    assert.deepEqual(
      results(run.stdout).map((r) => r.file),
      [`${GHC}/search.prof`]
    );
    const unauthorised = await runCli(['push', `${GHC}/search.prof`, '--url', server.url, '--token', 'not-a-token']);
    assert.equal(unauthorised.code, 1);
    assert.match(unauthorised.stderr, /HTTP 401/);
    assert.doesNotMatch(unauthorised.stderr, /retrying/);
    assert.ok(Date.now() - started < 15_000);
  });

  it('refuses a cut-off eventlog unless --partial, then stores its complete part', async () => {
    const file = `${GHC}/bad/truncated.eventlog`;
    const refused = await runCli(['push', file, '--url', server.url, '--token', token]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTP 422: .*ends early.*partial=true/);
    const stored = await runCli(['push', file, '--partial', '--url', server.url, '--token', token]);
    assert.equal(stored.code, 0, stored.stderr);
    const [{ id }] = results(stored.stdout);
    assert.equal((await api<StoredMeta>(server, token, `/api/v1/profiles/${id}`)).kind, 'eventlog');
  });

  it('a missing file fails with its name, without contacting the server', async () => {
    const run = await runCli(['push', join(dir, 'nope.prof'), '--url', server.url, '--token', token]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /nope\.prof: no such file/);
  });

  it("waits out the server's rate limit (429 with Retry-After) and stores every file", async () => {
    const db = join(dir, 'limited.db');
    const limitedToken = createToken(db, 'shop', 'write');
    const limited = await startServer(db, undefined, join(dir, 'limited.log'), [
      '--rate-limit',
      '2',
      '--rate-limit-window',
      '3s',
    ]);
    try {
      const files = [`${GHC}/search.prof`, `${GHC}/search.hc.hp`, `${GHC}/search.hy.hp`, `${GHC}/search.json.prof`];
      const run = await runCli(['push', ...files, '--url', limited.url, '--token', limitedToken]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /HTTP 429: .*; retrying in [1-3]\.\ds/);
      assert.deepEqual(
        results(run.stdout).map((r) => [r.file, r.state]),
        files.map((f) => [f, 'created'])
      );
    } finally {
      await limited.stop();
    }
  });

  it('retries a refused connection until the server comes up', async () => {
    const port = await freePort();
    const db = join(dir, 'late.db');
    const lateToken = createToken(db, 'shop', 'write');
    const push = spawnCli([
      'push',
      `${GHC}/pipeline.prof`,
      '--url',
      `http://127.0.0.1:${port}`,
      '--token',
      lateToken,
      '--retry-for',
      '60s',
    ]);
    await waitFor('a refused connection', () => push.output().includes('ECONNREFUSED'), 20_000);
    const late = await startServer(db, port, join(dir, 'late.log'));
    try {
      const run = await push.done;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /connect ECONNREFUSED 127\.0\.0\.1:\d+; retrying in \d+\.\ds/);
      const [{ id, state }] = results(run.stdout);
      assert.equal(state, 'created');
      assert.deepEqual(await rawOf(late, lateToken, id), readFileSync(`${GHC}/pipeline.prof`));
    } finally {
      await late.stop();
    }
  });
});
