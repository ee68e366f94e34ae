import type { HeapMode, HeapProfile, HeapSample } from '../../model/types';
import type { CostCentreTable } from './cost-centres';
import { heapModeOfBreakdown } from './event-types';
import type { Payload } from './payload';
import { nulIndex, u64, utf8Text } from './payload';
import { ownValue, setOwn } from './records';
import { StackTable } from './stack-table';
import { grown } from './typed-arrays';

const NS_PER_S = 1e9;

/**
 * Heap censuses: HeapProfBegin (160) gives the break-down, each census is HeapProfSampleBegin (162, or 166 for
 * biographical profiles, which carries its own time because GHC writes all of them at the end of the run) ...
 * HeapProfSampleEnd (165), and the bands in between are cost-centre stacks (163, -hc) or strings (164, all
 * other modes). Bands are keyed by label; -hc labels are built like the `.hp` ones (innermost/caller/..., CAFs as
 * `Module.CAF`, the empty stack as `MAIN`) but without the stack id, which the eventlog does not have, and never
 * cut short.
 */
/**
 * A census with more bands than this gets its record in V8's dictionary mode from the start: filled key by key in
 * a different order each census, a fast-mode object would build a new hidden class per key before V8 gives up on it.
 */
const FAST_RECORD_LIMIT = 32;

/** An ordinary empty object that V8 keeps in dictionary mode (deleting a property that is not the last one). */
function dictionaryRecord(): Record<string, number> {
  const record: Record<string, number> = { a: 0, b: 0 };
  delete record.a;
  delete record.b;
  return record;
}

export interface HeapCollectorState {
  mode: HeapMode;
  began: boolean;
  bands: string[];
  bandStacks: Array<[string, string[]]>;
  /** The census begun and not ended: its time (seconds) and [band index, bytes] so far. */
  open: { time: number; values: Array<[number, number]> } | null;
}

