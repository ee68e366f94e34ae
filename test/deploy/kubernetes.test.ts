/**
 * deploy/kubernetes: a kustomize base and four overlays (sidecar, node, job, postgres). Each overlay is built the
 * way `kubectl apply -k` builds it (./kustomize.ts), every object is validated against Kubernetes' own schemas
 * (kubernetes-models), and the objects are checked against each other and against the CLI: selectors, ports,
 * volumes, Secrets, agent flags, subPathExpr variables, the node layout, the profiling Job, the network policies.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { ENV_LABELS } from '../../pkg/agent/labels';
import { PODINFO_LABELS } from '../../pkg/agent/layout';
import { kustomizationFile, kustomizeBuild, resourceId } from './kustomize';
import { allowed, type PodRef } from './netpol';
import { typeErrors } from './strict-fields';
import { cliFlags, flagValues, yamlDoc, type Doc } from './support';

const DIR = 'deploy/kubernetes';
const OVERLAYS = ['sidecar', 'node', 'job', 'postgres'] as const;
type Overlay = (typeof OVERLAYS)[number];
const built = new Map(OVERLAYS.map((o) => [o, kustomizeBuild(`${DIR}/overlays/${o}`).map((r) => r.doc)]));
const docs = (o: Overlay) => built.get(o)!;
const of = (o: Overlay, kind: string) => docs(o).filter((d) => d.kind === kind);
const one = (o: Overlay, kind: string, name: string) => {
  const found = of(o, kind).find((d) => d.metadata.name === name);
  assert.ok(found, `${o}: no ${kind} ${name}`);
  return found;
};

/** Each kind the manifests use, with its apiVersion and the kubernetes-models class that validates it. */
const MODELS: Record<string, { apiVersion: string; validate: (obj: Doc) => void }> = {
  Namespace: { apiVersion: 'v1', validate: (o) => new Namespace(o as never).validate() },
  Service: { apiVersion: 'v1', validate: (o) => new Service(o as never).validate() },
  Secret: { apiVersion: 'v1', validate: (o) => new Secret(o as never).validate() },
  PersistentVolumeClaim: { apiVersion: 'v1', validate: (o) => new PersistentVolumeClaim(o as never).validate() },
  Deployment: { apiVersion: 'apps/v1', validate: (o) => new Deployment(o as never).validate() },
  DaemonSet: { apiVersion: 'apps/v1', validate: (o) => new DaemonSet(o as never).validate() },
  Job: { apiVersion: 'batch/v1', validate: (o) => new Job(o as never).validate() },
  CronJob: { apiVersion: 'batch/v1', validate: (o) => new CronJob(o as never).validate() },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', validate: (o) => new NetworkPolicy(o as never).validate() },
};

/** Workloads and the pod template each runs. */
function podTemplates(o: Overlay): Array<{ owner: string; template: Doc }> {
  return docs(o).flatMap((d) => {
    const owner = `${d.kind}/${d.metadata.name}`;
    if (d.kind === 'Deployment' || d.kind === 'DaemonSet' || d.kind === 'Job')
      return [{ owner, template: d.spec.template }];
    if (d.kind === 'CronJob') return [{ owner, template: d.spec.jobTemplate.spec.template }];
    return [];
  });
}

const allContainers = (spec: Doc): Doc[] => [...(spec.initContainers ?? []), ...spec.containers];
const envOf = (c: Doc) => new Map<string, Doc>((c.env ?? []).map((e: Doc) => [e.name, e]));

function portNumber(container: Doc, port: string | number): number | undefined {
  if (typeof port === 'number') return container.ports?.some((p: Doc) => p.containerPort === port) ? port : undefined;
  return container.ports?.find((p: Doc) => p.name === port)?.containerPort;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : name.endsWith('.yaml') ? [path] : [];
  });
}

/** The agent containers (args start with `agent`) of an overlay, with their pod template. */
function agents(o: Overlay): Array<{ owner: string; template: Doc; container: Doc; flags: Map<string, string> }> {
  return podTemplates(o).flatMap(({ owner, template }) =>
    allContainers(template.spec)
      .filter((c) => c.args?.[0] === 'agent')
      .map((container) => ({ owner, template, container, flags: flagValues(container.args.slice(1)) }))
  );
}

