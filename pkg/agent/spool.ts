/**
 * The agent's durable spool. Bytes cut from a watched artefact are copied into `pieces/` before they are uploaded,
 * and `state.json` records, per artefact, how far the source has been spooled and how far the server has
 * acknowledged. Both are written with write-fsync-rename, and a piece file is written before the state that
 * names it, so after a crash of the agent:
 *   - a piece named in the state is on disk and is uploaded (again, if its acknowledgement was lost: the server
 *     answers an identical upload or append with the same id instead of storing it twice);
 *   - a piece file not named in the state is an orphan and is deleted (its bytes are still in the source, past
 *     `spooledOffset`, and are cut again);
 *   - nothing the server acknowledged is uploaded again, because `ackedOffset` is persisted before the piece is dropped.
 * Copies, rather than offsets into the source, keep the data safe when the program restarts and truncates its
 * `.hp`, or when the source is deleted. The spool is bounded: `enqueue` refuses when full (the watcher keeps the
 * data in the source and tries again later).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProfileKind } from '../model/types';
import { syncDirectory, writeFileDurably } from './durable';
import type { Labels } from './labels';

/** How the spool recognises that a path still holds the same artefact (and not a rewritten file). */
export interface SourceIdentity {
  ino: number;
  /** sha256 of the first `headLength` bytes. */
  headHash: string;
  headLength: number;
}

export interface ArtefactRecord {
  /** `path#generation`: a path rewritten from scratch becomes a new artefact. */
  key: string;
  /** Relative to the watched directory. */
  path: string;
  generation: number;
  kind: ProfileKind;
  identity: SourceIdentity;
  labels: Labels;
  /** ms epoch: when the run that writes a growing artefact started (the file's birth time), sent as `start`. */
  startedAt?: number;
  /** Bytes of the source copied into the spool. */
  spooledOffset: number;
  /** Up to 64 bytes just before `spooledOffset` (base64): a file rewritten in place no longer has them there. */
  spooledTail: string;
  /** Bytes of the source the server has acknowledged. */
  ackedOffset: number;
  profileId: string | null;
  /** Nothing more will be spooled (written-once artefact spooled, or the eventlog's end marker seen). */
  complete: boolean;
  /** Source size and mtime when spooling completed (written-once artefacts: a change means a new run). */
  completedAt?: { size: number; mtimeMs: number };
  /** The server refused it for good (4xx); the message says why. */
  rejected?: string;
}

export interface PieceRecord {
  seq: number;
  key: string;
  /** Offset of the piece in the source artefact. */
  offset: number;
  length: number;
  sha256: string;
}

interface SpoolState {
  version: 1;
  nextSeq: number;
  artefacts: Record<string, ArtefactRecord>;
  /** The current generation's key per path. */
  current: Record<string, string>;
  /** FIFO; pieces of one artefact are in offset order. */
  pieces: PieceRecord[];
}

export type EnqueueResult = 'queued' | 'full';

const TAIL_BYTES = 64;

export class Spool {
  private listeners = new Set<() => void>();
  /** Serialises state writes: the watcher and the uploader both change the state. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private state: SpoolState
  ) {}

  static async open(dir: string, maxBytes: number): Promise<Spool> {
    await mkdir(join(dir, 'pieces'), { recursive: true });
    const state = await readState(join(dir, 'state.json'));
    const spool = new Spool(dir, maxBytes, state);
    await spool.removeOrphans();
    return spool;
  }

  get statePath(): string {
    return join(this.dir, 'state.json');
  }

  /** Calls `fn` whenever a piece is queued (the uploader waits on it). */
  onQueued(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  current(path: string): ArtefactRecord | undefined {
    const key = this.state.current[path];
    return key === undefined ? undefined : this.state.artefacts[key];
  }

  artefact(key: string): ArtefactRecord | undefined {
    return this.state.artefacts[key];
  }

  artefacts(): ArtefactRecord[] {
    return Object.values(this.state.artefacts);
  }

  pieces(): readonly PieceRecord[] {
    return this.state.pieces;
  }

  /** Would a piece of `bytes` fit under the size limit now? */
  hasRoomFor(bytes: number): boolean {
    return this.pendingBytes() + bytes <= this.maxBytes;
  }

  pendingBytes(): number {
    return this.state.pieces.reduce((sum, p) => sum + p.length, 0);
  }

  /** Starts a new generation of `path` (a file seen for the first time, or rewritten from scratch). */
  async begin(
    path: string,
    kind: ProfileKind,
    identity: SourceIdentity,
    labels: Labels,
    startedAt?: number
  ): Promise<ArtefactRecord> {
    const previous = this.current(path);
    const generation = previous ? previous.generation + 1 : 1;
    const record: ArtefactRecord = {
      key: `${path}#${generation}`,
      path,
      generation,
      kind,
      identity,
      labels,
      startedAt,
      spooledOffset: 0,
      spooledTail: '',
      ackedOffset: 0,
      profileId: null,
      complete: false,
    };
    this.state.artefacts[record.key] = record;
    this.state.current[path] = record.key;
    await this.persist();
    return record;
  }

  /**
   * Copies `bytes` (the source's bytes at `offset`, which must be where the last piece ended) into the spool.
   * Returns 'full' without changing anything when the spool's size limit would be exceeded.
   */
  async enqueue(
    key: string,
    offset: number,
    bytes: Buffer,
    done?: { size: number; mtimeMs: number }
  ): Promise<EnqueueResult> {
    const record = this.mustGet(key);
    if (offset !== record.spooledOffset) {
      throw new Error(`spool: piece of ${key} at offset ${offset}, but ${record.spooledOffset} bytes were spooled`);
    }
    if (bytes.length > 0 && !this.hasRoomFor(bytes.length)) return 'full';
    if (bytes.length > 0) {
      const piece: PieceRecord = {
        seq: this.state.nextSeq++,
        key,
        offset,
        length: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
      await writeFileDurably(this.piecePath(piece), bytes);
      this.state.pieces.push(piece);
      record.spooledOffset += bytes.length;
      record.spooledTail = bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)).toString('base64');
    }
    if (done) {
      record.complete = true;
      record.completedAt = done;
    }
    await this.persist();
    if (bytes.length > 0) for (const fn of this.listeners) fn();
    return 'queued';
  }

