/**
 * Builds small eventlogs byte by byte for tests of cases the real fixtures do not have (era and info-table heap
 * modes, hostile band labels, huge events). The layout is GHC's: header with the event-type table, `datb`, events
 * (type u16, time u64, [size u16], payload), end marker 0xffff.
 */
export const VARIABLE = -1;

export function header(types: ReadonlyArray<[type: number, size: number]>, descriptionLength = 0): Buffer {
  const parts: Buffer[] = [Buffer.from('hdrbhetb', 'latin1')];
  for (const [type, size] of types) {
    const desc = Buffer.from(`type ${type}`.padEnd(descriptionLength, '.'), 'latin1');
    const entry = Buffer.alloc(12);
    entry.write('etb\0', 0, 'latin1');
    entry.writeUInt16BE(type, 4);
    entry.writeInt16BE(size, 6);
    entry.writeUInt32BE(desc.length, 8);
    parts.push(entry, desc, Buffer.from([0, 0, 0, 0]), Buffer.from('ete\0', 'latin1'));
  }
  parts.push(Buffer.from('hetehdredatb', 'latin1'));
  return Buffer.concat(parts);
}

export function event(type: number, timeNs: number, payload: Buffer, variable: boolean): Buffer {
  const head = Buffer.alloc(variable ? 12 : 10);
  head.writeUInt16BE(type, 0);
  head.writeBigUInt64BE(BigInt(timeNs), 2);
  if (variable) {
    head.writeUInt16BE(payload.length, 10);
  }
  return Buffer.concat([head, payload]);
}

export const END = Buffer.from([0xff, 0xff]);

export function u8(n: number): Buffer {
  return Buffer.from([n]);
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

export function cstring(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), u8(0)]);
}
