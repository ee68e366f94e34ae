/**
 * The profiling Job (deploy/kubernetes/overlays/job) run locally: its two containers' commands, exactly as the
 * manifest has them, in a shell each, in the order the pod runs them (the upload container starts at once and waits
 * for the completion marker; the profile container runs the service's profiling build under `timeout -s INT`),
 * against a real `ghcprof serve`. The service is a real GHC program (the fixture generator's Leaky.hs built with
 * -prof), run with the manifest's GHCRTS. Only what a node provides differs: paths, the binary, the server URL and
 * token file, and the downward API values (resolved from the pod template as the kubelet would).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kustomizeBuild } from '../deploy/kustomize';
import type { Doc } from '../deploy/support';
import { createToken, listProfiles, rawOf, startServer, type RunningServer } from './support/ghcprof';

const REPO = resolve('.');

/** A container's env as the kubelet would set it: values, and fieldRefs resolved against the pod's metadata. */
function containerEnv(container: Doc, pod: { name: string; namespace: string; labels: Record<string, string> }) {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const path: string | undefined = e.valueFrom?.fieldRef?.fieldPath;
    if (!path) continue;
    const label = /^metadata\.labels\['(.+)'\]$/.exec(path)?.[1];
    if (label) env[e.name] = pod.labels[label] ?? '';
    else if (path === 'metadata.name') env[e.name] = pod.name;
    else if (path === 'metadata.namespace') env[e.name] = pod.namespace;
    else throw new Error(`fieldRef ${path}: not resolved by this test`);
  }
  return env;
}