  /** The next piece to upload, with its bytes. */
  async next(): Promise<{ piece: PieceRecord; artefact: ArtefactRecord; bytes: Buffer } | undefined> {
    const piece = this.state.pieces[0];
    if (!piece) return undefined;
    const bytes = await readFile(this.piecePath(piece));
    return { piece, artefact: this.mustGet(piece.key), bytes };
  }

  /** The server stored `piece` (as profile `profileId`): record it, then drop the copy. */
  async acknowledge(piece: PieceRecord, profileId: string): Promise<void> {
    const record = this.mustGet(piece.key);
    record.ackedOffset = piece.offset + piece.length;
    record.profileId = profileId;
    this.state.pieces = this.state.pieces.filter((p) => p.seq !== piece.seq);
    await this.persist();
    await this.removePieceFile(piece);
  }

  /** The server refused the artefact for good: drop its queued pieces and spool nothing more of it. */
  async reject(key: string, reason: string): Promise<number> {
    const record = this.mustGet(key);
    const dropped = this.state.pieces.filter((p) => p.key === key);
    record.rejected = reason;
    record.complete = true;
    this.state.pieces = this.state.pieces.filter((p) => p.key !== key);
    await this.persist();
    for (const piece of dropped) await this.removePieceFile(piece);
    return dropped.length;
  }

  /**
   * The source at `path` is gone: forget its artefacts that have nothing left to upload (keeps the state file
   * small). An artefact with queued pieces stays until they are uploaded.
   */
  async forget(path: string): Promise<void> {
    const queued = new Set(this.state.pieces.map((p) => p.key));
    const done = Object.values(this.state.artefacts).filter((r) => r.path === path && !queued.has(r.key));
    if (done.length === 0) return;
    for (const r of done) delete this.state.artefacts[r.key];
    if (!this.current(path)) delete this.state.current[path];
    await this.persist();
  }

  /** Does `tail` (the source's bytes just before `record.spooledOffset`) match what was spooled? */
  static tailMatches(record: ArtefactRecord, tail: Buffer): boolean {
    return tail.toString('base64') === record.spooledTail;
  }

  static tailLength(record: ArtefactRecord): number {
    return Math.min(TAIL_BYTES, record.spooledOffset);
  }

  private mustGet(key: string): ArtefactRecord {
    const record = this.state.artefacts[key];
    if (!record) throw new Error(`spool: unknown artefact ${key}`);
    return record;
  }

  private piecePath(piece: PieceRecord): string {
    return join(this.dir, 'pieces', `${String(piece.seq).padStart(10, '0')}.bin`);
  }

  private async removePieceFile(piece: PieceRecord): Promise<void> {
    await unlink(this.piecePath(piece)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  private persist(): Promise<void> {
    const snapshot = JSON.stringify(this.state, null, 1);
    this.writing = this.writing.then(() => writeFileDurably(this.statePath, snapshot));
    return this.writing;
  }

  /** Piece files the state does not name were written by an agent that died before recording them. */
  private async removeOrphans(): Promise<void> {
    const named = new Set(this.state.pieces.map((p) => this.piecePath(p)));
    const dir = join(this.dir, 'pieces');
    let removed = 0;
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (!named.has(path)) {
        await unlink(path);
        removed++;
      }
    }
    if (removed > 0) await syncDirectory(dir);
  }
}

async function readState(path: string): Promise<SpoolState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { version: 1, nextSeq: 1, artefacts: {}, current: {}, pieces: [] };
    throw err;
  }
  let state: SpoolState;
  try {
    state = JSON.parse(text) as SpoolState;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message}); move it away to start with an empty spool`);
  }
  if (state.version !== 1 || !Array.isArray(state.pieces))
    throw new Error(`${path}: unknown spool state version ${String(state.version)}`);
  return state;
}
