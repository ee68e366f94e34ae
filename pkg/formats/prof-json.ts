/**
 * Reader for GHC's JSON cost-centre report (`+RTS -pj`, rts/ProfilerReportJson.c): header fields, a
 * `cost_centres` table and a `profile` tree whose nodes carry a *cost-centre* id (no stack ids) and exact self
 * `ticks`, `alloc` (bytes) and `entries`. The tree keeps GHC's own `GC` and `OVERHEAD_of` (module PROFILING) nodes:
 * `total_ticks` and `total_alloc` include them.
 */
import type { ProfileData, TreeNode } from '../model/types';
import { newNode } from '../model/builder';
import { FormatError } from './errors';
import { parseGhcDate } from './ghc-header';
import { DETECT_HEAD_BYTES, readCollected, type FormatReader, type TextReadOptions } from './reader';
import { locateJsonProblem } from './json-locate';
import { stripBom } from './text-lines';

/** True when the start of a file looks like a -pj report: a JSON object naming `rts_arguments`. */
export function looksLikeProfJson(head: string): boolean {
  const start = head.search(/\S/);
  return start !== -1 && head.charCodeAt(start) === 0x7b /* { */ && head.includes('"rts_arguments"');
}

const readJsonBytes = (bytes: Buffer, opts: TextReadOptions): ProfileData | null =>
  readProfJson(bytes.toString('utf8'), opts);

/** JSON is parsed whole: a stream is collected first. */
export const profJsonReader: FormatReader<'prof-json'> = {
  kind: 'prof-json',
  description: 'a -pj JSON report',
  extension: 'json',
  detect: (head) => looksLikeProfJson(head.text),
  readWhole: readJsonBytes,
  readStream: readCollected(readJsonBytes),
};

interface CostCentre {
  label: string;
  module: string;
  src: string;
}

type Json = Record<string, unknown>;

/** Reads a -pj report; null when the text is not one (not a JSON object with `rts_arguments` and `profile`). */
export function readProfJson(raw: string, opts: TextReadOptions = {}): ProfileData | null {
  const text = stripBom(raw);
  if (!looksLikeProfJson(text.slice(0, DETECT_HEAD_BYTES))) {
    return null;
  }
  const warnings: string[] = [];
  const { doc, truncated, cutLine } = parseOrRecover(text, opts.file, warnings);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('rts_arguments' in doc)) {
    return null;
  }
  const obj = doc as Json;
  const fail = (key: string, expected: string): never => {
    // The key's line; a missing key is missing from the report's object, named by the line it opens on.
    const at = text.indexOf(`"${key}"`);
    throw new FormatError({
      format: 'prof-json',
      file: opts.file,
      line: lineColumn(text, at === -1 ? Math.max(0, text.indexOf('{')) : at).line,
      message: `expected "${key}" to be ${expected}${at === -1 ? ' (the report has no such key)' : ''}`,
    });
  };
  const str = (key: string): string => (typeof obj[key] === 'string' ? (obj[key] as string) : fail(key, 'a string'));
  const num = (key: string): number =>
    typeof obj[key] === 'number' && (obj[key] as number) >= 0
      ? (obj[key] as number)
      : fail(key, 'a non-negative number');
  const strings = (key: string): string[] =>
    Array.isArray(obj[key]) && (obj[key] as unknown[]).every((s) => typeof s === 'string')
      ? (obj[key] as string[])
      : fail(key, 'an array of strings');

  const argv = strings('arguments');
  const ccs = costCentres(obj.cost_centres, () => fail('cost_centres', 'an array of {id, label, module, src_loc}'));
  if (typeof obj.profile !== 'object' || obj.profile === null) {
    if (truncated) {
      throw new FormatError({
        format: 'prof-json',
        file: opts.file,
        line: cutLine,
        message: `${warnings[0]}; no profile tree before the cut`,
      });
    }
    fail('profile', 'the cost-centre tree object');
  }
  const root = buildTree(obj.profile as Json, ccs, text, opts.file);
  const totals = {
    ticks: num('total_ticks'),
    tickIntervalUs: num('tick_interval'),
    allocBytes: num('total_alloc'),
    timeSeconds: num('total_time'),
    processors: typeof obj.initial_capabilities === 'number' ? obj.initial_capabilities : undefined,
  };
  if (!truncated) {
    checkTotals(root, totals.ticks, totals.allocBytes, warnings);
  }
  const endTimeMs = typeof obj.end_time === 'string' ? parseGhcDate(obj.end_time, opts.utcOffsetMinutes) : null;
  return {
    kind: 'prof-json',
    program: str('program'),
    // argv[0] is the program as invoked (`./leaky`); the model keeps only its arguments.
    arguments: argv.slice(1),
    rtsArguments: strings('rts_arguments'),
    endTimeMs,
    // end_time is when the report was written (minute precision); the start is estimated as end - total_time.
    startTimeMs: endTimeMs === null ? null : endTimeMs - Math.round(totals.timeSeconds * 1000),
    totals,
    tree: { root, tickIntervalUs: totals.tickIntervalUs, approximate: false },
    warnings,
    truncated,
  };
}

function costCentres(value: unknown, fail: () => never): Map<number, CostCentre> {
  if (!Array.isArray(value)) {
    fail();
  }
  const byId = new Map<number, CostCentre>();
  for (const cc of value as Json[]) {
    if (
      typeof cc !== 'object' ||
      cc === null ||
      typeof cc.id !== 'number' ||
      typeof cc.label !== 'string' ||
      typeof cc.module !== 'string'
    ) {
      fail();
    }
    byId.set(cc.id as number, {
      label: cc.label as string,
      module: cc.module as string,
      src: typeof cc.src_loc === 'string' ? cc.src_loc : '',
    });
  }
  return byId;
}

