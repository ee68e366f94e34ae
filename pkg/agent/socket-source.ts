/**
 * `ghcprof agent --eventlog-socket PATH`: a live eventlog from a program built with well-typed's eventlog-socket
 * library. The *program* listens on the Unix socket (the path it is given, e.g. in GHC_EVENTLOG_SOCKET) and writes
 * its eventlog to whichever client is connected; the agent is that client. When the client goes, the RTS drops
 * events until the next one connects, then restarts its eventlog with a fresh header. So each connection is one
 * growing artefact (a new spool generation of `socket:PATH`, one profile on the server), cut into pieces exactly as
 * a growing .eventlog file is, and uploaded by the same spool and uploader (first piece, then appends).
 *
 * Durability: a piece is copied into the spool (fsync) before it counts as taken. What is still in memory when the
 * agent dies (at most the unfinished block) was never spooled; the program resends nothing, and the next
 * connection is a new profile. An artefact whose connection was lost with the agent is finished at the next start.
 */
import { createHash } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';
import { basename } from 'node:path';
import { EventlogStream, type StreamPiece } from './eventlog-stream';
import type { Labels } from './labels';
import type { AgentLog } from './log';
import { Poller } from './poller';
import type { ArtefactRecord, Spool } from './spool';
import { formatBytes } from './units';

export interface SocketSourceOptions {
  /** The Unix socket the Haskell program listens on. */
  path: string;
  spool: Spool;
  labels: Labels;
  /** Cut a piece of the complete blocks received this often. */
  intervalMs: number;
  /** How often to try connecting while the program is not listening, and to look at the connection. */
  pollMs: number;
  log: AgentLog;
  now?: () => number;
}

/** Above this many unspooled bytes the agent stops reading (the RTS keeps the rest in its own write queue). */
const MAX_PENDING_BYTES = 16 << 20;
const HEAD_IDENTITY_BYTES = 4096;

interface Connection {
  socket: Socket;
  stream: EventlogStream;
  record: ArtefactRecord | null;
  closed: boolean;
  lastCutAt: number;
}

export class EventlogSocketSource {
  /** The spool path of this source's artefacts (one generation per connection). */
  readonly key: string;
  private readonly poller: Poller;
  private readonly now: () => number;
  private conn: Connection | null = null;
  private lastConnectError: string | null = null;
  private stopping = false;

  constructor(private readonly opts: SocketSourceOptions) {
    this.key = `socket:${opts.path}`;
    this.now = opts.now ?? Date.now;
    this.poller = new Poller(
      () => this.pass(),
      opts.pollMs,
      (err) => this.opts.log.error(`${this.key}: ${err.message}`)
    );
  }

  /** Finishes the artefact of a connection lost with the previous agent, then connects. */
  async start(): Promise<void> {
    const left = this.opts.spool.current(this.key);
    if (left && !left.complete) await this.finish(left);
    this.poller.start();
  }

  /** Closes the connection after spooling every complete event received (the agent is stopping). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.poller.stop();
    const conn = this.conn;
    if (!conn) return;
    conn.socket.destroy();
    conn.closed = true;
    await this.cut(conn);
  }

  private async pass(): Promise<void> {
    const conn = this.conn;
    if (!conn) {
      if (!this.stopping) await this.connect();
      return;
    }
    if (conn.closed || this.now() - conn.lastCutAt >= this.opts.intervalMs) await this.cut(conn);
  }

  private connect(): Promise<void> {
    return new Promise((resolve) => {
      const socket = createConnection({ path: this.opts.path });
      socket.once('connect', () => {
        socket.off('error', refused);
        this.lastConnectError = null;
        this.opts.log.info(`${this.key}: connected; a new eventlog (header first)`);
        this.attach(socket);
        resolve();
      });
      const refused = (err: NodeJS.ErrnoException) => {
        // ENOENT / ECONNREFUSED: the program is not (yet, or no longer) listening. Said once, not every poll.
        if (err.code !== this.lastConnectError)
          this.opts.log.info(`${this.key}: cannot connect (${err.code ?? err.message}); retrying`);
        this.lastConnectError = err.code ?? err.message;
        socket.destroy();
        resolve();
      };
      socket.once('error', refused);
    });
  }

  private attach(socket: Socket): void {
    const conn: Connection = { socket, stream: new EventlogStream(), record: null, closed: false, lastCutAt: 0 };
    this.conn = conn;
    socket.on('data', (chunk: Buffer) => {
      conn.stream.push(chunk);
      if (conn.stream.pendingBytes >= MAX_PENDING_BYTES) socket.pause();
    });
    socket.on('error', (err) => this.opts.log.warn(`${this.key}: connection error: ${err.message}`));
    socket.on('close', () => {
      conn.closed = true;
    });
  }

  /** Spools the complete part of what `conn` received; a closed connection's artefact is then finished. */
  private async cut(conn: Connection): Promise<void> {
    const piece = conn.stream.peek(conn.closed);
    if (piece instanceof Error) {
      this.opts.log.error(`${this.key}: ${piece.message}; closing the connection`);
      conn.socket.destroy();
      if (conn.record) await this.opts.spool.reject(conn.record.key, piece.message);
      this.conn = null;
      return;
    }
    if (piece && !(await this.spoolPiece(conn, piece))) return; // spool full: the bytes wait in memory
    conn.lastCutAt = this.now();
    if (conn.stream.pendingBytes < MAX_PENDING_BYTES) conn.socket.resume();
    if (!conn.closed && !piece?.finished) return;
    if (conn.record) await this.finish(conn.record);
    const lost = conn.stream.pendingBytes;
    this.opts.log.info(
      `${this.key}: connection closed after ${formatBytes(conn.stream.offset)}` +
        (lost > 0 ? ` (${formatBytes(lost)} of an unfinished event dropped)` : '')
    );
    conn.socket.destroy();
    if (this.conn === conn) this.conn = null;
  }

  private async spoolPiece(conn: Connection, piece: StreamPiece): Promise<boolean> {
    if (piece.corrupt) this.opts.log.warn(`${this.key}: byte offset ${piece.corrupt.offset}: ${piece.corrupt.message}`);
    if (!conn.record) {
      const head = piece.bytes.subarray(0, HEAD_IDENTITY_BYTES);
      conn.record = await this.opts.spool.begin(
        this.key,
        'eventlog',
        { ino: 0, headHash: createHash('sha256').update(head).digest('hex'), headLength: head.length },
        { ...this.opts.labels, socket: basename(this.opts.path) }
      );
    }
    const result = await this.opts.spool.enqueue(conn.record.key, piece.offset, piece.bytes);
    if (result === 'full') {
      this.opts.log.warn(
        `${this.key}: spool full (--spool-max-bytes); ${formatBytes(conn.stream.pendingBytes)} wait in memory`
      );
      return false;
    }
    conn.stream.commit(piece.bytes.length);
    if (piece.corrupt) conn.closed = true; // nothing after damage can be placed: a reconnect starts afresh
    return true;
  }

  private async finish(record: ArtefactRecord): Promise<void> {
    await this.opts.spool.enqueue(record.key, record.spooledOffset, Buffer.alloc(0), {
      size: record.spooledOffset,
      mtimeMs: this.now(),
    });
  }
}
