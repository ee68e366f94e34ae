import type { ProfileData } from '../../model/types';
import { CostCentreTable, type CostCentre } from './cost-centres';
import { EV } from './event-types';
import type { EventSink, FramingSummary } from './framing';
import { HeapCollector, type HeapCollectorState } from './heap';
import type { Payload } from './payload';
import { isUtf8, u64, utf8Text } from './payload';
import { RtsCollector, type RtsCollectorState } from './rts';
import { TimeProfileCollector } from './time-profile';

const DECODED_TYPES = [
  EV.GC_START,
  EV.GC_END,
  EV.STARTUP,
  EV.USER_MSG,
  EV.RTS_IDENTIFIER,
  EV.PROGRAM_ARGS,
  EV.WALL_CLOCK_TIME,
  EV.CAP_CREATE,
  EV.HEAP_ALLOCATED,
  EV.HEAP_SIZE,
  EV.HEAP_LIVE,
  EV.GC_STATS_GHC,
  EV.USER_MARKER,
  EV.BLOCKS_SIZE,
  EV.HEAP_PROF_BEGIN,
  EV.HEAP_PROF_COST_CENTRE,
  EV.HEAP_PROF_SAMPLE_BEGIN,
  EV.HEAP_PROF_SAMPLE_COST_CENTRE,
  EV.HEAP_PROF_SAMPLE_STRING,
  EV.HEAP_PROF_SAMPLE_END,
  EV.HEAP_BIO_PROF_SAMPLE_BEGIN,
  EV.PROF_SAMPLE_COST_CENTRE,
  EV.PROF_BEGIN,
  EV.USER_BINARY_MSG,
  EV.IPE,
];

// Module-level copies for the per-event switch (a local const is cheaper than a property of an imported object).
const {
  PROF_SAMPLE_COST_CENTRE,
  HEAP_PROF_SAMPLE_COST_CENTRE,
  HEAP_PROF_SAMPLE_STRING,
  HEAP_PROF_SAMPLE_BEGIN,
  HEAP_BIO_PROF_SAMPLE_BEGIN,
  HEAP_PROF_SAMPLE_END,
  HEAP_PROF_BEGIN,
  HEAP_PROF_COST_CENTRE,
  PROF_BEGIN,
  GC_START,
  GC_END,
  GC_STATS_GHC,
  HEAP_SIZE,
  HEAP_LIVE,
  BLOCKS_SIZE,
  HEAP_ALLOCATED,
  CAP_CREATE,
  STARTUP,
  USER_MSG,
  USER_MARKER,
  USER_BINARY_MSG,
  IPE,
} = EV as Record<keyof typeof EV, number>;

/** Binary user messages are shown as text when they are UTF-8, else as hex (first 256 bytes). */
const MAX_BINARY_HEX = 256;

/** What the collector needs from earlier bytes to read on (JSON-serialisable). */
export interface CollectorState {
  costCentres: CostCentre[];
  heap: HeapCollectorState;
  time: { tickIntervalNs: number };
  rts: RtsCollectorState;
  rtsIdent: string | null;
  argv: string[] | null;
  /** The wall-clock anchor (ms since the epoch at eventlog time 0), once WallClockTime was read. */
  startTimeMs: number | null;
  lastTimeNs: number;
}

/** Builds the profile model from the events the framer hands on. */
export class ProfileCollector implements EventSink {
  readonly wanted = new Uint8Array(65536);
  private readonly costCentres = new CostCentreTable();
  private readonly heap = new HeapCollector(this.costCentres);
  private readonly time = new TimeProfileCollector(this.costCentres);
  private readonly rts = new RtsCollector();
  private rtsIdent: string | undefined;
  private argv: string[] | undefined;
  /** Wall-clock ms since the epoch at eventlog time 0. */
  private startTimeMs: number | null = null;
  private lastTimeNs = 0;

  constructor() {
    for (const type of DECODED_TYPES) {
      this.wanted[type] = 1;
    }
  }

