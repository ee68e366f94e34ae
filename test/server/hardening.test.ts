/**
 * Hardening of the upload and auth paths, on every store kind: identical re-uploads answered without parsing, the
 * upload's audit line committed with the profile, a per-address limit on failed authentication, and a cap on the
 * upload bodies processed at once.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { AuthFailureLimiter } from '../../pkg/server/auth';
import type { NewProfile } from '../../pkg/store/store';
import { bearer, fixture, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

after(stopPostgres);

/** Bytes no reader accepts (415 when uploaded), stored directly as if an older server had accepted them. */
const UNPARSEABLE = Buffer.from('not a GHC artefact: no reader knows these bytes\n');

function storedAsIs(tenant: string, raw: Buffer): NewProfile {
  return {
    tenant,
    kind: 'prof',
    labels: { service: 'legacy' },
    startTime: Date.UTC(2026, 10, 27, 12, 0),
    endTime: null,
    timeSource: 'parameter',
    program: 'legacy',
    rtsArguments: [],
    size: raw.length,
    sha256: createHash('sha256').update(raw).digest('hex'),
    uploader: null,
    warnings: [],
    raw,
  };
}

for (const kind of STORE_KINDS) {
  describe(`upload hardening on ${kind}`, () => {
    let env: TestEnv;

    before(async () => {
      env = await testEnv(kind);
    });
    after(async () => env.close());

    describe('identical re-upload', () => {
      it('answers 200 with the stored profile without parsing the bytes again', async () => {
        // The stored bytes do not parse: only an answer found by sha256 before parsing can be 200.
        const { meta } = await env.store.insertProfile(storedAsIs('acme', UNPARSEABLE));
        const res = await upload(env, UNPARSEABLE, { token: env.acme.write });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().id, meta.id);
        assert.equal(res.headers.location, `/api/v1/profiles/${meta.id}`);
      });

      it('looks only at the uploading tenant: the same bytes from another tenant are parsed (and refused)', async () => {
        const res = await upload(env, UNPARSEABLE, { token: env.other.write });
        assert.equal(res.statusCode, 415, res.body);
      });

      it('a real artefact uploaded twice: 201 then 200 with the same id', async () => {
        const first = await upload(env, fixture('leaky.hc.hp'), { token: env.acme.write });
        assert.equal(first.statusCode, 201, first.body);
        const again = await upload(env, fixture('leaky.hc.hp'), { token: env.acme.write });
        assert.equal(again.statusCode, 200, again.body);
        assert.equal(again.json().id, first.json().id);
      });
    });

    describe('append whose result another profile holds', () => {
      it('answers as an identical upload: 200 with the profile that holds the bytes, not a 500', async () => {
        // A variant of the fixture, so its bytes are this test's own.
        const hp = Buffer.from(fixture('leaky.hy.hp').toString('utf8').replace('JOB "leaky', 'JOB "leaky-dup'));
        const holder = await upload(env, hp, { token: env.acme.write, labels: { service: 'dup-append' } });
        assert.equal(holder.statusCode, 201, holder.body);
        // The first half of the same file, as the agent uploads a .hp still being written, then the rest.
        const half = hp.indexOf('\nBEGIN_SAMPLE', hp.length >> 1) + 1;
        const first = await upload(env, hp.subarray(0, half + 20), {
          token: env.acme.write,
          labels: { service: 'dup-append', pod: 'p' },
          query: { partial: 'true' },
        });
        assert.equal(first.statusCode, 201, first.body);
        assert.notEqual(first.json().id, holder.json().id);
        const res = await env.app.inject({
          method: 'POST',
          url: `/api/v1/profiles/${first.json().id}/append?offset=${half + 20}`,
          headers: { ...bearer(env.acme.write), 'content-type': 'application/octet-stream' },
          payload: hp.subarray(half + 20),
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().profile.id, holder.json().id);
        assert.equal(res.json().profile.sha256, holder.json().sha256);
        assert.equal(res.json().storedBytes, hp.length);
      });
    });

    describe("audit line in the change's transaction", () => {
      // A store whose separate audit call fails: a change audited after its own transaction would stay without its
      // line (or fail after committing); audited inside, the line commits with it.
      let separateAudit: TestEnv['store']['audit'];
      before(() => {
        separateAudit = env.store.audit.bind(env.store);
        env.store.audit = async () => {
          throw new Error('audit written outside the change');
        };
      });
      after(() => {
        env.store.audit = separateAudit;
      });
      const auditOf = async (profileId: string) =>
        (await env.store.listAudit('acme', 1000)).filter((e) => e.profileId === profileId);

      it('an upload writes exactly one upload entry; an identical re-upload writes none', async () => {
        const first = await upload(env, fixture('search.hc.hp'), {
          token: env.acme.write,
          headers: { 'x-grafana-user': 'carol' },
        });
        assert.equal(first.statusCode, 201, first.body);
        const id = first.json().id;
        const again = await upload(env, fixture('search.hc.hp'), { token: env.acme.write });
        assert.equal(again.statusCode, 200, again.body);
        const entries = await auditOf(id);
        assert.deepEqual(
          entries.map((e) => [e.action, e.user, e.detail]),
          [['upload', 'carol', `hp ${fixture('search.hc.hp').length} bytes`]]
        );
      });

      it('an append and a delete write their entries in their own transactions', async () => {
        const full = fixture('leaky.hy.hp');
        const firstEnd = full.indexOf('\n', full.indexOf('END_SAMPLE', full.length / 2)) + 1;
        const first = await upload(env, full.subarray(0, firstEnd), {
          token: env.acme.write,
          query: { partial: 'true' },
        });
        assert.equal(first.statusCode, 201, first.body);
        const id = first.json().id;
        const appended = await env.app.inject({
          method: 'POST',
          url: `/api/v1/profiles/${id}/append?offset=${firstEnd}`,
          headers: { ...bearer(env.acme.write), 'content-type': 'application/octet-stream' },
          payload: full.subarray(firstEnd),
        });
        assert.equal(appended.statusCode, 200, appended.body);
        const deleted = await env.app.inject({
          method: 'DELETE',
          url: `/api/v1/profiles/${id}`,
          headers: bearer(env.acme.admin),
        });
        assert.equal(deleted.statusCode, 204, deleted.body);
        const entries = await auditOf(id);
        assert.deepEqual(
          entries.map((e) => [e.action, e.detail ?? null]),
          [
            ['delete', null],
            ['append', `${firstEnd} -> ${full.length} bytes`],
            ['upload', `hp ${firstEnd} bytes`],
          ]
        );
      });
    });

    describe('failed authentication per client address', () => {
      let limited: TestEnv;
      before(async () => {
        limited = await testEnv(kind, { authFailureLimit: 3, rateLimitWindowMs: 60_000 });
      });
      after(async () => limited.close());
      const listFrom = (remoteAddress: string, headers: Record<string, string>) =>
        limited.app.inject({ method: 'GET', url: '/api/v1/profiles', remoteAddress, headers });

      it('after the limit of 401s an address gets 429 with Retry-After, even with a valid token', async () => {
        const wrong = bearer('ghcp_guessed_wrong');
        assert.equal((await listFrom('10.0.0.1', {})).statusCode, 401);
        assert.equal((await listFrom('10.0.0.1', wrong)).statusCode, 401);
        assert.equal((await listFrom('10.0.0.1', wrong)).statusCode, 401);
        const refused = await listFrom('10.0.0.1', wrong);
        assert.equal(refused.statusCode, 429, refused.body);
        assert.equal(refused.json().error.code, 'rate_limited');
        const retryAfter = Number(refused.headers['retry-after']);
        assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.headers['retry-after']}`);
        const validButBlocked = await listFrom('10.0.0.1', bearer(limited.acme.read));
        assert.equal(validButBlocked.statusCode, 429);
      });

      it('other addresses are not affected, and 403s (a valid token, too little scope) do not count', async () => {
        assert.equal((await listFrom('10.0.0.2', bearer(limited.acme.read))).statusCode, 200);
        for (let i = 0; i < 5; i++) {
          const forbidden = await limited.app.inject({
            method: 'DELETE',
            url: '/api/v1/profiles/none',
            remoteAddress: '10.0.0.3',
            headers: bearer(limited.acme.read),
          });
          assert.equal(forbidden.statusCode, 403);
        }
        assert.equal((await listFrom('10.0.0.3', bearer(limited.acme.read))).statusCode, 200);
      });
    });

    describe('concurrent uploads', () => {
      let capped: TestEnv;
      before(async () => {
        capped = await testEnv(kind, { maxConcurrentUploads: 1 });
      });
      after(async () => capped.close());
      const inProgress = async () => (await capped.app.ghcprof.metrics.uploadsInProgress.get()).values[0]?.value ?? 0;

      async function waitForUploadsInProgress(n: number): Promise<void> {
        for (let i = 0; i < 200 && (await inProgress()) !== n; i++) {
          await sleep(10);
        }
        assert.equal(await inProgress(), n);
      }

      it('past the cap an upload or append gets 503 with Retry-After; the slot is free again afterwards', async () => {
        const body = fixture('leaky.hc.hp');
        // The first upload's body arrives slowly: it holds the one slot while it is being received.
        const slowBody = new PassThrough();
        slowBody.write(body.subarray(0, 1000));
        const slow = upload(capped, slowBody as unknown as Buffer, { token: capped.acme.write });
        await waitForUploadsInProgress(1);

        const refused = await upload(capped, fixture('search.hc.hp'), { token: capped.acme.write });
        assert.equal(refused.statusCode, 503, refused.body);
        assert.equal(refused.json().error.code, 'too_many_uploads');
        assert.equal(refused.headers['retry-after'], '5');
        const append = await capped.app.inject({
          method: 'POST',
          url: '/api/v1/profiles/any/append',
          headers: { ...bearer(capped.acme.write), 'content-type': 'application/octet-stream' },
          payload: body,
        });
        assert.equal(append.statusCode, 503, append.body);
        const read = await capped.app.inject({ url: '/api/v1/profiles', headers: bearer(capped.acme.read) });
        assert.equal(read.statusCode, 200, 'reads are not capped');

        slowBody.end(body.subarray(1000));
        const done = await slow;
        assert.equal(done.statusCode, 201, done.body);
        await waitForUploadsInProgress(0);
        const later = await upload(capped, fixture('search.hc.hp'), { token: capped.acme.write });
        assert.equal(later.statusCode, 201, later.body);
        assert.equal(await inProgress(), 0);
      });

      it('a refused or failed upload gives its slot back', async () => {
        const broken = await upload(capped, Buffer.from('no GHC artefact'), { token: capped.acme.write });
        assert.equal(broken.statusCode, 415);
        assert.equal(await inProgress(), 0);
        const ok = await upload(capped, fixture('leaky.hy.hp'), { token: capped.acme.write });
        assert.equal(ok.statusCode, 201, ok.body);
      });
    });
  });
}

describe('AuthFailureLimiter', () => {
  it('blocks an address at the limit until its window ends, then counts afresh', () => {
    let now = 1_000_000;
    const limiter = new AuthFailureLimiter(2, 60_000, () => now);
    limiter.recordFailure('a');
    assert.equal(limiter.blockedFor('a'), null);
    limiter.recordFailure('a');
    assert.equal(limiter.blockedFor('a'), 60);
    assert.equal(limiter.blockedFor('b'), null);
    now += 59_500;
    assert.equal(limiter.blockedFor('a'), 1);
    now += 500;
    assert.equal(limiter.blockedFor('a'), null);
    limiter.recordFailure('a');
    assert.equal(limiter.blockedFor('a'), null, 'a new window starts from one failure');
  });
});
