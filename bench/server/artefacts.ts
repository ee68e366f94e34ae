/**
 * Benchmark inputs made from the real GHC 9.0.2 fixtures (test/fixtures/ghc), valid for the real readers:
 *
 *  - `PjVariants`: copies of `jsonagg.json.prof` (-pj) whose entries/ticks/alloc are scaled by a seeded random
 *    factor per profile and per node, totals recomputed so they still add up, `end_time` set to the wanted minute.
 *  - `bigTextReport`: a text `.prof` (+RTS -p layout of rts/ProfilerReport.c) of at least N bytes, printed from the
 *    exact -pj tree replicated under MAIN (each replica's cost centres in their own module, as GHC never prints
 *    two stacks of the same cost centre under one parent), percentages recomputed from the exact ticks and bytes.
 *  - `PatchableArtefact`: one template plus fixed-width fields (date, a run number in the command line) that are
 *    overwritten in a copy, so thousands of distinct (different sha256) artefacts cost a memcpy each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '../../test/fixtures/ghc');
export const PJ_FIXTURE = join(FIXTURES, 'jsonagg.json.prof');

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const MINUTE_MS = 60_000;

/** GHC's `time_str()` (`%a %b %d %H:%M %Y`, always 21 characters) of a UTC instant, as the readers parse it. */
export function ghcDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} ${d.getUTCFullYear()}`;
}

/** Small deterministic PRNG (mulberry32): the same seed gives the same artefacts on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PJ_NODE = /"entries": (\d+), "alloc": (\d+), "ticks": (\d+)/g;

function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  if (!pattern.test(text)) {
    throw new Error(`${PJ_FIXTURE}: no ${what} field (${pattern}): the fixture's layout changed`);
  }
  return text.replace(pattern, replacement);
}

/** -pj reports of one program with different numbers and end times; each keeps the fixture's exact layout. */
export class PjVariants {
  readonly text: string;
  readonly nodes: number;
  readonly tickIntervalUs: number;
  readonly capabilities: number;

  constructor(path = PJ_FIXTURE) {
    this.text = readFileSync(path, 'utf8');
    this.nodes = this.text.match(PJ_NODE)?.length ?? 0;
    const json = JSON.parse(this.text) as { tick_interval: number; initial_capabilities: number };
    this.tickIntervalUs = json.tick_interval;
    this.capabilities = json.initial_capabilities;
    if (this.nodes === 0) {
      throw new Error(`${path}: no tree nodes ("entries": N, "alloc": N, "ticks": N) found`);
    }
  }

