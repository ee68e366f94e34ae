import type { HeapMode, HeapProfile, HeapSample, InfoTableProvenance } from '../../model/types';
import { BandLabeller, type FrameNames } from './band-labels';
import type { CostCentreTable } from './cost-centres';
import { heapModeOfBreakdown } from './event-types';
import { InfoTableMap, infoTableBandLabel } from './info-tables';
import type { Payload } from './payload';
import { nulIndex, u64, utf8Text } from './payload';
import { setOwn } from '../../api/records';
import { StackTable } from './stack-table';
import { grown } from './typed-arrays';

const NS_PER_S = 1e9;

/**
 * Heap censuses: HeapProfBegin (160) gives the break-down, each census is HeapProfSampleBegin (162, or 166 for
 * biographical profiles, which carries its own time because GHC writes all of them at the end of the run) ...
 * HeapProfSampleEnd (165), and the bands in between are cost-centre stacks (163, -hc) or strings (164, all
 * other modes). A -hc band is one distinct stack, labelled at the end (see band-labels.ts) like the `.hp` ones but
 * without the stack id, which the eventlog does not have, and never cut short. A -hi band (an info table's address)
 * is labelled by its IPE event when there is one (see info-tables.ts).
 *
 * Censuses are kept as cells (band number, bytes) in flat typed arrays while decoding; the per-census records of
 * the model are only made by `build`, once every band's label is known.
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

/** A band that is a string label (164), not a cost-centre stack. */
const STRING_BAND = -1;

export interface HeapCollectorState {
  mode: HeapMode;
  began: boolean;
  /** Every band so far, in order, with its label: a string band's text, or a -hc band's stack (cost-centre ids, innermost first). */
  bands: Array<{ label: string; text?: string; stack?: number[] }>;
  /** IPE descriptions seen so far (for -hi bands). */
  infoTables: InfoTableProvenance[];
  /** The census begun and not ended: its time (seconds) and [band index, bytes] so far. */
  open: { time: number; values: Array<[number, number]> } | null;
}

export class HeapCollector {
  private mode: HeapMode = 'unknown';
  private began = false;
  private readonly infoTables = new InfoTableMap();
  /** Per band: its interned stack (-hc), or STRING_BAND with its text in stringOfBand. */
  private stackOfBand = new Int32Array(64);
  private readonly stringOfBand: string[] = [];
  private bandCount = 0;
  private readonly bandOfString = new Map<string, number>();
  private readonly stacks = new StackTable();
  /** Labels of bands 0..labels.length-1 (given in band order when a profile or delta is built, then kept). */
  private readonly labels: string[] = [];
  private readonly labeller = new BandLabeller();
  private readonly bandStacks: Record<string, string[]> = {};
  private readonly bandInfo: Record<string, InfoTableProvenance> = {};
  /** Band number + 1 per interned -hc stack (0: no band yet). */
  private bandOfStack = new Int32Array(256);
  private malformed = 0;
  // Closed censuses: census k's cells are cellBand/cellBytes[censusStart[k], censusStart[k + 1]).
  private censusTimes = new Float64Array(64);
  private censusStart = new Int32Array(65);
  private censusCount = 0;
  private cellBand = new Int32Array(1024);
  private cellBytes = new Float64Array(1024);
  private cellCount = 0;
  // The open census, accumulated per band number; its cells are appended when it closes.
  private open = false;
  private census = 0;
  private censusOfBand = new Int32Array(64);
  private bytesOfBand = new Float64Array(64);
  private touched = new Int32Array(64);
  private touchedCount = 0;

  constructor(private readonly costCentres: CostCentreTable) {}

  /** HeapProfBegin: profile id u8, sampling period u64, break-down u32, then the selector strings. */
  begin(p: Payload): void {
    if (this.began || p.end - p.start < 13) {
      return;
    }
    this.began = true;
    this.mode = heapModeOfBreakdown(p.view.getUint32(p.start + 9));
  }

  /** IPE (169): an info table's provenance, for -hi bands. */
  infoTable(p: Payload): void {
    this.infoTables.define(p);
  }

  sampleBegin(timeNs: number): void {
    this.sampleEnd();
    if (this.censusCount + 1 >= this.censusStart.length) {
      this.censusTimes = grown(this.censusTimes, this.censusCount + 1);
      this.censusStart = grown(this.censusStart, this.censusCount + 2);
    }
    this.censusTimes[this.censusCount] = timeNs / NS_PER_S;
    this.open = true;
    this.census++;
    this.touchedCount = 0;
    this.stacks.startRun();
  }

