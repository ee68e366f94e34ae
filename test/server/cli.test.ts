/**
 * The server's command line: `ghcprof token create|list|revoke` against a store a running `ghcprof serve` uses,
 * serve options from GHCPROF_* variables, a graceful stop on SIGTERM, and a clear exit when listening fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { after, describe, it } from 'node:test';
import { openStore } from '../../pkg/store';
import { fixture, freshStoreSpec, STORE_KINDS, stopPostgres } from './support';
import { runCli, startServe, stopChild } from './spawn';

after(stopPostgres);

const lastLine = (out: string) => out.trimEnd().split('\n').at(-1)!;

for (const kind of STORE_KINDS) {
  describe(`ghcprof token and serve on ${kind}`, { timeout: 120_000 }, () => {
    it('creates, lists and revokes tokens while the server runs on the same store', async () => {
      const { spec, cleanup } = await freshStoreSpec(kind);
      const created = runCli([
        'token',
        'create',
        '--db',
        spec,
        '--tenant',
        'team-a',
        '--scope',
        'write',
        '--name',
        'ci',
      ]);
      assert.equal(created.status, 0, created.stderr);
      const token = lastLine(created.stdout);
      assert.match(token, /^ghcp_[A-Za-z0-9_-]{43}$/);
      const server = await startServe(['--db', spec, '--log-level', 'info']);
      try {
        const check = (t: string) =>
          fetch(`${server.url}/api/v1/auth/check`, { headers: { authorization: `Bearer ${t}` } });
        const res = await check(token);
        assert.equal(res.status, 200);
        const body = (await res.json()) as { tenant: string; scope: string; tokenName: string };
        assert.deepEqual([body.tenant, body.scope, body.tokenName], ['team-a', 'write', 'ci']);

        // A token made while the server runs works at once.
        const read = runCli(['token', 'create', '--db', spec, '--tenant', 'team-a', '--scope', 'read']);
        assert.equal((await check(lastLine(read.stdout))).status, 200);

        // Bound to Grafana orgs: refused on a server that cannot verify Grafana's ID tokens (no --grafana-url).
        const readToken = (...extra: string[]) =>
          runCli(['token', 'create', '--db', spec, '--tenant', 'team-a', '--scope', 'read', ...extra]);
        const bound = readToken('--name', 'grafana', '--grafana-org', '7', '--grafana-org', '2');
        assert.equal(bound.status, 0, bound.stderr);
        assert.match(bound.stdout, /bound to Grafana org 2, 7/);
        assert.equal((await check(lastLine(bound.stdout))).status, 403);
        const badOrg = readToken('--grafana-org', 'x');
        assert.equal(badOrg.status, 1);
        assert.match(badOrg.stderr, /invalid Grafana org id "x"/);

        const list = runCli(['token', 'list', '--db', spec, '--json']);
        assert.equal(list.status, 0, list.stderr);
        const tokens = JSON.parse(list.stdout) as Array<{
          id: string;
          name: string;
          tenant: string;
          scope: string;
          grafanaOrgs: number[];
        }>;
        assert.equal(tokens.length, 3);
        assert.deepEqual(tokens.find((t) => t.name === 'grafana')!.grafanaOrgs, [2, 7]);
        assert.ok(!list.stdout.includes(token), 'secrets are never listed');
        const ci = tokens.find((t) => t.name === 'ci')!;
        assert.equal(ci.scope, 'write');

        const revoke = runCli(['token', 'revoke', ci.id, '--db', spec]);
        assert.equal(revoke.status, 0, revoke.stderr);
        assert.match(revoke.stdout, new RegExp(`revoked token ${ci.id}`));
        const after = await check(token);
        assert.equal(after.status, 401);
        const again = runCli(['token', 'revoke', ci.id, '--db', spec]);
        assert.equal(again.status, 1);
        assert.match(again.stderr, /no active token/);
      } finally {
        assert.equal(await stopChild(server.child, 'SIGTERM'), 0, 'graceful exit on SIGTERM');
        await cleanup();
      }
    });
  });
}

describe('ghcprof serve shutdown', { timeout: 120_000 }, () => {
  it('on SIGTERM finishes the upload in flight, refuses new connections, closes the store and exits 0', async () => {
    const { spec, cleanup } = await freshStoreSpec('sqlite');
    const token = lastLine(runCli(['token', 'create', '--db', spec, '--tenant', 'grace', '--scope', 'write']).stdout);
    const server = await startServe(['--db', spec, '--log-level', 'info']);
    try {
      const body = fixture('pipeline.prof');
      const half = Math.floor(body.length / 2);
      const { hostname, port } = new URL(server.url);
      // Send half of the body, then SIGTERM, then the rest: the request must still be answered.
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: hostname,
            port,
            method: 'POST',
            path: '/api/v1/profiles?label=service%3Dgrace',
            headers: { authorization: `Bearer ${token}`, 'content-length': body.length },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body: text }));
          }
        );
        req.on('error', reject);
        req.write(body.subarray(0, half));
        setTimeout(() => {
          server.child.process.kill('SIGTERM');
          setTimeout(() => req.end(body.subarray(half)), 500);
        }, 300);
      });
      const res = await answer;
      assert.equal(res.status, 201, res.body);
      assert.equal(await server.child.exited, 0);
      assert.match(server.child.stdout(), /"shutting down"/);
      await assert.rejects(fetch(`${server.url}/healthz`));
      // The acknowledged upload is in the store the server closed.
      const store = await openStore(spec);
      const stored = await store.listProfiles('grace', { matchers: [] });
      await store.close();
      assert.deepEqual(
        stored.map((p) => p.id),
        [JSON.parse(res.body).id]
      );
    } finally {
      await stopChild(server.child, 'SIGKILL');
      await cleanup();
    }
  });
});

describe('ghcprof serve configuration', { timeout: 120_000 }, () => {
  it('takes its options from GHCPROF_* variables (db, upload limit)', async () => {
    const { spec, cleanup } = await freshStoreSpec('sqlite');
    const token = lastLine(runCli(['token', 'create', '--db', spec, '--tenant', 'env', '--scope', 'write']).stdout);
    const server = await startServe([], {
      GHCPROF_DB: spec,
      GHCPROF_MAX_UPLOAD_BYTES: '4KiB',
      GHCPROF_LOG_LEVEL: 'info',
    });
    try {
      const post = (body: Buffer) =>
        fetch(`${server.url}/api/v1/profiles`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
      assert.equal((await post(fixture('search.prof'))).status, 413, 'search.prof (7452 bytes) is over 4 KiB');
      const small = fixture('search.hT.hp').subarray(0, 0);
      assert.equal((await post(small)).status, 415);
    } finally {
      await stopChild(server.child);
      await cleanup();
    }
  });

  it('reads a config file, and the command line overrides it', async () => {
    const { spec, cleanup } = await freshStoreSpec('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'ghcprof-cli-'));
    const file = join(dir, 'ghcprof.yaml');
    writeFileSync(file, `db: ${spec}\nmaxUploadBytes: 1KiB\nlogLevel: info\n`);
    const token = lastLine(runCli(['token', 'create', '--db', spec, '--tenant', 'cfg', '--scope', 'write']).stdout);
    const server = await startServe(['--config', file, '--max-upload-bytes', '1MiB']);
    try {
      const res = await fetch(`${server.url}/api/v1/profiles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: fixture('search.prof'),
      });
      assert.equal(res.status, 201);
    } finally {
      await stopChild(server.child);
      await cleanup();
    }
  });

  it('exits 1 with a one-line message when it cannot listen or the options are wrong', () => {
    const badPort = runCli(['serve', '--port', '99999', '--db', ':memory:']);
    assert.equal(badPort.status, 1);
    assert.match(badPort.stderr, /^ghcprof: .*port/m);
    const badScope = runCli(['token', 'create', '--db', ':memory:', '--tenant', 't', '--scope', 'root']);
    assert.equal(badScope.status, 1);
    assert.match(badScope.stderr, /invalid scope "root": expected one of read, write, admin/);
  });
});
