/**
 * Folded stacks (Brendan Gregg's flamegraph.pl input, also read by speedscope, inferno and Pyroscope):
 * `MAIN.MAIN;Main.main;Main.go 42`, one line per node with a non-zero self value, from the root down.
 */
import type { CallTree, Metric, TreeNode } from '../model/types';
import { flattenTree, frameName } from '../model/tree';

/**
 * The integer a folded line carries: self ticks of the tree's own tick interval for time (for an eventlog, the number
 * of cost-centre samples), self bytes for alloc, entries for entries. Approximate trees (a .prof without -P) can hold
 * fractional values; they are rounded.
 */
function foldedValueOf(metric: Metric): (n: TreeNode) => number {
  switch (metric) {
    case 'time':
      return (n) => Math.round(n.ticks);
    case 'alloc':
      return (n) => Math.round(n.alloc);
    case 'entries':
      return (n) => Math.round(n.entries);
  }
}

/** `;` separates frames and a newline ends a line: inside a name (user SCC strings may hold any) they become `,`/` `. */
function foldedName(n: TreeNode): string {
  return frameName(n)
    .replace(/;/g, ',')
    .replace(/[\r\n]+/g, ' ');
}

/** One line per node with a non-zero value, in depth-first pre-order; each line ends with `\n`. */
export function foldedLines(tree: CallTree, metric: Metric): string[] {
  const flat = flattenTree(tree.root);
  const valueOf = foldedValueOf(metric);
  const path: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < flat.nodes.length; i++) {
    path.length = flat.levels[i];
    path.push(foldedName(flat.nodes[i]));
    const value = valueOf(flat.nodes[i]);
    if (value !== 0) {
      lines.push(`${path.join(';')} ${value}\n`);
    }
  }
  return lines;
}

/** The whole folded-stacks text. */
export function foldedStacks(tree: CallTree, metric: Metric): string {
  return foldedLines(tree, metric).join('');
}
