import type { FrameInfo } from '../../model/builder';
import type { Payload } from './payload';
import { CStrings } from './payload';

/** A cost centre as HeapProfCostCentre (161) defines it. */
export interface CostCentre {
  id: number;
  label: string;
  module: string;
  src: string;
  isCaf: boolean;
}

/**
 * Cost-centre definitions by id. Samples (163, 167) name cost centres by id only, so everything that turns a
 * sample into names goes through here; an id without a definition (a cut-off or damaged log) gets a placeholder.
 */
export class CostCentreTable {
  private readonly byId = new Map<number, CostCentre>();
  private readonly missing = new Set<number>();
  private readonly frames = new Map<number, FrameInfo>();
  private readonly qualifiedNames = new Map<number, string>();

  /** HeapProfCostCentre: id u32, label, module, srcloc (NUL-terminated), flags u8 (bit 0: CAF). */
  define(p: Payload): void {
    if (p.end - p.start < 4) {
      return;
    }
    const id = p.view.getUint32(p.start);
    const strings = new CStrings(p, p.start + 4);
    const label = strings.next();
    const module = strings.next();
    const src = strings.next();
    const flagsAt = strings.offset();
    const isCaf = flagsAt < p.end && (p.bytes[flagsAt] & 1) === 1;
    this.byId.set(id, { id, label, module, src, isCaf });
  }

  get(id: number): CostCentre {
    const cc = this.byId.get(id);
    if (cc) {
      return cc;
    }
    this.missing.add(id);
    return { id, label: `<cost centre ${id}>`, module: '<unknown>', src: '', isCaf: false };
  }

  get size(): number {
    return this.byId.size;
  }

  /** Ids used by samples but never defined (for a warning). */
  missingIds(): number[] {
    return [...this.missing].filter((id) => !this.byId.has(id)).sort((a, b) => a - b);
  }

  /** The call-tree frame of a cost centre (one shared object per id: tree building reads it, never keeps it). */
  frame(id: number): FrameInfo {
    let frame = this.frames.get(id);
    if (frame === undefined) {
      const cc = this.get(id);
      frame = { label: cc.label, module: cc.module, src: cc.src, ccId: cc.id };
      if (this.byId.has(id)) {
        this.frames.set(id, frame);
      }
    }
    return frame;
  }

  /** The part a `.hp` -hc band label shows for this cost centre: CAFs as `Module.CAF`, others by label. */
  bandPart(id: number): string {
    const cc = this.get(id);
    return cc.isCaf || cc.label === 'CAF' ? `${cc.module}.CAF` : cc.label;
  }

  /** `Module.label` (cached per id: every band stack repeats its callers' names). */
  qualified(id: number): string {
    let name = this.qualifiedNames.get(id);
    if (name === undefined) {
      const cc = this.get(id);
      name = `${cc.module}.${cc.label}`;
      if (this.byId.has(id)) {
        this.qualifiedNames.set(id, name);
      }
    }
    return name;
  }

  /** A frame named in full: `Module.label`, CAFs as `Module.CAF`. */
  qualifiedFrame(id: number): string {
    const cc = this.get(id);
    return cc.isCaf || cc.label === 'CAF' ? `${cc.module}.CAF` : this.qualified(id);
  }

  /** The id of the MAIN cost centre, when defined. */
  mainId(): number | undefined {
    for (const cc of this.byId.values()) {
      if (cc.label === 'MAIN' && cc.module === 'MAIN') {
        return cc.id;
      }
    }
    return undefined;
  }

  isMain(id: number): boolean {
    const cc = this.byId.get(id);
    return cc !== undefined && cc.label === 'MAIN' && cc.module === 'MAIN';
  }

  /** The definitions seen so far (a continuation keeps them: later samples name them by id). */
  exportDefinitions(): CostCentre[] {
    return [...this.byId.values()];
  }

  restoreDefinitions(defs: CostCentre[]): void {
    for (const cc of defs) {
      this.byId.set(cc.id, cc);
    }
  }
}
