import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { cliFlags, flagValues, jsonFile, yamlDoc, type Doc } from './support';

const compose = yamlDoc('docker-compose.yml');
const services: Record<string, Doc> = compose.services;
const APP_ID = jsonFile('src/plugin.json').id as string;
const DATASOURCE_ID = jsonFile('src/datasource/plugin.json').id as string;

/** `./provisioning:/etc/grafana/provisioning:ro` -> {source, target}. */
function mounts(service: Doc): Array<{ source: string; target: string }> {
  return (service.volumes ?? []).map((v: string) => {
    const [source, target] = v.split(':');
    return { source, target };
  });
}

function env(service: Doc): Record<string, string> {
  return service.environment ?? {};
}

function versionAtLeast(version: string, min: number[]): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < min.length; i++) if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) > min[i];
  return true;
}

/** The port a compose service listens on inside the network. */
function listenPort(name: string): number {
  const s = services[name];
  if (env(s).GHCPROF_PORT) return Number(env(s).GHCPROF_PORT);
  if (env(s).PORT) return Number(env(s).PORT);
  const listen = flagValues(s.command ?? []).get('--listen');
  if (listen) return Number(listen.split(':').at(-1));
  if (name === 'prometheus') return 9090;
  throw new Error(`no known port for ${name}`);
}

