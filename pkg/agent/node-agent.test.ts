import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NodeAgent } from './node-agent';

const root = mkdtempSync(join(tmpdir(), 'ghcprof-node-agent-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('NodeAgent', () => {
  it("follows every pod directory and every spool left by a gone pod; one pod's broken spool stops no other", async () => {
    mkdirSync(join(root, 'shop/api-1/app'), { recursive: true });
    mkdirSync(join(root, 'shop/broken-2/app'), { recursive: true });
    mkdirSync(join(root, '.ghcprof-spool/shop/broken-2'), { recursive: true });
    writeFileSync(join(root, '.ghcprof-spool/shop/broken-2/state.json'), '{not json');
    mkdirSync(join(root, '.ghcprof-spool/ops/gone-3/pieces'), { recursive: true });
    const errors: string[] = [];
    const agent = await NodeAgent.start({
      watchDir: root,
      spoolDir: join(root, '.ghcprof-spool'),
      target: { url: 'http://127.0.0.1:9', token: 't' },
      labels: {},
      settleMs: 1000,
      intervalMs: 1000,
      pollMs: 50,
      spoolMaxBytes: 1 << 20,
      deleteAfterUpload: false,
      podGoneAfterMs: 60_000,
      log: { info() {}, warn() {}, error: (m) => errors.push(m) },
    });
    try {
      assert.deepEqual(agent.podKeys().sort(), ['ops/gone-3', 'shop/api-1']);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /^pod shop\/broken-2: cannot open its spool: .*state\.json: not valid JSON/);
      // The gone pod's spool is empty: it is retired (spool removed) on the next pass; the broken one is not retried noisily.
      // Waited for, not slept on: on a loaded machine the next pass can come later than a few poll intervals.
      for (const deadline = Date.now() + 10_000; agent.podKeys().length > 1 && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(agent.podKeys(), ['shop/api-1']);
      assert.equal(errors.length, 1, 'reported once');
      assert.deepEqual(agent.health(), {
        status: 'ok',
        queuePieces: 0,
        queueBytes: 0,
        lastSuccessAt: null,
        lastError: null,
      });
    } finally {
      await agent.stop();
    }
  });
});