describe('Kubernetes manifests (deploy/kubernetes, kustomize base + overlays)', () => {
  it('has a base and the four overlays, and every YAML file is a kustomization, a resource or a patch of one', () => {
    assert.ok(kustomizationFile(`${DIR}/base`));
    assert.deepEqual(readdirSync(`${DIR}/overlays`).sort(), [...OVERLAYS].sort());
    const used = new Set<string>();
    const visit = (dir: string) => {
      const file = kustomizationFile(dir)!;
      used.add(file);
      const k = yamlDoc(file);
      for (const r of k.resources ?? []) {
        const path = join(dir, r);
        if (statSync(path).isDirectory()) visit(path);
        else used.add(path);
      }
      for (const p of k.patches ?? []) if (p.path) used.add(join(dir, p.path));
    };
    for (const o of OVERLAYS) visit(`${DIR}/overlays/${o}`);
    for (const file of yamlFiles(DIR)) assert.ok(used.has(file), `${file} is not used by any overlay`);
  });

  it('no object has a field the Kubernetes API does not define (kubernetes-models types, excess-property check)', () => {
    const all = [...new Map(OVERLAYS.flatMap((o) => docs(o)).map((d) => [JSON.stringify(d), d])).values()];
    assert.deepEqual(typeErrors(all), []);
    // The check itself finds a misspelt field deep in a pod template.
    const misspelt = structuredClone(one('node', 'DaemonSet', 'ghcprof-node-agent'));
    misspelt.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
    const [error, ...more] = typeErrors([misspelt]);
    assert.match(
      error,
      /^DaemonSet\/ghcprof-node-agent: .*'"readOnlyRootFileSystem"' does not exist in type 'ISecurityContext'/
    );
    assert.deepEqual(more, []);
  });

  for (const o of OVERLAYS) {
    it(`${o}: every object is of a known kind and valid by Kubernetes' schemas (kubernetes-models), in namespace ghcprof, named once`, () => {
      const ids = docs(o).map(resourceId);
      assert.equal(new Set(ids).size, ids.length);
      for (const d of docs(o)) {
        const model = MODELS[d.kind];
        assert.ok(model, `${o}: unknown kind ${d.kind}`);
        assert.equal(d.apiVersion, model.apiVersion, `${o}: ${d.kind} apiVersion`);
        assert.doesNotThrow(() => model.validate(d), `${o}: ${d.kind}/${d.metadata?.name}`);
        if (d.kind !== 'Namespace') assert.equal(d.metadata.namespace, 'ghcprof', `${o}: ${d.kind} ${d.metadata.name}`);
      }
    });

    it(`${o}: selectors, volumes, probes, Secrets and Services fit together`, () => {
      for (const d of [...of(o, 'Deployment'), ...of(o, 'DaemonSet')]) {
        for (const [k, v] of Object.entries(d.spec.selector.matchLabels))
          assert.equal(d.spec.template.metadata.labels[k], v, `${d.metadata.name}: selector ${k}`);
      }
      for (const { owner, template } of podTemplates(o)) {
        const spec = template.spec;
        const volumes = new Map<string, Doc>((spec.volumes ?? []).map((v: Doc) => [v.name, v]));
        for (const c of allContainers(spec)) {
          assert.ok(c.image, `${owner}/${c.name}: image`);
          for (const m of c.volumeMounts ?? []) assert.ok(volumes.has(m.name), `${owner}/${c.name}: volume ${m.name}`);
          for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean))
            assert.ok(portNumber(c, probe.httpGet.port), `${owner}/${c.name}: probe port ${probe.httpGet.port}`);
          for (const e of c.env ?? []) {
            const ref = e.valueFrom?.secretKeyRef;
            if (!ref) continue;
            const secret = of(o, 'Secret').find((s) => s.metadata.name === ref.name);
            assert.ok(
              secret && ref.key in secret.stringData,
              `${owner}/${c.name}: ${e.name} from ${ref.name}/${ref.key}`
            );
          }
        }
        for (const v of volumes.values()) {
          if (v.persistentVolumeClaim)
            assert.ok(
              of(o, 'PersistentVolumeClaim').some((p) => p.metadata.name === v.persistentVolumeClaim.claimName)
            );
          if (v.secret)
            assert.ok(
              of(o, 'Secret').some((s) => s.metadata.name === v.secret.secretName),
              v.secret.secretName
            );
        }
      }
      for (const s of of(o, 'Service')) {
        const targets = podTemplates(o).filter(({ template }) =>
          Object.entries(s.spec.selector).every(([k, v]) => template.metadata.labels[k] === v)
        );
        assert.ok(targets.length > 0, `Service ${s.metadata.name} selects no pods`);
        for (const { template } of targets)
          for (const p of s.spec.ports)
            assert.ok(
              template.spec.containers.some((c: Doc) => portNumber(c, p.targetPort)),
              `${s.metadata.name} ${p.targetPort}`
            );
      }
    });

    it(`${o}: subPathExpr only uses variables the container defines in env`, () => {
      for (const { owner, template } of podTemplates(o)) {
        for (const c of allContainers(template.spec)) {
          for (const m of c.volumeMounts ?? []) {
            if (!m.subPathExpr) continue;
            for (const [, name] of m.subPathExpr.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g))
              assert.ok(envOf(c).has(name), `${owner}/${c.name}: subPathExpr uses $(${name}), not in its env`);
          }
        }
      }
    });

    it(`${o}: agents use flags the CLI has, reach the server's Service, and listen on their probe port`, () => {
      const known = cliFlags('agent');
      for (const { owner, container, flags } of agents(o)) {
        for (const flag of flags.keys()) assert.ok(known.has(flag), `${owner}: ghcprof agent has no ${flag}`);
        const url = new URL(flags.get('--url')!);
        const [svcName, svcNamespace] = url.hostname.split('.');
        const svc = of(o, 'Service').find((s) => s.metadata.name === svcName && s.metadata.namespace === svcNamespace);
        assert.ok(
          svc?.spec.ports.some((p: Doc) => p.port === Number(url.port)),
          `${owner}: --url ${url}`
        );
        assert.equal(portNumber(container, 'agent-metrics'), Number(flags.get('--listen')!.split(':').at(-1)));
        assert.equal(container.startupProbe.httpGet.path, '/healthz');
        const tokenFile = flags.get('--token-file')!;
        const mount = container.volumeMounts.find((m: Doc) => tokenFile.startsWith(`${m.mountPath}/`));
        assert.ok(mount?.readOnly, `${owner}: token mount`);
      }
    });
  }

  describe('sidecar overlay', () => {
    const demo = one('sidecar', 'Deployment', 'demo-service');
    const podSpec = demo.spec.template.spec;
    const agent = podSpec.initContainers.find((c: Doc) => c.name === 'ghcprof-agent');
    const service = podSpec.containers.find((c: Doc) => c.name === 'demo-service');

    it('the agent is a native sidecar sharing the profiles emptyDir with the service, its token from the Secret', () => {
      assert.equal(agent.restartPolicy, 'Always');
      const flags = flagValues(agent.args.slice(1));
      assert.equal(agent.volumeMounts.find((m: Doc) => m.mountPath === flags.get('--watch')).name, 'profiles');
      assert.equal(service.volumeMounts.find((m: Doc) => m.name === 'profiles').mountPath, service.workingDir);
      assert.ok(podSpec.volumes.find((v: Doc) => v.name === 'profiles').emptyDir);
      assert.equal(agent.volumeMounts.find((m: Doc) => m.mountPath === flags.get('--spool')).name, 'spool');
      const tokenFile = flags.get('--token-file')!;
      const tokenMount = agent.volumeMounts.find((m: Doc) => tokenFile.startsWith(`${m.mountPath}/`));
      const secret = one(
        'sidecar',
        'Secret',
        podSpec.volumes.find((v: Doc) => v.name === tokenMount.name).secret.secretName
      );
      assert.ok(tokenFile.slice(tokenMount.mountPath.length + 1) in secret.stringData);
      const drain = Number(/^(\d+)s$/.exec(flags.get('--drain-timeout')!)![1]);
      assert.ok(podSpec.terminationGracePeriodSeconds > drain, 'the pod waits longer than the agent drains');
    });

    it('the downward API gives the agent the environment it reads for labels', () => {
      const read = new Set(ENV_LABELS.map(([env]) => env));
      const env = envOf(agent);
      for (const name of ['POD_NAME', 'POD_NAMESPACE', 'SERVICE', 'VERSION', 'CONTAINER_NAME'])
        assert.ok(env.has(name), name);
      for (const name of env.keys()) assert.ok(read.has(name), `the agent does not read ${name}`);
      for (const e of agent.env.filter((x: Doc) => x.valueFrom?.fieldRef)) {
        const label = /^metadata\.labels\['(.+)'\]$/.exec(e.valueFrom.fieldRef.fieldPath)?.[1];
        if (label) assert.ok(label in demo.spec.template.metadata.labels, `pod label ${label}`);
      }
      assert.equal(env.get('CONTAINER_NAME')!.value, service.name);
    });

    it('the service runs with the profiling RTS flags and is scraped on its metrics port', () => {
      const ghcrts = envOf(service).get('GHCRTS')!.value.split(/\s+/);
      for (const flag of ['-p', '-hT', '-l', '-i1', '-T']) assert.ok(ghcrts.includes(flag), `GHCRTS lacks ${flag}`);
      const annotations = demo.spec.template.metadata.annotations;
      assert.equal(annotations['prometheus.io/scrape'], 'true');
      assert.equal(Number(annotations['prometheus.io/port']), portNumber(service, 'http'));
      const port = envOf(service).get('PORT')!.value;
      assert.equal(Number(port), portNumber(service, 'http'));
      const dockerfile = readFileSync('deploy/demo-service/Dockerfile', 'utf8');
      assert.match(dockerfile, new RegExp(`^EXPOSE ${port}$`, 'm'));
      assert.match(dockerfile, /^WORKDIR \/profiles$/m);
    });
  });

  describe('server: SQLite in the base, PostgreSQL in the postgres overlay', () => {
    it('listens where its Service and probes point, with the store on the volume (SQLite) or from the Secret (PostgreSQL)', () => {
      for (const o of ['sidecar', 'postgres'] as const) {
        const d = one(o, 'Deployment', 'ghcprof');
        const server = d.spec.template.spec.containers[0];
        const env = envOf(server);
        assert.equal(env.get('GHCPROF_HOST')!.value, '0.0.0.0');
        assert.equal(Number(env.get('GHCPROF_PORT')!.value), portNumber(server, 'http'));
        assert.deepEqual(server.args, ['serve']);
        if (o === 'sidecar') {
          const mount = server.volumeMounts.find((m: Doc) => m.name === 'data');
          assert.ok(env.get('GHCPROF_DB')!.value.startsWith(`${mount.mountPath}/`), 'SQLite file on the PVC');
          assert.equal(d.spec.strategy.type, 'Recreate');
          assert.equal(d.spec.replicas, 1);
        } else {
          assert.deepEqual(env.get('GHCPROF_DB'), {
            name: 'GHCPROF_DB',
            valueFrom: { secretKeyRef: { name: 'ghcprof-postgres', key: 'url' } },
          });
          assert.match(one(o, 'Secret', 'ghcprof-postgres').stringData.url, /^postgres:\/\//);
          assert.ok(d.spec.replicas > 1);
          assert.equal(d.spec.strategy.type, 'RollingUpdate');
          assert.equal(d.spec.template.spec.volumes, undefined, 'no SQLite volume');
          assert.deepEqual(of(o, 'PersistentVolumeClaim'), [], 'the PVC is deleted by the overlay');
        }
      }
    });
  });

  describe('node overlay', () => {
    const ds = one('node', 'DaemonSet', 'ghcprof-node-agent');
    const spec = ds.spec.template.spec;
    const agent = spec.containers.find((c: Doc) => c.args?.[0] === 'agent');
    const flags = flagValues(agent.args.slice(1));
    const hostVolumes = spec.volumes.filter((v: Doc) => v.hostPath);
    const demo = one('node', 'Deployment', 'demo-service');

    it('runs ghcprof agent --layout node on the one hostPath, DirectoryOrCreate, writable only there', () => {
      assert.equal(flags.get('--layout'), 'node');
      assert.equal(hostVolumes.length, 1, 'one hostPath');
      const [host] = hostVolumes;
      assert.equal(host.hostPath.type, 'DirectoryOrCreate');
      const watchMount = agent.volumeMounts.find((m: Doc) => m.mountPath === flags.get('--watch'));
      assert.equal(watchMount.name, host.name);
      assert.ok(!flags.has('--spool'), 'the spools stay on the hostPath (<watch>/.ghcprof-spool)');
      for (const m of agent.volumeMounts)
        if (m.name !== host.name) assert.equal(m.readOnly, true, `${m.name} writable`);
      assert.ok(flags.has('--delete-after-upload') && flags.has('--pod-gone-after'));
    });

    it('the agent runs as non-root with a read-only root file system, no capabilities, no API token, no host namespaces', () => {
      assert.equal(spec.securityContext.runAsNonRoot, true);
      assert.ok(spec.securityContext.runAsUser > 0);
      assert.equal(agent.securityContext.readOnlyRootFilesystem, true);
      assert.equal(agent.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(agent.securityContext.capabilities, { drop: ['ALL'] });
      assert.equal(agent.securityContext.runAsUser, undefined, 'inherits the non-root pod user');
      assert.equal(spec.automountServiceAccountToken, false, 'no Kubernetes API access');
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) assert.ok(!spec[field], field);
      assert.deepEqual([...envOf(agent).keys()], ['NODE_NAME'], "the DaemonSet's own pod labels no upload");
    });

    it('the one root step hands the hostPath to the agent user and does nothing else', () => {
      assert.equal(spec.initContainers.length, 1);
      const [prep] = spec.initContainers;
      assert.deepEqual(prep.securityContext.capabilities, { drop: ['ALL'], add: ['CHOWN', 'FOWNER'] });
      assert.equal(prep.securityContext.allowPrivilegeEscalation, false);
      assert.equal(prep.securityContext.readOnlyRootFilesystem, true);
      const root = flags.get('--watch')!;
      assert.deepEqual(prep.command, [
        'sh',
        '-c',
        `chown ${spec.securityContext.runAsUser}:${spec.securityContext.runAsGroup} ${root} && chmod 0777 ${root}`,
      ]);
      assert.deepEqual(prep.volumeMounts, [{ name: hostVolumes[0].name, mountPath: root }]);
    });

    it('the profiled pod mounts <namespace>/<pod>/<container>/ and copies its downward API labels to podinfo/labels', () => {
      const podSpec = demo.spec.template.spec;
      const host = podSpec.volumes.find((v: Doc) => v.hostPath);
      assert.equal(host.hostPath.path, hostVolumes[0].hostPath.path, 'the node agent’s hostPath');
      assert.equal(host.hostPath.type, 'Directory', 'waits for the agent to prepare it');
      const service = podSpec.containers[0];
      const mount = service.volumeMounts.find((m: Doc) => m.name === host.name);
      assert.equal(mount.subPathExpr, '$(POD_NAMESPACE)/$(POD_NAME)/$(CONTAINER_NAME)');
      assert.equal(mount.mountPath, service.workingDir, 'GHC writes into its working directory');
      assert.equal(envOf(service).get('CONTAINER_NAME')!.value, service.name);
      assert.deepEqual(envOf(service).get('POD_NAME')!.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
      assert.deepEqual(envOf(service).get('POD_NAMESPACE')!.valueFrom, {
        fieldRef: { fieldPath: 'metadata.namespace' },
      });
      const [copy] = podSpec.initContainers;
      const out = copy.volumeMounts.find((m: Doc) => m.name === host.name);
      const [dir, file] = PODINFO_LABELS.split('/');
      assert.equal(out.subPathExpr, `$(POD_NAMESPACE)/$(POD_NAME)/${dir}`);
      const source = copy.volumeMounts.find((m: Doc) => m.name !== host.name);
      const downward = podSpec.volumes.find((v: Doc) => v.name === source.name).downwardAPI;
      assert.deepEqual(downward.items, [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }]);
      assert.deepEqual(copy.command, ['sh', '-c', `cp ${source.mountPath}/labels ${out.mountPath}/${file}`]);
      for (const c of allContainers(podSpec)) assert.ok(!c.args?.includes('agent'), 'no agent in the pod');
      assert.ok(podSpec.securityContext.runAsNonRoot);
    });
  });

  describe('job overlay', () => {
    const job = one('job', 'Job', 'demo-service-profile');
    const cron = one('job', 'CronJob', 'demo-service-nightly-profile');
    const pod = job.spec.template.spec;
    const [profile, upload] = pod.containers;

    it('is bounded and cleaned up: backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished; the CronJob runs the same pod nightly', () => {
      assert.ok(job.spec.backoffLimit >= 0 && job.spec.backoffLimit <= 3);
      assert.ok(job.spec.ttlSecondsAfterFinished > 0);
      const runFor = Number(/^(\d+)s$/.exec(envOf(profile).get('RUN_FOR')!.value)![1]);
      const retryFor = Number(/--retry-for (\d+)m/.exec(upload.command[2])![1]) * 60;
      assert.ok(
        job.spec.activeDeadlineSeconds > runFor + retryFor,
        'the deadline leaves time for the run and the upload'
      );
      assert.equal(pod.restartPolicy, 'Never');
      assert.equal(pod.automountServiceAccountToken, false, 'no Kubernetes API token in the pod');
      assert.deepEqual(cron.spec.jobTemplate.spec, job.spec, 'the CronJob and the Job run the same pod');
      assert.equal(cron.spec.concurrencyPolicy, 'Forbid');
      assert.match(cron.spec.schedule, /^\d+ \d+ \* \* \*$/, 'nightly');
    });

    it('profiles with +RTS -p -hc -l for RUN_FOR, then a second container pushes everything once the marker is there', () => {
      const ghcrts = envOf(profile).get('GHCRTS')!.value.split(/\s+/);
      for (const flag of ['-p', '-hc', '-l']) assert.ok(ghcrts.includes(flag), `GHCRTS lacks ${flag}`);
      // --foreground: one SIGINT to the program only (a second one, to the process group, kills GHC's RTS mid-exit).
      assert.match(profile.command[2], /timeout --foreground -s INT "\$RUN_FOR"/);
      assert.match(upload.command[2], /until \[ -f "\$PROFILE_DIR\/\.done" \]/);
      assert.match(profile.command[2], /> "\$PROFILE_DIR\/\.done"/);
      assert.match(upload.command[2], /exec ghcprof push /);
      assert.match(readFileSync('Dockerfile', 'utf8'), /ln -s \/app\/bin\/ghcprof\.js \/usr\/local\/bin\/ghcprof/);
      const shared = (c: Doc) =>
        c.volumeMounts.find((m: Doc) => m.mountPath === envOf(c).get('PROFILE_DIR')!.value).name;
      assert.equal(shared(profile), shared(upload));
      assert.ok(pod.volumes.find((v: Doc) => v.name === shared(profile)).emptyDir);
      assert.equal(profile.workingDir, envOf(profile).get('PROFILE_DIR')!.value);
    });

    it('labels come from the downward API plus job and version; the token from the Secret', () => {
      for (const label of ['job', 'version', 'service', 'namespace', 'pod', 'container'])
        assert.match(upload.command[2], new RegExp(`--label "${label}=`), label);
      const env = envOf(upload);
      assert.deepEqual(env.get('JOB_NAME')!.valueFrom.fieldRef, {
        fieldPath: "metadata.labels['batch.kubernetes.io/job-name']",
      });
      for (const [name, label] of [
        ['SERVICE', 'app.kubernetes.io/name'],
        ['VERSION', 'app.kubernetes.io/version'],
      ]) {
        assert.equal(env.get(name)!.valueFrom.fieldRef.fieldPath, `metadata.labels['${label}']`);
        assert.ok(job.spec.template.metadata.labels[label], `the pod has ${label}`);
      }
      const tokenFile = env.get('GHCPROF_TOKEN_FILE')!.value;
      const mount = upload.volumeMounts.find((m: Doc) => tokenFile.startsWith(`${m.mountPath}/`));
      const secret = one('job', 'Secret', pod.volumes.find((v: Doc) => v.name === mount.name).secret.secretName);
      assert.ok(tokenFile.slice(mount.mountPath.length + 1) in secret.stringData);
      const url = new URL(env.get('GHCPROF_URL')!.value);
      assert.ok(
        one('job', 'Service', url.hostname.split('.')[0]).spec.ports.some((p: Doc) => p.port === Number(url.port))
      );
    });
  });

  describe('network policy', () => {
    const server = (o: Overlay): PodRef => {
      const t = one(o, 'Deployment', 'ghcprof').spec.template;
      return {
        namespace: 'ghcprof',
        labels: t.metadata.labels,
        ports: { http: portNumber(t.spec.containers[0], 'http')! },
      };
    };
    const serverPort = (o: Overlay) => server(o).ports!.http;
    const pod = (o: Overlay, owner: string): PodRef => {
      const t = podTemplates(o).find((p) => p.owner === owner)!.template;
      const ports = Object.fromEntries(
        allContainers(t.spec).flatMap((c) => (c.ports ?? []).map((p: Doc) => [p.name, p.containerPort]))
      );
      return { namespace: 'ghcprof', labels: t.metadata.labels, ports };
    };
    const grafana: PodRef = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } };
    const prometheus: PodRef = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
    const stranger: PodRef = { namespace: 'default', labels: { app: 'curl' } };
    const dns: PodRef = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ports: {} };

    it('the server takes connections only from Grafana, the uploaders (every agent and Job pod) and Prometheus', () => {
      for (const o of OVERLAYS) {
        const policies = of(o, 'NetworkPolicy');
        const port = serverPort(o);
        assert.ok(allowed(policies, grafana, server(o), port), `${o}: Grafana`);
        assert.ok(allowed(policies, prometheus, server(o), port), `${o}: Prometheus /metrics`);
        assert.ok(!allowed(policies, stranger, server(o), port), `${o}: any other pod is refused`);
        assert.ok(
          !allowed(policies, { ...grafana, namespace: 'default' }, server(o), port),
          `${o}: a "grafana" elsewhere`
        );
        assert.ok(!allowed(policies, grafana, server(o), 9999), `${o}: other ports`);
        for (const { owner, template } of podTemplates(o)) {
          const uploads = allContainers(template.spec).some(
            (c) => c.args?.[0] === 'agent' || /ghcprof push/.test((c.command ?? []).join(' '))
          );
          if (uploads)
            assert.ok(allowed(policies, pod(o, owner), server(o), port), `${o}: ${owner} reaches the server`);
        }
      }
    });

    it('node agents reach only the server and DNS, and only Prometheus reaches them', () => {
      const policies = of('node', 'NetworkPolicy');
      const agentPod = pod('node', 'DaemonSet/ghcprof-node-agent');
      assert.ok(allowed(policies, agentPod, server('node'), serverPort('node')));
      assert.ok(allowed(policies, agentPod, dns, 53, 'UDP') && allowed(policies, agentPod, dns, 53, 'TCP'));
      assert.ok(!allowed(policies, agentPod, { namespace: 'default', labels: { app: 'web' }, ports: {} }, 443));
      assert.ok(!allowed(policies, agentPod, { ...server('node'), namespace: 'other' }, serverPort('node')));
      assert.ok(allowed(policies, prometheus, agentPod, agentPod.ports!['agent-metrics']));
      assert.ok(!allowed(policies, stranger, agentPod, agentPod.ports!['agent-metrics']));
    });

    it('profiling Job pods reach only the server and DNS', () => {
      const policies = of('job', 'NetworkPolicy');
      for (const owner of ['Job/demo-service-profile', 'CronJob/demo-service-nightly-profile']) {
        const jobPod = pod('job', owner);
        assert.ok(allowed(policies, jobPod, server('job'), serverPort('job')), owner);
        assert.ok(allowed(policies, jobPod, dns, 53, 'UDP'), owner);
        assert.ok(!allowed(policies, jobPod, { namespace: 'default', labels: {}, ports: {} }, 443), owner);
        assert.ok(!allowed(policies, stranger, jobPod, 8080), owner);
      }
    });
  });
});
