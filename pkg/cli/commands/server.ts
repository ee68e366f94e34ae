/**
 * `ghcprof serve`, `ghcprof token create|list|revoke`, `ghcprof demo`: thin calls into pkg/server. Every serve
 * option can also come from the environment (`GHCPROF_PORT`, `GHCPROF_DB`, ...) or a config file (`--config`).
 */
import type { Command } from 'commander';
import { openDriver, openStore } from '../../store';
import { BlobCipher, readBlobKeyFile } from '../../store/blob-cipher';
import { migrate } from '../../store/migrate';
import { rekeyBlobs } from '../../store/rekey';
import type { Store } from '../../store/store';
import { type RawSettings, resolveConfig, SETTING_KEYS, settingsFromEnv, settingsFromFile } from '../../server/config';
import { runDemo } from '../../server/demo';
import { startServer } from '../../server/server';
import { checkGrafanaOrg, checkScope, createToken, revokeToken } from '../../server/tokens';
import { COMMAND_SUMMARIES } from './summaries';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The options the user gave, as settings (undefined ones left out so they do not hide env or file values). */
function givenSettings(opts: Record<string, unknown>): RawSettings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    if (opts[key] !== undefined) {
      out[key] = opts[key];
    }
  }
  return out as RawSettings;
}

function configFrom(opts: Record<string, unknown>) {
  const env = process.env;
  const file = (opts.config as string | undefined) ?? env.GHCPROF_CONFIG;
  return resolveConfig([file ? settingsFromFile(file) : {}, settingsFromEnv(env), givenSettings(opts)], env);
}

/** Opens (and migrates) the store a token command names: --db, else GHCPROF_DB, else the default data dir. */
async function tokenStore(opts: { db?: string; dataDir?: string }): Promise<Store> {
  const config = configFrom(opts);
  const store = await openStore(config.db);
  await store.migrate();
  return store;
}

async function withStore<T>(opts: { db?: string; dataDir?: string }, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await tokenStore(opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function registerServe(program: Command): void {
  program
    .command('serve')
    .description(COMMAND_SUMMARIES.serve)
    .option('--port <port>', 'port to listen on (default 4040)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--db <path|url>', 'SQLite file or postgres://... URL (default <data-dir>/ghcprof.db)')
    .option('--data-dir <dir>', 'directory of the default SQLite store (default ./.data)')
    .option('--config <file>', 'YAML or JSON file with the same settings (camelCase keys)')
    .option('--prometheus-url <url>', 'Prometheus base URL for RTS metric queries')
    .option(
      '--prometheus-url-from-header',
      'without --prometheus-url, use the URL Grafana sends (X-Ghcprof-Prometheus-Url)'
    )
    .option('--prometheus-label <k=v>', 'map a ghcprof label to a Prometheus label (repeatable)', collect)
    .option('--ekg-url <url>', 'ekg JSON endpoint for RTS metrics when there is no Prometheus')
    .option('--ekg-label <k=v>', 'label of the process behind --ekg-url, e.g. service=api (repeatable)', collect)
    .option('--retention <duration>', 'delete profiles older than this (e.g. 30d; default: keep)')
    .option('--max-upload-bytes <n>', 'largest upload, decompressed (default 512MiB)')
    .option('--max-concurrent-uploads <n>', 'uploads/appends processed at once; more get 503 (default 4)')
    .option(
      '--min-upload-rate <size>',
      'slowest average upload body rate per second after 10 s; slower ones get 408 (default 1KiB; 0: off)'
    )
    .option('--rate-limit <n>', 'requests per token per window (default 600)')
    .option('--rate-limit-window <duration>', 'rate limit window (default 1m)')
    .option(
      '--auth-failure-limit <n>',
      'failed authentications per client address per rate limit window before 429 (default 30; 0: off)'
    )
    .option('--request-timeout <duration>', 'request timeout (default 5m)')
    .option('--max-query-profiles <n>', 'most profiles a heap/profiles/annotations query reads (default 5000)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (default info)')
    .option('--encryption-key-file <file>', 'encrypt stored blobs with this AES-256 key (64 hex digits)')
    .option('--redact <on|off>', 'redact secrets in program arguments and URLs before storing (default on)')
    .option('--raw-download <scope>', 'scope raw eventlog downloads need: admin (default) or read')
    .option('--grafana-url <url>', "Grafana's URL: verify its signed ID tokens for tokens bound to Grafana orgs")
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain); re-read on SIGHUP')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--grafana-issuer <url>', "Grafana's root_url, the ID tokens' iss, when it differs from --grafana-url")
    .action(async (opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const server = await startServer(config, { handleSignals: true });
      server.app.log.info({ url: server.url, db: config.db.replace(/\/\/[^@/]*@/, '//***@') }, 'ghcprof serving');
    });
}

