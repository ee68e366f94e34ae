import { readFileSync } from 'node:fs';

/**
 * A long eventlog made from a real one: its header, then its data section (every block, without the end marker)
 * `copies` times, then the end marker. Yielded in chunks so a test or benchmark can stream hundreds of MB without
 * holding them. Timestamps repeat per copy, which a reader must tolerate anyway (blocks are not in time order).
 */
export function* repeatedEventlog(path: string, copies: number, chunkSize = 65536): Generator<Buffer> {
  const file = readFileSync(path);
  const dataStart = file.indexOf('datb') + 4;
  if (file.readUInt16BE(file.length - 2) !== 0xffff) {
    throw new Error(`${path}: does not end with the end-of-data marker`);
  }
  yield file.subarray(0, dataStart);
  const data = file.subarray(dataStart, file.length - 2);
  for (let i = 0; i < copies; i++) {
    for (let at = 0; at < data.length; at += chunkSize) {
      yield data.subarray(at, Math.min(at + chunkSize, data.length));
    }
  }
  yield Buffer.from([0xff, 0xff]);
}
