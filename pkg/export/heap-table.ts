/**
 * Heap profiles as plain tables: the JSON and CSV that `ghcprof heap` prints. Every sample lists every band (0 where
 * the band was absent), times are seconds since the run's start in the profile's own time base.
 *
 * The table of an eventlog can be thousands of bands by hundreds of censuses: `heapTableText` writes it piece by
 * piece from the profile's sparse samples, never holding the dense band × census matrix or the whole text (the
 * pieces are the same bytes `JSON.stringify(heapTableJson(...))` and `heapTableCsv` give).
 */
import { topBands } from '../model/heap';
import type { HeapMode, HeapProfile } from '../model/types';

export interface HeapTableJson {
  unit: 'bytes';
  mode: HeapMode;
  /** ISO-8601 wall-clock start of the run, null when the artefact does not record it. */
  start: string | null;
  bands: string[];
  samples: Array<{ time: number; values: Record<string, number> }>;
}

/** The heap table; with `top`, the top N bands by integrated size plus `other` (model/heap topBands). */
export function heapTableJson(heap: HeapProfile, startTimeMs: number | null, top?: number): HeapTableJson {
  const shaped = topBands(heap, top);
  return {
    unit: 'bytes',
    mode: heap.mode,
    start: startTimeMs === null ? null : new Date(startTimeMs).toISOString(),
    bands: shaped.bands,
    // Plain objects (readers may use null-prototype ones) with the bands in `bands` order.
    samples: shaped.samples.map((s) => ({
      time: s.time,
      values: Object.fromEntries(shaped.bands.map((b) => [b, s.values[b]])),
    })),
  };
}

/** RFC 4180 quoting: band names such as the `-hy` tuple type `(,)` hold commas. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a header `time,BAND,...` and one row per sample. */
export function heapTableCsv(table: HeapTableJson): string {
  const lines = [['time', ...table.bands].map(csvCell).join(',')];
  for (const s of table.samples) {
    lines.push([s.time, ...table.bands.map((b) => s.values[b])].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Size of the pieces handed to the writer. */
const PIECE_BYTES = 1 << 16;

/**
 * The table as UTF-8 pieces (`json`: the JSON object and a newline; `csv`: as heapTableCsv). With `top`, the profile
 * is first cut to its top bands (small); without, every sample is written from its sparse values: each sample's
 * own bands are placed into a row of numbers, and the row is written as bytes (each band's quoted key encoded once).
 */
export function* heapTableText(
  heap: HeapProfile,
  startTimeMs: number | null,
  format: 'json' | 'csv',
  top?: number
): Generator<Buffer> {
  const shaped = top === undefined ? heap : topBands(heap, top);
  const out = new PieceWriter();
  const json = format === 'json';
  // JSON lists a record's keys in JavaScript's property order: array-index names (`-he` eras: "1", "2") first, in
  // numeric order, then the others as inserted (bands order). CSV columns are the bands in order.
  const order = json ? propertyOrder(shaped.bands) : shaped.bands;
  const column = new Map(order.map((b, i) => [b, i]));
  const keys = order.map((b, i) => Buffer.from(json ? `${i === 0 ? '' : ','}${JSON.stringify(b)}:` : ','));
  if (json) {
    const start = startTimeMs === null ? null : new Date(startTimeMs).toISOString();
    out.text(`{"unit":"bytes","mode":${JSON.stringify(shaped.mode)},"start":${JSON.stringify(start)},`);
    out.text(`"bands":${JSON.stringify(shaped.bands)},"samples":[`);
  } else {
    out.text(`${['time', ...shaped.bands].map(csvCell).join(',')}\n`);
  }
  const row = new Float64Array(order.length);
  for (let k = 0; k < shaped.samples.length; k++) {
    const sample = shaped.samples[k];
    row.fill(0);
    for (const band of Object.keys(sample.values)) {
      const c = column.get(band);
      if (c !== undefined) {
        row[c] = sample.values[band];
      }
    }
    out.text(json ? `${k === 0 ? '' : ','}{"time":${JSON.stringify(sample.time)},"values":{` : String(sample.time));
    for (let c = 0; c < order.length; c++) {
      out.bytes(keys[c]);
      out.number(row[c]);
    }
    out.text(json ? '}}' : '\n');
    yield* out.full();
  }
  if (json) {
    out.text(']}\n');
  }
  yield* out.full();
  yield out.rest();
}

/** Appends text, bytes and numbers into fixed-size buffers, handing each on when full. */
class PieceWriter {
  private buf = Buffer.allocUnsafe(PIECE_BYTES);
  private at = 0;
  private readonly done: Buffer[] = [];

  text(s: string): void {
    this.bytes(Buffer.from(s, 'utf8'));
  }

  bytes(b: Buffer): void {
    if (this.at + b.length > this.buf.length) {
      this.flush(b.length);
    }
    b.copy(this.buf, this.at);
    this.at += b.length;
  }

  /** As JSON and String write it: integers digit by digit here, anything else through String. */
  number(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      this.text(String(v));
      return;
    }
    if (this.at + 16 > this.buf.length) {
      this.flush(16);
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) {
      digits++;
    }
    let x = v;
    for (let i = this.at + digits - 1; i >= this.at; i--) {
      this.buf[i] = 48 + (x % 10);
      x = Math.floor(x / 10);
    }
    this.at += digits;
  }

  private flush(room: number): void {
    this.done.push(this.buf.subarray(0, this.at));
    this.buf = Buffer.allocUnsafe(Math.max(PIECE_BYTES, room));
    this.at = 0;
  }

  /** Takes the pieces filled so far. */
  full(): Buffer[] {
    return this.done.splice(0);
  }

  /** The last, partly filled piece. */
  rest(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/** Names in the order an object created with them in this order lists its keys. */
function propertyOrder(names: string[]): string[] {
  const indices = names.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return indices.length === 0 ? names : [...indices, ...names.filter((n) => !isArrayIndex(n))];
}

function isArrayIndex(name: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(name) && Number(name) < 4294967295;
}
