/**
 * The one profile model every GHC reader produces (pkg/formats/*) and everything else consumes
 * (frames, exports, store, CLI). Plain data only: it is serialised to JSON by the store, so no Maps,
 * no classes, no cycles. All counts are JS numbers (doubles): GHC's counters pass 2^31 routinely.
 */

import type { HeapMode, Metric, ProfileKind } from '../api/kinds';
import type { BenchData } from './bench';

export { PROFILE_KINDS, HEAP_MODES, METRICS, type ProfileKind, type HeapMode, type Metric } from '../api/kinds';

/**
 * One node of a cost-centre call tree. Values are SELF (exclusive) values; inclusive values are computed
 * (model/tree.ts). A node's identity for merging is (module, label) along the path from the root.
 */
export interface TreeNode {
  /** Cost-centre label as GHC prints it (`main`, `<*>.\`, `go/Array`, `>>=`). */
  label: string;
  /** Module (`Main`, `GHC.IO.Handle.Text`, `PROFILING` for GC/OVERHEAD_of nodes in -pj). */
  module: string;
  /** Source span (`src/X.hs:70:1-91`, `<entire-module>`, `<built-in>`, `<no location info>`), '' if unknown. */
  src: string;
  /** Cost-centre id in the profile it came from; -1 in merged trees. */
  ccId: number;
  /** Cost-centre-stack id (`no.` column of .prof, the `(306)` of .hp -hc bands); -1 when unknown or merged. */
  ccsId: number;
  /** Number of entries (calls). */
  entries: number;
  /** Self time in ticks of the owning tree's `tickIntervalUs`. */
  ticks: number;
  /** Self allocation in bytes. */
  alloc: number;
  children: TreeNode[];
}

export interface CallTree {
  /** The root, normally `MAIN.MAIN`. */
  root: TreeNode;
  /** Microseconds per tick (GHC's `tick_interval`); used to convert ticks to ns. */
  tickIntervalUs: number;
  /**
   * True when self ticks/bytes were derived from the text report's rounded percentages (a `.prof` without `-P`),
   * not read as exact values.
   */
  approximate: boolean;
}

export interface HeapSample {
  /** Seconds since the start of the run, in the profile's `timeBase`. */
  time: number;
  /** Bytes per band label; a band absent from a sample is 0 there. */
  values: Record<string, number>;
}

export interface HeapProfile {
  mode: HeapMode;
  /** `JOB` line of a .hp (the program and its arguments), or the eventlog's program. */
  job: string;
  /**
   * `mutator-cpu`: .hp sample times (mutator CPU seconds: not wall-clock, run faster than wall time with -N>1).
   * `wall-clock`: eventlog timestamps (ns since start, converted to seconds).
   */
  timeBase: 'mutator-cpu' | 'wall-clock';
  sampleUnit: string;
  valueUnit: string;
  /** Band labels in order of first appearance. */
  bands: string[];
  samples: HeapSample[];
  /** Times (seconds) of MARK lines / heap-profile markers. */
  marks: number[];
  /**
   * For -hc bands: band label -> cost-centre stack (innermost first) as `module.label` strings, when the source gives
   * the stack by id (eventlog HeapProfSampleCostCentre, or a .hp band joined with the .prof of the same run).
   */
  bandStacks?: Record<string, string[]>;
  /**
   * For -hi bands: band label -> the provenance of the info table the band counts (the eventlog's IPE events, GHC
   * 9.2+ built with -finfo-table-map); bands whose table has no IPE event keep the raw address as label.
   */
  bandInfo?: Record<string, InfoTableProvenance>;
}

/** Where an info table comes from: the fields of an eventlog IPE event (169), plus the address samples name it by. */
export interface InfoTableProvenance {
  /** `0x...`, as the -hi census samples print it. */
  address: string;
  tableName: string;
  /** The closure type (GHC writes its number as text). */
  closureDesc: string;
  typeDesc: string;
  label: string;
  module: string;
  /** `file:line:col-col`, as GHC writes it. */
  srcLoc: string;
}

/** A time series recorded by the RTS in the eventlog (heap size, live bytes, ...). */
export interface RtsSeries {
  /** `heapSize`, `heapLive`, `blocksSize`, `heapAllocated`, `gcCopied`, ... */
  name: string;
  unit: 'bytes' | 'count' | 'ns';
  /** [time since start in ns, value] pairs, sorted by time. */
  points: Array<[number, number]>;
}

export interface GcStats {
  /** Number of GCs seen (StartGC events). */
  count: number;
  /** Total GC wall time in ns (sum of EndGC - StartGC). */
  totalNs: number;
  /** Max single pause in ns. */
  maxPauseNs: number;
}

export interface RtsEvents {
  series: RtsSeries[];
  gc: GcStats;
  capabilities?: number;
  /** User markers (traceMarker) and user messages (traceEvent), time in ns since start. */
  markers: Array<{ timeNs: number; text: string; kind: 'marker' | 'message' }>;
}

/** Header facts every format knows some of. */
export interface ProfileTotals {
  /** Total ticks (`.prof`: header; `-pj`: `total_ticks`; eventlog: number of CC samples). */
  ticks?: number;
  tickIntervalUs?: number;
  /** Total allocation in bytes. */
  allocBytes?: number;
  /** Total time in seconds (`total time` of the header). */
  timeSeconds?: number;
  processors?: number;
}

export interface ProfileData {
  kind: ProfileKind;
  /** Program name (`search`, from the .prof command line, `-pj` `program`, .hp JOB, eventlog args). */
  program: string;
  /** Program arguments (without RTS ones). */
  arguments: string[];
  /** RTS arguments (`+RTS ... -RTS` contents or the `-pj` `rts_arguments`). */
  rtsArguments: string[];
  /** Absolute wall-clock start of the run when the artefact records it (ms since epoch), else null. */
  startTimeMs: number | null;
  /** Absolute wall-clock end when known (ms since epoch). */
  endTimeMs: number | null;
  totals: ProfileTotals;
  tree?: CallTree;
  heap?: HeapProfile;
  rts?: RtsEvents;
  /** Kind `bench` only: the benchmark results or RTS summary figures. */
  bench?: BenchData;
  /** Eventlog only: number of events per numeric event type id (keys are the ids as strings). */
  eventTypeCounts?: Record<string, number>;
  /** Eventlog only: total number of events read. */
  eventCount?: number;
  /** RTS identity (eventlog `RtsIdentifier`, e.g. `GHC-9.0.2 rts_thr_p`) when known. */
  rtsIdent?: string;
  /** Non-fatal problems: truncation (with where it stopped), skipped damage (with byte offsets), approximations. */
  warnings: string[];
  /** True when the input ended early (cut-off file); everything complete before the cut is present. */
  truncated: boolean;
}
