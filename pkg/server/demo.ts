/**
 * `ghcprof demo`: the README quick start. Opens the embedded store in the data directory, makes sure tenant `demo`
 * has read/write/admin tokens (kept in <data-dir>/demo-tokens.json so a rerun reuses them), loads every sample
 * artefact of test/fixtures/ghc spread over the last hours, serves, and prints how to point Grafana at it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openStore } from '../store';
import type { Scope, Store } from '../store/store';
import { ingest } from '../query/ingest';
import { defaultConfig, type ServerConfig } from './config';
import { startServer, type RunningServer } from './server';
import { createToken, hashToken, SCOPES } from './tokens';

export const DEMO_TENANT = 'demo';
const SPREAD_MS = 6 * 3_600_000;

export interface DemoOptions {
  port: number;
  host: string;
  dataDir: string;
  out: NodeJS.WritableStream;
  /** Where the sample artefacts are (default: test/fixtures/ghc of this repository). */
  samplesDir?: string;
  now?: number;
}

export interface DemoArtefact {
  path: string;
  workload: string;
  labels: Record<string, string>;
}

/** The repository root: the nearest directory above this file with a package.json named ghcprof. */
export function repoRoot(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'ghcprof') {
      return dir;
    }
  }
  throw new Error(`cannot find the ghcprof repository above ${from}`);
}

const ARTEFACT = /^([a-z]+)\.(.+\.)?(prof|hp|eventlog)$/;

/**
 * The samples with their labels. The `eventlog` run (`NAME.eventlog*`) is labelled version 1.1.0 and the other runs
 * 1.0.0, so a diff of two versions has something to show.
 */
export function demoArtefacts(samplesDir: string): DemoArtefact[] {
  return readdirSync(samplesDir)
    .filter((f) => ARTEFACT.test(f))
    .sort()
    .map((f) => {
      const workload = ARTEFACT.exec(f)![1];
      const version = f.includes('.eventlog') && !f.includes('.hT.') ? '1.1.0' : '1.0.0';
      return {
        path: join(samplesDir, f),
        workload,
        labels: { service: workload, pod: `${workload}-0`, namespace: 'demo', version },
      };
    });
}

type DemoTokens = Record<Scope, string>;

/** Tokens from the previous run if they still work, else new ones (written back for the next run). */
async function demoTokens(store: Store, dataDir: string): Promise<{ tokens: DemoTokens; reused: boolean }> {
  const file = join(dataDir, 'demo-tokens.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoTokens>;
    const valid = await Promise.all(
      SCOPES.map(async (scope) => {
        const secret = saved[scope];
        const record = secret ? await store.findTokenByHash(hashToken(secret)) : null;
        return record !== null && record.revokedAt === null && record.tenant === DEMO_TENANT && record.scope === scope;
      })
    );
    if (valid.every(Boolean)) {
      return { tokens: saved as DemoTokens, reused: true };
    }
  }
  const tokens = {} as DemoTokens;
  for (const scope of SCOPES) {
    tokens[scope] = (await createToken(store, { tenant: DEMO_TENANT, scope, name: `demo-${scope}` })).secret;
  }
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return { tokens, reused: false };
}

/** Loads the samples, each workload's artefacts spaced evenly over the last six hours (idempotent by content). */
export async function loadSamples(
  store: Store,
  samplesDir: string,
  config: ServerConfig,
  now: number
): Promise<{ created: number; existing: number }> {
  const artefacts = demoArtefacts(samplesDir);
  const counts = { created: 0, existing: 0 };
  for (const [i, a] of artefacts.entries()) {
    const start = now - SPREAD_MS + Math.round(((i + 0.5) * SPREAD_MS) / artefacts.length);
    const { created } = await ingest(store, readFileSync(a.path), {
      tenant: DEMO_TENANT,
      labels: a.labels,
      start,
      startOverridesArtefact: true,
      uploader: 'ghcprof demo',
      file: a.path,
      maxBytes: config.maxUploadBytes,
    });
    counts[created ? 'created' : 'existing']++;
  }
  return counts;
}

/** A Grafana provisioning file for the datasource (what the plugin's ConfigEditor asks for). */
function datasourceYaml(url: string, tokens: DemoTokens): string {
  return [
    'apiVersion: 1',
    'datasources:',
    '  - name: ghcprof',
    '    uid: ghcprof',
    '    type: ghcprof-profiles-datasource',
    '    access: proxy',
    '    jsonData:',
    `      url: ${url}`,
    '    secureJsonData:',
    `      readToken: ${tokens.read}`,
    `      writeToken: ${tokens.write}`,
    `      adminToken: ${tokens.admin}`,
  ].join('\n');
}

function instructions(url: string, tokens: DemoTokens, loaded: string): string {
  const query = JSON.stringify({ selector: '{service="leaky"}', from: 'now-7d', to: 'now', metric: 'alloc' });
  return [
    `ghcprof demo: ${loaded}`,
    `Listening on ${url}`,
    '',
    'Grafana: install the ghcprof app, then add its datasource (ghcprof-profiles-datasource) with',
    `  URL:          ${url}`,
    `  Read token:   ${tokens.read}`,
    `  Write token:  ${tokens.write}`,
    `  Admin token:  ${tokens.admin}`,
    '  (tenant "demo"; the samples are spread over the last 6 hours: labels service, pod, namespace=demo, version)',
    'or provision it (grafana/provisioning/datasources/ghcprof.yaml; Grafana in Docker reaches this host as',
    'host.docker.internal, and ghcprof must then listen on 0.0.0.0: ghcprof demo --host 0.0.0.0):',
    datasourceYaml(url, tokens).replace(/^/gm, '    '),
    '',
    'Try it:',
    `  curl -s -H "Authorization: Bearer ${tokens.read}" -H 'content-type: application/json' \\`,
    `       -d '${query}' ${url}/api/v1/query/flamegraph`,
    `  curl -s -H "Authorization: Bearer ${tokens.write}" --data-binary @my.prof '${url}/api/v1/profiles?label=service%3Dmy-app'`,
    `API description: ${url}/api/v1/openapi.json`,
    '',
  ].join('\n');
}

export async function runDemo(opts: DemoOptions): Promise<RunningServer> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const config: ServerConfig = { ...defaultConfig({ GHCPROF_DATA_DIR: dataDir }), port: opts.port, host: opts.host };
  const store = await openStore(config.db);
  await store.migrate();
  try {
    const { tokens, reused } = await demoTokens(store, dataDir);
    const samplesDir = opts.samplesDir ?? join(repoRoot(), 'test', 'fixtures', 'ghc');
    const counts = await loadSamples(store, samplesDir, config, opts.now ?? Date.now());
    const server = await startServer({ ...config, logLevel: 'warn' }, { store, handleSignals: true, closeStore: true });
    const loaded =
      `${counts.created} sample profiles loaded, ${counts.existing} already there, tenant "${DEMO_TENANT}" ` +
      `(${reused ? 'tokens reused' : 'new tokens'}; store ${config.db})`;
    opts.out.write(instructions(server.url, tokens, loaded));
    return server;
  } catch (err) {
    await store.close();
    throw err;
  }
}
