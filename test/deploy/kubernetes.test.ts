import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ENV_LABELS } from '../../pkg/agent/labels';
import { cliFlags, flagValues, yamlDoc, yamlDocs, type Doc } from './support';

const DIR = 'deploy/kubernetes';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const manifests = files.flatMap((f) => yamlDocs(`${DIR}/${f}`).map((doc) => ({ file: f, doc })));
const of = (kind: string, file?: string) =>
  manifests.filter((m) => m.doc.kind === kind && (!file || m.file === file)).map((m) => m.doc);
const demo = of('Deployment', 'demo-service.yaml')[0];
const podSpec = demo.spec.template.spec;
const agent = podSpec.initContainers.find((c: Doc) => c.name === 'ghcprof-agent');
const service = podSpec.containers.find((c: Doc) => c.name === 'demo-service');

const REQUIRED: Record<string, string> = {
  Namespace: 'v1',
  Deployment: 'apps/v1',
  Service: 'v1',
  PersistentVolumeClaim: 'v1',
  Secret: 'v1',
  Kustomization: 'kustomize.config.k8s.io/v1beta1',
};

function allContainers(spec: Doc): Doc[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

function portNumber(container: Doc, port: string | number): number | undefined {
  if (typeof port === 'number') return container.ports?.some((p: Doc) => p.containerPort === port) ? port : undefined;
  return container.ports?.find((p: Doc) => p.name === port)?.containerPort;
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('every file parses, and every object has a known kind, its apiVersion and a name', () => {
    assert.deepEqual(files.sort(), [
      'agent-token.example.yaml',
      'demo-service.yaml',
      'ghcprof-server-postgres.yaml',
      'ghcprof-server.yaml',
      'kustomization.yaml',
      'namespace.yaml',
    ]);
    for (const { file, doc } of manifests) {
      assert.ok(doc.kind in REQUIRED, `${file}: unknown kind ${doc.kind}`);
      assert.equal(doc.apiVersion, REQUIRED[doc.kind], `${file}: ${doc.kind} apiVersion`);
      if (doc.kind !== 'Kustomization') {
        assert.ok(doc.metadata?.name, `${file}: ${doc.kind} without metadata.name`);
        if (doc.kind !== 'Namespace')
          assert.equal(doc.metadata.namespace, 'ghcprof', `${file}: ${doc.kind} ${doc.metadata.name}`);
      }
    }
  });

  it('kustomization lists existing files, and each name is defined once in what it applies', () => {
    const k = yamlDoc(`${DIR}/kustomization.yaml`);
    for (const r of k.resources) assert.ok(existsSync(`${DIR}/${r}`), r);
    const applied = manifests
      .filter((m) => k.resources.includes(m.file))
      .map((m) => `${m.doc.kind}/${m.doc.metadata.name}`);
    assert.equal(new Set(applied).size, applied.length, `duplicates in ${applied.join(', ')}`);
    assert.ok(
      !k.resources.includes('ghcprof-server-postgres.yaml'),
      'the PostgreSQL variant replaces ghcprof-server.yaml, never both'
    );
  });

  it('each Deployment selects its own pod labels, and each container mounts only volumes the pod has', () => {
    for (const d of of('Deployment')) {
      const labels = d.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(d.spec.selector.matchLabels))
        assert.equal(labels[k], v, `${d.metadata.name}: selector ${k}`);
      const volumes = new Set((d.spec.template.spec.volumes ?? []).map((v: Doc) => v.name));
      for (const c of allContainers(d.spec.template.spec)) {
        assert.ok(c.image, `${d.metadata.name}/${c.name}: image`);
        for (const m of c.volumeMounts ?? [])
          assert.ok(volumes.has(m.name), `${d.metadata.name}/${c.name}: volume ${m.name} is not in the pod`);
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean)) {
          assert.ok(
            portNumber(c, probe.httpGet.port),
            `${d.metadata.name}/${c.name}: probe port ${probe.httpGet.port} is not a container port`
          );
        }
      }
      for (const v of d.spec.template.spec.volumes ?? []) {
        if (v.persistentVolumeClaim)
          assert.ok(
            of('PersistentVolumeClaim').some((p) => p.metadata.name === v.persistentVolumeClaim.claimName),
            v.name
          );
        if (v.secret)
          assert.ok(
            of('Secret').some((s) => s.metadata.name === v.secret.secretName),
            v.secret.secretName
          );
      }
    }
  });

  it('each Service targets a port of the pods it selects', () => {
    for (const s of of('Service')) {
      const targets = of('Deployment').filter((d) =>
        Object.entries(s.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v)
      );
      assert.ok(targets.length > 0, `Service ${s.metadata.name} selects no Deployment`);
      for (const d of targets) {
        for (const p of s.spec.ports) {
          assert.ok(
            d.spec.template.spec.containers.some((c: Doc) => portNumber(c, p.targetPort)),
            `Service ${s.metadata.name} port ${p.targetPort}`
          );
        }
      }
    }
  });

  it('env from Secrets names Secrets and keys that exist', () => {
    for (const d of of('Deployment')) {
      for (const c of allContainers(d.spec.template.spec)) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const secret = of('Secret').find((s) => s.metadata.name === ref.name);
          assert.ok(secret && ref.key in secret.stringData, `${c.name}: ${e.name} from secret ${ref.name}/${ref.key}`);
        }
      }
    }
  });

  it('the server listens where its Service and probes point, with the store on the volume (SQLite) or from the Secret (PostgreSQL)', () => {
    for (const file of ['ghcprof-server.yaml', 'ghcprof-server-postgres.yaml']) {
      const server = of('Deployment', file)[0].spec.template.spec.containers[0];
      const env = Object.fromEntries(server.env.map((e: Doc) => [e.name, e.value ?? e.valueFrom]));
      assert.equal(env.GHCPROF_HOST, '0.0.0.0');
      assert.equal(Number(env.GHCPROF_PORT), portNumber(server, 'http'));
      assert.deepEqual(server.args, ['serve']);
      if (file === 'ghcprof-server.yaml') {
        const mount = server.volumeMounts.find((m: Doc) => m.name === 'data');
        assert.ok(env.GHCPROF_DB.startsWith(`${mount.mountPath}/`), 'SQLite file on the PVC');
        assert.equal(of('Deployment', file)[0].spec.strategy.type, 'Recreate');
      } else {
        assert.deepEqual(env.GHCPROF_DB, { secretKeyRef: { name: 'ghcprof-postgres', key: 'url' } });
        assert.match(of('Secret', file)[0].stringData.url, /^postgres:\/\//);
        assert.ok(of('Deployment', file)[0].spec.replicas > 1);
      }
    }
  });

  it('the agent is a native sidecar sharing the profiles emptyDir with the service', () => {
    assert.equal(agent.restartPolicy, 'Always');
    const flags = flagValues(agent.args.slice(1));
    assert.equal(agent.args[0], 'agent');
    const watch = flags.get('--watch');
    assert.equal(agent.volumeMounts.find((m: Doc) => m.mountPath === watch).name, 'profiles');
    assert.equal(
      service.volumeMounts.find((m: Doc) => m.name === 'profiles').mountPath,
      service.workingDir,
      'GHC writes into its working directory'
    );
    assert.ok(podSpec.volumes.find((v: Doc) => v.name === 'profiles').emptyDir);
    assert.equal(agent.volumeMounts.find((m: Doc) => m.mountPath === flags.get('--spool')).name, 'spool');
    const tokenFile = flags.get('--token-file')!;
    const tokenMount = agent.volumeMounts.find((m: Doc) => tokenFile.startsWith(`${m.mountPath}/`));
    const tokenSecret = of('Secret').find(
      (s) => s.metadata.name === podSpec.volumes.find((v: Doc) => v.name === tokenMount.name).secret.secretName
    )!;
    assert.ok(
      tokenFile.slice(tokenMount.mountPath.length + 1) in tokenSecret.stringData,
      'the token file is a key of the Secret'
    );
  });

  it("the agent's flags exist in the CLI, its --url is the server's Service and --listen its probe port", () => {
    const known = cliFlags('agent');
    const flags = flagValues(agent.args.slice(1));
    for (const flag of flags.keys()) assert.ok(known.has(flag), `ghcprof agent has no ${flag}`);
    const url = new URL(flags.get('--url')!);
    const [svcName, svcNamespace] = url.hostname.split('.');
    const svc = of('Service').find((s) => s.metadata.name === svcName && s.metadata.namespace === svcNamespace)!;
    assert.ok(svc, url.hostname);
    assert.ok(svc.spec.ports.some((p: Doc) => p.port === Number(url.port)));
    const listenPort = Number(flags.get('--listen')!.split(':').at(-1));
    assert.equal(portNumber(agent, 'agent-metrics'), listenPort);
    assert.equal(agent.startupProbe.httpGet.path, '/healthz');
    const drain = Number(/^(\d+)s$/.exec(flags.get('--drain-timeout')!)![1]);
    assert.ok(podSpec.terminationGracePeriodSeconds > drain, 'the pod waits longer than the agent drains');
  });

  it('the downward API gives the agent the environment it reads for labels', () => {
    const read = new Set(ENV_LABELS.map(([env]) => env));
    const env = new Map<string, Doc>(agent.env.map((e: Doc) => [e.name, e]));
    for (const name of ['POD_NAME', 'POD_NAMESPACE', 'SERVICE', 'VERSION', 'CONTAINER_NAME'])
      assert.ok(env.has(name), name);
    for (const name of env.keys()) assert.ok(read.has(name), `the agent does not read ${name}`);
    const fieldPaths = agent.env
      .filter((e: Doc) => e.valueFrom?.fieldRef)
      .map((e: Doc) => e.valueFrom.fieldRef.fieldPath);
    assert.ok(fieldPaths.includes('metadata.name') && fieldPaths.includes('metadata.namespace'));
    for (const path of fieldPaths) {
      const label = /^metadata\.labels\['(.+)'\]$/.exec(path)?.[1];
      if (label) assert.ok(label in demo.spec.template.metadata.labels, `pod label ${label}`);
    }
    assert.equal(env.get('CONTAINER_NAME')!.value, service.name);
  });

  it('the service runs with the profiling RTS flags and is scraped on its metrics port', () => {
    const ghcrts = service.env.find((e: Doc) => e.name === 'GHCRTS').value.split(/\s+/);
    for (const flag of ['-p', '-hT', '-l', '-i1', '-T']) assert.ok(ghcrts.includes(flag), `GHCRTS lacks ${flag}`);
    const annotations = demo.spec.template.metadata.annotations;
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(Number(annotations['prometheus.io/port']), portNumber(service, 'http'));
    assert.equal(annotations['prometheus.io/path'], '/metrics');
    const env = Object.fromEntries(service.env.map((e: Doc) => [e.name, e.value]));
    assert.equal(Number(env.PORT), portNumber(service, 'http'));
    const dockerfile = readFileSync('deploy/demo-service/Dockerfile', 'utf8');
    assert.match(dockerfile, new RegExp(`^EXPOSE ${env.PORT}$`, 'm'));
    assert.match(dockerfile, /^WORKDIR \/profiles$/m);
  });
});
