/**
 * Labels of -hc bands, one per distinct cost-centre stack. A stack is shown like a `.hp` band (innermost/caller/...,
 * CAFs as `Module.CAF`), but the eventlog has no stack ids to tell apart stacks that print alike (`build` of two
 * modules called from one place, or two instance methods of one class in one module). A stack that prints like an
 * earlier band gets more detail, step by step until it differs from every earlier stack that printed alike: first
 * its innermost frames qualified by module, one frame more per step (`AlikeB.build/main`), then with source
 * locations as well (`AlikeA.weight (src/AlikeA.hs:22:3-28)/main`); one that differs in nothing shown is numbered
 * (`go/main [2]`).
 *
 * A label once given never changes (the first of the alike stacks keeps the plain one): the deltas of an
 * incremental read are stored as they are, and a whole read labels the bands in the same order, so both agree.
 */

/** How one cost centre can be printed. */
export interface FrameNames {
  /** As the `.hp` prints it: the label, or `Module.CAF`. */
  plain: string;
  /** `Module.label` (CAFs: `Module.CAF`). */
  qualified: string;
  src: string;
}

export class BandLabeller {
  private readonly taken = new Set<string>();
  /** Stacks labelled so far, by their plain rendering. */
  private readonly byPlain = new Map<string, FrameNames[][]>();

  /** Takes a label given elsewhere (a string band, or a label restored from a continuation). */
  reserve(label: string, frames: FrameNames[] | null): void {
    this.taken.add(label);
    if (frames !== null) {
      const plain = render(frames, 0, false);
      this.byPlain.set(plain, [...(this.byPlain.get(plain) ?? []), frames]);
    }
  }

  isTaken(label: string): boolean {
    return this.taken.has(label);
  }

  /** The label of a new stack (frames innermost first). */
  label(frames: FrameNames[]): string {
    const plain = render(frames, 0, false);
    const rivals = this.byPlain.get(plain) ?? [];
    const label = this.taken.has(plain) ? this.refined(frames, rivals, plain) : plain;
    this.reserve(label, frames);
    return label;
  }

  private refined(frames: FrameNames[], rivals: FrameNames[][], plain: string): string {
    const depth = Math.max(frames.length, ...rivals.map((r) => r.length));
    for (const withSrc of [false, true]) {
      for (let detailed = 1; detailed <= depth; detailed++) {
        const candidate = render(frames, detailed, withSrc);
        if (!this.taken.has(candidate) && rivals.every((r) => render(r, detailed, withSrc) !== candidate)) {
          return candidate;
        }
      }
    }
    let n = 2;
    while (this.taken.has(`${plain} [${n}]`)) {
      n++;
    }
    return `${plain} [${n}]`;
  }
}

function render(frames: FrameNames[], detailed: number, withSrc: boolean): string {
  if (frames.length === 0) {
    return 'MAIN';
  }
  return frames
    .map((f, i) => {
      if (i >= detailed) {
        return f.plain;
      }
      return withSrc && f.src !== '' ? `${f.qualified} (${f.src})` : f.qualified;
    })
    .join('/');
}
