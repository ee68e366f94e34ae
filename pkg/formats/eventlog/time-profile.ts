import { TreeBuilder } from '../../model/builder';
import type { CallTree } from '../../model/types';
import type { CostCentreTable } from './cost-centres';
import type { Payload } from './payload';
import { u64 } from './payload';
import { StackTable } from './stack-table';
import { grown } from './typed-arrays';

/**
 * The `-p` time profile as the eventlog carries it: ProfBegin (168) gives the tick interval, then every tick each
 * capability posts a ProfSampleCostCentre (167) with its current cost-centre stack (innermost first, MAIN left
 * out). A sample is one tick of its stack; the call tree is the sum over samples.
 */
interface IdNode {
  ticks: number;
  children: Map<number, IdNode>;
}

export class TimeProfileCollector {
  private tickIntervalNs = 0;
  private sampleCount = 0;
  private malformed = 0;
  private readonly stacks = new StackTable();
  private ticksOfStack = new Float64Array(256);

  constructor(private readonly costCentres: CostCentreTable) {}

  /** ProfBegin: tick interval u64 in ns. */
  begin(p: Payload): void {
    if (p.end - p.start >= 8) {
      this.tickIntervalNs = u64(p.view, p.start);
    }
  }

  /** ProfSampleCostCentre: capability u32, current tick u64, depth u8, depth × cost-centre id u32. */
  sample(p: Payload): void {
    const stack = this.stacks.sampleStack(p, 12);
    if (stack < 0) {
      this.malformed++;
      return;
    }
    if (stack >= this.ticksOfStack.length) {
      this.ticksOfStack = grown(this.ticksOfStack, stack + 1);
    }
    this.ticksOfStack[stack]++;
    this.sampleCount++;
  }

  /** What later samples need from earlier bytes: the tick interval of ProfBegin. */
  exportState(): { tickIntervalNs: number } {
    return { tickIntervalNs: this.tickIntervalNs };
  }

  restoreState(state: { tickIntervalNs: number }): void {
    this.tickIntervalNs = state.tickIntervalNs;
  }

  get samples(): number {
    return this.sampleCount;
  }

  /** Microseconds per tick, when ProfBegin was seen. */
  get tickIntervalUs(): number | undefined {
    return this.tickIntervalNs > 0 ? this.tickIntervalNs / 1000 : undefined;
  }

  warnings(): string[] {
    const w: string[] = [];
    if (this.malformed > 0) {
      w.push(`${this.malformed} time-profile sample event(s) too short for their fields were skipped`);
    }
    if (this.sampleCount > 0 && this.tickIntervalNs === 0) {
      w.push('time-profile samples without a ProfBegin event: tick interval assumed to be 1000 us');
    }
    return w;
  }

  build(): CallTree | undefined {
    if (this.sampleCount === 0) {
      return undefined;
    }
    const ccs = this.costCentres;
    const root = { label: 'MAIN', module: 'MAIN', src: '<built-in>', ccId: ccs.mainId() };
    const builder = new TreeBuilder(root, this.tickIntervalUs ?? 1000);
    // Sum the stacks into a tree by cost-centre id first, so the builder (which merges children by name with a
    // linear scan) sees each path once instead of once per stack.
    const byId = this.idTree();
    builder.addRootSelf({ ticks: byId.ticks });
    const enter = (node: IdNode): void => {
      for (const [id, child] of node.children) {
        builder.enter(ccs.frame(id), { ticks: child.ticks });
        enter(child);
        builder.leave();
      }
    };
    enter(byId);
    return builder.build();
  }

  /** The sampled stacks as a tree of cost-centre ids, outermost first, MAIN at the outer end being the root. */
  private idTree(): IdNode {
    const root: IdNode = { ticks: 0, children: new Map() };
    for (let stack = 0; stack < this.stacks.size; stack++) {
      const ticks = this.ticksOfStack[stack];
      if (ticks === 0) {
        continue;
      }
      let node = root;
      for (let i = this.stacks.depth(stack) - 1; i >= 0; i--) {
        const id = this.stacks.id(stack, i);
        if (node === root && this.costCentres.isMain(id)) {
          continue;
        }
        let child = node.children.get(id);
        if (child === undefined) {
          child = { ticks: 0, children: new Map() };
          node.children.set(id, child);
        }
        node = child;
      }
      node.ticks += ticks;
    }
    return root;
  }
}
