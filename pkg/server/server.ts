/**
 * The only place that listens: opens the store, builds the app, listens, deletes expired profiles on a timer, and
 * on SIGTERM/SIGINT stops accepting, lets in-flight requests finish and closes the store (close-with-grace).
 */
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type { Server as HttpsServer } from 'node:https';
import { openStore } from '../store';
import { BlobCipher, readBlobKeyFile } from '../store/blob-cipher';
import type { Store } from '../store/store';
import { buildApp } from './app';
import type { ServerConfig } from './config';
import { startRetention } from './retention';
import { readTlsFiles, reloadTls } from './tls';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** Base URL, e.g. http://127.0.0.1:4040. */
  url: string;
  close(): Promise<void>;
}

/** Opens the store named by `config.db` (migrating it) and serves until closed. */
export interface StartOptions {
  /** An open, migrated store; default: open `config.db`. */
  store?: Store;
  /** Close a given store with the server (a store opened here is always closed). */
  closeStore?: boolean;
  /** Install SIGTERM/SIGINT handling (the CLI); tests close the server themselves. */
  handleSignals?: boolean;
}

async function openMigrated(db: string, cipher: BlobCipher): Promise<Store> {
  const store = await openStore(db, { cipher });
  try {
    await store.migrate();
    await store.checkEncryptionKeys?.();
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The key of `--encryption-key-file`, read at start (a missing or malformed file stops the start). */
export function blobCipherOf(config: ServerConfig): BlobCipher {
  return new BlobCipher(config.encryptionKeyFile ? readBlobKeyFile(config.encryptionKeyFile) : null);
}

export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const tls = readTlsFiles(config);
  const store = opts.store ?? (await openMigrated(config.db, blobCipherOf(config)));
  const app = await buildApp({ store, config, tls, ownsStore: !opts.store || opts.closeStore === true });
  if (tls) {
    // A renewed certificate is picked up on SIGHUP; connections already open keep theirs.
    const onHangup = () => {
      const error = reloadTls(app.server as HttpsServer, config);
      if (error) app.log.error({ error }, 'TLS certificate not reloaded; serving the previous one');
      else app.log.info({ cert: config.tlsCertFile }, 'TLS certificate reloaded');
    };
    process.on('SIGHUP', onHangup);
    app.addHook('onClose', async () => void process.off('SIGHUP', onHangup));
  }
  const stopRetention = startRetention(store, config, app.log);
  app.addHook('onClose', async () => stopRetention());
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= app.close().then(() => undefined));
  if (opts.handleSignals) {
    const grace = closeWithGrace(
      { delay: 10_000, logger: { error: (m: unknown) => app.log.error(m) } },
      async ({ signal, err }) => {
        if (err) {
          app.log.error({ err }, 'shutting down after an error');
        } else {
          app.log.info({ signal }, 'shutting down');
        }
        await close();
      }
    );
    app.addHook('onClose', async () => grace.uninstall());
  }
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { app, store, url: `${tls ? 'https' : 'http'}://${host}:${port}`, close };
}