  event(type: number, timeNs: number, cap: number, p: Payload): void {
    if (timeNs > this.lastTimeNs) {
      this.lastTimeNs = timeNs;
    }
    switch (type) {
      case PROF_SAMPLE_COST_CENTRE:
        return this.time.sample(p);
      case HEAP_PROF_SAMPLE_COST_CENTRE:
        return this.heap.costCentreSample(p, timeNs);
      case HEAP_PROF_SAMPLE_STRING:
        return this.heap.stringSample(p, timeNs);
      case HEAP_PROF_SAMPLE_BEGIN:
        return this.heap.sampleBegin(timeNs);
      case HEAP_BIO_PROF_SAMPLE_BEGIN:
        return this.heap.bioSampleBegin(p, timeNs);
      case HEAP_PROF_SAMPLE_END:
        return this.heap.sampleEnd();
      case HEAP_PROF_BEGIN:
        return this.heap.begin(p);
      case HEAP_PROF_COST_CENTRE:
        return this.costCentres.define(p);
      case IPE:
        return this.heap.infoTable(p);
      case PROF_BEGIN:
        return this.time.begin(p);
      case GC_START:
        return this.rts.gcStart(timeNs, cap);
      case GC_END:
        return this.rts.gcEnd(timeNs, cap);
      case GC_STATS_GHC:
        return this.rts.gcStats(p, timeNs);
      case HEAP_SIZE:
        return this.rts.heapValue('heapSize', p, timeNs);
      case HEAP_LIVE:
        return this.rts.heapValue('heapLive', p, timeNs);
      case BLOCKS_SIZE:
        return this.rts.heapValue('blocksSize', p, timeNs);
      case HEAP_ALLOCATED:
        return this.rts.heapAllocated(p, timeNs, cap);
      case CAP_CREATE:
        return this.rts.capCreate(p);
      case STARTUP:
        return this.rts.startup(p);
      case USER_MSG:
        return this.rts.marker(timeNs, utf8Text(p.bytes, p.start, p.end), 'message');
      case USER_MARKER:
        return this.rts.marker(timeNs, utf8Text(p.bytes, p.start, p.end), 'marker');
      case USER_BINARY_MSG:
        return this.rts.marker(timeNs, binaryMessageText(p), 'message');
      default:
        return this.runInfo(type, timeNs, p);
    }
  }

  /** RtsIdentifier, ProgramArgs (capset u32, then text) and WallClockTime (capset u32, s u64, ns u32). */
  private runInfo(type: number, timeNs: number, p: Payload): void {
    if (p.end - p.start < 4) {
      return;
    }
    if (type === EV.RTS_IDENTIFIER && this.rtsIdent === undefined) {
      this.rtsIdent = utf8Text(p.bytes, p.start + 4, p.end).replace(/\0+$/, '');
    } else if (type === EV.PROGRAM_ARGS && this.argv === undefined) {
      this.argv = utf8Text(p.bytes, p.start + 4, p.end)
        .replace(/\0+$/, '')
        .split('\0');
    } else if (type === EV.WALL_CLOCK_TIME && this.startTimeMs === null && p.end - p.start >= 16) {
      const seconds = u64(p.view, p.start + 4);
      const nanos = p.view.getUint32(p.start + 12);
      this.startTimeMs = seconds * 1000 + nanos / 1e6 - timeNs / 1e6;
    }
  }

  /**
   * The profile of the events read so far, less the census still open, and what later bytes need from them (a
   * continuation's collector part). Call once, instead of `finish`.
   */
  suspend(framing: FramingSummary): { delta: ProfileData; state: CollectorState } {
    const heap = this.heap.suspend();
    const state: CollectorState = {
      costCentres: this.costCentres.exportDefinitions(),
      heap,
      time: this.time.exportState(),
      rts: this.rts.exportState(),
      rtsIdent: this.rtsIdent ?? null,
      argv: this.argv ?? null,
      startTimeMs: this.startTimeMs,
      lastTimeNs: this.lastTimeNs,
    };
    return { delta: this.finish(framing), state };
  }

