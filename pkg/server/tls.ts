/**
 * HTTPS for `ghcprof serve --tls-cert FILE --tls-key FILE`. The files are read at start and again on SIGHUP, so a
 * renewed certificate (cert-manager, certbot) is served to new connections without a restart; a reload that fails
 * (a half-written file, a key that does not match) keeps the certificate in use and is logged.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Server as HttpsServer } from 'node:https';
import type { ServerConfig } from './config';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** The PEM files named by the config; null without TLS. Checked (parsed together) so a mismatch stops the start. */
export function readTlsFiles(config: Pick<ServerConfig, 'tlsCertFile' | 'tlsKeyFile'>): TlsFiles | null {
  if (!config.tlsCertFile || !config.tlsKeyFile) {
    return null;
  }
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`);
    }
  };
  const files = {
    cert: read(config.tlsCertFile, 'certificate (--tls-cert)'),
    key: read(config.tlsKeyFile, 'key (--tls-key)'),
  };
  try {
    createSecureContext(files);
  } catch (err) {
    throw new Error(`--tls-cert ${config.tlsCertFile} / --tls-key ${config.tlsKeyFile}: ${(err as Error).message}`);
  }
  return files;
}

/** Re-reads the files into the listening server; resolves to an error message instead of throwing. */
export function reloadTls(
  server: HttpsServer,
  config: Pick<ServerConfig, 'tlsCertFile' | 'tlsKeyFile'>
): string | null {
  try {
    const files = readTlsFiles(config);
    if (files) {
      server.setSecureContext(files);
    }
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
