/**
 * The compose job that gives each team its Grafana organisation (deploy/compose/grafana-orgs.mjs), run as compose
 * runs it, against a stand-in for Grafana's HTTP API on 127.0.0.1 (no Grafana can run here): POST /api/orgs answers
 * the new org's id, or 409 for a name that exists (GET /api/orgs/name/:name then gives its id), as Grafana's
 * pkg/api/org.go does; the provisioning reload endpoints are POST /api/admin/provisioning/<what>/reload.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

class FakeGrafana {
  orgs = new Map<string, number>([['Main Org.', 1]]);
  nextId = 2;
  calls: string[] = [];
  private server = createServer(async (req, res) => {
    const body = await readBody(req);
    this.calls.push(`${req.method} ${req.url}`);
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.url === '/api/health') return json(200, { database: 'ok' }); // no auth, as in Grafana
    if (req.headers.authorization !== `Basic ${Buffer.from('admin:admin').toString('base64')}`) return json(401, {});
    if (req.method === 'POST' && req.url === '/api/orgs') {
      const { name } = JSON.parse(body) as { name: string };
      if (this.orgs.has(name)) return json(409, { message: 'Organization name taken' });
      this.orgs.set(name, this.nextId);
      return json(200, { orgId: this.nextId++, message: 'Organization created' });
    }
    const byName = /^\/api\/orgs\/name\/(.+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && byName) {
      const id = this.orgs.get(decodeURIComponent(byName[1]));
      return id === undefined ? json(404, {}) : json(200, { id, name: decodeURIComponent(byName[1]) });
    }
    if (req.method === 'POST' && /^\/api\/admin\/provisioning\/(datasources|dashboards)\/reload$/.test(req.url ?? '')) {
      return json(200, { message: 'reloaded' });
    }
    json(404, {});
  });
  url = '';
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => resolve(text));
  });
}

function runJob(grafanaUrl: string, live: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['deploy/compose/grafana-orgs.mjs'], {
      env: { ...process.env, GRAFANA_URL: grafanaUrl, TEAMS_DIR: 'provisioning/teams', LIVE_PROVISIONING_DIR: live },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function liveDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ghcprof-live-provisioning-'));
  mkdirSync(join(dir, 'datasources'));
  mkdirSync(join(dir, 'dashboards'));
  return dir;
}

describe('grafana-orgs job', () => {
  it('creates the teams’ orgs, adds their provisioning, reloads it; a second run finds the orgs and changes nothing', async () => {
    const grafana = new FakeGrafana();
    await grafana.start();
    const live = liveDir();
    try {
      const first = await runJob(grafana.url, live);
      assert.equal(first.code, 0, first.output);
      assert.deepEqual(
        [...grafana.orgs],
        [
          ['Main Org.', 1],
          ['Team A', 2],
          ['Team B', 3],
        ]
      );
      assert.equal(
        readFileSync(join(live, 'datasources', 'teams.yaml'), 'utf8'),
        readFileSync('provisioning/teams/datasources.yaml', 'utf8')
      );
      assert.ok(existsSync(join(live, 'dashboards', 'teams.yaml')));
      assert.deepEqual(
        grafana.calls.filter((c) => c.includes('reload')),
        ['POST /api/admin/provisioning/datasources/reload', 'POST /api/admin/provisioning/dashboards/reload']
      );
      const again = await runJob(grafana.url, live);
      assert.equal(again.code, 0, again.output);
      assert.equal(grafana.orgs.size, 3);
      assert.ok(grafana.calls.includes('GET /api/orgs/name/Team%20A'));
    } finally {
      await grafana.stop();
    }
  });

  it('stops, naming the org, when an org has another id than provisioning and the tokens expect', async () => {
    const grafana = new FakeGrafana();
    grafana.orgs.set('Other', 2);
    grafana.nextId = 3; // "Team A" would get 3, provisioning says 2
    await grafana.start();
    const live = liveDir();
    try {
      const run = await runJob(grafana.url, live);
      assert.equal(run.code, 1);
      assert.match(run.output, /org "Team A" has id 3, but provisioning\/teams and the team tokens expect 2/);
      assert.ok(!existsSync(join(live, 'datasources', 'teams.yaml')), 'nothing provisioned into the wrong org');
    } finally {
      await grafana.stop();
    }
  });
});
