import { FormatError } from '../errors';
import { DATA_END, EV, MARKER, eventTypeName } from './event-types';
import type { Payload } from './payload';
import { u64 } from './payload';

/**
 * Splits a binary GHC eventlog into events, pushed chunk by chunk (the msgpack-javascript decoder's way: the
 * unread tail of the previous chunk is kept, an item that does not fit yet answers MORE_DATA and is retried when
 * the next chunk arrives). Memory is bounded by the largest event (a u16 size field: < 64 KiB) plus the lookahead
 * of the damage scanner, never by the file.
 *
 * Every event is checked before it is handed on: its type must be in the header's table, it must not cross the end
 * of its per-capability block and its timestamp must lie within that block's time span. An event is only
 * dispatched once the header of the event after it has passed these checks too, so when that next header is bad,
 * the event before it (whose declared size led there) is the suspect and has not been used yet. The reader then
 * first tries the one damage GHC is known to write (an event embedded inside another, see `repairEmbedded`), and
 * otherwise scans forward to the next position where a chain of valid events starts, reporting the skipped range.
 */

/** What the framer hands on: complete, checked events. */
export interface EventSink {
  /** `wanted[type] !== 0`: the sink decodes events of this type; all others are only counted. */
  readonly wanted: Uint8Array;
  /** `cap` is the capability of the enclosing block (65535: the global block), -1 outside blocks. */
  event(type: number, timeNs: number, cap: number, payload: Payload): void;
}

export interface FramingSummary {
  eventCount: number;
  /** Events per type id. */
  typeCounts: Map<number, number>;
  warnings: string[];
  /** The input stopped before the end-of-data marker. */
  truncated: boolean;
}

/** The event block a cut lies in (file offsets, ns). */
export interface FramerBlock {
  start: number;
  end: number;
  startTime: number;
  endTime: number;
  cap: number;
}

/** A framer's state at a cut (JSON-serialisable): enough to read on from `offset`. */
export interface FramerCut {
  /** `header`: the header is not complete yet (read again from byte 0); `end`: past the end-of-data marker. */
  phase: 'header' | 'data' | 'end';
  offset: number;
  /** The header's event-type table: [type, payload size (-1: variable)]. */
  eventTypes: Array<[number, number]>;
  block: FramerBlock | null;
  /** A block marker was read before the cut (events outside blocks are damage from then on); absent: `block !== null`. */
  blocksSeen?: boolean;
}

/** Result codes of the item readers; MORE_DATA is the "item does not fit yet, wait for the next chunk" sentinel. */
const OK = 0;
export const MORE_DATA = 1;
const BAD = 2;
type Status = typeof OK | typeof MORE_DATA | typeof BAD;

const VARIABLE = -1;
const UNKNOWN = -2;

/** Header fields (event descriptions, extra info) longer than this are treated as damage, not awaited. */
const MAX_HEADER_FIELD = 1 << 20;
/**
 * Tolerance of the block time-span check. GHC stamps some events with a time taken before they are posted (EndGC
 * is stamped before the GCStatsGHC written just before it), so an event may predate the block opened meanwhile.
 */
const TIME_SLACK_NS = 1e9;
/** Number of consecutive valid events that mark the place where decoding resumes after damage. */
const RESYNC_CHAIN = 4;
const MAX_WARNINGS = 100;
/** Bytes of a new chunk copied behind the unread tail: enough for the longest event (u16 size) and a header. */
const BRIDGE_SLACK = 65535 + 64;
/** ProfSampleCostCentre's fixed part: cap u32, ticks u64, depth u8; then depth u32 cost-centre ids. */
const PROF_SAMPLE_FIXED = 13;

const enum Phase {
  HeaderBegin,
  TypeTableBegin,
  TypeTable,
  HeaderEnd,
  DataBegin,
  Data,
  End,
}

const EMPTY = Buffer.alloc(0);
// Module-level copies for the per-event paths (a local const is cheaper than a property of an imported object).
const BLOCK_MARKER: number = EV.BLOCK_MARKER;
const END: number = DATA_END;

