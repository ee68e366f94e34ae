import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { digestSha256, initialSha256, updateSha256, type Sha256State } from './resumable-sha256';

describe('resumable SHA-256', () => {
  it('agrees with node:crypto for every length around the block and padding boundaries, in any split', () => {
    const data = randomBytes(300);
    for (let n = 0; n <= 200; n++) {
      const bytes = data.subarray(0, n);
      const expected = createHash('sha256').update(bytes).digest('hex');
      assert.equal(digestSha256(updateSha256(initialSha256(), bytes)), expected, `length ${n}`);
      for (const cut of [0, 1, 55, 56, 63, 64, 65, n]) {
        if (cut > n) continue;
        // The state goes through JSON between the two parts, as it does in the store.
        const first = JSON.parse(JSON.stringify(updateSha256(initialSha256(), bytes.subarray(0, cut)))) as Sha256State;
        assert.equal(digestSha256(updateSha256(first, bytes.subarray(cut))), expected, `length ${n} cut at ${cut}`);
      }
    }
  });

  it('hashes a few MiB in uneven appends like one update', () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    let state = initialSha256();
    for (let at = 0, step = 1; at < data.length; at += step, step = step * 7 + 3) {
      state = updateSha256(state, data.subarray(at, at + step));
    }
    assert.equal(state.length, data.length);
    assert.equal(digestSha256(state), createHash('sha256').update(data).digest('hex'));
  });
});
