/**
 * speedscope file format (https://www.speedscope.app/file-format-schema.json): one `evented` profile per metric over
 * shared frames. An evented profile is a sequence of open (O) and close (C) events on one value axis; each node opens
 * where its parent's previous child closed (its self value first, then its children) and closes after its inclusive
 * value, so speedscope's time-ordered and left-heavy views both show the cost-centre tree. Nodes with a zero value
 * for a metric are left out of that metric's profile.
 */
import type { CallTree, Metric } from '../model/types';
import { type FlatTree, flattenTree, frameName, inclusiveValues, selfValueOf } from '../model/tree';
import { sourceLocation } from './source';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

export interface SpeedscopeEvent {
  type: 'O' | 'C';
  at: number;
  frame: number;
}

export interface SpeedscopeEventedProfile {
  type: 'evented';
  name: string;
  unit: 'nanoseconds' | 'bytes' | 'none';
  startValue: number;
  endValue: number;
  events: SpeedscopeEvent[];
}

export interface SpeedscopeFile {
  $schema: typeof SPEEDSCOPE_SCHEMA;
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeEventedProfile[];
  name?: string;
  activeProfileIndex?: number;
  exporter?: string;
}

const UNITS: Record<Metric, SpeedscopeEventedProfile['unit']> = {
  time: 'nanoseconds',
  alloc: 'bytes',
  entries: 'none',
};

/** Frame index of every node, one frame per (module, label, src). */
function internFrames(flat: FlatTree): { frames: SpeedscopeFrame[]; frameOf: Int32Array } {
  const frames: SpeedscopeFrame[] = [];
  const index = new Map<string, number>();
  const frameOf = new Int32Array(flat.nodes.length);
  flat.nodes.forEach((node, i) => {
    const name = frameName(node);
    const key = `${name}\u0000${node.src}`;
    let f = index.get(key);
    if (f === undefined) {
      f = frames.length;
      index.set(key, f);
      const where = sourceLocation(node.src);
      frames.push({
        name,
        ...(where.file !== undefined ? { file: where.file } : {}),
        ...(where.line !== undefined ? { line: where.line, col: where.column } : {}),
      });
    }
    frameOf[i] = f;
  });
  return { frames, frameOf };
}

function eventedProfile(
  tree: CallTree,
  flat: FlatTree,
  frameOf: Int32Array,
  metric: Metric,
  name: string
): SpeedscopeEventedProfile {
  const selfOf = selfValueOf(metric, tree.tickIntervalUs);
  const inclusive = inclusiveValues(flat, selfOf);
  const events: SpeedscopeEvent[] = [];
  // Open nodes, innermost last: where each closes and where its next child opens.
  const open: Array<{ frame: number; level: number; closeAt: number; nextChildAt: number }> = [];
  const closeDownTo = (level: number) => {
    while (open.length > 0 && open[open.length - 1].level >= level) {
      const o = open.pop()!;
      events.push({ type: 'C', at: o.closeAt, frame: o.frame });
    }
  };
  for (let i = 0; i < flat.nodes.length; i++) {
    closeDownTo(flat.levels[i]);
    // A zero-valued node is skipped; its children are zero too, and closeDownTo handles them as they come.
    if (inclusive[i] === 0 || (open.length > 0 && open[open.length - 1].level !== flat.levels[i] - 1)) {
      continue;
    }
    const parent = open[open.length - 1];
    const at = parent === undefined ? 0 : parent.nextChildAt;
    if (parent !== undefined) {
      parent.nextChildAt += inclusive[i];
    }
    events.push({ type: 'O', at, frame: frameOf[i] });
    open.push({
      frame: frameOf[i],
      level: flat.levels[i],
      closeAt: at + inclusive[i],
      nextChildAt: at + selfOf(flat.nodes[i]),
    });
  }
  closeDownTo(0);
  return { type: 'evented', name, unit: UNITS[metric], startValue: 0, endValue: inclusive[0] ?? 0, events };
}

/** A speedscope file with the time, allocation and entries profiles of a tree (or the given metrics). */
export function toSpeedscope(tree: CallTree, opts: { name?: string; metrics?: Metric[] } = {}): SpeedscopeFile {
  const flat = flattenTree(tree.root);
  const { frames, frameOf } = internFrames(flat);
  const name = opts.name ?? 'ghcprof';
  const metrics = opts.metrics ?? (['time', 'alloc', 'entries'] as Metric[]);
  return {
    $schema: SPEEDSCOPE_SCHEMA,
    shared: { frames },
    profiles: metrics.map((m) => eventedProfile(tree, flat, frameOf, m, `${name} (${m})`)),
    name,
    activeProfileIndex: 0,
    exporter: 'ghcprof',
  };
}
