/**
 * Hardening of the upload and auth paths, on every store kind: identical re-uploads answered without parsing, the
 * upload's audit line committed with the profile, a per-address limit on failed authentication, and a cap on the
 * upload bodies processed at once.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NewProfile } from '../../pkg/store/store';
import { fixture, STORE_KINDS, stopPostgres, type TestEnv, testEnv, upload } from './support';

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
  });
}