  /** HeapBioProfSampleBegin: era u64, time u64 (the census time; the event itself is written at exit). */
  bioSampleBegin(p: Payload, eventTimeNs: number): void {
    this.sampleBegin(p.end - p.start >= 16 ? u64(p.view, p.start + 8) : eventTimeNs);
  }

  /** Closes the open census: its bands in order of appearance, bytes summed per band. */
  sampleEnd(): void {
    if (!this.open) {
      return;
    }
    const needed = this.cellCount + this.touchedCount;
    if (needed > this.cellBand.length) {
      this.cellBand = grown(this.cellBand, needed);
      this.cellBytes = grown(this.cellBytes, needed);
    }
    for (let i = 0; i < this.touchedCount; i++) {
      const band = this.touched[i];
      this.cellBand[this.cellCount] = band;
      this.cellBytes[this.cellCount++] = this.bytesOfBand[band];
    }
    this.censusStart[++this.censusCount] = this.cellCount;
    this.open = false;
  }

  /** HeapProfSampleCostCentre: profile id u8, residency u64, depth u8, depth × cost-centre id u32 (innermost first). */
  costCentreSample(p: Payload, timeNs: number): void {
    const stack = this.stacks.sampleStack(p, 9);
    if (stack < 0) {
      this.malformed++;
      return;
    }
    if (stack >= this.bandOfStack.length) {
      this.bandOfStack = grown(this.bandOfStack, stack + 1);
    }
    let band = this.bandOfStack[stack] - 1;
    if (band < 0) {
      band = this.newBand(stack, '');
      this.bandOfStack[stack] = band + 1;
    }
    this.add(band, u64(p.view, p.start + 1), timeNs);
  }

  /** HeapProfSampleString: profile id u8, residency u64, label (NUL-terminated). */
  stringSample(p: Payload, timeNs: number): void {
    if (p.end - p.start < 9) {
      this.malformed++;
      return;
    }
    const from = p.start + 9;
    const label = utf8Text(p.bytes, from, nulIndex(p.bytes, from, p.end));
    let band = this.bandOfString.get(label);
    if (band === undefined) {
      band = this.newBand(STRING_BAND, label);
      this.bandOfString.set(label, band);
    }
    this.add(band, u64(p.view, p.start + 1), timeNs);
  }

