/** How the store packs what it keeps: raw artefacts and normalised data as gzip, normalised data as JSON. */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Compresses off the event loop thread (zlib's thread pool), so a large upload does not stall other requests. */
export function compress(bytes: Buffer): Promise<Buffer> {
  return gzipAsync(bytes);
}

export function decompress(bytes: Buffer): Promise<Buffer> {
  return gunzipAsync(bytes);
}

export function packJson(value: unknown): Promise<Buffer> {
  return compress(Buffer.from(JSON.stringify(value), 'utf8'));
}

export async function unpackJson<T>(bytes: Buffer): Promise<T> {
  return JSON.parse((await decompress(bytes)).toString('utf8')) as T;
}
