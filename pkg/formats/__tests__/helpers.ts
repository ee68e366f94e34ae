/** Shared by the format-reader tests: fixture paths and independent readings of what the files say. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TreeNode } from '../../model/types';

export const GHC = 'test/fixtures/ghc';
export const BAD = join(GHC, 'bad');
export const EXTRA = 'pkg/formats/__tests__/fixtures';
export const WORKLOADS = ['jsonagg', 'leaky', 'pipeline', 'search'] as const;

export function fixtureText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Nodes of any tree in document order (pre-order), without recursion. */
export function preorder<T>(root: T, children: (n: T) => T[]): T[] {
  const out: T[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop() as T;
    out.push(n);
    const kids = children(n);
    for (let i = kids.length - 1; i >= 0; i--) {
      stack.push(kids[i]);
    }
  }
  return out;
}

export function allNodes(root: TreeNode): TreeNode[] {
  return preorder(root, (n) => n.children);
}

export interface Inclusive {
  ticks: number;
  alloc: number;
  size: number;
}

/** Inclusive ticks/alloc and subtree size of every node (post-order, without recursion). */
export function inclusive(root: TreeNode): Map<TreeNode, Inclusive> {
  const out = new Map<TreeNode, Inclusive>();
  const stack: Array<[TreeNode, boolean]> = [[root, false]];
  while (stack.length > 0) {
    const [n, visited] = stack.pop() as [TreeNode, boolean];
    if (!visited) {
      stack.push([n, true]);
      for (const c of n.children) {
        stack.push([c, false]);
      }
      continue;
    }
    const acc = { ticks: n.ticks, alloc: n.alloc, size: 1 };
    for (const c of n.children) {
      const ci = out.get(c) as Inclusive;
      acc.ticks += ci.ticks;
      acc.alloc += ci.alloc;
      acc.size += ci.size;
    }
    out.set(n, acc);
  }
  return out;
}

/** A tree row of a .prof as the test reads it (regex over the line, independent of the reader's column logic). */
export interface ProfRow {
  depth: number;
  label: string;
  ccsId: number;
  entries: number;
  indTime: number;
  indAlloc: number;
  inhTime: number;
  inhAlloc: number;
  ticks?: number;
  bytes?: number;
}

export function profTreeRows(text: string): ProfRow[] {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.startsWith('COST CENTRE') && l.includes(' no. '));
  const rows: ProfRow[] = [];
  const exact = lines[header].includes(' ticks ');
  const re = new RegExp(
    String.raw`^( *)(\S+) .* (\d+) +(\d+) +(\d+\.\d) +(\d+\.\d) +(\d+\.\d) +(\d+\.\d)` + (exact ? String.raw` +(\d+) +(\d+)$` : '$')
  );
  for (const line of lines.slice(header + 1)) {
    const m = re.exec(line);
    if (m) {
      rows.push({
        depth: m[1].length,
        label: m[2],
        ccsId: Number(m[3]),
        entries: Number(m[4]),
        indTime: Number(m[5]),
        indAlloc: Number(m[6]),
        inhTime: Number(m[7]),
        inhAlloc: Number(m[8]),
        ticks: m[9] === undefined ? undefined : Number(m[9]),
        bytes: m[10] === undefined ? undefined : Number(m[10]),
      });
    }
  }
  return rows;
}

/** The samples of a .hp as the test reads them: split on lines and TABs. */
export function hpSamples(text: string): Array<{ time: number; bands: Array<[string, number]> }> {
  const samples: Array<{ time: number; bands: Array<[string, number]> }> = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('BEGIN_SAMPLE ')) {
      samples.push({ time: Number(line.split(' ')[1]), bands: [] });
    } else if (line.includes('\t')) {
      const [label, bytes] = line.split('\t');
      samples[samples.length - 1].bands.push([label, Number(bytes)]);
    }
  }
  return samples;
}

/** A small deterministic generator (mulberry32), so a failing random split or chunking can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