function runShell(script: string, env: Record<string, string>, cwd: string) {
  const child = spawn('sh', ['-c', script], {
    env: { ...process.env, ...env },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const done = new Promise<{ code: number | null; output: string }>((r) =>
    child.once('close', (code) => r({ code, output }))
  );
  return { child, done };
}

describe('profiling Job, its containers run locally in order (end to end)', { timeout: 240_000 }, () => {
  let dir: string;
  let server: RunningServer;
  let token: string;
  /** Raw downloads of eventlogs need admin scope (issue 12 §5). */
  let adminToken: string;
  let serviceBin: string;
  const [job] = kustomizeBuild('deploy/kubernetes/overlays/job')
    .map((r) => r.doc)
    .filter((d) => d.kind === 'Job');
  const template = job.spec.template;
  const [profile, upload] = template.spec.containers as Doc[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ghcprof-job-e2e-'));
    const db = join(dir, 'ghcprof.db');
    token = createToken(db, 'shop', 'write');
    adminToken = createToken(db, 'shop', 'admin');
    server = await startServer(db, undefined, join(dir, 'serve.log'));
    // The service's profiling build: the fixture generator's flags (test/fixtures/ghc/README.md).
    serviceBin = join(dir, 'leaky-prof');
    const ghc = spawnSync(
      'ghc',
      [
        '-O1',
        '-rtsopts',
        '-eventlog',
        '-threaded',
        '-prof',
        '-fprof-auto',
        '-outputdir',
        join(dir, 'o'),
        '-o',
        serviceBin,
        'test/fixtures/ghc/src/Leaky.hs',
      ],
      { encoding: 'utf8' }
    );
    assert.equal(ghc.status, 0, `ghc: ${ghc.stderr}`);
    // `ghcprof` on PATH, as the image has it (Dockerfile: ln -s /app/bin/ghcprof.js /usr/local/bin/ghcprof).
    mkdirSync(join(dir, 'bin'));
    writeFileSync(
      join(dir, 'bin/ghcprof'),
      `#!/bin/sh\ncd '${REPO}' && exec '${process.execPath}' --import tsx test/agent/support/run-cli.ts "$@"\n`
    );
    chmodSync(join(dir, 'bin/ghcprof'), 0o755);
  });
  after(async () => {
    await server.stop();
    if (!process.env.GHCPROF_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * One pod of the Job: the upload container's command started first (it waits), then the profile container's;
   * `service` overrides what the node would provide for the profile container (arguments, RUN_FOR).
   */
  async function runPod(podName: string, service: { args: string; runFor: string }) {
    const profiles = join(dir, podName); // the pod's shared emptyDir
    mkdirSync(profiles);
    writeFileSync(join(dir, 'token'), `${token}\n`); // the mounted Secret
    // What the Job controller and the kubelet add: the job-name label, the pod's name and namespace.
    const pod = {
      name: podName,
      namespace: 'ghcprof',
      labels: { ...template.metadata.labels, 'batch.kubernetes.io/job-name': job.metadata.name },
    };
    const node = { PROFILE_DIR: profiles, PATH: `${join(dir, 'bin')}:${process.env.PATH}` };
    const uploadEnv = {
      ...containerEnv(upload, pod),
      ...node,
      GHCPROF_URL: server.url,
      GHCPROF_TOKEN_FILE: join(dir, 'token'),
    };
    const profileEnv = {
      ...containerEnv(profile, pod),
      ...node,
      SERVICE_BIN: serviceBin,
      SERVICE_ARGS: service.args,
      RUN_FOR: service.runFor,
    };
    assert.equal(profileEnv.GHCRTS, '-p -hc -l -i0.5', "the manifest's RTS flags");
    const uploading = runShell(upload.command[2], uploadEnv, dir);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(uploading.child.exitCode, null, 'the upload container waits for the marker');
    assert.deepEqual(
      (await listProfiles(server, token)).filter((p) => p.labels.pod === podName),
      []
    );
    const started = Date.now();
    const ran = await runShell(profile.command[2], profileEnv, profiles).done;
    const ranMs = Date.now() - started;
    const pushed = await uploading.done;
    const written = readdirSync(profiles)
      .filter((f) => !f.startsWith('.'))
      .sort();
    const stored = (await listProfiles(server, token)).filter((p) => p.labels.pod === podName);
    return {
      profiles,
      pod,
      ran,
      ranMs,
      pushed,
      written,
      stored,
      marker: readFileSync(join(profiles, '.done'), 'utf8').trim(),
    };
  }

  async function assertStoredOnce(run: Awaited<ReturnType<typeof runPod>>): Promise<void> {
    assert.deepEqual(
      run.written,
      ['leaky-prof.eventlog', 'leaky-prof.hp', 'leaky-prof.prof'],
      'the RTS wrote all three'
    );
    assert.equal(run.stored.length, 3, run.pushed.output);
    assert.deepEqual(run.stored.map((p) => p.kind).sort(), ['eventlog', 'hp', 'prof']);
    for (const p of run.stored) {
      const file = run.written.find((f) => f.endsWith(`.${p.kind}`))!;
      assert.deepEqual(
        await rawOf(server, adminToken, p.id),
        readFileSync(join(run.profiles, file)),
        `${file}: stored bytes`
      );
      const { job: j, service, version, namespace, pod, container } = p.labels;
      assert.deepEqual(
        { job: j, service, version, namespace, pod, container },
        {
          job: 'demo-service-profile',
          service: 'demo-service',
          version: '0.1.0',
          namespace: 'ghcprof',
          pod: run.pod.name,
          container: 'profile',
        }
      );
    }
  }

  it('the service runs for RUN_FOR with +RTS -p -hc -l, stops on SIGINT with its profiles written, and every artefact is pushed once with the Job labels', async () => {
    // Leaky with a big ledger runs well past RUN_FOR: the bound, not the program, ends the run.
    const run = await runPod('demo-service-profile-x7k2p', { args: '20000000', runFor: '3s' });
    assert.equal(run.ran.code, 0, `profile container: ${run.ran.output}`);
    assert.ok(run.ranMs >= 3000 && run.ranMs < 20_000, `ran ${run.ranMs} ms for RUN_FOR 3s`);
    assert.equal(run.marker, '0', 'timeout 124 counts as success');
    assert.equal(run.pushed.code, 0, `upload container: ${run.pushed.output}`);
    assert.match(run.pushed.output, /profile exited with 0; uploading/);
    await assertStoredOnce(run);
  });

  it('a service that fails still has its profiles uploaded, and the pod fails (the Job retries or reports it)', async () => {
    const run = await runPod('demo-service-profile-q9w3z', { args: 'not-a-number', runFor: '60s' });
    assert.equal(run.ran.code, 1, 'the profile container exits with the service’s code');
    assert.match(run.ran.output, /Prelude\.read: no parse/);
    assert.equal(run.marker, '1');
    assert.equal(run.pushed.code, 0, `upload container: ${run.pushed.output}`);
    assert.match(run.pushed.output, /profile exited with 1; uploading/);
    await assertStoredOnce(run);
  });
});
