import type { HeapMode, HeapProfile, HeapSample } from '../../model/types';
import type { CostCentreTable } from './cost-centres';
import { heapModeOfBreakdown } from './event-types';
import type { Payload } from './payload';
import { nulIndex, u64, utf8Text } from './payload';
import { ownValue, setOwn } from './records';
import { StackTrie, type StackNode } from './stack-trie';

const NS_PER_S = 1e9;

/**
 * Heap censuses: HeapProfBegin (160) gives the break-down, each census is HeapProfSampleBegin (162, or 166 for
 * biographical profiles, which carries its own time because GHC writes all of them at the end of the run) ...
 * HeapProfSampleEnd (165), and the bands in between are cost-centre stacks (163, -hc) or strings (164, all
 * other modes). Bands are keyed by label; -hc labels are built like the `.hp` ones (innermost/caller/..., CAFs as
 * `Module.CAF`, the empty stack as `MAIN`) but without the stack id, which the eventlog does not have, and never
 * cut short.
 */
export class HeapCollector {
  private mode: HeapMode = 'unknown';
  private began = false;
  private readonly samples: HeapSample[] = [];
  private current: HeapSample | null = null;
  private readonly bands: string[] = [];
  private readonly knownBands = new Set<string>();
  private readonly stacks = new StackTrie();
  /** -hc band label per stack node index. */
  private readonly stackLabels: string[] = [];
  private readonly bandStacks: Record<string, string[]> = {};
  private malformed = 0;

  constructor(private readonly costCentres: CostCentreTable) {}

  /** HeapProfBegin: profile id u8, sampling period u64, break-down u32, then the selector strings. */
  begin(p: Payload): void {
    if (this.began || p.end - p.start < 13) {
      return;
    }
    this.began = true;
    this.mode = heapModeOfBreakdown(p.view.getUint32(p.start + 9));
  }

  sampleBegin(timeNs: number): void {
    this.current = { time: timeNs / NS_PER_S, values: {} };
    this.samples.push(this.current);
  }

  /** HeapBioProfSampleBegin: era u64, time u64 (the census time; the event itself is written at exit). */
  bioSampleBegin(p: Payload, eventTimeNs: number): void {
    this.sampleBegin(p.end - p.start >= 16 ? u64(p.view, p.start + 8) : eventTimeNs);
  }

  sampleEnd(): void {
    this.current = null;
  }

  /** HeapProfSampleCostCentre: profile id u8, residency u64, depth u8, depth × cost-centre id u32 (innermost first). */
  costCentreSample(p: Payload, timeNs: number): void {
    const depth = p.end - p.start >= 10 ? p.bytes[p.start + 9] : -1;
    if (depth < 0 || p.start + 10 + depth * 4 > p.end) {
      this.malformed++;
      return;
    }
    const node = this.stacks.find(p, p.start + 10, depth);
    this.add(this.stackLabels[node.index] ?? this.labelStack(node), u64(p.view, p.start + 1), timeNs);
  }

  /** HeapProfSampleString: profile id u8, residency u64, label (NUL-terminated). */
  stringSample(p: Payload, timeNs: number): void {
    if (p.end - p.start < 9) {
      this.malformed++;
      return;
    }
    const from = p.start + 9;
    const label = utf8Text(p.bytes, from, nulIndex(p.bytes, from, p.end));
    this.add(label, u64(p.view, p.start + 1), timeNs);
  }

  private add(band: string, bytes: number, timeNs: number): void {
    if (this.current === null) {
      // A band outside a census (its begin event lost to damage): keep it in a census of its own.
      this.sampleBegin(timeNs);
    }
    const values = (this.current as HeapSample).values;
    setOwn(values, band, (ownValue(values, band) ?? 0) + bytes);
    if (!this.knownBands.has(band)) {
      this.knownBands.add(band);
      this.bands.push(band);
    }
  }

  /** Names a cost-centre stack once; a label already taken by a different stack gets a ` [n]` suffix. */
  private labelStack(node: StackNode): string {
    const ids = StackTrie.innermostFirst(node);
    while (ids.length > 0 && this.costCentres.isMain(ids[ids.length - 1])) {
      ids.pop();
    }
    const base = ids.length === 0 ? 'MAIN' : ids.map((id) => this.costCentres.bandPart(id)).join('/');
    const stack = ids.length === 0 ? ['MAIN.MAIN'] : ids.map((id) => this.costCentres.qualified(id));
    let label = base;
    for (let n = 2; this.labelTakenByOther(label, stack); n++) {
      label = `${base} [${n}]`;
    }
    setOwn(this.bandStacks, label, stack);
    this.stackLabels[node.index] = label;
    return label;
  }

  private labelTakenByOther(label: string, stack: string[]): boolean {
    const taken = ownValue(this.bandStacks, label);
    return taken !== undefined && taken.join('\n') !== stack.join('\n');
  }

  warnings(): string[] {
    return this.malformed > 0 ? [`${this.malformed} heap sample event(s) too short for their fields were skipped`] : [];
  }

  build(job: string, marksNs: number[]): HeapProfile | undefined {
    if (!this.began && this.samples.length === 0) {
      return undefined;
    }
    // Censuses are written in order, but biographical ones all at the end with their own times: order by time.
    const samples = this.samples.map((s, i) => ({ s, i })).sort((a, b) => a.s.time - b.s.time || a.i - b.i).map((x) => x.s);
    const heap: HeapProfile = {
      mode: this.mode,
      job,
      timeBase: 'wall-clock',
      sampleUnit: 'seconds',
      valueUnit: 'bytes',
      bands: this.bands,
      samples,
      marks: marksNs.map((t) => t / NS_PER_S),
    };
    if (Object.keys(this.bandStacks).length > 0) {
      heap.bandStacks = this.bandStacks;
    }
    return heap;
  }
}
