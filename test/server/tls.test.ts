/**
 * TLS (issue 12 §7) with real certificates made here by openssl: `serve --tls-cert/--tls-key` serves HTTPS and
 * re-reads the files on SIGHUP; `push`/`agent --ca-file` trust that certificate (and refuse the server without it).
 * The client also redacts secrets in the artefact's command line before sending (`--redact`, on by default).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, describe, it } from 'node:test';
import { uploadProfile } from '../../pkg/agent/client';
import { targetOf } from '../../pkg/cli/commands/collect';
import { resolveConfig, testConfig } from '../../pkg/server/config';
import { startServer } from '../../pkg/server/server';
import { createToken } from '../../pkg/server/tokens';
import { openStore } from '../../pkg/store';
import { freshStoreSpec, STORE_KINDS, stopPostgres } from './support';

after(stopPostgres);

const dir = mkdtempSync(join(tmpdir(), 'ghcprof-tls-'));

/** A self-signed certificate for 127.0.0.1 (its own CA), as PEM files. */
function makeCertificate(name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const run = spawnSync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=ghcprof-${name}`],
    ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
  ]);
  assert.equal(run.status, 0, run.stderr.toString());
  return { cert, key };
}

/** The certificate a new TLS connection to the server is shown. */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: readFileSync(ca) }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.once('error', reject);
  });
}

const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;
const secrets = readFileSync('test/fixtures/ghc/secrets/leaky-secrets.prof');

for (const kind of STORE_KINDS) {
  describe(`TLS (${kind})`, () => {
    it('serves HTTPS; push trusts it with --ca-file, refuses it without; SIGHUP picks up a renewed certificate', async () => {
      const first = makeCertificate(`first-${kind}`);
      const renewed = makeCertificate(`renewed-${kind}`);
      const live = { cert: join(dir, `live-${kind}.crt`), key: join(dir, `live-${kind}.key`) };
      copyFileSync(first.cert, live.cert);
      copyFileSync(first.key, live.key);
      const { spec } = await freshStoreSpec(kind);
      const store = await openStore(spec);
      await store.migrate();
      const { secret } = await createToken(store, { tenant: 'acme', scope: 'admin' });
      // The server keeps what it is sent, so what arrives shows what the client redacted.
      const config = testConfig({ db: spec, port: 0, tlsCertFile: live.cert, tlsKeyFile: live.key, redact: false });
      const server = await startServer(config, { store, closeStore: true });
      try {
        assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        const port = Number(new URL(server.url).port);
        const flags = { url: server.url, token: secret, label: [], gzip: false };

        const target = targetOf({ ...flags, redact: 'on', caFile: first.cert });
        const stored = await uploadProfile(target, { service: 'tls' }, { body: secrets });
        assert.equal(stored.created, true);
        const raw = await store.getRaw('acme', stored.id);
        assert.equal(raw!.length, secrets.length);
        assert.ok(!raw!.includes('hunter2') && raw!.includes('--password=*******'), 'redacted before sending');
        const kept = await uploadProfile(
          targetOf({ ...flags, redact: 'off', caFile: first.cert }),
          {},
          { body: secrets }
        );
        assert.deepEqual(await store.getRaw('acme', kept.id), secrets, '--redact=off sends the bytes as they are');

        await assert.rejects(
          uploadProfile(targetOf({ ...flags, redact: 'on' }), {}, { body: secrets }),
          /self[- ]signed|certificate/i
        );

        assert.equal(await servedFingerprint(port, first.cert), fingerprint(first.cert));
        copyFileSync(renewed.cert, live.cert);
        copyFileSync(renewed.key, live.key);
        process.kill(process.pid, 'SIGHUP');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(await servedFingerprint(port, renewed.cert), fingerprint(renewed.cert));

        // A broken renewal (half-written key) keeps the certificate in use.
        writeFileSync(live.key, '-----BEGIN PRIVATE KEY-----\ntruncated');
        process.kill(process.pid, 'SIGHUP');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(await servedFingerprint(port, renewed.cert), fingerprint(renewed.cert));
      } finally {
        await server.close();
      }
    });
  });
}

describe('TLS settings', () => {
  it('refuses to start on a key that does not belong to the certificate, or half of the pair', async () => {
    const a = makeCertificate('a');
    const b = makeCertificate('b');
    const db = join(dir, 'refuse.db');
    await assert.rejects(
      startServer(testConfig({ db, port: 0, tlsCertFile: a.cert, tlsKeyFile: b.key })),
      /--tls-cert .*a\.crt \/ --tls-key .*b\.key: .*key values mismatch/
    );
    await assert.rejects(
      startServer(testConfig({ db, port: 0, tlsCertFile: join(dir, 'missing.crt'), tlsKeyFile: a.key })),
      /cannot read the TLS certificate \(--tls-cert\)/
    );
    assert.throws(() => resolveConfig([{ tlsCert: a.cert }], {}), /--tls-cert and --tls-key go together/);
  });
});
