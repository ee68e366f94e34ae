/**
 * `ghcprof agent --layout node` end to end: a real `ghcprof serve`, the agent as a child process watching a tree
 * shaped like the DaemonSet's hostPath (`<root>/<namespace>/<pod>/<container>/`, `podinfo/labels` as the kubelet
 * writes it), and three "pods" writing real GHC fixtures: growing .hp and eventlog files, written-once reports.
 * One pod ends early and goes quiet (its directory must be uploaded, then removed); the agent is killed and
 * restarted while the others keep writing, and later the server is down for a few seconds.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createToken,
  freePort,
  listProfiles,
  rawOf,
  spawnCli,
  startServer,
  waitFor,
  type CliProcess,
  type RunningServer,
} from './support/ghcprof';

const GHC = 'test/fixtures/ghc';

/** One artefact a container writes: where, what it ends as, and the labels it must be stored with. */
interface Artefact {
  path: string; // <namespace>/<pod>/<container>/<file>
  bytes: Buffer;
  service: string;
  version: string;
  /** Written bit by bit (a running program), or whole at once at the given step (GHC writes .prof at exit). */
  growing: boolean;
}

/** A pod's labels file as the kubelet writes it: sorted keys, `%v=%q`, no final newline. */
function podinfo(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join('\n');
}

/** Where a program writing `bytes` can be seen to stop after `fraction` of its run (.hp: mid-census; else anywhere). */
function cut(bytes: Buffer, fraction: number): number {
  return fraction >= 1 ? bytes.length : Math.floor(bytes.length * fraction);
}