function registerToken(program: Command): void {
  const token = program.command('token').description(COMMAND_SUMMARIES.token);
  token
    .command('create')
    .description('create a token; the secret is printed once, alone on the last line of stdout')
    .requiredOption('--tenant <tenant>', 'tenant the token sees')
    .requiredOption('--scope <scope>', 'read | write | admin (write implies read, admin implies all)')
    .option('--name <name>', 'a name to recognise the token by')
    .option(
      '--grafana-org <id>',
      "bind the token to this Grafana org (repeatable): requests must carry Grafana's signed ID token for it (serve --grafana-url)",
      collect
    )
    .option('--db <path|url>', 'store (default $GHCPROF_DB or <data-dir>/ghcprof.db)')
    .option('--data-dir <dir>', 'data directory of the default store')
    .action(
      async (opts: {
        tenant: string;
        scope: string;
        name?: string;
        grafanaOrg?: string[];
        db?: string;
        dataDir?: string;
      }) => {
        const scope = checkScope(opts.scope);
        const grafanaOrgs = (opts.grafanaOrg ?? []).map(checkGrafanaOrg);
        const { record, secret } = await withStore(opts, (store) =>
          createToken(store, {
            tenant: opts.tenant,
            scope,
            name: opts.name,
            user: process.env.USER ?? null,
            grafanaOrgs,
          })
        );
        const bound = record.grafanaOrgs.length > 0 ? `, bound to Grafana org ${record.grafanaOrgs.join(', ')}` : '';
        process.stdout.write(
          `created token ${record.id} (${record.name}) for tenant ${record.tenant}, scope ${record.scope}${bound}\n`
        );
        process.stdout.write(`${secret}\n`);
      }
    );
  token
    .command('list')
    .description('list tokens (ids, tenants, scopes; never secrets)')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--db <path|url>', 'store (default $GHCPROF_DB or <data-dir>/ghcprof.db)')
    .option('--data-dir <dir>', 'data directory of the default store')
    .option('--json', 'print JSON')
    .action(async (opts: { tenant?: string; db?: string; dataDir?: string; json?: boolean }) => {
      const tokens = await withStore(opts, (store) => store.listTokens(opts.tenant));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
        return;
      }
      for (const t of tokens) {
        const state = t.revokedAt === null ? 'active' : `revoked ${new Date(t.revokedAt).toISOString()}`;
        process.stdout.write(
          `${t.id}\t${t.tenant}\t${t.scope}\t${t.name}\t${new Date(t.createdAt).toISOString()}\t${state}` +
            `${t.grafanaOrgs.length > 0 ? `\tgrafana-org ${t.grafanaOrgs.join(',')}` : ''}\n`
        );
      }
    });
  token
    .command('revoke <id>')
    .description('revoke a token by id; requests with it get 401 from then on')
    .option('--db <path|url>', 'store (default $GHCPROF_DB or <data-dir>/ghcprof.db)')
    .option('--data-dir <dir>', 'data directory of the default store')
    .action(async (id: string, opts: { db?: string; dataDir?: string }) => {
      const record = await withStore(opts, (store) => revokeToken(store, id, process.env.USER ?? null));
      if (!record) {
        throw new Error(`no active token with id ${id}`);
      }
      process.stdout.write(`revoked token ${id} (${record.name}, tenant ${record.tenant})\n`);
    });
}

function registerStore(program: Command): void {
  const store = program.command('store').description(COMMAND_SUMMARIES.store);
  store
    .command('rekey')
    .description(
      're-seal every stored blob with a new encryption key (stop the servers on the store first, then start them with --encryption-key-file NEW)'
    )
    .option('--from <file>', 'key file the blobs are encrypted with now (leave out for a store without encryption)')
    .requiredOption('--to <file>', 'key file of the new key (64 hex digits)')
    .option('--db <path|url>', 'store (default $GHCPROF_DB or <data-dir>/ghcprof.db)')
    .option('--data-dir <dir>', 'data directory of the default store')
    .action(async (opts: { from?: string; to: string; db?: string; dataDir?: string }) => {
      const to = readBlobKeyFile(opts.to);
      const cipher = new BlobCipher(to, opts.from ? [readBlobKeyFile(opts.from)] : []);
      const driver = await openDriver(configFrom(opts).db);
      try {
        await migrate(driver);
        const { resealed, skipped } = await rekeyBlobs(driver, cipher, to);
        process.stdout.write(`re-sealed ${resealed} blobs with key ${to.id} (${skipped} already were or empty)\n`);
      } finally {
        await driver.close();
      }
    });
}

function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(COMMAND_SUMMARIES.demo)
    .option('--port <port>', 'port to listen on', '4040')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where the demo store and its tokens live', '.data/demo')
    .action(async (opts: { port: string; host: string; dataDir: string }) => {
      await runDemo({ port: Number(opts.port), host: opts.host, dataDir: opts.dataDir, out: process.stdout });
    });
}

export function registerServerCommands(program: Command): void {
  registerServe(program);
  registerToken(program);
  registerStore(program);
  registerDemo(program);
}
