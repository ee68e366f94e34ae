/**
 * Heap profiles as plain tables: the JSON and CSV that `ghcprof heap` prints. Every sample lists every band (0 where
 * the band was absent), times are seconds since the run's start in the profile's own time base.
 *
 * The table of an eventlog can be thousands of bands by hundreds of censuses: `heapTableText` writes it piece by
 * piece from the profile's sparse samples, never holding the dense band × census matrix or the whole text (the
 * pieces are the same bytes `JSON.stringify(heapTableJson(...))` and `heapTableCsv` give).
 */
import { topBands } from '../model/heap';
import type { HeapMode, HeapProfile, HeapSample } from '../model/types';

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

/** Pieces of about this many characters are handed to the writer. */
const PIECE_CHARS = 1 << 16;

/**
 * The table as text pieces (`json`: the JSON object and a newline; `csv`: as heapTableCsv). With `top`, the profile
 * is first cut to its top bands (small); without, every sample is written from its sparse values.
 */
export function* heapTableText(
  heap: HeapProfile,
  startTimeMs: number | null,
  format: 'json' | 'csv',
  top?: number
): Generator<string> {
  const shaped = top === undefined ? heap : topBands(heap, top);
  const rows = format === 'json' ? jsonRows(heap.mode, startTimeMs, shaped) : csvRows(shaped);
  let piece = '';
  for (const row of rows) {
    piece += row;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  yield piece;
}

function* jsonRows(mode: HeapMode, startTimeMs: number | null, heap: HeapProfile): Generator<string> {
  const start = startTimeMs === null ? null : new Date(startTimeMs).toISOString();
  yield `{"unit":"bytes","mode":${JSON.stringify(mode)},"start":${JSON.stringify(start)},`;
  yield `"bands":${JSON.stringify(heap.bands)},"samples":[`;
  // A record's keys come out in JavaScript's property order: array-index names (`-he` eras: "1", "2") first, in
  // numeric order, then the others as inserted (bands order). Each band's quoted key is made once.
  const order = propertyOrder(heap.bands);
  const keys = order.map((b) => `${JSON.stringify(b)}:`);
  let first = true;
  for (const s of heap.samples) {
    let row = `${first ? '' : ','}{"time":${JSON.stringify(s.time)},"values":{`;
    for (let i = 0; i < order.length; i++) {
      row += `${i === 0 ? '' : ','}${keys[i]}${JSON.stringify(valueOf(s, order[i]))}`;
    }
    yield `${row}}}`;
    first = false;
  }
  yield ']}\n';
}

function* csvRows(heap: HeapProfile): Generator<string> {
  yield `${['time', ...heap.bands].map(csvCell).join(',')}\n`;
  for (const s of heap.samples) {
    let row = String(s.time);
    for (const b of heap.bands) {
      row += `,${valueOf(s, b)}`;
    }
    yield `${row}\n`;
  }
}

/** A band's bytes in a sample: 0 where absent (own entries only: a band may be named `constructor`). */
function valueOf(sample: HeapSample, band: string): number {
  return Object.hasOwn(sample.values, band) ? sample.values[band] : 0;
}

/** Names in the order an object created with them in this order lists its keys. */
function propertyOrder(names: string[]): string[] {
  const indices = names.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return indices.length === 0 ? names : [...indices, ...names.filter((n) => !isArrayIndex(n))];
}

function isArrayIndex(name: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(name) && Number(name) < 4294967295;
}