describe('ghcprof agent --layout node (end to end)', { timeout: 240_000 }, () => {
  let dir: string;
  let root: string;
  let token: string;
  /** Raw downloads of eventlogs need admin scope (issue 12 §5). */
  let adminToken: string;
  let server: RunningServer;
  let db: string;
  let agent: CliProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ghcprof-node-e2e-'));
    root = join(dir, 'profiles');
    mkdirSync(root);
    db = join(dir, 'ghcprof.db');
    token = createToken(db, 'shop', 'write');
    adminToken = createToken(db, 'shop', 'admin');
    server = await startServer(db, undefined, join(dir, 'serve.log'));
  });
  after(async () => {
    if (agent && agent.child.exitCode === null) agent.child.kill('SIGKILL');
    await agent?.done;
    await server.stop();
    if (!process.env.GHCPROF_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  });

  async function startAgent(): Promise<CliProcess> {
    const port = await freePort();
    const proc = spawnCli(
      [
        'agent',
        '--layout',
        'node',
        '--watch',
        root,
        '--url',
        server.url,
        '--token',
        token,
        '--settle',
        '1s',
        '--interval',
        '1s',
        '--poll',
        '200ms',
        '--pod-gone-after',
        '4s',
        '--delete-after-upload',
        '--retry-max-delay',
        '1s',
        '--listen',
        `127.0.0.1:${port}`,
      ],
      // The DaemonSet's own pod: none of this may label the pods' profiles, except the node.
      {
        env: { NODE_NAME: 'node-a', POD_NAME: 'ghcprof-node-agent-xyz', POD_NAMESPACE: 'ghcprof' },
        logFile: join(dir, 'agent.log'),
      }
    );
    await waitFor('the node agent /healthz', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 30_000);
    return proc;
  }

  it('three pods (one with two containers), one ending midway, an agent restart: every artefact stored once, labelled from its path and podinfo', async () => {
    const pods = {
      'shop/checkout-5f7d-a1': {
        'app.kubernetes.io/name': 'checkout',
        'app.kubernetes.io/version': '1.4.2',
        'app.kubernetes.io/part-of': 'shop',
        'pod-template-hash': '5f7d',
      },
      'shop/cart-9c4b-b2': { app: 'cart', 'app.kubernetes.io/version': '0.9.0' },
      'batch/nightly-report-x7': { 'app.kubernetes.io/name': 'report', 'app.kubernetes.io/version': '2026.12' },
    };
    const artefacts: Artefact[] = [
      // Two containers of one pod; the same file name as in the cart pod, with other bytes.
      {
        path: 'shop/checkout-5f7d-a1/app/service.hp',
        bytes: readFileSync(`${GHC}/pipeline.hT.hp`),
        service: 'checkout',
        version: '1.4.2',
        growing: true,
      },
      {
        path: 'shop/checkout-5f7d-a1/app/service.prof',
        bytes: readFileSync(`${GHC}/pipeline.prof`),
        service: 'checkout',
        version: '1.4.2',
        growing: false,
      },
      {
        path: 'shop/checkout-5f7d-a1/worker/worker.eventlog',
        bytes: readFileSync(`${GHC}/search.eventlog`),
        service: 'checkout',
        version: '1.4.2',
        growing: true,
      },
      {
        path: 'shop/cart-9c4b-b2/cart/service.hp',
        bytes: readFileSync(`${GHC}/leaky.hc.hp`),
        service: 'cart',
        version: '0.9.0',
        growing: true,
      },
      {
        path: 'shop/cart-9c4b-b2/cart/cart.prof',
        bytes: readFileSync(`${GHC}/leaky.json.prof`),
        service: 'cart',
        version: '0.9.0',
        growing: false,
      },
      // The pod that ends midway: a complete run, then silence.
      {
        path: 'batch/nightly-report-x7/report/report.eventlog',
        bytes: readFileSync(`${GHC}/leaky.hT.eventlog`),
        service: 'report',
        version: '2026.12',
        growing: false,
      },
      {
        path: 'batch/nightly-report-x7/report/report.prof',
        bytes: readFileSync(`${GHC}/search.prof`),
        service: 'report',
        version: '2026.12',
        growing: false,
      },
    ];
    for (const [pod, labels] of Object.entries(pods)) {
      mkdirSync(join(root, pod, 'podinfo'), { recursive: true });
      writeFileSync(join(root, pod, 'podinfo/labels'), podinfo(labels));
    }
    for (const a of artefacts) mkdirSync(dirname(join(root, a.path)), { recursive: true });
    const written = new Map<Artefact, number>();
    const grow = (a: Artefact, fraction: number) => {
      const have = written.get(a) ?? 0;
      const want = cut(a.bytes, fraction);
      if (want > have) appendFileSync(join(root, a.path), a.bytes.subarray(have, want));
      written.set(a, Math.max(have, want));
    };
    const ended = 'batch/nightly-report-x7';
    const live = ['shop/checkout-5f7d-a1', 'shop/cart-9c4b-b2'];

    agent = await startAgent();
    for (const a of artefacts.filter((x) => x.path.startsWith(ended))) grow(a, 1);
    // The live pods write a little every step for at least `steps` steps, and never finish before the ended pod's
    // directory is gone (a slow machine can take longer to restart the agent): they must not look gone themselves.
    const steps = 16;
    let total = steps;
    let endedRemovedAt = -1;
    for (let step = 1; ; step++) {
      assert.ok(
        step < 80,
        `the ended pod's directory was never removed:\n${readFileSync(join(dir, 'agent.log'), 'utf8')}`
      );
      if (endedRemovedAt < 0) total = Math.max(steps, step + 4);
      const fraction = Math.min(1, step / total);
      for (const a of artefacts.filter((x) => x.growing)) grow(a, fraction);
      // The server goes away for a while: every pod's uploads wait in its spool, then go through once.
      if (step === 8) await server.stop();
      if (step === 12) server = await startServer(db, server.port, join(dir, 'serve.log'));
      if (step === 4) {
        agent.child.kill('SIGKILL');
        await agent.done;
        // The programs keep writing while no agent runs.
        for (const a of artefacts.filter((x) => x.growing)) grow(a, (step + 0.5) / total);
        agent = await startAgent();
      }
      if (endedRemovedAt < 0 && !existsSync(join(root, ended))) endedRemovedAt = step;
      if (fraction >= 1 && endedRemovedAt > 0) break;
      await sleep(700);
    }
    // The pod that ended went while the others were still writing.
    for (const pod of live) assert.ok(existsSync(join(root, pod)), `${pod} removed while it was still writing`);
    assert.ok(!existsSync(join(root, '.ghcprof-spool', ended)), 'the ended pod’s spool is gone too');
    // The two live pods' programs exit: their reports appear, then they go quiet as well.
    for (const a of artefacts.filter((x) => !x.growing && !x.path.startsWith(ended))) grow(a, 1);

    const byPath = (labels: Record<string, string>) =>
      `${labels.namespace}/${labels.pod}/${labels.container}/${labels.file}`;
    const stored = await waitFor(
      'every artefact stored whole',
      async () => {
        const all = await listProfiles(server, token);
        const found = new Map(all.map((p) => [byPath(p.labels), p]));
        for (const a of artefacts) {
          const p = found.get(a.path);
          if (!p || p.size !== a.bytes.length)
            throw new Error(`${a.path}: ${p ? `${p.size} of ${a.bytes.length} bytes` : 'not stored'}`);
        }
        return all;
      },
      60_000,
      300
    );
    assert.equal(stored.length, artefacts.length, `stored: ${stored.map((p) => byPath(p.labels)).join(', ')}`);
    for (const a of artefacts) {
      const p = stored.find((s) => byPath(s.labels) === a.path)!;
      const [namespace, pod, container, file] = a.path.split('/');
      assert.deepEqual(await rawOf(server, adminToken, p.id), a.bytes, `${a.path}: stored bytes`);
      assert.equal(p.labels.namespace, namespace);
      assert.equal(p.labels.pod, pod);
      assert.equal(p.labels.container, container);
      assert.equal(p.labels.file, file);
      assert.equal(p.labels.service, a.service, `${a.path}: service`);
      assert.equal(p.labels.version, a.version, `${a.path}: version`);
      assert.equal(p.labels.node, 'node-a');
    }
    const checkout = stored.find((s) => s.labels.pod === 'checkout-5f7d-a1')!.labels;
    assert.equal(checkout.app_kubernetes_io_part_of, 'shop');
    assert.equal(checkout.pod_template_hash, '5f7d');
    assert.equal(checkout.app_kubernetes_io_name, undefined, 'mapped to service, not kept twice');
    assert.equal(
      stored.find((s) => s.labels.pod === 'cart-9c4b-b2')!.labels.service,
      'cart',
      'app when there is no app.kubernetes.io/name'
    );

    // Quiet now: both live pods go too, directories and spools removed once everything is acknowledged.
    await waitFor(
      'every pod directory removed',
      () => readdirSync(root).every((ns) => ns === '.ghcprof-spool' || readdirSync(join(root, ns)).length === 0),
      30_000,
      300
    );
    for (const ns of readdirSync(join(root, '.ghcprof-spool')))
      assert.deepEqual(readdirSync(join(root, '.ghcprof-spool', ns)), []);
    assert.equal((await listProfiles(server, token)).length, artefacts.length, 'nothing uploaded again on the way out');
    const log = readFileSync(join(dir, 'agent.log'), 'utf8');
    assert.equal(log.match(/INFO agent: watching .* left from before/g)?.length, 2, 'two agent processes');
    assert.match(log, /pod batch\/nightly-report-x7: every artefact uploaded; removed its directory/);
    // Growing files went up piece by piece into one profile each (appends), not once at the end.
    for (const a of artefacts.filter((x) => x.growing)) {
      const [namespace, pod, ...rest] = a.path.split('/');
      const pieces = log.match(
        new RegExp(`pod ${namespace}/${pod}: stored ${rest.join('/').replace(/\./g, '\\.')} bytes \\d+-\\d+`, 'g')
      );
      assert.ok((pieces?.length ?? 0) >= 3, `${a.path}: ${pieces?.length ?? 0} pieces`);
    }
    assert.match(
      log,
      /WARN pod shop\/[a-z0-9-]+: upload of .* failed \(.*ECONNREFUSED/,
      'uploads waited out the outage'
    );
  });
});
