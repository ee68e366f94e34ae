import type { HeapMode } from '../../model/types';

/**
 * Event type ids of GHC's eventlog (rts/gen_event_types.py, rts/include/rts/EventLogFormat.h). Only the ones this
 * reader decodes or treats specially are listed; every other type is skipped by the size the file's header declares.
 */
export const EV = {
  CREATE_THREAD: 0,
  GC_START: 9,
  GC_END: 10,
  STARTUP: 17,
  BLOCK_MARKER: 18,
  USER_MSG: 19,
  RTS_IDENTIFIER: 29,
  PROGRAM_ARGS: 30,
  WALL_CLOCK_TIME: 43,
  CAP_CREATE: 45,
  HEAP_ALLOCATED: 49,
  HEAP_SIZE: 50,
  HEAP_LIVE: 51,
  GC_STATS_GHC: 53,
  USER_MARKER: 58,
  BLOCKS_SIZE: 91,
  HEAP_PROF_BEGIN: 160,
  HEAP_PROF_COST_CENTRE: 161,
  HEAP_PROF_SAMPLE_BEGIN: 162,
  HEAP_PROF_SAMPLE_COST_CENTRE: 163,
  HEAP_PROF_SAMPLE_STRING: 164,
  HEAP_PROF_SAMPLE_END: 165,
  HEAP_BIO_PROF_SAMPLE_BEGIN: 166,
  PROF_SAMPLE_COST_CENTRE: 167,
  PROF_BEGIN: 168,
  IPE: 169,
  USER_BINARY_MSG: 181,
} as const;

/** The end-of-data marker: an event type field of 0xffff. */
export const DATA_END = 0xffff;

/** Header markers (big-endian u32 of the ASCII bytes). */
export const MARKER = {
  HEADER_BEGIN: 0x68647262, // hdrb
  HEADER_END: 0x68647265, // hdre
  DATA_BEGIN: 0x64617462, // datb
  HET_BEGIN: 0x68657462, // hetb
  HET_END: 0x68657465, // hete
  ET_BEGIN: 0x65746200, // etb\0
  ET_END: 0x65746500, // ete\0
} as const;

/** Names for messages (warnings name the event type a reader can look up). */
const NAMES: Record<number, string> = {
  [EV.BLOCK_MARKER]: 'EventBlock',
  [EV.HEAP_PROF_SAMPLE_BEGIN]: 'HeapProfSampleBegin',
  [EV.HEAP_PROF_SAMPLE_COST_CENTRE]: 'HeapProfSampleCostCentre',
  [EV.HEAP_PROF_SAMPLE_STRING]: 'HeapProfSampleString',
  [EV.HEAP_PROF_SAMPLE_END]: 'HeapProfSampleEnd',
  [EV.PROF_SAMPLE_COST_CENTRE]: 'ProfSampleCostCentre',
  [EV.HEAP_PROF_COST_CENTRE]: 'HeapProfCostCentre',
  [EV.HEAP_PROF_BEGIN]: 'HeapProfBegin',
  [EV.GC_STATS_GHC]: 'GCStatsGHC',
};

export function eventTypeName(type: number): string {
  const name = NAMES[type];
  return name ? `${type} ${name}` : `${type}`;
}

/** HeapProfBegin's break-down field (HeapProfBreakdown in EventLogFormat.h) as the model's heap mode. */
const BREAKDOWN_MODES: Record<number, HeapMode> = {
  1: 'hc',
  2: 'hm',
  3: 'hd',
  4: 'hy',
  5: 'hr',
  6: 'hb',
  7: 'hT',
  8: 'hi',
  9: 'he',
};

export function heapModeOfBreakdown(breakdown: number): HeapMode {
  return BREAKDOWN_MODES[breakdown] ?? 'unknown';
}