/**
 * Line of the `n`th tree node (1-based, document order) of the report: the nth `{` after the `"profile"` key,
 * outside strings (a node holds only numbers and its children array, so every object there is a node).
 */
function nodeLine(text: string, n: number): number | undefined {
  let i = text.lastIndexOf('"profile"');
  if (i === -1) {
    return undefined;
  }
  let seen = 0;
  for (i += 9; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // skip a string (it can only be damage here), minding escapes
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) {
          i++;
        }
      }
    } else if (c === 0x7b && ++seen === n) {
      return lineColumn(text, i).line;
    }
  }
  return undefined;
}

/**
 * Converts the JSON tree without recursion (call stacks thousands deep are normal in Haskell profiles), in document
 * order, so a bad node's number says where it is: the error names its line.
 */
function buildTree(profile: Json, ccs: Map<number, CostCentre>, text: string, file: string | undefined): TreeNode {
  let count = 0;
  const convert = (n: Json): TreeNode => {
    count++;
    const bad = (what: string): never => {
      throw new FormatError({
        format: 'prof-json',
        file,
        line: nodeLine(text, count),
        message: `profile tree node #${count} (cost-centre id ${String(n?.id)}): ${what}`,
      });
    };
    if (typeof n !== 'object' || n === null || typeof n.id !== 'number') {
      bad('expected an object with a numeric "id"');
    }
    const cc = ccs.get(n.id as number) ?? bad('id is not in "cost_centres"');
    for (const key of ['entries', 'alloc', 'ticks']) {
      if (typeof n[key] !== 'number' || (n[key] as number) < 0) {
        bad(`expected "${key}" to be a non-negative number`);
      }
    }
    if (!Array.isArray(n.children)) {
      bad('expected "children" to be an array');
    }
    const node = newNode({ label: cc.label, module: cc.module, src: cc.src, ccId: n.id as number });
    node.entries = n.entries as number;
    node.alloc = n.alloc as number;
    node.ticks = n.ticks as number;
    return node;
  };
  const root = convert(profile);
  // Depth first, children in order: each entry is a converted node and the index of its next child to convert.
  const pending: Array<{ json: Json; node: TreeNode; next: number }> = [{ json: profile, node: root, next: 0 }];
  while (pending.length > 0) {
    const top = pending[pending.length - 1];
    const children = top.json.children as Json[];
    if (top.next === children.length) {
      pending.pop();
      continue;
    }
    const child = children[top.next++];
    const node = convert(child);
    top.node.children.push(node);
    pending.push({ json: child, node, next: 0 });
  }
  return root;
}

function checkTotals(root: TreeNode, ticks: number, alloc: number, warnings: string[]): void {
  let sumTicks = 0;
  let sumAlloc = 0;
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop() as TreeNode;
    sumTicks += n.ticks;
    sumAlloc += n.alloc;
    stack.push(...n.children);
  }
  if (sumTicks !== ticks || sumAlloc !== alloc) {
    warnings.push(
      `the tree adds up to ${sumTicks} ticks and ${sumAlloc} bytes but the header says total_ticks ${ticks} and total_alloc ${alloc}`
    );
  }
  if (ticks === 0) {
    warnings.push('total_ticks is 0: the time flame graph is empty (the run was shorter than one tick)');
  }
}

export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

/**
 * JSON.parse, and when that fails because the file is cut off (a valid prefix that ends too soon), a parse of the
 * longest prefix that ends after a complete object or array, closed with the brackets still open there: GHC writes
 * the header fields and cost centres first, so a cut-off report keeps them and the tree nodes written before the
 * cut. Damage elsewhere is a FormatError naming the line and column.
 */
function parseOrRecover(
  text: string,
  file: string | undefined,
  warnings: string[]
): { doc: unknown; truncated: boolean; cutLine?: number } {
  try {
    return { doc: JSON.parse(text), truncated: false };
  } catch (err) {
    const p = locateJsonProblem(text) ?? {
      at: 0,
      expected: `valid JSON (${(err as Error).message})`,
      endsEarly: false,
      lastCompleteEnd: -1,
      openAtLastComplete: '',
      openStringAt: -1,
    };
    const where = p.openStringAt !== -1 ? p.openStringAt : p.at;
    const { line, column } = lineColumn(text, where);
    const reason =
      p.openStringAt !== -1
        ? 'the file ends inside a string that starts there'
        : p.endsEarly
          ? `the file ends where ${p.expected} was expected`
          : `expected ${p.expected}, found ${JSON.stringify(text.slice(p.at, p.at + 12))}`;
    const message = `invalid JSON at line ${line}, column ${column} (character ${where}): ${reason}`;
    if (!p.endsEarly || p.lastCompleteEnd === -1) {
      throw new FormatError({ format: 'prof-json', file, line, message });
    }
    warnings.push(`${message}: the report is cut off; read what was complete before it`);
    const closers = p.openAtLastComplete
      .split('')
      .reverse()
      .map((b) => (b === '{' ? '}' : ']'))
      .join('');
    try {
      return { doc: JSON.parse(text.slice(0, p.lastCompleteEnd) + closers), truncated: true, cutLine: line };
    } catch {
      throw new FormatError({ format: 'prof-json', file, line, message });
    }
  }
}
