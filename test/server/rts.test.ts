/**
 * POST /api/v1/query/rts through the server: an ekg JSON endpoint (a small HTTP server that answers like ekg's)
 * configured with --ekg-url, the stored profiles in the range as exemplars, and the errors when no source is set.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { columnOf, fixture, query, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

/** An ekg endpoint whose clock and allocation counter advance by 1 s and 5 MB per request. */
function fakeEkg(): { server: Server; started: Promise<string>; t0: number } {
  const t0 = Date.now() - 60_000;
  let n = 0;
  const server = createServer((_req, res) => {
    const counter = (val: number) => ({ type: 'c', val });
    const body = {
      ekg: { server_timestamp_ms: counter(t0 + n * 1000) },
      rts: {
        gc: {
          bytes_allocated: counter(5_000_000 * n),
          num_gcs: counter(10 * n),
          max_bytes_used: { type: 'g', val: 1000 },
        },
      },
    };
    n++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  const started = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`))
  );
  return { server, started, t0 };
}

describe('RTS queries through the server', () => {
  const ekg = fakeEkg();
  let env: TestEnv;
  let bare: TestEnv;

  before(async () => {
    env = await testEnv('sqlite', { ekgUrl: await ekg.started, ekgLabels: { service: 'leaky' } });
    bare = await testEnv('sqlite');
    for (let i = 0; i < 4; i++) {
      await env.app.ghcprof.rts.ekg!.pollOnce();
    }
  });
  after(async () => {
    await env.close();
    await bare.close();
    ekg.server.close();
  });

  it('allocRate from the ekg counters, with stored profiles in range as exemplars', async () => {
    // A .hp without a DATE takes its start from the upload: put it inside the polled minute.
    const undated = Buffer.from(
      fixture('leaky.hT.hp')
        .toString('utf8')
        .replace(/^DATE .*$/m, 'DATE "unknown"')
    );
    const res = await upload(env, undated, {
      token: env.acme.write,
      labels: { service: 'leaky' },
      query: { start: String(ekg.t0 + 2000) },
    });
    assert.equal(res.statusCode, 201, res.body);
    const from = ekg.t0 - 1000;
    const to = ekg.t0 + 10_000;
    const q = await query(env, 'rts', { selector: '{service="leaky"}', from, to, panel: 'allocRate' });
    assert.equal(q.statusCode, 200, q.body);
    const frames = q.json().frames as Array<{
      schema: { name?: string; fields: Array<{ name: string }> };
      data: { values: unknown[][] };
    }>;
    const series = frames.find((f) => f.schema.name !== 'exemplar')!;
    const values = series.data.values[1] as Array<number | null>;
    // 5 MB per 1 s between samples.
    assert.ok(
      values.filter((v) => v !== null).every((v) => Math.abs((v as number) - 5_000_000) < 1),
      JSON.stringify(values)
    );
    assert.ok(values.length >= 3);
    const exemplar = frames.find((f) => f.schema.name === 'exemplar')!;
    assert.deepEqual(columnOf(exemplar, 'Id'), [res.json().id]);
    assert.deepEqual(columnOf(exemplar, 'Time'), [ekg.t0 + 2000]);
  });

  it('uses the Prometheus URL Grafana forwards only when the server is told to trust it', async () => {
    // A port nothing listens on: a request that reaches for it fails as upstream_unreachable (502).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const trusting = await testEnv('sqlite', { prometheusUrlFromHeader: true });
    try {
      const ask = (e: TestEnv) =>
        e.app.inject({
          method: 'POST',
          url: '/api/v1/query/rts',
          headers: { authorization: `Bearer ${e.acme.read}`, 'x-ghcprof-prometheus-url': url },
          payload: { from: 'now-1h', to: 'now', panel: 'allocRate' },
        });
      const used = await ask(trusting);
      assert.equal(used.statusCode, 502, used.body);
      assert.equal(used.json().error.code, 'upstream_unreachable');
      assert.equal(used.json().error.message, 'the RTS metrics source failed', 'upstream details stay in the log');
      const ignored = await ask(bare);
      assert.equal(ignored.statusCode, 404);
      assert.equal(ignored.json().error.code, 'no_source');
    } finally {
      await trusting.close();
    }
  });

  it('400 for a bad panel, 404 no_source without --prometheus-url or --ekg-url', async () => {
    const bad = await query(env, 'rts', { from: 'now-1h', to: 'now', panel: 'cpu' });
    assert.equal(bad.statusCode, 400);
    const none = await query(bare, 'rts', { from: 'now-1h', to: 'now', panel: 'allocRate' });
    assert.equal(none.statusCode, 404);
    assert.equal(none.json().error.code, 'no_source');
    assert.match(none.json().error.message, /--prometheus-url or --ekg-url/);
  });
});
