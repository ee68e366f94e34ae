/**
 * Heap profiles as plain tables: the JSON and CSV that `ghcprof heap` prints. Every sample lists every band (0 where
 * the band was absent), times are seconds since the run's start in the profile's own time base.
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
