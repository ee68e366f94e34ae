import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { appendToProfile, parseRetryAfter, uploadProfile, UploadError } from './client';
import { RecordingServer } from './__tests__/recording-server';

describe('client', () => {
  let server: RecordingServer;
  before(async () => {
    server = await RecordingServer.start();
  });
  after(() => server.close());
  const target = () => ({ url: server.url, token: 'test-token' });

  it('uploads with labels and start, then reads 201 new / 200 same id', async () => {
    const body = Buffer.from('JOB "x"\nDATE "d"\nSAMPLE_UNIT "seconds"\nVALUE_UNIT "bytes"\n');
    const first = await uploadProfile(target(), { service: 'api' }, { body, startMs: 1700000000000 });
    const second = await uploadProfile(target(), { service: 'api' }, { body });
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.id, first.id);
    const request = server.requests.at(-2)!;
    assert.equal(request.headers.authorization, 'Bearer test-token');
    assert.deepEqual(request.query.getAll('label'), ['service=api']);
    assert.equal(request.query.get('start'), '1700000000000');
    assert.deepEqual(request.body, body);
  });

  it('streams a body through gzip and counts the uncompressed bytes', async () => {
    const body = Buffer.alloc(300_000, 'abc');
    let counted = 0;
    const stored = await uploadProfile(
      target(),
      {},
      {
        body: () => Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]),
        gzip: true,
        onBytes: (n) => (counted += n),
      }
    );
    const request = server.requests.at(-1)!;
    assert.equal(request.headers['content-encoding'], 'gzip');
    assert.deepEqual(request.body, body);
    assert.equal(counted, body.length);
    assert.equal(server.profiles.get(stored.id)!.content.length, 300_000);
  });

  it('appends at an offset and reads the id from {profile, changed, storedBytes}', async () => {
    const { id } = await uploadProfile(target(), {}, { body: Buffer.from('first|') });
    const appended = await appendToProfile(target(), id, 6, { body: Buffer.from('second') });
    assert.equal(appended.id, id);
    assert.equal(appended.created, true);
    assert.equal(server.requests.at(-1)!.query.get('offset'), '6');
    const again = await appendToProfile(target(), id, 6, { body: Buffer.from('second') });
    assert.equal(again.created, false);
    assert.equal(server.profiles.get(id)!.content.toString(), 'first|second');
  });

  it("classifies 4xx as permanent with the server's message, 5xx and 429 as transient", async () => {
    server.failures.push({
      status: 422,
      body: { error: { code: 'format_error', message: 'upload: hp at line 3: expected LABEL<TAB>INTEGER' } },
    });
    const permanent = await uploadProfile(target(), {}, { body: Buffer.from('x') }).catch((e: unknown) => e);
    assert.ok(permanent instanceof UploadError);
    assert.equal(permanent.transient, false);
    assert.equal(permanent.status, 422);
    assert.equal(permanent.code, 'format_error');
    assert.equal(permanent.message, 'HTTP 422: upload: hp at line 3: expected LABEL<TAB>INTEGER');

    server.failures.push({ status: 429, headers: { 'retry-after': '7' } }, { status: 503 });
    const limited = (await uploadProfile(target(), {}, { body: Buffer.from('x') }).catch(
      (e: unknown) => e
    )) as UploadError;
    assert.equal(limited.transient, true);
    assert.equal(limited.retryAfterMs, 7000);
    const unavailable = (await uploadProfile(target(), {}, { body: Buffer.from('x') }).catch(
      (e: unknown) => e
    )) as UploadError;
    assert.equal(unavailable.transient, true);
    assert.equal(unavailable.status, 503);
  });

  it('reports a refused connection as transient', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const err = (await uploadProfile(
      { url: `http://127.0.0.1:${port}`, token: 't' },
      {},
      { body: Buffer.from('x') }
    ).catch((e: unknown) => e)) as UploadError;
    assert.ok(err instanceof UploadError);
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(err.transient, true);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});