export class HeapCollector {
  private mode: HeapMode = 'unknown';
  private began = false;
  private readonly samples: HeapSample[] = [];
  private readonly bands: string[] = [];
  private readonly bandOfLabel = new Map<string, number>();
  private readonly stacks = new StackTable();
  /** Band number + 1 per interned -hc stack (0: not named yet). */
  private bandOfStack = new Int32Array(256);
  private readonly bandStacks: Record<string, string[]> = {};
  private malformed = 0;
  // The open census, accumulated per band number and turned into a record when it closes.
  private open: HeapSample | null = null;
  private census = 0;
  private censusOfBand = new Int32Array(64);
  private bytesOfBand = new Float64Array(64);
  private touched = new Int32Array(64);
  private touchedCount = 0;
  /** The stack of the census's previous cost-centre band (-1 at its start), to predict the next one. */
  private previousStack = -1;

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
    this.sampleEnd();
    this.open = { time: timeNs / NS_PER_S, values: {} };
    this.samples.push(this.open);
    this.census++;
    this.touchedCount = 0;
    this.previousStack = -1;
  }

  /** HeapBioProfSampleBegin: era u64, time u64 (the census time; the event itself is written at exit). */
  bioSampleBegin(p: Payload, eventTimeNs: number): void {
    this.sampleBegin(p.end - p.start >= 16 ? u64(p.view, p.start + 8) : eventTimeNs);
  }

  /** Closes the open census: its bands in order of appearance, bytes summed per band. */
  sampleEnd(): void {
    const sample = this.open;
    if (sample === null) {
      return;
    }
    if (this.touchedCount > FAST_RECORD_LIMIT) {
      sample.values = dictionaryRecord();
    }
    for (let i = 0; i < this.touchedCount; i++) {
      const band = this.touched[i];
      setOwn(sample.values, this.bands[band], this.bytesOfBand[band]);
    }
    this.open = null;
  }

  /** HeapProfSampleCostCentre: profile id u8, residency u64, depth u8, depth × cost-centre id u32 (innermost first). */
  costCentreSample(p: Payload, timeNs: number): void {
    const depth = p.end - p.start >= 10 ? p.bytes[p.start + 9] : -1;
    if (depth < 0 || p.start + 10 + depth * 4 > p.end) {
      this.malformed++;
      return;
    }
    const stack = this.stacks.findAfter(this.previousStack, p, p.start + 10, depth);
    this.previousStack = stack;
    if (stack >= this.bandOfStack.length) {
      this.bandOfStack = grown(this.bandOfStack, stack + 1);
    }
    const band = this.bandOfStack[stack] - 1;
    this.add(band >= 0 ? band : this.nameStack(stack), u64(p.view, p.start + 1), timeNs);
  }

  /** HeapProfSampleString: profile id u8, residency u64, label (NUL-terminated). */
  stringSample(p: Payload, timeNs: number): void {
    if (p.end - p.start < 9) {
      this.malformed++;
      return;
    }
    const from = p.start + 9;
    const label = utf8Text(p.bytes, from, nulIndex(p.bytes, from, p.end));
    this.add(this.bandOfLabel.get(label) ?? this.newBand(label), u64(p.view, p.start + 1), timeNs);
  }

  private add(band: number, bytes: number, timeNs: number): void {
    if (this.open === null) {
      // A band outside a census (its begin event lost to damage): keep it in a census of its own.
      this.sampleBegin(timeNs);
    }
    if (this.censusOfBand[band] === this.census) {
      this.bytesOfBand[band] += bytes;
      return;
    }
    this.censusOfBand[band] = this.census;
    this.bytesOfBand[band] = bytes;
    if (this.touchedCount === this.touched.length) {
      this.touched = grown(this.touched, this.touchedCount + 1);
    }
    this.touched[this.touchedCount++] = band;
  }

  private newBand(label: string): number {
    const band = this.bands.length;
    this.bands.push(label);
    this.bandOfLabel.set(label, band);
    if (band >= this.censusOfBand.length) {
      this.censusOfBand = grown(this.censusOfBand, band + 1);
      this.bytesOfBand = grown(this.bytesOfBand, band + 1);
    }
    return band;
  }

  /**
   * Names a cost-centre stack like a `.hp` -hc band (without the cut); a label already taken by a stack with other
   * cost centres gets a ` [n]` suffix, so different stacks never share a band.
   */
  private nameStack(stack: number): number {
    const ids = this.stacks.ids(stack);
    while (ids.length > 0 && this.costCentres.isMain(ids[ids.length - 1])) {
      ids.pop();
    }
    const base = ids.length === 0 ? 'MAIN' : ids.map((id) => this.costCentres.bandPart(id)).join('/');
    const names = ids.length === 0 ? ['MAIN.MAIN'] : ids.map((id) => this.costCentres.qualified(id));
    let label = base;
    for (let n = 2; this.labelTakenByOther(label, names); n++) {
      label = `${base} [${n}]`;
    }
    setOwn(this.bandStacks, label, names);
    const band = this.bandOfLabel.get(label) ?? this.newBand(label);
    this.bandOfStack[stack] = band + 1;
    return band;
  }

  private labelTakenByOther(label: string, names: string[]): boolean {
    const taken = ownValue(this.bandStacks, label);
    return taken !== undefined && taken.join('\n') !== names.join('\n');
  }

  /**
   * What later censuses need from earlier bytes: the breakdown, the band labels (in order, with their stacks) and
   * the census still open (its time and the bytes per band so far). The open census is taken out of this
   * collector's samples: it belongs to the bytes that complete it.
   */
  suspend(): HeapCollectorState {
    let open: HeapCollectorState['open'] = null;
    if (this.open !== null) {
      const values: Array<[number, number]> = [];
      for (let i = 0; i < this.touchedCount; i++) {
        values.push([this.touched[i], this.bytesOfBand[this.touched[i]]]);
      }
      open = { time: this.open.time, values };
      this.samples.pop();
      this.open = null;
    }
    return {
      mode: this.mode,
      began: this.began,
      bands: [...this.bands],
      bandStacks: Object.entries(this.bandStacks),
      open,
    };
  }

  restoreState(state: HeapCollectorState): void {
    this.mode = state.mode;
    this.began = state.began;
    for (const label of state.bands) {
      this.newBand(label);
    }
    for (const [label, names] of state.bandStacks) {
      setOwn(this.bandStacks, label, names);
    }
    if (state.open !== null) {
      this.sampleBegin(state.open.time * NS_PER_S);
      // Exactly the time the census had (ns -> s -> ns need not round-trip).
      this.samples[this.samples.length - 1].time = state.open.time;
      for (const [band, bytes] of state.open.values) {
        this.add(band, bytes, 0);
      }
    }
  }

  warnings(): string[] {
    return this.malformed > 0 ? [`${this.malformed} heap sample event(s) too short for their fields were skipped`] : [];
  }

  build(job: string, marksNs: number[]): HeapProfile | undefined {
    this.sampleEnd();
    if (!this.began && this.samples.length === 0) {
      return undefined;
    }
    // Censuses are written in order, but biographical ones all at the end with their own times: order by time.
    const inOrder = this.samples.every((s, i) => i === 0 || s.time >= this.samples[i - 1].time);
    const heap: HeapProfile = {
      mode: this.mode,
      job,
      timeBase: 'wall-clock',
      sampleUnit: 'seconds',
      valueUnit: 'bytes',
      bands: this.bands,
      samples: inOrder ? this.samples : [...this.samples].sort((a, b) => a.time - b.time),
      marks: marksNs.map((t) => t / NS_PER_S),
    };
    if (Object.keys(this.bandStacks).length > 0) {
      heap.bandStacks = this.bandStacks;
    }
    return heap;
  }
}
