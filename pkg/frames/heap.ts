/**
 * Heap frames: the timeline (one time field in ms and one bytes field per band, top N plus `other`) and the leak
 * table (per band: growth slope, intercept, integrated size, max, last, and the census values for a sparkline).
 * Input is one CombinedHeap (model/heap combineHeapProfiles) per series; a series is the profiles sharing one value of
 * the query's split label, and its labels go on every field of its frame.
 */
import type { DataFrameJSON } from '../api/dataframe';
import { censusSamples, type CombinedHeap, growsSteadily, leakTable, topBands } from '../model/heap';
import { column, formatLabels, frame } from './fields';

export interface HeapSeries {
  /** The split label and its value (`{pod: "api-1"}`), empty when not split. */
  labels: Record<string, string>;
  combined: CombinedHeap;
}

export interface HeapFrameOptions {
  refId?: string;
  /** Bands kept per series by integrated size; the rest is summed into `other`. All bands when absent. */
  topN?: number;
}

export interface LeakFrameOptions extends HeapFrameOptions {
  /** R² from which a rising band counts as growing steadily (the `steady` column). */
  minR2: number;
}

/** Absolute ms of a sample time (seconds since origin), rounded to the µs so 0.02 s steps print cleanly. */
function absoluteMs(originMs: number, seconds: number): number {
  return originMs + Math.round(seconds * 1e6) / 1e3;
}

function notices(series: HeapSeries): Array<{ severity: 'info'; text: string }> {
  return series.combined.notices.map((text) => ({ severity: 'info' as const, text }));
}

/** One timeline frame per series, named `heap` plus the series labels. No series: one frame with only `time`. */
export function heapTimelineFrames(series: HeapSeries[], opts: HeapFrameOptions = {}): DataFrameJSON[] {
  if (series.length === 0) {
    return [
      frame({ name: 'heap', refId: opts.refId, meta: { preferredVisualisationType: 'graph' } }, [
        column('time', 'time', []),
      ]),
    ];
  }
  return series.map((s) => {
    const { originMs, heap } = s.combined;
    const shaped = topBands(heap, opts.topN);
    const bandColumns = shaped.bands.map((band) =>
      column(
        band,
        'number',
        shaped.samples.map((sample) => sample.values[band]),
        { unit: 'bytes' },
        s.labels
      )
    );
    const meta = {
      preferredVisualisationType: 'graph' as const,
      custom: {
        ghcprof: {
          mode: heap.mode,
          timeBase: heap.timeBase,
          job: heap.job,
          marksMs: heap.marks.map((m) => absoluteMs(originMs, m)),
        },
      },
      ...(s.combined.notices.length > 0 ? { notices: notices(s) } : {}),
    };
    const name = Object.keys(s.labels).length > 0 ? `heap ${formatLabels(s.labels)}` : 'heap';
    return frame({ name, refId: opts.refId, meta }, [
      column(
        'time',
        'time',
        shaped.samples.map((sample) => absoluteMs(originMs, sample.time))
      ),
      ...bandColumns,
    ]);
  });
}

/**
 * The leak table of every series in one frame, steepest growth first, with eventlog2html's per-band evidence:
 * `series` (labels), `band`, `slope` (bytes/s), `intercept` (bytes at the series' time 0), `r2` (of the
 * least-squares fit), `integrated` (byte-seconds), `stddev`, `max`, `last` (bytes), `steady` (slope > 0 and
 * r2 >= minR2) and `trend` (the band's bytes at each census; the census times in ms are in
 * meta.custom.ghcprof.censusTimesMs per series). meta.custom.ghcprof.minR2 is the threshold used.
 */
export function leakTableFrame(series: HeapSeries[], opts: LeakFrameOptions): DataFrameJSON {
  const rows = series.flatMap((s) =>
    leakTable(s.combined.heap, opts.topN).map((r) => ({ series: formatLabels(s.labels), ...r }))
  );
  rows.sort((a, b) => b.slope - a.slope || b.integrated - a.integrated);
  const censusTimesMs = Object.fromEntries(
    series.map((s) => [
      formatLabels(s.labels),
      censusSamples(s.combined.heap).map((x) => absoluteMs(s.combined.originMs, x.time)),
    ])
  );
  const timeBases = series.map((s) => s.combined.heap.timeBase);
  const numbers = (name: keyof (typeof rows)[number], unit: string) =>
    column(
      name,
      'number',
      rows.map((r) => r[name]),
      { unit }
    );
  return frame(
    {
      name: 'leaks',
      refId: opts.refId,
      meta: {
        preferredVisualisationType: 'table',
        custom: { ghcprof: { censusTimesMs, timeBases, minR2: opts.minR2 } },
      },
    },
    [
      column(
        'series',
        'string',
        rows.map((r) => r.series)
      ),
      column(
        'band',
        'string',
        rows.map((r) => r.band)
      ),
      numbers('slope', 'Bps'),
      numbers('intercept', 'bytes'),
      column(
        'r2',
        'number',
        rows.map((r) => r.r2),
        { displayName: 'R²', decimals: 3, min: 0, max: 1 }
      ),
      numbers('integrated', 'suffix: B·s'),
      numbers('stddev', 'bytes'),
      numbers('max', 'bytes'),
      numbers('last', 'bytes'),
      column(
        'steady',
        'boolean',
        rows.map((r) => growsSteadily(r, opts.minR2)),
        { displayName: `growing steadily (R² ≥ ${opts.minR2})` }
      ),
      column(
        'trend',
        'other',
        rows.map((r) => r.values),
        { unit: 'bytes' }
      ),
    ]
  );
}