  private add(band: number, bytes: number, timeNs: number): void {
    if (!this.open) {
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

  private newBand(stack: number, text: string): number {
    const band = this.bandCount++;
    if (band >= this.censusOfBand.length) {
      this.censusOfBand = grown(this.censusOfBand, band + 1);
      this.bytesOfBand = grown(this.bytesOfBand, band + 1);
      this.stackOfBand = grown(this.stackOfBand, band + 1);
    }
    this.stackOfBand[band] = stack;
    this.stringOfBand.push(text);
    return band;
  }

  /** The stack's ids without the MAIN frames GHC may leave at its outer end (innermost first). */
  private stackIds(stack: number): number[] {
    const ids = this.stacks.ids(stack);
    while (ids.length > 0 && this.costCentres.isMain(ids[ids.length - 1])) {
      ids.pop();
    }
    return ids;
  }

  private frames(ids: number[]): FrameNames[] {
    const cc = this.costCentres;
    return ids.map((id) => ({ plain: cc.bandPart(id), qualified: cc.qualifiedFrame(id), src: cc.get(id).src }));
  }

  /** Labels the bands that have none yet, in band order (see band-labels.ts: a label never changes). */
  private labelNewBands(): void {
    for (let band = this.labels.length; band < this.bandCount; band++) {
      const stack = this.stackOfBand[band];
      if (stack === STRING_BAND) {
        this.labelStringBand(band);
        continue;
      }
      const ids = this.stackIds(stack);
      const label = this.labeller.label(this.frames(ids));
      this.labels.push(label);
      setOwn(
        this.bandStacks,
        label,
        ids.length === 0 ? ['MAIN.MAIN'] : ids.map((id) => this.costCentres.qualified(id))
      );
    }
  }

  /** A string band keeps its text, unless an IPE event describes it (a -hi band): then it is named by that. */
  private labelStringBand(band: number): void {
    const text = this.stringOfBand[band];
    const info = this.infoTables.lookup(text);
    if (info === undefined) {
      this.labeller.reserve(text, null);
      this.labels.push(text);
      return;
    }
    const base = infoTableBandLabel(info);
    // Two tables of one binding (its thunks, say) read alike: their table names tell them apart.
    const label =
      [base, `${base} [${info.tableName}]`, `${base} [${info.address}]`].find((l) => !this.labeller.isTaken(l)) ??
      info.address;
    this.labeller.reserve(label, null);
    this.labels.push(label);
    setOwn(this.bandInfo, label, info);
  }

  /**
   * What later censuses need from earlier bytes: the breakdown, the bands (in order: stacks by their ids, so a stack
   * seen again is the same band), the IPE descriptions and the census still open (its time and the bytes per band
   * so far). The open census is taken out of this collector's censuses: it belongs to the bytes that complete it.
   * Labels are made per delta from the bands known then, so a stack that prints like a later one keeps its plain
   * label in the deltas before that one arrived; `bandStacks` names both.
   */
  suspend(): HeapCollectorState {
    this.labelNewBands();
    let open: HeapCollectorState['open'] = null;
    if (this.open) {
      const values: Array<[number, number]> = [];
      for (let i = 0; i < this.touchedCount; i++) {
        values.push([this.touched[i], this.bytesOfBand[this.touched[i]]]);
      }
      open = { time: this.censusTimes[this.censusCount], values };
      this.open = false;
    }
    const bands: HeapCollectorState['bands'] = [];
    for (let band = 0; band < this.bandCount; band++) {
      const stack = this.stackOfBand[band];
      const label = this.labels[band];
      bands.push(
        stack === STRING_BAND ? { label, text: this.stringOfBand[band] } : { label, stack: this.stacks.ids(stack) }
      );
    }
    return { mode: this.mode, began: this.began, bands, infoTables: this.infoTables.exportTables(), open };
  }

  /** Rebuilds the collector from `suspend`'s state (the cost-centre definitions must be restored first). */
  restoreState(state: HeapCollectorState): void {
    this.mode = state.mode;
    this.began = state.began;
    this.infoTables.restoreTables(state.infoTables);
    for (const { label, text, stack } of state.bands) {
      if (stack === undefined) {
        this.bandOfString.set(text ?? label, this.newBand(STRING_BAND, text ?? label));
        const info = this.infoTables.lookup(text ?? label);
        if (info !== undefined && label !== text) {
          setOwn(this.bandInfo, label, info);
        }
        this.labeller.reserve(label, null);
      } else {
        const interned = this.stacks.intern(stack);
        if (interned >= this.bandOfStack.length) {
          this.bandOfStack = grown(this.bandOfStack, interned + 1);
        }
        this.bandOfStack[interned] = this.newBand(interned, '') + 1;
        const ids = this.stackIds(interned);
        this.labeller.reserve(label, this.frames(ids));
        setOwn(
          this.bandStacks,
          label,
          ids.length === 0 ? ['MAIN.MAIN'] : ids.map((id) => this.costCentres.qualified(id))
        );
      }
      this.labels.push(label);
    }
    if (state.open !== null) {
      this.sampleBegin(0);
      // Exactly the time the census had (ns -> s -> ns need not round-trip).
      this.censusTimes[this.censusCount] = state.open.time;
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
    if (!this.began && this.censusCount === 0) {
      return undefined;
    }
    this.labelNewBands();
    const labels = this.labels;
    const bandStacks = this.bandStacks;
    const bandInfo = this.bandInfo;
    const samples: HeapSample[] = [];
    for (let k = 0; k < this.censusCount; k++) {
      const from = this.censusStart[k];
      const to = this.censusStart[k + 1];
      const values = to - from > FAST_RECORD_LIMIT ? dictionaryRecord() : {};
      for (let c = from; c < to; c++) {
        setOwn(values, labels[this.cellBand[c]], this.cellBytes[c]);
      }
      samples.push({ time: this.censusTimes[k], values });
    }
    // Censuses are written in order, but biographical ones all at the end with their own times: order by time.
    const inOrder = samples.every((s, i) => i === 0 || s.time >= samples[i - 1].time);
    const heap: HeapProfile = {
      mode: this.mode,
      job,
      timeBase: 'wall-clock',
      sampleUnit: 'seconds',
      valueUnit: 'bytes',
      bands: [...labels],
      samples: inOrder ? samples : samples.sort((a, b) => a.time - b.time),
      marks: marksNs.map((t) => t / NS_PER_S),
    };
    if (Object.keys(bandStacks).length > 0) {
      heap.bandStacks = { ...bandStacks };
    }
    if (Object.keys(bandInfo).length > 0) {
      heap.bandInfo = { ...bandInfo };
    }
    return heap;
  }
}
