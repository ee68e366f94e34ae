/**
 * Encryption at rest for every stored blob (issue 12 §6): AES-256-GCM with a random 96-bit nonce per blob, the key's
 * id in each blob's header so a store can hold blobs of several keys while it is being rekeyed.
 *
 * Sealed form: MAGIC (4) | key id length (1) | key id (ASCII) | nonce (12) | tag (16) | ciphertext.
 * Plain blobs are gzip (1f 8b) or the model's packed forms (codec.ts), never starting with MAGIC, so an encrypted
 * store can still read blobs written before it had a key, and `ghcprof store rekey` can find what to re-seal.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const MAGIC = Buffer.from('GPX1', 'latin1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface BlobKey {
  /** 16 hex digits derived from the key (never the key itself): names the key in blobs, errors and logs. */
  id: string;
  key: Buffer;
}

/** A key from its 64 hex digits (a 256-bit key), as written in a key file. */
export function blobKeyFromHex(hex: string, source = 'key'): BlobKey {
  const text = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new Error(`${source}: an encryption key is exactly 64 hex digits (256 bits), got ${text.length} characters`);
  }
  const key = Buffer.from(text, 'hex');
  const id = createHash('sha256').update('ghcprof blob key id\0').update(key).digest('hex').slice(0, 16);
  return { id, key };
}

export function readBlobKeyFile(path: string): BlobKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read encryption key file ${path}: ${(err as Error).message}`);
  }
  return blobKeyFromHex(text, path);
}

export function isSealed(blob: Buffer): boolean {
  return blob.length >= MAGIC.length && blob.subarray(0, MAGIC.length).equals(MAGIC);
}

/** The id of the key a sealed blob needs, or null for a plain blob. */
export function sealedKeyId(blob: Buffer): string | null {
  if (!isSealed(blob)) {
    return null;
  }
  const n = blob[MAGIC.length];
  return blob.subarray(MAGIC.length + 1, MAGIC.length + 1 + n).toString('latin1');
}

/**
 * Seals with one key (`current`, null for a plain store) and opens blobs of any key it holds. Opening a plain blob
 * returns it unchanged; a blob of a key it does not hold is an error naming that key's id.
 */
export class BlobCipher {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    readonly current: BlobKey | null,
    others: readonly BlobKey[] = []
  ) {
    for (const k of [...(current ? [current] : []), ...others]) {
      this.keys.set(k.id, k.key);
    }
  }

  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  seal(plain: Buffer): Buffer {
    if (!this.current) {
      return plain;
    }
    const id = Buffer.from(this.current.id, 'latin1');
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([MAGIC, Buffer.from([id.length]), id, nonce, cipher.getAuthTag(), body]);
  }

  open(blob: Buffer): Buffer {
    const id = sealedKeyId(blob);
    if (id === null) {
      return blob;
    }
    const key = this.keys.get(id);
    if (!key) {
      throw new Error(`stored blob is encrypted with key ${id}, which was not given (--encryption-key-file)`);
    }
    let at = MAGIC.length + 1 + id.length;
    const nonce = blob.subarray(at, (at += NONCE_BYTES));
    const tag = blob.subarray(at, (at += TAG_BYTES));
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(blob.subarray(at)), decipher.final()]);
    } catch {
      throw new Error(`stored blob encrypted with key ${id} fails authentication (corrupted or altered)`);
    }
  }
}

export const PLAIN = new BlobCipher(null);