  restore(state: CollectorState): void {
    this.costCentres.restoreDefinitions(state.costCentres);
    this.heap.restoreState(state.heap);
    this.time.restoreState(state.time);
    this.rts.restoreState(state.rts);
    this.rtsIdent = state.rtsIdent ?? undefined;
    this.argv = state.argv ?? undefined;
    this.startTimeMs = state.startTimeMs;
    this.lastTimeNs = state.lastTimeNs;
  }

  finish(framing: FramingSummary): ProfileData {
    const { program, args, rtsArgs } = splitCommandLine(this.argv ?? []);
    const job = [program, ...args, ...(rtsArgs.length > 0 ? ['+RTS', ...rtsArgs] : [])].join(' ');
    const missing = this.costCentres.missingIds();
    const warnings = [
      ...framing.warnings,
      ...this.heap.warnings(),
      ...this.time.warnings(),
      ...(missing.length > 0
        ? [`samples use ${missing.length} undefined cost-centre id(s): ${missing.slice(0, 10).join(', ')}`]
        : []),
    ];
    const eventTypeCounts: Record<string, number> = {};
    for (const [type, n] of framing.typeCounts) {
      eventTypeCounts[String(type)] = n;
    }
    const data: ProfileData = {
      kind: 'eventlog',
      program,
      arguments: args,
      rtsArguments: rtsArgs,
      startTimeMs: this.startTimeMs,
      endTimeMs: this.startTimeMs === null ? null : this.startTimeMs + this.lastTimeNs / 1e6,
      totals: this.totals(),
      rts: this.rts.build(),
      eventTypeCounts,
      eventCount: framing.eventCount,
      warnings,
      truncated: framing.truncated,
    };
    const tree = this.time.build();
    if (tree) {
      data.tree = tree;
    }
    const heap = this.heap.build(job, this.rts.markerTimes());
    if (heap) {
      data.heap = heap;
    }
    if (this.rtsIdent !== undefined) {
      data.rtsIdent = this.rtsIdent;
    }
    return data;
  }

  private totals(): ProfileData['totals'] {
    const totals: ProfileData['totals'] = { timeSeconds: this.lastTimeNs / 1e9 };
    if (this.time.samples > 0) {
      totals.ticks = this.time.samples;
    }
    if (this.time.tickIntervalUs !== undefined) {
      totals.tickIntervalUs = this.time.tickIntervalUs;
    }
    if (this.rts.allocatedBytes !== undefined) {
      totals.allocBytes = this.rts.allocatedBytes;
    }
    if (this.rts.capabilities !== undefined) {
      totals.processors = this.rts.capabilities;
    }
    return totals;
  }
}

function binaryMessageText(p: Payload): string {
  if (isUtf8(p.bytes, p.start, p.end)) {
    return utf8Text(p.bytes, p.start, p.end);
  }
  const shown = Math.min(p.end - p.start, MAX_BINARY_HEX);
  const hex = p.bytes.toString('hex', p.start, p.start + shown);
  return `<binary, ${p.end - p.start} bytes> ${hex}${shown < p.end - p.start ? '…' : ''}`;
}

/**
 * argv as ProgramArgs records it: the program (reported by its base name, as `.prof` and `.hp` do), its arguments,
 * and RTS options between `+RTS` and `-RTS` (or the end); `--RTS` makes everything after it a program argument.
 */
export function splitCommandLine(argv: string[]): { program: string; args: string[]; rtsArgs: string[] } {
  const program = (argv[0] ?? '').replace(/^.*[\\/]/, '');
  const args: string[] = [];
  const rtsArgs: string[] = [];
  let inRts = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--RTS') {
      args.push(...argv.slice(i + 1));
      break;
    } else if (a === '+RTS') {
      inRts = true;
    } else if (a === '-RTS') {
      inRts = false;
    } else {
      (inRts ? rtsArgs : args).push(a);
    }
  }
  return { program, args, rtsArgs };
}
