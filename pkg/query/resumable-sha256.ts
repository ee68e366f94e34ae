/**
 * SHA-256 (FIPS 180-4) whose state can be saved and resumed. A growing profile's digest (the tenant's idempotency
 * key, sha256 of the whole artefact) is carried from append to append in the store, so an append hashes only its
 * own bytes. node:crypto's Hash cannot be serialised, hence this small implementation; it is checked against
 * node:crypto in resumable-sha256.test.ts.
 */

/** A digest in progress (JSON-serialisable). */
export interface Sha256State {
  /** The eight working words. */
  h: number[];
  /** Bytes hashed so far. */
  length: number;
  /** Input not yet a whole 64-byte block (base64, < 64 bytes). */
  pending: string;
}

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

export function initialSha256(): Sha256State {
  return { h: [...INITIAL], length: 0, pending: '' };
}

const W = new Int32Array(64);

/** Hashes the whole 64-byte blocks of `bytes` from `at` into `h`; returns where the unhashed rest starts. */
function blocks(h: Int32Array, bytes: Buffer, at: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = W;
  const k = K;
  let h0 = h[0];
  let h1 = h[1];
  let h2 = h[2];
  let h3 = h[3];
  let h4 = h[4];
  let h5 = h[5];
  let h6 = h[6];
  let h7 = h[7];
  for (; at + 64 <= bytes.length; at += 64) {
    for (let i = 0; i < 16; i++) {
      w[i] = view.getInt32(at + 4 * i);
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let hh = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + k[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + hh) | 0;
  }
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
  h[4] = h4;
  h[5] = h5;
  h[6] = h6;
  h[7] = h7;
  return at;
}

/** The state after hashing `bytes` too (the input state is not changed). */
export function updateSha256(state: Sha256State, bytes: Buffer): Sha256State {
  const pending = Buffer.from(state.pending, 'base64');
  const h = Int32Array.from(state.h);
  let rest: Buffer;
  if (pending.length > 0) {
    const fill = Math.min(64 - pending.length, bytes.length);
    const first = Buffer.concat([pending, bytes.subarray(0, fill)]);
    if (first.length < 64) {
      return { h: [...state.h], length: state.length + bytes.length, pending: first.toString('base64') };
    }
    blocks(h, first, 0);
    const tail = bytes.subarray(fill);
    rest = tail.subarray(blocks(h, tail, 0));
  } else {
    rest = bytes.subarray(blocks(h, bytes, 0));
  }
  return { h: Array.from(h), length: state.length + bytes.length, pending: rest.toString('base64') };
}

/** The hex digest of everything hashed into `state`. */
export function digestSha256(state: Sha256State): string {
  const pending = Buffer.from(state.pending, 'base64');
  const padLength = (pending.length < 56 ? 56 : 120) - pending.length;
  const tail = Buffer.alloc(pending.length + padLength + 8);
  pending.copy(tail);
  tail[pending.length] = 0x80;
  const bits = state.length * 8;
  tail.writeUInt32BE(Math.floor(bits / 2 ** 32), tail.length - 8);
  tail.writeUInt32BE(bits >>> 0, tail.length - 4);
  const h = Int32Array.from(state.h);
  blocks(h, tail, 0);
  const out = Buffer.alloc(32);
  h.forEach((word, i) => out.writeInt32BE(word, 4 * i));
  return out.toString('hex');
}
