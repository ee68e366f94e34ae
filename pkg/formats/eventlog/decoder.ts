import type { ProfileData } from '../../model/types';
import { ProfileCollector, type CollectorState } from './collector';
import { EventFramer, type FramerCut } from './framing';

/** An eventlog decoder's continuation state (JSON-serialisable): the framer's cut and the collector's state. */
export interface EventlogState {
  framer: FramerCut;
  collector: CollectorState;
}

/**
 * Push decoder for binary GHC eventlogs: `push` chunks as they arrive (any size, split anywhere), then `end` for the
 * profile. Only the unread tail of the input is held (see EventFramer); the decoded model keeps aggregates (heap
 * censuses, the sampled call tree, RTS series), so memory does not grow with the bytes read.
 * Throws FormatError (from push or end) when the header is not an eventlog header.
 */
export class EventlogDecoder {
  private readonly collector = new ProfileCollector();
  private readonly framer: EventFramer;

  constructor(opts: { file?: string } = {}) {
    this.framer = new EventFramer(this.collector, opts.file);
  }

  push(chunk: Uint8Array): void {
    this.framer.push(chunk);
  }

  /** Input bytes currently held (for callers and tests that check memory stays bounded). */
  get bufferedBytes(): number {
    return this.framer.bufferedBytes;
  }

  /**
   * Stops reading (instead of `end`): the profile of what completed so far (the delta of these bytes) and the
   * state to resume from, whose `framer.offset` is the first byte the resumed decoder must be given. `damaged`
   * instead while the bytes since `offset` do not parse as events (garbage, or damage not resolved yet).
   */
  suspend(): { delta: ProfileData; state: EventlogState } | { damaged: { offset: number; reason: string } } {
    const cut = this.framer.suspend();
    if (cut === null) {
      return { damaged: this.framer.damagedAt() };
    }
    const { delta, state } = this.collector.suspend(this.framer.summary());
    return { delta, state: { framer: cut, collector: state } };
  }

  /** A decoder that reads on from a state of `suspend`: push it the bytes from `state.framer.offset` on. */
  static resume(state: EventlogState, opts: { file?: string } = {}): EventlogDecoder {
    const decoder = new EventlogDecoder(opts);
    decoder.framer.resume(state.framer);
    decoder.collector.restore(state.collector);
    return decoder;
  }

  end(): ProfileData {
    return this.collector.finish(this.framer.end());
  }
}