describe('docker-compose.yml', () => {
  it('runs Grafana >= 12.3 with the plugin from ./dist, unsigned loading of both plugin ids, the user header and provisioning', () => {
    const grafana = services.grafana;
    const [image, tag] = grafana.image.split(':');
    assert.equal(image, 'grafana/grafana');
    assert.ok(versionAtLeast(tag, [12, 3]), tag);
    assert.ok(mounts(grafana).some((m) => m.source === './dist' && m.target === `/var/lib/grafana/plugins/${APP_ID}`));
    assert.ok(mounts(grafana).some((m) => m.source === './provisioning' && m.target === '/etc/grafana/provisioning'));
    assert.deepEqual(
      env(grafana).GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',').sort(),
      [APP_ID, DATASOURCE_ID].sort()
    );
    assert.equal(env(grafana).GF_DATAPROXY_SEND_USER_HEADER, 'true');
    // ./dist is the plugin build output (npm run build); the scaffold's webpack writes there.
    assert.match(
      readFileSync('.config/webpack/webpack.config.ts', 'utf8'),
      /path: path\.resolve\(process\.cwd\(\), DIST_DIR\)/
    );
    assert.match(readFileSync('.config/bundler/constants.ts', 'utf8'), /DIST_DIR = 'dist'/);
  });

  it('every file and build context it references exists', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const { source } of mounts(s)) {
        if (!source.startsWith('.') || source === './dist') continue;
        assert.ok(existsSync(source), `${name}: ${source} does not exist`);
      }
      const context = typeof s.build === 'string' ? s.build : s.build?.context;
      if (context) assert.ok(statSync(`${context}/Dockerfile`).isFile(), `${name}: ${context}/Dockerfile`);
    }
    for (const name of Object.keys(compose.volumes)) {
      assert.ok(
        Object.values(services).some((s) => mounts(s).some((m) => m.source === name)),
        `volume ${name} unused`
      );
    }
  });

  it('published ports are the ports the services listen on, and the images EXPOSE them', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) {
        const [, inside] = String(p).split(':');
        if (name !== 'grafana') assert.equal(Number(inside), listenPort(name), `${name} publishes ${p}`);
      }
    }
    assert.match(readFileSync('Dockerfile', 'utf8'), new RegExp(`^EXPOSE ${listenPort('ghcprof')}$`, 'm'));
    assert.match(
      readFileSync('deploy/demo-service/Dockerfile', 'utf8'),
      new RegExp(`^EXPOSE ${listenPort('demo-service')}$`, 'm')
    );
  });

  it('the server, the token job and the agent run the image built from this repository', () => {
    for (const name of ['ghcprof', 'ghcprof-tokens', 'demo-agent']) {
      assert.equal(services[name].image, 'ghcprof:local', name);
      assert.equal(services[name].build, '.', name);
    }
    assert.match(readFileSync('Dockerfile', 'utf8'), /^ENTRYPOINT \["node", "\/app\/bin\/ghcprof\.js"\]$/m);
  });

  it('the agent shares the demo service volume, uses real CLI flags and reaches the server', () => {
    const agent = services['demo-agent'];
    assert.equal(agent.command[0], 'agent');
    const flags = flagValues(agent.command.slice(1));
    const known = cliFlags('agent');
    for (const flag of flags.keys()) assert.ok(known.has(flag), `ghcprof agent has no ${flag}`);
    const watched = mounts(agent).find((m) => m.target === flags.get('--watch'))!;
    assert.ok(watched, 'the watched directory is a volume');
    const written = mounts(services['demo-service']).find((m) => m.source === watched.source)!;
    assert.equal(written.target, '/profiles');
    assert.match(
      readFileSync('deploy/demo-service/Dockerfile', 'utf8'),
      new RegExp(`^WORKDIR ${written.target}$`, 'm')
    );
    const url = new URL(flags.get('--url')!);
    assert.ok(services[url.hostname], url.hostname);
    assert.equal(Number(url.port), listenPort(url.hostname));
    const tokens = mounts(agent).find((m) => flags.get('--token-file')!.startsWith(`${m.target}/`))!;
    assert.equal(tokens.source, 'ghcprof-tokens');
    const script = readFileSync('deploy/compose/create-tokens.sh', 'utf8');
    assert.match(script, new RegExp(`^create ${flags.get('--token-file')!.split('/').at(-1)} \\S+ write$`, 'm'));
    for (const name of ['POD_NAME', 'POD_NAMESPACE', 'SERVICE', 'VERSION']) assert.ok(env(agent)[name], name);
  });

  it('the demo service runs the profiling RTS flags', () => {
    const ghcrts = env(services['demo-service']).GHCRTS.split(/\s+/);
    for (const flag of ['-p', '-hT', '-l', '-i1', '-T']) assert.ok(ghcrts.includes(flag), flag);
    assert.equal(services['demo-service'].build.args.PROFILING, 'true');
  });

  it("Prometheus' config is valid (promtool) and scrapes compose services on their ports", () => {
    const path = 'deploy/compose/prometheus.yml';
    const check = spawnSync('promtool', ['check', 'config', path], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const config = yamlDoc(path);
    const targets = config.scrape_configs.flatMap((j: Doc) =>
      j.static_configs.flatMap((s: Doc) => s.targets as string[])
    );
    assert.deepEqual(targets.sort(), ['demo-agent:9464', 'demo-service:8080', 'ghcprof:4040']);
    for (const target of targets) {
      const [host, port] = target.split(':');
      assert.ok(services[host], host);
      assert.equal(Number(port), listenPort(host), target);
    }
    const demo = config.scrape_configs.find((j: Doc) => j.job_name === 'demo-service').static_configs[0].labels;
    assert.deepEqual(
      Object.keys(demo).sort(),
      ['container', 'namespace', 'pod', 'service'],
      'the labels the alert rules group by'
    );
    assert.equal(
      demo.pod,
      env(services['demo-agent']).POD_NAME,
      'profiles and metrics of the demo carry the same pod label'
    );
  });

  it("team orgs: Grafana forwards ID tokens, the server verifies them, the jobs share Grafana's live provisioning", () => {
    const grafana = env(services.grafana);
    assert.ok(grafana.GF_FEATURE_TOGGLES_ENABLE.split(',').includes('idForwarding'));
    const server = env(services.ghcprof);
    assert.equal(new URL(server.GHCPROF_GRAFANA_URL).hostname, 'grafana');
    assert.equal(server.GHCPROF_GRAFANA_ISSUER, grafana.GF_SERVER_ROOT_URL, "ID tokens' iss is Grafana's root_url");
    const live = mounts(services.grafana).find((m) => m.target === grafana.GF_PATHS_PROVISIONING)!;
    for (const job of ['ghcprof-tokens', 'grafana-orgs']) {
      const mount = mounts(services[job]).find((m) => m.source === live.source);
      assert.ok(mount, `${job} mounts ${live.source}`);
      assert.equal(env(services[job]).LIVE_PROVISIONING_DIR, mount!.target);
    }
    assert.equal(services['grafana-orgs'].depends_on.grafana.condition, 'service_started');
    assert.ok(compose.volumes[live.source] !== undefined, 'a named volume');
  });

  it('Grafana starts after the tokens exist, and the tokens script creates every token provisioning reads', () => {
    assert.equal(services.grafana.depends_on['ghcprof-tokens'].condition, 'service_completed_successfully');
    const tokensMount = mounts(services.grafana).find((m) => m.source === 'ghcprof-tokens')!;
    const script = readFileSync('deploy/compose/create-tokens.sh', 'utf8');
    const created = new Set([...script.matchAll(/^create (\S+) (\S+) (read|write|admin)( \d+)?$/gm)].map((m) => m[1]));
    const secrets = ['provisioning/datasources/ghcprof.yaml', 'provisioning/teams/datasources.yaml']
      .flatMap((f) => yamlDoc(f).datasources as Doc[])
      .flatMap((ds) => Object.values(ds.secureJsonData ?? {}) as string[]);
    const read = secrets.map((value) => /^\$__file\{([^}]+)\}$/.exec(value)![1]);
    assert.equal(read.length, 5);
    for (const path of read) {
      assert.ok(path.startsWith(`${tokensMount.target}/`), path);
      assert.ok(created.has(path.slice(tokensMount.target.length + 1)), `${path} is never created`);
    }
  });
});
