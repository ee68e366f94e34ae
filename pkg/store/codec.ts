/** How the store packs what it keeps: raw artefacts and normalised data as gzip, normalised data as JSON. */
import { promisify } from 'node:util';
import { constants, gunzip, gzip } from 'node:zlib';
import { setOwn } from '../api/records';
import type { CallTree, HeapProfile, TreeNode } from '../model/types';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * Compresses off the event loop thread (zlib's thread pool), so a large upload does not stall other requests. Level 1
 * (fastest): on a 1.16 MB .prof it takes 7.7 ms instead of level 6's 25 ms for 132 KB instead of 88 KB, and gzip
 * is the largest CPU cost of an upload after parsing. Any level reads back the same way.
 */
export function compress(bytes: Buffer): Promise<Buffer> {
  return gzipAsync(bytes, { level: constants.Z_BEST_SPEED });
}

export function decompress(bytes: Buffer): Promise<Buffer> {
  return gunzipAsync(bytes);
}

export function packJson(value: unknown): Promise<Buffer> {
  return compress(Buffer.from(JSON.stringify(value), 'utf8'));
}

export async function unpackJson<T>(bytes: Buffer): Promise<T> {
  return JSON.parse((await decompress(bytes)).toString('utf8')) as T;
}

/**
 * The stored form of a call tree: the strings once each (labels, modules and source spans repeat across a tree) and
 * every node as NODE_FIELDS numbers in pre-order, the last one its child count. A fifth of the JSON text of the
 * nested objects, so gzip and gunzip have a fifth of the bytes to do, and both stringify and parse are faster
 * (a 1 MiB .prof's 8,059-node tree: 3.0 instead of 3.8 ms to encode, 2.6 instead of 4.2 ms to decode).
 */
interface PackedTree {
  format: 'tree-columns-1';
  tickIntervalUs: number;
  approximate: boolean;
  strings: string[];
  nodes: number[];
}

const NODE_FIELDS = 9;

export function packTree(tree: CallTree): Promise<Buffer> {
  const strings: string[] = [];
  const indexOf = new Map<string, number>();
  const str = (text: string): number => {
    let i = indexOf.get(text);
    if (i === undefined) {
      i = strings.push(text) - 1;
      indexOf.set(text, i);
    }
    return i;
  };
  const nodes: number[] = [];
  const stack: TreeNode[] = [tree.root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    nodes.push(
      str(n.label),
      str(n.module),
      str(n.src),
      n.ccId,
      n.ccsId,
      n.entries,
      n.ticks,
      n.alloc,
      n.children.length
    );
    for (let i = n.children.length - 1; i >= 0; i--) {
      stack.push(n.children[i]);
    }
  }
  const packed: PackedTree = {
    format: 'tree-columns-1',
    tickIntervalUs: tree.tickIntervalUs,
    approximate: tree.approximate,
    strings,
    nodes,
  };
  return packJson(packed);
}

export async function unpackTree(bytes: Buffer): Promise<CallTree> {
  const stored = await unpackJson<PackedTree | CallTree>(bytes);
  if (!('format' in stored)) {
    return stored; // written before the packed form existed
  }
  const { strings, nodes: v, tickIntervalUs, approximate } = stored;
  if (v.length === 0 || v.length % NODE_FIELDS !== 0) {
    throw new Error(`stored tree has ${v.length} numbers, not a positive multiple of ${NODE_FIELDS}`);
  }
  const node = (k: number): TreeNode => ({
    label: strings[v[k]],
    module: strings[v[k + 1]],
    src: strings[v[k + 2]],
    ccId: v[k + 3],
    ccsId: v[k + 4],
    entries: v[k + 5],
    ticks: v[k + 6],
    alloc: v[k + 7],
    children: [],
  });
  const root = node(0);
  // The node whose children are being read, how many of them are still to come, and the same for its ancestors.
  let parent = root;
  let remaining = v[NODE_FIELDS - 1];
  const parents: TreeNode[] = [];
  const remainingOf: number[] = [];
  for (let k = NODE_FIELDS; k < v.length; k += NODE_FIELDS) {
    while (remaining === 0) {
      if (parents.length === 0) {
        throw new Error(`stored tree has nodes after its root's last descendant (at node ${k / NODE_FIELDS})`);
      }
      parent = parents.pop()!;
      remaining = remainingOf.pop()!;
    }
    const child = node(k);
    parent.children.push(child);
    remaining--;
    if (v[k + NODE_FIELDS - 1] > 0) {
      parents.push(parent);
      remainingOf.push(remaining);
      parent = child;
      remaining = v[k + NODE_FIELDS - 1];
    }
  }
  if (remaining !== 0 || remainingOf.some((r) => r !== 0)) {
    throw new Error('stored tree ends before all its nodes');
  }
  return { root, tickIntervalUs, approximate };
}

/**
 * The stored form of a heap profile. In the model every census repeats its band labels as object keys, and eventlog
 * -hc labels are whole cost-centre stacks (hundreds of characters): a 200 MB eventlog's censuses would serialise to
 * more text than one JS string can hold. Stored by column instead: each label once, each census as
 * [labelIndex, bytes, labelIndex, bytes, ...].
 */
interface PackedHeap extends Omit<HeapProfile, 'samples'> {
  packedLabels: string[];
  times: number[];
  cells: number[][];
}

export function packHeap(heap: HeapProfile): Promise<Buffer> {
  const { samples, ...rest } = heap;
  const labels: string[] = [];
  const indexOf = new Map<string, number>();
  const cells = samples.map((s) => {
    const row: number[] = [];
    for (const [label, bytes] of Object.entries(s.values)) {
      let i = indexOf.get(label);
      if (i === undefined) {
        i = labels.push(label) - 1;
        indexOf.set(label, i);
      }
      row.push(i, bytes);
    }
    return row;
  });
  const packed: PackedHeap = { ...rest, packedLabels: labels, times: samples.map((s) => s.time), cells };
  return packJson(packed);
}

export async function unpackHeap(bytes: Buffer): Promise<HeapProfile> {
  const stored = await unpackJson<PackedHeap | HeapProfile>(bytes);
  if (!('cells' in stored)) {
    return stored; // written before the packed form existed
  }
  const { packedLabels, times, cells, ...rest } = stored;
  const samples = times.map((time, k) => {
    const values: Record<string, number> = {};
    const row = cells[k];
    for (let j = 0; j < row.length; j += 2) {
      setOwn(values, packedLabels[row[j]], row[j + 1]);
    }
    return { time, values };
  });
  return { ...rest, samples };
}
