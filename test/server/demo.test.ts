/**
 * `ghcprof demo` smoke test: start it on a free port in a temp data dir, read the printed URL and read token, query a
 * flame graph of a sample with it; a second run reuses the tokens and stores nothing twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES } from './support';
import { startCli, stopChild, waitFor } from './spawn';

const SAMPLES = readdirSync(FIXTURES).filter((f) => /\.(prof|hp|eventlog)$/.test(f)).length;
// leaky.json.prof: "total_alloc": 1724450592; leaky.prof/leaky.eventlog-run.prof: 1,695,580,792 bytes; the eventlog's
// CC samples carry no allocation. The demo labels all of them service=leaky.
const NS_PER_TICK = 1e6;

async function runDemo(dataDir: string) {
  const child = startCli(['demo', '--port', '0', '--data-dir', dataDir]);
  const printed = await waitFor(
    child,
    (out) => {
      const url = /^Listening on (http:\/\/\S+)$/m.exec(out)?.[1];
      const token = /^ {2}Read token: +(\S+)$/m.exec(out)?.[1];
      return url && token && out.includes('API description') ? { url, token, out } : undefined;
    },
    90_000
  );
  return { child, ...printed };
}

describe('ghcprof demo', { timeout: 240_000 }, () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'ghcprof-demo-')), 'demo');
  let firstToken = '';

  it('loads every sample, serves, and prints a read token that queries a flame graph', async () => {
    const demo = await runDemo(dataDir);
    try {
      assert.match(demo.out, new RegExp(`^ghcprof demo: ${SAMPLES} sample profiles loaded, 0 already there`, 'm'));
      assert.match(demo.out, /Write token: +ghcp_/);
      assert.match(demo.out, /Admin token: +ghcp_/);
      firstToken = demo.token;
      const post = (type: string, body: object) =>
        fetch(`${demo.url}/api/v1/query/${type}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${demo.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      // Samples sit in the last six hours, so Grafana's default ranges find them.
      const res = await post('flamegraph', {
        selector: '{service="leaky",namespace="demo"}',
        from: 'now-6h',
        to: 'now',
        metric: 'time',
      });
      assert.equal(res.status, 200);
      const { frames } = (await res.json()) as {
        frames: Array<{
          schema: { fields: Array<{ name: string }>; meta: { custom: { ghcprof: { profiles: number } } } };
          data: { values: number[][] };
        }>;
      };
      const value = frames[0].data.values[frames[0].schema.fields.findIndex((f) => f.name === 'value')];
      // leaky's tree-bearing samples: .prof (794 ticks), .json.prof (1168), eventlog-run.prof (721), .eventlog (1837).
      assert.equal(frames[0].schema.meta.custom.ghcprof.profiles, 4);
      assert.ok(value[0] > 1168 * NS_PER_TICK);
      const check = await fetch(`${demo.url}/api/v1/auth/check`, {
        headers: { authorization: `Bearer ${demo.token}` },
      });
      assert.deepEqual(
        await check
          .json()
          .then((b) => b as { tenant: string; scope: string })
          .then((b) => [b.tenant, b.scope]),
        ['demo', 'read']
      );
      const upload = await fetch(`${demo.url}/api/v1/profiles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${demo.token}` },
        body: 'x',
      });
      assert.equal(upload.status, 403, 'the printed read token cannot upload');
    } finally {
      assert.equal(await stopChild(demo.child), 0);
    }
  });

  it('reruns on the same data dir: same tokens, nothing loaded twice', async () => {
    const demo = await runDemo(dataDir);
    try {
      assert.equal(demo.token, firstToken);
      assert.match(demo.out, new RegExp(`0 sample profiles loaded, ${SAMPLES} already there`));
      assert.match(demo.out, /tokens reused/);
      const list = await fetch(`${demo.url}/api/v1/profiles?limit=1000`, {
        headers: { authorization: `Bearer ${demo.token}` },
      });
      assert.equal(((await list.json()) as { profiles: unknown[] }).profiles.length, SAMPLES);
    } finally {
      await stopChild(demo.child);
    }
  });
});
