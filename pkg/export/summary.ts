/**
 * What `ghcprof inspect` reports about an artefact: identity, totals, sizes, time span and warnings. The JSON form is
 * a contract (scripts and the agent read it); the text form is `key: value` lines aligned on the colon.
 */
import { forEachNode } from '../model/tree';
import type { ProfileData, ProfileKind, ProfileTotals } from '../model/types';

export interface ProfileSummary {
  file: string;
  kind: ProfileKind;
  program: string;
  arguments: string[];
  rtsArguments: string[];
  /** Eventlog RtsIdentifier (`GHC-9.0.2 rts_thr_p`), null when the artefact has none. */
  rtsIdent: string | null;
  /** ISO-8601 wall-clock start and end of the run, null when unknown. */
  start: string | null;
  end: string | null;
  /**
   * Length of the run in seconds: end - start when both are known (wall-clock), else the report's total time, else
   * the last heap sample's time (a .hp: mutator CPU seconds); null when none is known. `timeSpanSource` says which.
   */
  timeSpanSeconds: number | null;
  timeSpanSource: 'start-end' | 'total-time' | 'last-heap-sample' | null;
  totals: ProfileTotals;
  /** Distinct cost centres (module, label) in the call tree; null without a tree. */
  costCentres: number | null;
  /** Nodes (cost-centre stacks) in the call tree; null without a tree. */
  treeNodes: number | null;
  /** True when tree values come from a .prof's rounded percentages. */
  approximate: boolean | null;
  /** Heap profile facts; null without heap samples. */
  heap: { mode: string; timeBase: string; bands: number; samples: number } | null;
  /** Eventlog only: events read, and per numeric event type id. */
  eventCount: number | null;
  eventTypeCounts?: Record<string, number>;
  warnings: string[];
  truncated: boolean;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function treeSizes(data: ProfileData): { costCentres: number; treeNodes: number } | null {
  if (data.tree === undefined) {
    return null;
  }
  const distinct = new Set<string>();
  let nodes = 0;
  forEachNode(data.tree.root, (n) => {
    nodes++;
    distinct.add(`${n.module}\u0000${n.label}`);
  });
  return { costCentres: distinct.size, treeNodes: nodes };
}

function timeSpan(data: ProfileData): { seconds: number; source: ProfileSummary['timeSpanSource'] } | null {
  if (data.startTimeMs !== null && data.endTimeMs !== null) {
    return { seconds: Math.round((data.endTimeMs - data.startTimeMs) * 1000) / 1e6, source: 'start-end' };
  }
  if (data.totals.timeSeconds !== undefined) {
    return { seconds: data.totals.timeSeconds, source: 'total-time' };
  }
  const samples = data.heap?.samples ?? [];
  return samples.length > 0 ? { seconds: samples[samples.length - 1].time, source: 'last-heap-sample' } : null;
}

const SPAN_NOTES: Record<NonNullable<ProfileSummary['timeSpanSource']>, string> = {
  'start-end': 'wall-clock',
  'total-time': 'total time of the report',
  'last-heap-sample': 'last heap sample, mutator CPU time',
};

export function profileSummary(data: ProfileData, file: string): ProfileSummary {
  const sizes = treeSizes(data);
  const span = timeSpan(data);
  return {
    file,
    kind: data.kind,
    program: data.program,
    arguments: data.arguments,
    rtsArguments: data.rtsArguments,
    rtsIdent: data.rtsIdent ?? null,
    start: iso(data.startTimeMs),
    end: iso(data.endTimeMs),
    timeSpanSeconds: span?.seconds ?? null,
    timeSpanSource: span?.source ?? null,
    totals: data.totals,
    costCentres: sizes?.costCentres ?? null,
    treeNodes: sizes?.treeNodes ?? null,
    approximate: data.tree?.approximate ?? null,
    heap: data.heap
      ? {
          mode: data.heap.mode,
          timeBase: data.heap.timeBase,
          bands: data.heap.bands.length,
          samples: data.heap.samples.length,
        }
      : null,
    eventCount: data.eventCount ?? null,
    ...(data.eventTypeCounts !== undefined ? { eventTypeCounts: data.eventTypeCounts } : {}),
    warnings: data.warnings,
    truncated: data.truncated,
  };
}

/** Shell-like rendering of an argument list: arguments with spaces are quoted. */
function argv(args: string[]): string {
  return args.map((a) => (/[\s"']/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ');
}

/** The human form: one `key: value` line per known fact, values aligned; warnings one per line at the end. */
export function formatSummary(s: ProfileSummary): string {
  const t = s.totals;
  const rows: Array<[string, string | number | null | undefined]> = [
    ['file', s.file],
    ['kind', s.kind],
    ['program', s.program],
    ['arguments', argv(s.arguments)],
    ['rts arguments', argv(s.rtsArguments)],
    ['rts', s.rtsIdent],
    ['start', s.start],
    ['end', s.end],
    ['time span', s.timeSpanSource === null ? null : `${s.timeSpanSeconds} s (${SPAN_NOTES[s.timeSpanSource]})`],
    ['total ticks', t.ticks],
    ['tick interval', t.tickIntervalUs === undefined ? undefined : `${t.tickIntervalUs} us`],
    ['total time', t.timeSeconds === undefined ? undefined : `${t.timeSeconds} s`],
    ['total alloc', t.allocBytes === undefined ? undefined : `${t.allocBytes} bytes`],
    ['processors', t.processors],
    ['cost centres', s.costCentres],
    ['tree nodes', s.treeNodes],
    ['approximate', s.approximate === null ? null : String(s.approximate)],
    ['heap mode', s.heap?.mode],
    ['heap time base', s.heap?.timeBase],
    ['heap bands', s.heap?.bands],
    ['heap samples', s.heap?.samples],
    ['events', s.eventCount],
    ['event types', s.eventTypeCounts === undefined ? undefined : Object.keys(s.eventTypeCounts).length],
    ['truncated', String(s.truncated)],
    ['warnings', s.warnings.length],
  ];
  const shown = rows.filter((r): r is [string, string | number] => r[1] !== null && r[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length)) + 1;
  const lines = shown.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`);
  lines.push(...s.warnings.map((w) => `${'warning:'.padEnd(width)} ${w}`));
  return `${lines.join('\n')}\n`;
}
