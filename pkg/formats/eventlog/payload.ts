/**
 * Reading event payload fields straight from the input bytes (no per-field allocation). The eventlog is big-endian;
 * 64-bit fields are read as two u32 halves into a double (exact up to 2^53: 104 days in ns, 8 PiB in bytes).
 */

/** One event's payload: `bytes[start, end)`, with a DataView over the same memory. Reused between events. */
export interface Payload {
  bytes: Buffer;
  view: DataView;
  start: number;
  end: number;
}

export function u64(view: DataView, at: number): number {
  return view.getUint32(at) * 4294967296 + view.getUint32(at + 4);
}

/** Index of the NUL that ends the string starting at `from` (or `end` when it is missing: a damaged string). */
export function nulIndex(bytes: Uint8Array, from: number, end: number): number {
  const i = bytes.indexOf(0, from);
  return i === -1 || i > end ? end : i;
}

/** UTF-8 text of bytes[from, to); invalid sequences become U+FFFD (as ghc-events' lenient decoding does). */
export function utf8Text(bytes: Buffer, from: number, to: number): string {
  return to <= from ? '' : bytes.toString('utf8', from, to);
}

/** True when bytes[from, to) is well-formed UTF-8. */
export function isUtf8(bytes: Uint8Array, from: number, to: number): boolean {
  try {
    strictUtf8.decode(bytes.subarray(from, to));
    return true;
  } catch {
    return false;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A cursor over NUL-terminated strings of a payload: `next()` returns each string in turn. */
export class CStrings {
  private at: number;
  constructor(
    private readonly p: Payload,
    from: number
  ) {
    this.at = from;
  }

  /** Where the next string (or the field after the last one) starts. */
  offset(): number {
    return this.at;
  }

  next(): string {
    const end = nulIndex(this.p.bytes, this.at, this.p.end);
    const s = utf8Text(this.p.bytes, this.at, end);
    this.at = Math.min(end + 1, this.p.end);
    return s;
  }
}
