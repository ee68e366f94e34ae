import type { ProfileData } from '../../model/types';
import { ProfileCollector } from './collector';
import { EventFramer } from './framing';

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

  end(): ProfileData {
    return this.collector.finish(this.framer.end());
  }
}
