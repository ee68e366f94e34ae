/**
 * The bytes of one eventlog-socket connection that are not spooled yet. A connection carries one eventlog from
 * its header on (the RTS restarts its eventlog, header first, for every client that connects), so the absolute
 * offset of a received byte is its offset in that connection. Pieces are cut at the same boundaries as a growing
 * .eventlog file (artefact.ts): complete blocks while the stream runs, every complete event once it has closed
 * (a disconnect in the middle of a block: the rest of that block is never sent, the next client gets a new header).
 */
import { eventlogPieceExtent, readEventlogHeader, type EventlogHeader } from './artefact';

export interface StreamPiece {
  /** Offset of the piece in the connection's eventlog. */
  offset: number;
  bytes: Buffer;
  /** The end-of-data marker is in the piece: the program ended its eventlog. */
  finished: boolean;
  /** Bytes from here on do not frame as events (they are not in the piece). */
  corrupt?: { offset: number; message: string };
}

export class EventlogStream {
  private chunks: Buffer[] = [];
  private held = 0;
  private taken = 0;
  private header: EventlogHeader | null = null;

  /** Received bytes not taken yet. */
  get pendingBytes(): number {
    return this.held;
  }

  /** Bytes taken so far: the offset the next piece starts at. */
  get offset(): number {
    return this.taken;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.held += chunk.length;
  }

  /**
   * The complete part of the pending bytes (left pending until `commit`), undefined while there is none, or an Error
   * naming the byte offset when the stream does not start with an eventlog header. `closed`: the connection is gone,
   * so complete events of an unfinished block count too.
   */
  peek(closed: boolean): StreamPiece | Error | undefined {
    if (this.held === 0) return undefined;
    const buf = this.pending();
    if (!this.header) {
      const header = readEventlogHeader(buf);
      if (header === null) return undefined;
      if (header instanceof Error) return header;
      this.header = header;
    }
    const extent = eventlogPieceExtent(this.header, buf, this.taken, { partialBlocks: closed });
    if (!extent || extent.end <= this.taken) return undefined;
    return {
      offset: this.taken,
      bytes: buf.subarray(0, extent.end - this.taken),
      finished: extent.finished,
      corrupt: extent.corrupt,
    };
  }

  /** The first `length` pending bytes are spooled. */
  commit(length: number): void {
    const rest = this.pending().subarray(length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.held = rest.length;
    this.taken += length;
  }

  private pending(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }
}
