/**
 * The upload slots are shared by tenants (issue 12 §4): real slow clients over TCP sockets, trickling their bodies a
 * byte at a time, on every store kind. A tenant holds at most half of the slots, and a body slower than the minimum
 * rate is answered 408 after the grace time, so its slot goes to others.
 */
import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { createToken } from '../../pkg/server/tokens';
import { fixture, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

interface SlowClient {
  socket: Socket;
  /** Resolves with the response's status once the server answers. */
  status: Promise<number>;
  stop(): void;
}

/** An upload whose headers announce 100 kB and whose body then comes one byte every 100 ms. */
function slowUpload(env: TestEnv, token: string): SlowClient {
  const { port } = env.app.server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  socket.write(
    `POST /api/v1/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\nJ'
  );
  const timer = setInterval(() => socket.writable && socket.write('O'), 100);
  let text = '';
  const status = new Promise<number>((resolve, reject) => {
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) {
        resolve(Number(m[1]));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed without an answer: ${JSON.stringify(text)}`)));
  });
  status.catch(() => undefined);
  return {
    socket,
    status,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

const inProgress = async (env: TestEnv) =>
  (await env.app.ghcprof.metrics.uploadsInProgress.get()).values[0]?.value ?? 0;

async function waitForInProgress(env: TestEnv, n: number): Promise<void> {
  for (let i = 0; i < 300 && (await inProgress(env)) !== n; i++) {
    await sleep(10);
  }
  assert.equal(await inProgress(env), n);
}

for (const kind of STORE_KINDS) {
  describe(`upload slots shared by tenants on ${kind}`, () => {
    it(
      'one tenant trickling four uploads holds two of the four slots; another tenant still uploads',
      { timeout: 60_000 },
      async () => {
        const env = await testEnv(kind, { maxConcurrentUploads: 4, minUploadBytesPerSecond: 0 });
        const clients: SlowClient[] = [];
        try {
          await env.app.listen({ port: 0, host: '127.0.0.1' });
          for (let i = 0; i < 2; i++) {
            clients.push(slowUpload(env, env.acme.write));
            await waitForInProgress(env, i + 1);
          }
          const refused = [slowUpload(env, env.acme.write), slowUpload(env, env.acme.write)];
          clients.push(...refused);
          assert.deepEqual(await Promise.all(refused.map((c) => c.status)), [503, 503]);
          const res = await upload(env, fixture('leaky.hc.hp'), { token: env.other.write });
          assert.equal(res.statusCode, 201, res.body);
          assert.equal(await inProgress(env), 2, "acme's two trickling uploads still hold their slots");
          const again = await upload(env, fixture('search.hc.hp'), { token: env.acme.write });
          assert.equal(again.statusCode, 503);
          assert.match(
            again.json().error.message,
            /this tenant has 2 uploads in progress, its share of the server's 4/
          );
        } finally {
          clients.forEach((c) => c.stop());
          await env.close();
        }
      }
    );

    it(
      'bodies slower than the minimum rate get 408 after the grace time, freeing every slot',
      { timeout: 60_000 },
      async () => {
        const env = await testEnv(kind, {
          maxConcurrentUploads: 4,
          minUploadBytesPerSecond: 1000,
          uploadRateGraceMs: 1000,
        });
        const clients: SlowClient[] = [];
        try {
          await env.app.listen({ port: 0, host: '127.0.0.1' });
          const third = (await createToken(env.store, { tenant: 'third', scope: 'write', name: 'third' })).secret;
          for (const token of [env.acme.write, env.acme.write, env.other.write, env.other.write]) {
            clients.push(slowUpload(env, token));
            await waitForInProgress(env, clients.length);
          }
          const full = await upload(env, fixture('leaky.hc.hp'), { token: third });
          assert.equal(full.statusCode, 503, 'all four slots are held');
          const started = Date.now();
          assert.deepEqual(await Promise.all(clients.map((c) => c.status)), [408, 408, 408, 408]);
          assert.ok(Date.now() - started < 5000, `answered after ${Date.now() - started} ms`);
          await waitForInProgress(env, 0);
          const res = await upload(env, fixture('leaky.hc.hp'), { token: third });
          assert.equal(res.statusCode, 201, res.body);
        } finally {
          clients.forEach((c) => c.stop());
          await env.close();
        }
      }
    );
  });
}