export class EventFramer {
  private bytes: Buffer = EMPTY;
  private view: DataView = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);
  /** File offset of bytes[0]. */
  private base = 0;
  /** File offset of the next unread item. */
  private pos = 0;
  private phase = Phase.HeaderBegin;
  private final = false;
  /** File offset just past the end-of-data marker (phase End). */
  private dataEnd = -1;

  /** Declared payload size per event type: VARIABLE, UNKNOWN (not in the header) or a fixed size. */
  private readonly sizes = new Int32Array(65536).fill(UNKNOWN);
  private readonly counts = new Float64Array(65536);
  private eventCount = 0;
  private readonly warnings: string[] = [];
  private suppressedWarnings = 0;
  private trailingBytes = 0;

  // The header just read by readHeader (file offsets).
  private hType = 0;
  private hTime = 0;
  private hLen = 0;
  private hPayload = 0;
  private hBlockSize = 0;
  private hBlockEndTime = 0;
  private hBlockCap = 0;
  private badReason = '';
  /** The header was bad only because its timestamp lies outside its block's span. */
  private hOddTime = false;
  /** The header was bad only because it is a block marker inside the current block. */
  private hNestedMarker = false;

  // The block the read position is in (blockEnd is a file offset; -1: none yet).
  private blockStart = -1;
  private blockEnd = -1;
  private blockStartTime = 0;
  private blockEndTime = 0;
  private blockCap = -1;
  /**
   * A block marker has been read. From then on GHC writes every event inside a block, so bytes outside one are
   * damage. In the logs of 9.0.2's non-threaded profiling RTS they follow a block whose declared size the timer race
   * cut short: stale bytes of the event buffer, earlier events again (counted twice, they added 13-21 % to a run's
   * ticks) or misframed ones stamped years ahead (which made a 27 s run end in 2028). They are skipped up to the
   * next block marker.
   */
  private blocksSeen = false;

  // The pending event: complete, waiting for the next header to be checked. pStart -1: none.
  private pStart = -1;
  private pType = 0;
  private pTime = 0;
  private pPayload = 0;
  private pCap = -1;
  // The block context before the pending event (restored when a pending block marker turns out to be damage).
  private savedBlockStart = -1;
  private savedBlockEnd = -1;
  private savedBlockStartTime = 0;
  private savedBlockEndTime = 0;
  private savedBlockCap = -1;

  // The embedded-event repair's scan position within the pending event at repairOf, kept while input is awaited.
  private repairOf = -1;
  private repairAt = 0;

  // Damage scanning: resyncFrom is the next candidate position (-1: not scanning).
  private resyncFrom = -1;
  private damageStart = 0;
  private damageReason = '';

  /** Spare-room buffer that joinTail fills; bytes lie in it up to storeEnd when bytesInStore. */
  private store: Buffer = EMPTY;
  private storeEnd = 0;
  private bytesInStore = false;

  private readonly payload: Payload = { bytes: EMPTY, view: this.view, start: 0, end: 0 };

  constructor(
    private readonly sink: EventSink,
    private readonly file = '<input>'
  ) {}

  push(chunk: Uint8Array): void {
    if (this.final) {
      throw new Error('EventFramer.push after end()');
    }
    if (chunk.length === 0) {
      return;
    }
    const input = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const chunkStart = this.availEnd();
    const keepFrom = this.keepFrom();
    if (keepFrom >= chunkStart) {
      this.use(input, chunkStart);
      this.run();
      return;
    }
    // Copy the unread tail and only as much of the chunk as finishes the items straddling the boundary; the rest
    // of the chunk is then read in place.
    const bridge = Math.min(input.length, chunkStart - keepFrom + BRIDGE_SLACK);
    this.joinTail(keepFrom, input.subarray(0, bridge));
    this.run();
    if (bridge < input.length) {
      const from = this.keepFrom();
      if (from >= chunkStart) {
        this.use(input, chunkStart);
      } else {
        // Still inside the bridge (a damage scan looking ahead): join the rest too.
        this.joinTail(from, input.subarray(bridge));
      }
      this.run();
    }
  }

  /** Finishes the input: reads what is left, reports a cut-off, returns the counts. Throws FormatError for a bad header. */
  end(): FramingSummary {
    this.final = true;
    this.run();
    if (this.phase < Phase.Data) {
      throw this.headerError(
        this.pos,
        this.availEnd() === 0
          ? 'empty file: expected header marker `hdrb`'
          : `input ends inside the header: expected ${this.expectedInHeader()}`
      );
    }
    let truncated = false;
    if (this.phase === Phase.Data) {
      truncated = true;
      this.finishCutOff();
    } else if (this.trailingBytes > 0) {
      this.warn(`${this.trailingBytes} byte(s) after the end-of-data marker were ignored`);
    }
    if (this.suppressedWarnings > 0) {
      this.warnings.push(`${this.suppressedWarnings} further warning(s) omitted`);
    }
    return { eventCount: this.eventCount, typeCounts: this.typeCounts(), warnings: this.warnings, truncated };
  }

  /**
   * Where an incremental reader can stop and later resume (issue 9's continuation): the pending event is
   * dispatched (as `end` would), and the cut is the end of the last complete event with the event-type table and
   * the block it lies in. While an embedded-event repair waits for input, the cut is the pending event's start (it
   * is read again after the cut). Null while a damage scan is still looking for valid events: the bytes read since
   * `damagedAt()` do not parse as events (yet).
   */
  suspend(): FramerCut | null {
    if (this.resyncFrom >= 0) {
      return null;
    }
    const phase = this.phase < Phase.Data ? 'header' : this.phase === Phase.Data ? 'data' : 'end';
    if (phase === 'header') {
      return { phase, offset: 0, eventTypes: [], block: null };
    }
    let offset = phase === 'end' ? this.dataEnd : this.pos;
    let block: FramerBlock | null = this.currentBlock();
    if (this.pStart >= 0 && this.repairOf === this.pStart) {
      offset = this.pStart;
      block = this.savedBlock();
    } else if (this.pStart >= 0) {
      this.dispatch(this.pType, this.pTime, this.pCap, this.pPayload, this.pos);
      this.pStart = -1;
    }
    const eventTypes: Array<[number, number]> = [];
    this.sizes.forEach((size, type) => {
      if (size !== UNKNOWN) {
        eventTypes.push([type, size]);
      }
    });
    return { phase, offset, eventTypes, block, blocksSeen: this.blocksSeen };
  }

  /** What was read so far (after `suspend`): counts and warnings, `truncated` until the end-of-data marker. */
  summary(): FramingSummary {
    return {
      eventCount: this.eventCount,
      typeCounts: this.typeCounts(),
      warnings: [...this.warnings],
      truncated: this.phase !== Phase.End,
    };
  }

  private typeCounts(): Map<number, number> {
    const typeCounts = new Map<number, number>();
    this.counts.forEach((n, type) => {
      if (n > 0) {
        typeCounts.set(type, n);
      }
    });
    return typeCounts;
  }

  /** Where the unresolved damage that keeps `suspend` from cutting starts (a file offset). */
  damagedAt(): { offset: number; reason: string } {
    return { offset: this.damageStart, reason: this.damageReason };
  }

  /** Continues from a cut of `suspend`: the next byte pushed is the one at `cut.offset`. */
  resume(cut: FramerCut): void {
    if (cut.phase === 'header') {
      return;
    }
    this.phase = cut.phase === 'data' ? Phase.Data : Phase.End;
    for (const [type, size] of cut.eventTypes) {
      this.sizes[type] = size;
    }
    this.use(EMPTY, cut.offset);
    this.pos = cut.offset;
    this.dataEnd = cut.phase === 'end' ? cut.offset : -1;
    this.blocksSeen = cut.blocksSeen ?? cut.block !== null;
    const b = cut.block ?? { start: -1, end: -1, startTime: 0, endTime: 0, cap: -1 };
    [this.blockStart, this.blockEnd, this.blockStartTime, this.blockEndTime, this.blockCap] = [
      b.start,
      b.end,
      b.startTime,
      b.endTime,
      b.cap,
    ];
  }

  private currentBlock(): FramerBlock | null {
    return this.blockStart < 0
      ? null
      : {
          start: this.blockStart,
          end: this.blockEnd,
          startTime: this.blockStartTime,
          endTime: this.blockEndTime,
          cap: this.blockCap,
        };
  }

  private savedBlock(): FramerBlock | null {
    return this.savedBlockStart < 0
      ? null
      : {
          start: this.savedBlockStart,
          end: this.savedBlockEnd,
          startTime: this.savedBlockStartTime,
          endTime: this.savedBlockEndTime,
          cap: this.savedBlockCap,
        };
  }

  /** Bytes held from the input (the unread tail): bounded by the largest event plus the damage scanner's lookahead. */
  get bufferedBytes(): number {
    return this.availEnd() - this.keepFrom();
  }

  // ---- buffer management ----

  private availEnd(): number {
    return this.base + this.bytes.length;
  }

  /** File offset of the first byte still needed: the pending event's start, or the read position. */
  private keepFrom(): number {
    return this.pStart >= 0 ? this.pStart : this.pos;
  }

  /**
   * Makes the unread bytes from file offset `keepFrom` followed by `part` the buffer being read. They are joined in
   * a store with spare room, so a run of small chunks appended to a long tail (a large event arriving byte by byte)
   * copies each byte about once instead of copying the tail again per chunk.
   */
  private joinTail(keepFrom: number, part: Buffer): void {
    const tailLength = this.availEnd() - keepFrom;
    const length = tailLength + part.length;
    if (this.bytesInStore && this.storeEnd + part.length <= this.store.length) {
      part.copy(this.store, this.storeEnd);
      this.storeEnd += part.length;
    } else {
      const store = length <= this.store.length ? this.store : Buffer.allocUnsafe(Math.max(2 * length, 65536));
      // copyWithin-safe: Buffer.copy handles an overlapping source in the same store.
      this.bytes.copy(store, 0, keepFrom - this.base);
      part.copy(store, tailLength);
      this.store = store;
      this.storeEnd = length;
    }
    this.use(this.store.subarray(this.storeEnd - length, this.storeEnd), keepFrom);
    this.bytesInStore = true;
  }

  /** Makes `bytes` (starting at file offset `base`) the buffer being read. */
  private use(bytes: Buffer, base: number): void {
    this.bytesInStore = false;
    this.bytes = bytes;
    this.base = base;
    // Views over the buffer's own range: Node Buffers share pooled ArrayBuffers.
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.payload.bytes = bytes;
    this.payload.view = this.view;
  }

  private run(): void {
    if (this.phase < Phase.Data && !this.readHeaderSection()) {
      return;
    }
    if (this.phase === Phase.Data) {
      this.readEvents();
    }
    if (this.phase === Phase.End) {
      this.trailingBytes += this.availEnd() - this.pos;
      this.pos = this.availEnd();
    }
  }

  // ---- header section ----

  private u32At(offset: number): number {
    return this.view.getUint32(offset - this.base);
  }

  /** Reads the header items that are complete; false while more bytes are needed. */
  private readHeaderSection(): boolean {
    for (;;) {
      const avail = this.availEnd() - this.pos;
      if (avail < 4) {
        return false;
      }
      const marker = this.u32At(this.pos);
      switch (this.phase) {
        case Phase.HeaderBegin:
          this.expectMarker(marker, MARKER.HEADER_BEGIN, 'header marker `hdrb`');
          this.phase = Phase.TypeTableBegin;
          break;
        case Phase.TypeTableBegin:
          this.expectMarker(marker, MARKER.HET_BEGIN, 'event-type table marker `hetb`');
          this.phase = Phase.TypeTable;
          break;
        case Phase.TypeTable:
          if (marker === MARKER.HET_END) {
            this.pos += 4;
            this.phase = Phase.HeaderEnd;
          } else if (marker === MARKER.ET_BEGIN) {
            if (!this.readEventType(avail)) {
              return false;
            }
          } else {
            throw this.headerError(
              this.pos,
              `expected an event-type entry \`etb\\0\` or the table end \`hete\`, found ${describeBytes(this.bytes, this.pos - this.base, 4)}`
            );
          }
          break;
        case Phase.HeaderEnd:
          this.expectMarker(marker, MARKER.HEADER_END, 'header end marker `hdre`');
          this.phase = Phase.DataBegin;
          break;
        case Phase.DataBegin:
          this.expectMarker(marker, MARKER.DATA_BEGIN, 'data marker `datb`');
          this.phase = Phase.Data;
          return true;
        default:
          return true;
      }
    }
  }

  private expectMarker(found: number, expected: number, what: string): void {
    if (found !== expected) {
      throw this.headerError(this.pos, `expected ${what}, found ${describeBytes(this.bytes, this.pos - this.base, 4)}`);
    }
    this.pos += 4;
  }

  /** `etb\0` num:u16 size:i16 desc_len:u32 desc extra_len:u32 extra `ete\0`; false when not all here yet. */
  private readEventType(avail: number): boolean {
    const at = this.pos;
    if (avail < 12) {
      return false;
    }
    const rel = at - this.base;
    const num = this.view.getUint16(rel + 4);
    const size = this.view.getInt16(rel + 6);
    const descLen = this.view.getUint32(rel + 8);
    if (size < VARIABLE) {
      throw this.headerError(at + 6, `event type ${num} declares size ${size} (expected -1 for variable or 0..32767)`);
    }
    if (descLen > MAX_HEADER_FIELD) {
      throw this.headerError(
        at + 8,
        `event type ${num} declares a ${descLen}-byte description (limit ${MAX_HEADER_FIELD})`
      );
    }
    if (avail < 16 + descLen) {
      return false;
    }
    const extraLen = this.view.getUint32(rel + 12 + descLen);
    if (extraLen > MAX_HEADER_FIELD) {
      throw this.headerError(
        at + 12 + descLen,
        `event type ${num} declares ${extraLen} bytes of extra info (limit ${MAX_HEADER_FIELD})`
      );
    }
    const total = 20 + descLen + extraLen;
    if (avail < total) {
      return false;
    }
    const endMarker = this.view.getUint32(rel + total - 4);
    if (endMarker !== MARKER.ET_END) {
      throw this.headerError(
        at + total - 4,
        `expected the end of event type ${num}'s entry \`ete\\0\`, found ${describeBytes(this.bytes, rel + total - 4, 4)}`
      );
    }
    if (num !== DATA_END) {
      this.sizes[num] = size;
    }
    this.pos += total;
    return true;
  }

  private expectedInHeader(): string {
    switch (this.phase) {
      case Phase.HeaderBegin:
        return 'header marker `hdrb`';
      case Phase.TypeTableBegin:
        return 'event-type table marker `hetb`';
      case Phase.TypeTable:
        return 'an event-type entry `etb\\0` or the table end `hete`';
      case Phase.HeaderEnd:
        return 'header end marker `hdre`';
      default:
        return 'data marker `datb`';
    }
  }

  private headerError(offset: number, message: string): FormatError {
    return new FormatError({ format: 'eventlog', file: this.file, offset, message });
  }

  // ---- events ----

  private readEvents(): void {
    for (;;) {
      if (this.resyncFrom >= 0) {
        if (!this.resync()) {
          return;
        }
        continue;
      }
      let st = this.readHeader(this.pos);
      if (st === BAD && this.hOddTime) {
        st = this.confirmOddTime();
      }
      if (st === MORE_DATA) {
        return;
      }
      if (st === BAD) {
        if (!this.onDamage()) {
          return;
        }
        continue;
      }
      if (this.pStart >= 0) {
        this.dispatch(this.pType, this.pTime, this.pCap, this.pPayload, this.pos);
        this.pStart = -1;
      }
      if (this.hType === END) {
        this.pos += 2;
        this.dataEnd = this.pos;
        this.phase = Phase.End;
        return;
      }
      if (this.pos + this.hLen > this.availEnd()) {
        return;
      }
      this.acceptPending();
    }
  }

  private inBlock(at: number): boolean {
    return at < this.blockEnd;
  }

  /**
   * Reads and checks the event header at file offset `at` into the h* fields. MORE_DATA when the header (for block
   * markers: the whole event) is not all here yet; BAD (with badReason) when it cannot be an event at that place.
   */
  private readHeader(at: number, oddTimeOk = false): Status {
    this.hOddTime = false;
    this.hNestedMarker = false;
    const rel = at - this.base;
    const avail = this.bytes.length - rel;
    if (avail < 2) {
      return MORE_DATA;
    }
    const view = this.view;
    const type = view.getUint16(rel);
    const inBlock = at < this.blockEnd;
    if (type === END) {
      // Newer GHCs (9.2+) count the end-of-data marker into the last block's size.
      if (inBlock && at + 2 !== this.blockEnd) {
        const st = this.endInsideBlock(at);
        if (st !== OK) {
          return st;
        }
      }
      this.hType = END;
      this.hLen = 2;
      return OK;
    }
    const size = this.sizes[type];
    if (size === UNKNOWN) {
      return this.bad(`unknown event type ${type}`);
    }
    let len: number;
    if (size === VARIABLE) {
      if (avail < 12) {
        return MORE_DATA;
      }
      len = 12 + view.getUint16(rel + 10);
    } else {
      if (avail < 10) {
        return MORE_DATA;
      }
      len = 10 + size;
    }
    const time = view.getUint32(rel + 2) * 4294967296 + view.getUint32(rel + 6);
    if (inBlock) {
      const st = this.checkWithinBlock(at, type, len, time, oddTimeOk);
      if (st !== OK) {
        return st;
      }
    } else if (this.blocksSeen && type !== BLOCK_MARKER) {
      return this.bad(`event type ${type} outside any event block`);
    }
    if (type === BLOCK_MARKER) {
      const st = this.readBlockMarker(rel, size, len, time);
      if (st !== OK) {
        return st;
      }
    }
    this.hType = type;
    this.hTime = time;
    this.hLen = len;
    this.hPayload = at + (size === VARIABLE ? 12 : 10);
    return OK;
  }

  /**
   * An end-of-data marker before the end its block declares is damage, unless nothing follows it: then only the
   * block's size was wrong (known once the input has ended).
   */
  private endInsideBlock(at: number): Status {
    if (at + 2 < this.availEnd()) {
      return this.bad('end-of-data marker inside an event block');
    }
    if (!this.final) {
      return MORE_DATA;
    }
    this.warnOnce(
      `the event block at byte ${this.blockStart} declares its end at byte ${this.blockEnd}, but the log ends at byte ${at + 2}`
    );
    return OK;
  }

  /** An event inside a block must end within it and be stamped within its time span (see confirmOddTime). */
  private checkWithinBlock(at: number, type: number, len: number, time: number, oddTimeOk: boolean): Status {
    if (type === BLOCK_MARKER) {
      this.hNestedMarker = true;
      return this.bad('block marker inside another block');
    }
    if (at + len > this.blockEnd) {
      return this.bad(`event type ${type} crosses the end of its block at byte ${this.blockEnd}`);
    }
    if (!oddTimeOk && (time < this.blockStartTime - TIME_SLACK_NS || time > this.blockEndTime + TIME_SLACK_NS)) {
      this.hLen = len;
      this.hOddTime = true;
      return this.bad(`event type ${type} stamped ${time} ns, outside its block's time span`);
    }
    return OK;
  }

  /** EventBlock: block size u32 (from the marker's first byte), end time u64, capability u16. */
  private readBlockMarker(rel: number, size: number, len: number, time: number): Status {
    if (size < 14) {
      return this.bad(`block marker with a ${size}-byte payload (expected 14)`);
    }
    if (this.bytes.length - rel < len) {
      return MORE_DATA;
    }
    this.hBlockSize = this.view.getUint32(rel + 10);
    this.hBlockEndTime = u64(this.view, rel + 14);
    this.hBlockCap = this.view.getUint16(rel + 22);
    return this.hBlockSize < len || this.hBlockEndTime < time ? this.bad('implausible block marker') : OK;
  }

  /**
   * An event whose timestamp lies outside its block's span is accepted when valid events follow it: some RTSs
   * stamp events with other clocks (GHC 7.10's Eden RTS stamps CreateMachine with 965 ns), while a misframed
   * "event" inside damaged bytes is followed by more garbage.
   */
  private confirmOddTime(): Status {
    const reason = this.badReason;
    const st = this.chainAt(this.pos + this.hLen, 0);
    if (st !== OK) {
      this.badReason = reason;
      return st;
    }
    return this.readHeader(this.pos, true);
  }

  private bad(reason: string): Status {
    this.badReason = reason;
    return BAD;
  }

  /** Takes the event just read as the pending one (dispatched once the next header checks out). */
  private acceptPending(): void {
    this.pStart = this.pos;
    this.pType = this.hType;
    this.pTime = this.hTime;
    this.pPayload = this.hPayload;
    this.savedBlockStart = this.blockStart;
    this.savedBlockEnd = this.blockEnd;
    this.savedBlockStartTime = this.blockStartTime;
    this.savedBlockEndTime = this.blockEndTime;
    this.savedBlockCap = this.blockCap;
    if (this.hType === BLOCK_MARKER) {
      this.blocksSeen = true;
      this.blockStart = this.pos;
      this.blockEnd = this.pos + this.hBlockSize;
      this.blockStartTime = this.hTime;
      this.blockEndTime = this.hBlockEndTime;
      this.blockCap = this.hBlockCap;
    }
    this.pCap = this.pos < this.blockEnd ? this.blockCap : -1;
    this.pos += this.hLen;
  }

  private dispatch(type: number, time: number, cap: number, payloadAt: number, endAt: number): void {
    this.counts[type]++;
    this.eventCount++;
    if (this.sink.wanted[type] !== 0) {
      this.payload.start = payloadAt - this.base;
      this.payload.end = endAt - this.base;
      this.sink.event(type, time, cap, this.payload);
    }
  }

  // ---- damage ----

  /** The header at `pos` is bad. False while more input is needed to decide what to do. */
  private onDamage(): boolean {
    if (this.hNestedMarker) {
      const st = this.closeBlockEarly();
      if (st !== BAD) {
        return st === OK;
      }
    }
    const where = `${this.badReason} at byte ${this.pos}`;
    if (this.pStart < 0) {
      this.beginResync(this.pos, where);
      return true;
    }
    const repaired = this.repairEmbedded();
    if (repaired === MORE_DATA) {
      return false;
    }
    if (repaired === OK) {
      return true;
    }
    this.blockStart = this.savedBlockStart;
    this.blockEnd = this.savedBlockEnd;
    this.blockStartTime = this.savedBlockStartTime;
    this.blockEndTime = this.savedBlockEndTime;
    this.blockCap = this.savedBlockCap;
    const suspect = this.pStart;
    this.pStart = -1;
    this.beginResync(suspect, `${where}, after the ${eventTypeName(this.pType)} event at byte ${suspect}`);
    return true;
  }

  /**
   * A block marker inside the current block: when valid events follow it, the current block's size was wrong
   * (blocks never nest), so the current block ends here.
   */
  private closeBlockEarly(): Status {
    const declaredEnd = this.blockEnd;
    this.blockEnd = this.pos;
    const st = this.chainAt(this.pos);
    if (st !== OK) {
      this.blockEnd = declaredEnd;
      return st;
    }
    this.warn(
      `the event block at byte ${this.blockStart} declares its end at byte ${declaredEnd}, but the next block starts at byte ${this.pos}`
    );
    return OK;
  }

  private beginResync(damageStart: number, reason: string): void {
    this.damageStart = damageStart;
    this.damageReason = reason;
    this.resyncFrom = damageStart + 1;
    this.pos = this.resyncFrom;
  }

  /** Scans for the next position where RESYNC_CHAIN valid events start. False while more input is needed. */
  private resync(): boolean {
    const avail = this.availEnd();
    for (let q = this.resyncFrom; q < avail; q++) {
      const st = this.chainAt(q);
      if (st === MORE_DATA) {
        this.resyncFrom = this.pos = q;
        return false;
      }
      if (st === OK) {
        this.warn(
          `damaged data at byte ${this.damageStart} (${this.damageReason}): skipped ${q - this.damageStart} bytes, events resume at byte ${q}`
        );
        this.resyncFrom = -1;
        this.pos = q;
        return true;
      }
    }
    this.resyncFrom = this.pos = avail;
    return false;
  }

  /**
   * Whether a chain of RESYNC_CHAIN valid events starts at `q` (the block context is simulated, then restored).
   * A valid end of data, or the end of a cut-off input, ends the chain early once `minEvents` events were seen.
   */
  private chainAt(q: number, minEvents = 1): Status {
    const saved: [number, number, number, number] = [
      this.blockEnd,
      this.blockStartTime,
      this.blockEndTime,
      this.blockCap,
    ];
    let at = q;
    let n = 0;
    let result: Status = OK;
    let lastTime = 1;
    while (n < RESYNC_CHAIN) {
      const inBlock = this.inBlock(at);
      const st = this.readHeader(at);
      // Outside a block there is no time span to check: zero-filled or shifted bytes would pass as events, so the
      // chain's timestamps must at least be positive and in order.
      if (st === BAD || (st === OK && !inBlock && this.hType !== DATA_END && this.hTime < lastTime)) {
        result = BAD;
        break;
      }
      lastTime = this.hTime;
      if (st === MORE_DATA) {
        result = this.final ? (n >= minEvents ? OK : BAD) : MORE_DATA;
        break;
      }
      if (this.hType === DATA_END) {
        // An end marker right at the end of the input so far is only known to end the log once the input ends.
        const atInputEnd = at + 2 === this.availEnd();
        result = n >= minEvents || (atInputEnd && this.final) ? OK : atInputEnd ? MORE_DATA : BAD;
        break;
      }
      if (this.hType === EV.BLOCK_MARKER) {
        this.blockEnd = at + this.hBlockSize;
        this.blockStartTime = this.hTime;
        this.blockEndTime = this.hBlockEndTime;
      }
      n++;
      at += this.hLen;
    }
    [this.blockEnd, this.blockStartTime, this.blockEndTime, this.blockCap] = saved;
    return result;
  }

  /**
   * GHC 9.0.2's non-threaded profiling RTS posts time-profile samples from its timer thread without a lock, so a
   * whole ProfSampleCostCentre (167) event can land inside another event that is half written (in practice a
   * HeapProfSampleCostCentre). The outer event's declared size then ends early and the next "event" starts in the
   * middle of its remaining bytes. Looks inside the pending event for an embedded 167 event of a consistent shape
   * (size = 13 + 4 * depth, timestamp within the block); if taking it out leaves an outer event after which a valid
   * header follows, both events are decoded.
   */
  private repairEmbedded(): Status {
    if (this.sizes[EV.PROF_SAMPLE_COST_CENTRE] !== VARIABLE || this.pType === EV.BLOCK_MARKER) {
      return BAD;
    }
    const start = this.pStart;
    const avail = this.availEnd();
    // Candidates found wrong stay wrong; while waiting for input, the scan resumes where it stopped.
    let x = this.repairOf === start ? this.repairAt : start + 1;
    for (; x < this.pos; x++) {
      const rx = x - this.base;
      if (this.bytes[rx] !== 0 || this.bytes[rx + 1] !== EV.PROF_SAMPLE_COST_CENTRE) {
        continue;
      }
      if (x + 12 + PROF_SAMPLE_FIXED > avail) {
        break;
      }
      const size = this.view.getUint16(rx + 10);
      if (size !== PROF_SAMPLE_FIXED + 4 * this.bytes[rx + 24] || !this.timeFitsBlock(x, u64(this.view, rx + 2))) {
        continue;
      }
      const st = this.tryWithout(x, 12 + size);
      if (st === OK) {
        return OK;
      }
      if (st === MORE_DATA) {
        break;
      }
    }
    if (x >= this.pos || this.final) {
      return BAD;
    }
    this.repairOf = start;
    this.repairAt = x;
    return MORE_DATA;
  }

  private timeFitsBlock(at: number, time: number): boolean {
    return (
      !this.inBlock(at) || (time >= this.blockStartTime - TIME_SLACK_NS && time <= this.blockEndTime + TIME_SLACK_NS)
    );
  }

  /** The pending event read with bytes [x, x + embeddedLen) taken out: dispatches both if that makes sense. */
  private tryWithout(x: number, embeddedLen: number): Status {
    const start = this.pStart;
    const head = x - start;
    const avail = this.availEnd();
    const at = (i: number): number => (i < head ? start + i : x + embeddedLen + i - head);
    if (at(11) >= avail) {
      return this.final ? BAD : MORE_DATA;
    }
    const byte = (i: number): number => this.bytes[at(i) - this.base];
    const type = (byte(0) << 8) | byte(1);
    const size = this.sizes[type];
    if (size === UNKNOWN || type === EV.BLOCK_MARKER) {
      return BAD;
    }
    const outerLen = size === VARIABLE ? 12 + ((byte(10) << 8) | byte(11)) : 10 + size;
    const next = start + embeddedLen + outerLen;
    if (outerLen <= head || (this.inBlock(start) && next > this.blockEnd)) {
      return BAD;
    }
    if (next > avail) {
      return this.final ? BAD : MORE_DATA;
    }
    let time = 0;
    for (let i = 2; i < 10; i++) {
      time = time * 256 + byte(i);
    }
    if (!this.timeFitsBlock(start, time)) {
      return BAD;
    }
    const nextSt = this.readHeader(next);
    if (nextSt === BAD || (nextSt === MORE_DATA && !this.final)) {
      return nextSt;
    }
    const outer = Buffer.allocUnsafe(outerLen);
    this.bytes.copy(outer, 0, start - this.base, x - this.base);
    this.bytes.copy(outer, head, x + embeddedLen - this.base, next - this.base);
    const cap = this.pCap;
    this.pStart = -1;
    this.dispatchCopy(type, time, cap, outer, size === VARIABLE ? 12 : 10);
    const embeddedTime = u64(this.view, x - this.base + 2);
    this.dispatch(EV.PROF_SAMPLE_COST_CENTRE, embeddedTime, cap, x + 12, x + embeddedLen);
    this.warn(
      `byte ${x}: a ${eventTypeName(EV.PROF_SAMPLE_COST_CENTRE)} event (${embeddedLen} bytes) was written inside the ` +
        `${eventTypeName(type)} event at byte ${start} (GHC's non-threaded RTS races its profiling timer with ` +
        `the event writer); both events were separated and decoded, the log continues at byte ${next}`
    );
    this.pos = next;
    return OK;
  }

  /** Dispatches an event reassembled into its own buffer. */
  private dispatchCopy(type: number, time: number, cap: number, event: Buffer, payloadStart: number): void {
    this.counts[type]++;
    this.eventCount++;
    if (this.sink.wanted[type] !== 0) {
      const view = new DataView(event.buffer, event.byteOffset, event.byteLength);
      this.sink.event(type, time, cap, { bytes: event, view, start: payloadStart, end: event.length });
    }
  }

  private finishCutOff(): void {
    const avail = this.availEnd();
    if (this.resyncFrom >= 0) {
      this.warn(
        `damaged data at byte ${this.damageStart} (${this.damageReason}): no valid events follow; skipped the remaining ${avail - this.damageStart} bytes`
      );
      this.resyncFrom = -1;
      this.pos = avail;
    }
    if (this.pStart >= 0) {
      this.dispatch(this.pType, this.pTime, this.pCap, this.pPayload, this.pos);
      this.pStart = -1;
    }
    const rest = avail - this.pos;
    if (rest === 0) {
      this.warn(`input ends at byte ${avail} without the end-of-data marker (0xffff): the log was cut off`);
      return;
    }
    const st = rest >= 2 ? this.readHeader(this.pos) : MORE_DATA;
    const what =
      st === OK && this.hType !== DATA_END ? `a ${this.hLen}-byte ${eventTypeName(this.hType)} event` : 'an event';
    this.warn(
      `input ends at byte ${avail}, ${rest} byte(s) into ${what} that starts at byte ${this.pos}, without the end-of-data marker (0xffff): the log was cut off`
    );
  }

  private readonly warned = new Set<string>();

  private warnOnce(message: string): void {
    if (!this.warned.has(message)) {
      this.warned.add(message);
      this.warn(message);
    }
  }

  private warn(message: string): void {
    if (this.warnings.length < MAX_WARNINGS) {
      this.warnings.push(message);
    } else {
      this.suppressedWarnings++;
    }
  }
}

/** Four bytes as `text` when printable, else as hex (for "expected X, found Y" messages). */
function describeBytes(bytes: Buffer, rel: number, n: number): string {
  const slice = bytes.subarray(rel, rel + n);
  const printable = slice.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? `\`${slice.toString('latin1')}\`` : `0x${slice.toString('hex')}`;
}