  /** Variant `seed`, written at `endMs` (minute precision, as GHC writes it). */
  make(seed: number, endMs: number): { text: string; totalTicks: number; totalTimeSeconds: number } {
    const random = prng(seed + 1);
    const scale = 0.6 + 0.8 * random();
    let ticks = 0;
    let alloc = 0;
    const jitter = (n: number) => Math.round(n * scale * (0.8 + 0.4 * random()));
    let text = this.text.replace(PJ_NODE, (_m, e: string, a: string, t: string) => {
      const [ne, na, nt] = [jitter(Number(e)), jitter(Number(a)), jitter(Number(t))];
      ticks += nt;
      alloc += na;
      return `"entries": ${ne}, "alloc": ${na}, "ticks": ${nt}`;
    });
    const seconds = (ticks * this.tickIntervalUs) / 1e6 / this.capabilities;
    text = replaceOnce(text, /"total_ticks": \d+/, `"total_ticks": ${ticks}`, 'total_ticks');
    text = replaceOnce(text, /"total_alloc":\s*\d+/, `"total_alloc":${alloc}`, 'total_alloc');
    text = replaceOnce(
      text,
      /"total_time":\s*[\d.]+/,
      `"total_time": ${seconds.toFixed(2).padStart(11)}`,
      'total_time'
    );
    text = replaceOnce(text, /"end_time": "[^"]*"/, `"end_time": "${ghcDate(endMs)}"`, 'end_time');
    return { text, totalTicks: ticks, totalTimeSeconds: Number(seconds.toFixed(2)) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Text report printer

interface PjNode {
  id: number;
  entries: number;
  alloc: number;
  ticks: number;
  children: PjNode[];
}

interface PjCostCentre {
  id: number;
  label: string;
  module: string;
  src_loc: string;
}

interface PjReport {
  program: string;
  arguments: string[];
  rts_arguments: string[];
  tick_interval: number;
  initial_capabilities: number;
  cost_centres: PjCostCentre[];
  profile: PjNode;
}

/** A cost-centre stack as the text report prints it. */
interface Row {
  depth: number;
  label: string;
  module: string;
  src: string;
  entries: number;
  ticks: number;
  alloc: number;
  inheritedTicks: number;
  inheritedAlloc: number;
}

interface Subtree {
  rows: Row[];
  ticks: number;
  alloc: number;
  entries: number;
}

/** Flattens a -pj subtree into report rows (depth-first, parents first), module renamed for a replica. */
function rowsOf(node: PjNode, depth: number, ccs: Map<number, PjCostCentre>, module: (m: string) => string): Subtree {
  const cc = ccs.get(node.id);
  if (!cc) {
    throw new Error(`${PJ_FIXTURE}: tree node refers to unknown cost centre ${node.id}`);
  }
  const row: Row = {
    depth,
    label: cc.label,
    module: module(cc.module),
    src: cc.src_loc,
    entries: node.entries,
    ticks: node.ticks,
    alloc: node.alloc,
    inheritedTicks: 0,
    inheritedAlloc: 0,
  };
  const out: Subtree = { rows: [row], ticks: node.ticks, alloc: node.alloc, entries: node.entries };
  for (const child of node.children) {
    const sub = rowsOf(child, depth + 1, ccs, module);
    // GHC leaves out stacks with no entries, time or allocation (unless -Pa).
    if (sub.ticks > 0 || sub.alloc > 0 || sub.entries > 0) {
      out.rows.push(...sub.rows);
      out.ticks += sub.ticks;
      out.alloc += sub.alloc;
      out.entries += sub.entries;
    }
  }
  row.inheritedTicks = out.ticks;
  row.inheritedAlloc = out.alloc;
  return out;
}

const pct = (part: number, total: number) => (total === 0 ? 0 : (part / total) * 100);
const withCommas = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const fixed = (x: number, width: number) => x.toFixed(1).padStart(width);
const maxLen = (values: string[], min: number) => values.reduce((m, v) => Math.max(m, v.length), min);

/** The flat per-cost-centre table: every cost centre above 1 % of time or allocation, by time (reportPerCCCosts). */
function flatTable(rows: Row[], totalTicks: number, totalAlloc: number): string[] {
  const byCc = new Map<string, { label: string; module: string; src: string; ticks: number; alloc: number }>();
  for (const r of rows) {
    const key = `${r.label}\0${r.module}\0${r.src}`;
    const cc = byCc.get(key) ?? { label: r.label, module: r.module, src: r.src, ticks: 0, alloc: 0 };
    cc.ticks += r.ticks;
    cc.alloc += r.alloc;
    byCc.set(key, cc);
  }
  const shown = [...byCc.values()]
    .filter((cc) => cc.ticks > Math.floor(totalTicks / 100) || cc.alloc > Math.floor(totalAlloc / 100))
    .sort((a, b) => b.ticks - a.ticks);
  const [lw, mw, sw] = [
    maxLen(
      shown.map((c) => c.label),
      11
    ),
    maxLen(
      shown.map((c) => c.module),
      6
    ),
    maxLen(
      shown.map((c) => c.src),
      3
    ),
  ];
  const lines = [
    `${'COST CENTRE'.padEnd(lw)} ${'MODULE'.padEnd(mw)} ${'SRC'.padEnd(sw)} ${'%time'.padStart(6)} ${'%alloc'.padStart(6)}`,
    '',
  ];
  for (const cc of shown) {
    lines.push(
      `${cc.label.padEnd(lw)} ${cc.module.padEnd(mw)} ${cc.src.padEnd(sw)} ${fixed(pct(cc.ticks, totalTicks), 6)} ${fixed(pct(cc.alloc, totalAlloc), 6)}`
    );
  }
  return [...lines, '', ''];
}

/** The cost-centre tree table (reportCCS): header, then one row per stack with `no.` numbered depth-first. */
function treeTable(rows: Row[], totalTicks: number, totalAlloc: number): string[] {
  const lw = rows.reduce((m, r) => Math.max(m, r.depth + r.label.length), 11);
  const mw = maxLen(
    rows.map((r) => r.module),
    6
  );
  const sw = maxLen(
    rows.map((r) => r.src),
    3
  );
  const iw = Math.max(3, String(rows.length).length);
  const prefix = `${''.padEnd(lw)} ${''.padEnd(mw)} ${''.padEnd(sw)} ${''.padEnd(iw)}`;
  const lines = [
    `${prefix} ${''.padStart(11)}  ${'individual'.padStart(12)}   ${'inherited'.padStart(12)}`,
    `${'COST CENTRE'.padEnd(lw)} ${'MODULE'.padEnd(mw)} ${'SRC'.padEnd(sw)} ${'no.'.padEnd(iw)} ${'entries'.padStart(11)}  ${'%time'.padStart(5)} ${'%alloc'.padStart(6)}   ${'%time'.padStart(5)} ${'%alloc'.padStart(6)}`,
    '',
  ];
  rows.forEach((r, i) => {
    const name = `${' '.repeat(r.depth)}${r.label}`.padEnd(lw);
    const numbers =
      `${String(i + 1).padStart(iw)} ${String(r.entries).padStart(11)}  ${fixed(pct(r.ticks, totalTicks), 5)}  ${fixed(pct(r.alloc, totalAlloc), 5)}` +
      `   ${fixed(pct(r.inheritedTicks, totalTicks), 5)}  ${fixed(pct(r.inheritedAlloc, totalAlloc), 5)}`;
    lines.push(`${name} ${r.module.padEnd(mw)} ${r.src.padEnd(sw)} ${numbers}`);
  });
  return lines;
}

/** Where a template's patchable fields sit, and how wide they are. */
export interface PatchableArtefact {
  template: Buffer;
  dateAt: number;
  runAt: number;
  runWidth: number;
}

export const RUN_WIDTH = 9;

/** Writes GHC's date and a run number into a copy of the template: a distinct, equally valid artefact. */
export function patchArtefact(a: PatchableArtefact, endMs: number, run: number): Buffer {
  const out = Buffer.from(a.template);
  out.write(ghcDate(endMs), a.dateAt, 'latin1');
  out.write(String(run).padStart(a.runWidth, '0'), a.runAt, 'latin1');
  return out;
}

/**
 * A text `.prof` of at least `minBytes`: the -pj fixture's tree replicated under MAIN until the report is big
 * enough. The command line carries a fixed-width `run=000000000` argument for `patchArtefact`.
 */
export function bigTextReport(minBytes: number, path = PJ_FIXTURE): PatchableArtefact {
  const pj = JSON.parse(readFileSync(path, 'utf8')) as PjReport;
  const ccs = new Map(pj.cost_centres.map((cc) => [cc.id, cc]));
  const programCentres = (n: PjNode) => ccs.get(n.id)?.module === 'Main';
  const system = pj.profile.children.filter((c) => !programCentres(c));
  const program = pj.profile.children.filter(programCentres);
  const replicaBytes = 130 * Math.max(1, rowsOf(pj.profile, 0, ccs, (m) => m).rows.length);
  const replicas = Math.max(1, Math.ceil(minBytes / replicaBytes));
  for (let k = replicas; ; k++) {
    const report = printReport(pj, ccs, system, program, k);
    if (report.template.length >= minBytes) {
      return report;
    }
  }
}

function printReport(
  pj: PjReport,
  ccs: Map<number, PjCostCentre>,
  system: PjNode[],
  program: PjNode[],
  replicas: number
): PatchableArtefact {
  const children: PjNode[] = [...system];
  const renames: Array<(m: string) => string> = [];
  for (let r = 0; r < replicas; r++) {
    for (const c of program) {
      children.push(c);
      renames.push(r === 0 ? (m) => m : (m) => (m === 'Main' ? `Main.Replica${String(r).padStart(3, '0')}` : m));
    }
  }
  const root = rowsOf({ ...pj.profile, children: [] }, 0, ccs, (m) => m);
  children.forEach((c, i) => {
    const sub = rowsOf(c, 1, ccs, i < system.length ? (m) => m : renames[i - system.length]);
    root.rows.push(...sub.rows);
    root.ticks += sub.ticks;
    root.alloc += sub.alloc;
  });
  root.rows[0].inheritedTicks = root.ticks;
  root.rows[0].inheritedAlloc = root.alloc;
  const [ticks, alloc] = [root.ticks, root.alloc];
  const seconds = (ticks * pj.tick_interval) / 1e6 / pj.initial_capabilities;
  const rts = pj.rts_arguments.map((a) => (a === '-pj' ? '-p' : a));
  const date = ghcDate(Date.UTC(2026, 0, 1));
  const runArg = `run=${'0'.repeat(RUN_WIDTH)}`;
  const head = `\t${date} Time and Allocation Profiling Report  (Final)\n\n`;
  const command = `\t   ${pj.program} +RTS ${rts.join(' ')} -RTS ${[...pj.arguments.slice(1), runArg].join(' ')}\n\n`;
  const processors = pj.initial_capabilities;
  const totals =
    `\ttotal time  = ${seconds.toFixed(2).padStart(11)} secs   (${ticks} ticks @ ${pj.tick_interval} us, ${processors} processor${processors > 1 ? 's' : ''})\n` +
    `\ttotal alloc = ${withCommas(alloc).padStart(11)} bytes  (excludes profiling overheads)\n\n`;
  const body = [...flatTable(root.rows, ticks, alloc), ...treeTable(root.rows, ticks, alloc)].join('\n');
  const text = `${head}${command}${totals}${body}\n`;
  const template = Buffer.from(text, 'utf8');
  return {
    template,
    dateAt: 1,
    runAt: Buffer.byteLength(head + command.slice(0, command.indexOf(runArg)) + 'run='),
    runWidth: RUN_WIDTH,
  };
}

/** A -pj variant with a fixed-width `run=000000000` argument, for many distinct small uploads. */
export function patchablePj(variants: PjVariants, seed: number): PatchableArtefact {
  const { text } = variants.make(seed, Date.UTC(2026, 0, 1));
  const runArg = `run=${'0'.repeat(RUN_WIDTH)}`;
  const withRun = text.replace(/("arguments": \[[^\]]*)\]/, `$1, "${runArg}"]`);
  const dateField = '"end_time": "';
  if (withRun === text || !withRun.includes(dateField)) {
    throw new Error(`${PJ_FIXTURE}: no "arguments" list or "end_time" field: the fixture's layout changed`);
  }
  const byteAt = (i: number) => Buffer.byteLength(withRun.slice(0, i));
  return {
    template: Buffer.from(withRun, 'utf8'),
    dateAt: byteAt(withRun.indexOf(dateField) + dateField.length),
    runAt: byteAt(withRun.indexOf(runArg) + 'run='.length),
    runWidth: RUN_WIDTH,
  };
}
