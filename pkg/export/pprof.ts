/**
 * pprof (profile.proto) export, readable by `go tool pprof`, Pyroscope and Grafana's profile tools. Each cost centre
 * is one Function (`Module.label`, file and start line from its source span) with one Location; each node with a
 * non-zero self value is one Sample whose stack runs from the node up to the root (pprof puts the leaf first).
 * Sample types: time/nanoseconds (ticks × tick interval), alloc/bytes, entries/count.
 */
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { CallTree, TreeNode } from '../model/types';
import { flattenTree, frameName, selfValueOf } from '../model/tree';
import { sourceLocation } from './source';

export interface PprofOptions {
  /** Wall-clock start of the run (ms since the epoch), for `time_nanos`. */
  startTimeMs?: number | null;
  /** Length of the run in ns, for `duration_nanos`. */
  durationNs?: number;
  /** Free text put in the profile's comments (program, RTS arguments). */
  comments?: string[];
}

export const PPROF_SAMPLE_TYPES = [
  ['time', 'nanoseconds'],
  ['alloc', 'bytes'],
  ['entries', 'count'],
] as const;

/** Interns functions and their locations by (module, label); ids start at 1 as pprof requires. */
class FunctionTable {
  readonly functions: PprofFunction[] = [];
  readonly locations: Location[] = [];
  private readonly ids = new Map<string, number>();

  constructor(private readonly strings: StringTable) {}

  locationId(node: TreeNode): number {
    const name = frameName(node);
    const key = `${name}\u0000${node.src}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.functions.length + 1;
      this.ids.set(key, id);
      const where = sourceLocation(node.src);
      this.functions.push(
        new PprofFunction({
          id,
          name: this.strings.dedup(name),
          systemName: this.strings.dedup(node.label),
          filename: this.strings.dedup(where.file ?? node.module),
          startLine: where.line ?? 0,
        })
      );
      this.locations.push(new Location({ id, line: [new Line({ functionId: id, line: where.line ?? 0 })] }));
    }
    return id;
  }
}

export function toPprof(tree: CallTree, opts: PprofOptions = {}): Uint8Array {
  const strings = new StringTable();
  const table = new FunctionTable(strings);
  const flat = flattenTree(tree.root);
  const nsOf = selfValueOf('time', tree.tickIntervalUs);
  // Location ids of the current root-to-node path, root first.
  const path: number[] = [];
  const samples: Sample[] = [];
  for (let i = 0; i < flat.nodes.length; i++) {
    const node = flat.nodes[i];
    path.length = flat.levels[i];
    path.push(table.locationId(node));
    const values = [nsOf(node), node.alloc, node.entries].map(Math.round);
    if (values.some((v) => v !== 0)) {
      samples.push(new Sample({ locationId: [...path].reverse(), value: values }));
    }
  }
  const profile = new Profile({
    sampleType: PPROF_SAMPLE_TYPES.map(
      ([type, unit]) => new ValueType({ type: strings.dedup(type), unit: strings.dedup(unit) })
    ),
    sample: samples,
    location: table.locations,
    function: table.functions,
    stringTable: strings,
    periodType: new ValueType({ type: strings.dedup('time'), unit: strings.dedup('nanoseconds') }),
    period: Math.round(tree.tickIntervalUs * 1000),
    timeNanos: opts.startTimeMs != null ? BigInt(Math.round(opts.startTimeMs)) * 1_000_000n : 0,
    durationNanos: opts.durationNs !== undefined ? Math.round(opts.durationNs) : 0,
    comment: (opts.comments ?? []).map((c) => strings.dedup(c)),
    defaultSampleType: strings.dedup('time'),
  });
  return profile.encode();
}
