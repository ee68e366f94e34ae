/**
 * Watches the directory the Haskell container writes its profiling artefacts into (polling: it works the same on
 * emptyDir, NFS and bind mounts, and a scan of a few files per second costs nothing) and hands complete data to
 * the spool:
 *   - a written-once artefact (`.prof` text or `-pj` JSON) once it has not changed for `settleMs`;
 *   - a growing `.hp` / `.eventlog` every `intervalMs` (and when it settles): the bytes from where the last piece
 *     ended up to the last complete heap sample / event block.
 * A file rewritten from scratch (the program restarted and truncated its `.hp`) is detected by its inode, its size
 * and the bytes around what was already spooled, and becomes a new artefact.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, stat, unlink } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import {
  CANDIDATE_NAME,
  SNIFF_BYTES,
  eventlogPieceExtent,
  hpCompleteExtent,
  isGrowingKind,
  readEventlogHeader,
  sniffKind,
  type CompleteExtent,
  type EventlogHeader,
} from './artefact';
import type { Labels } from './labels';
import type { AgentLog } from './log';
import type { AgentMetrics } from './metrics';
import { defaultPollMs, Poller } from './poller';
import { Spool, type ArtefactRecord, type SourceIdentity } from './spool';
import { formatBytes } from './units';

export interface WatcherOptions {
  dir: string;
  spool: Spool;
  labels: Labels;
  settleMs: number;
  intervalMs: number;
  /** How often the directory is scanned. */
  pollMs?: number;
  deleteAfterUpload?: boolean;
  /** Largest piece cut from a growing file in one go (a big backlog is cut into several pieces). */
  maxPieceBytes?: number;
  log: AgentLog;
  metrics?: AgentMetrics;
  now?: () => number;
  /**
   * The labels of the artefact at `rel` (relative to `dir`), or undefined to leave the file alone for now.
   * Default: `labels` plus `file: rel`. The node layout derives them from the path (see layout.ts).
   */
  labelsOf?: (rel: string) => Labels | undefined;
}

/** What the watcher remembers about a file between scans (in memory only; the spool holds what must survive). */
interface Observation {
  size: number;
  mtimeMs: number;
  ino: number;
  /** When size, mtime or inode last changed. */
  changedAt: number;
  /** When the last piece was cut (growing files). */
  lastCutAt: number;
  /** Identity checked against the spool since the last change. */
  verified: boolean;
  header?: EventlogHeader;
  /** Warnings already logged for this file, so a problem is reported once, not every scan. */
  warned: Set<string>;
}

/** When a growing file is cut: unchanged for --settle, and/or in the final scan after the program exited. */
interface CutMoment {
  settled: boolean;
  final: boolean;
}

const HEAD_IDENTITY_BYTES = 4096;
const MAX_HEADER_BYTES = 1 << 20;

export class Watcher {
  private readonly observed = new Map<string, Observation>();
  private readonly root: string;
  private readonly poller: Poller;
  private spoolFullSince: number | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: WatcherOptions) {
    this.root = resolve(opts.dir);
    this.now = opts.now ?? Date.now;
    this.poller = new Poller(
      () => this.scan(),
      opts.pollMs ?? defaultPollMs(opts.settleMs),
      (err) => this.opts.log.error(`watcher: scanning ${this.root} failed: ${err.message}`)
    );
  }

  start(): void {
    this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
  }

  /** When a watched file last changed (size, mtime or inode), as this watcher saw it; null before any file. */
  get lastChangeAt(): number | null {
    let latest: number | null = null;
    for (const obs of this.observed.values()) if (latest === null || obs.changedAt > latest) latest = obs.changedAt;
    return latest;
  }

  /**
   * One pass over the directory. `final`: the writer has exited (the agent is shutting down after the main
   * container, as a Kubernetes native sidecar does), so every file counts as settled.
   */
  async scan(opts: { final?: boolean } = {}): Promise<void> {
    const seen = new Set<string>();
    for (const path of await this.candidates(this.root)) {
      const rel = relative(this.root, path).split(sep).join('/');
      seen.add(rel);
      await this.visit(rel, path, opts.final ?? false).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') this.warnOnce(rel, `error:${err.message}`, `${rel}: ${err.message}`);
      });
    }
    for (const rel of [...this.observed.keys()]) {
      if (seen.has(rel)) continue;
      this.observed.delete(rel);
      await this.opts.spool.forget(rel);
    }
  }

  private async candidates(dir: string): Promise<string[]> {
    const found: string[] = [];
    const spoolDir = resolve(this.opts.spool.dir);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory() && path !== spoolDir) found.push(...(await this.candidates(path)));
      else if (entry.isFile() && CANDIDATE_NAME.test(entry.name)) found.push(path);
    }
    return found;
  }

  private async visit(rel: string, path: string, final: boolean): Promise<void> {
    const st = await stat(path);
    const now = this.now();
    const obs = this.observe(rel, st, now);
    const settled = final || now - obs.changedAt >= this.opts.settleMs;
    let record = this.opts.spool.current(rel);
    if (record && !obs.verified) {
      if (!(await this.sameArtefact(record, path, st))) record = undefined;
      obs.verified = true;
    }
    if (!record || (record.complete && !this.stillSameCompleted(record, st))) {
      record = await this.beginArtefact(rel, path, st, obs, settled);
      if (!record) return;
    }
    if (!record.complete) {
      if (isGrowingKind(record.kind)) {
        if (settled || now - obs.lastCutAt >= this.opts.intervalMs)
          await this.cutGrowing(record, path, obs, now, { settled, final });
      } else if (settled) {
        await this.cutWhole(record, path, st);
      }
    }
    if (settled && this.opts.deleteAfterUpload && this.finished(record, now - obs.changedAt)) {
      await this.deleteIfUploaded(record, rel, path, st.size);
    }
  }

  private observe(rel: string, st: { size: number; mtimeMs: number; ino: number }, now: number): Observation {
    let obs = this.observed.get(rel);
    if (!obs) {
      obs = {
        size: st.size,
        mtimeMs: st.mtimeMs,
        ino: st.ino,
        changedAt: now,
        lastCutAt: 0,
        verified: false,
        warned: new Set(),
      };
      this.observed.set(rel, obs);
    } else if (obs.size !== st.size || obs.mtimeMs !== st.mtimeMs || obs.ino !== st.ino) {
      if (obs.ino !== st.ino || st.size < obs.size) obs.header = undefined;
      Object.assign(obs, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, changedAt: now, verified: false });
    }
    return obs;
  }

  /** Is the file at `path` still the artefact the spool knows (not replaced, truncated or rewritten)? */
  private async sameArtefact(
    record: ArtefactRecord,
    path: string,
    st: { size: number; ino: number }
  ): Promise<boolean> {
    if (st.ino !== record.identity.ino || st.size < record.spooledOffset) return false;
    const head = await readRange(path, 0, record.identity.headLength);
    if (sha256(head) !== record.identity.headHash) return false;
    const tailLength = Spool.tailLength(record);
    const tail = await readRange(path, record.spooledOffset - tailLength, tailLength);
    return Spool.tailMatches(record, tail);
  }

  /** A completed written-once artefact whose file changed since was written again (a new run). */
  private stillSameCompleted(record: ArtefactRecord, st: { size: number; mtimeMs: number }): boolean {
    if (!record.completedAt || isGrowingKind(record.kind)) return true;
    return record.completedAt.size === st.size && record.completedAt.mtimeMs === st.mtimeMs;
  }

  private async beginArtefact(
    rel: string,
    path: string,
    st: { size: number; ino: number; birthtimeMs: number },
    obs: Observation,
    settled: boolean
  ): Promise<ArtefactRecord | undefined> {
    if (st.size === 0) return undefined;
    const labels = this.opts.labelsOf ? this.opts.labelsOf(rel) : { ...this.opts.labels, file: rel };
    if (!labels) return undefined;
    const head = await readRange(path, 0, Math.min(st.size, HEAD_IDENTITY_BYTES));
    const kind = sniffKind(head.subarray(0, SNIFF_BYTES));
    if (!kind) {
      if (settled) this.warnOnce(rel, 'unknown', `${rel}: not a GHC profiling artefact (by its first bytes); ignored`);
      return undefined;
    }
    if (!isGrowingKind(kind) && !settled) return undefined;
    const identity: SourceIdentity = { ino: st.ino, headHash: sha256(head), headLength: head.length };
    // GHC creates a .hp/.eventlog when the program starts: the file's birth time is the run's start.
    const startedAt = isGrowingKind(kind) ? (st.birthtimeMs > 0 ? st.birthtimeMs : this.now()) : undefined;
    const record = await this.opts.spool.begin(rel, kind, identity, labels, startedAt);
    obs.header = undefined;
    obs.lastCutAt = 0;
    obs.verified = true;
    this.opts.log.info(`watching ${rel} (${kind}${record.generation > 1 ? `, run ${record.generation}` : ''})`);
    return record;
  }

  /** Spools the complete part of a growing file that is not spooled yet, piece by piece. */
  private async cutGrowing(
    record: ArtefactRecord,
    path: string,
    obs: Observation,
    now: number,
    when: CutMoment
  ): Promise<void> {
    const maxPiece = Math.min(this.opts.maxPieceBytes ?? 64 << 20, this.opts.spool.maxBytes);
    for (;;) {
      const from = record.spooledOffset;
      const length = Math.min(obs.size - from, maxPiece);
      if (length <= 0) return;
      // Nothing fits: do not even read (the spool is full while the server is away).
      if (!this.opts.spool.hasRoomFor(1)) return this.spoolFull(record, length);
      const chunk = await readRange(path, from, length);
      const extent = await this.completeExtent(record, path, obs, chunk, from, when);
      if (!extent) return;
      if (extent.corrupt) {
        this.warnOnce(
          record.path,
          'corrupt',
          `${record.path}: byte offset ${extent.corrupt.offset}: ${extent.corrupt.message}; uploading only what precedes it`
        );
      }
      if (extent.end <= from) {
        if (length === maxPiece && length === obs.size - from) {
          this.warnOnce(
            record.path,
            'too-big',
            `${record.path}: no complete unit in ${formatBytes(maxPiece)} from byte offset ${from}; raise --spool-max-bytes`
          );
        }
        return;
      }
      const done = extent.finished ? { size: obs.size, mtimeMs: obs.mtimeMs } : undefined;
      const piece = chunk.subarray(0, extent.end - from);
      if (!(await this.enqueue(record, from, piece, done))) return;
      obs.lastCutAt = now;
      if (extent.finished || extent.end < from + length) return;
    }
  }

  private async completeExtent(
    record: ArtefactRecord,
    path: string,
    obs: Observation,
    chunk: Buffer,
    from: number,
    when: CutMoment
  ): Promise<CompleteExtent | undefined> {
    // Every .hp starts with the same empty sample at t=0; a first piece of only that would be byte-identical for
    // two runs started in the same minute (same JOB and DATE lines), and the server, idempotent by content, would
    // hand both the same profile. The second sample's times and sizes tell runs apart. A quiet service can take
    // longer than --settle to reach its second census (-i counts mutator time), so only the program's exit (the
    // final scan) lets a lone first sample go.
    if (record.kind === 'hp') return hpCompleteExtent(chunk, from, from === 0 && !when.final ? 2 : 1);
    if (!obs.header) {
      const header = readEventlogHeader(await readRange(path, 0, Math.min(obs.size, MAX_HEADER_BYTES)));
      if (header instanceof Error) {
        await this.opts.spool.reject(record.key, header.message);
        this.opts.log.error(`${record.path}: ${header.message}; not uploaded`);
        return undefined;
      }
      if (!header) return undefined;
      obs.header = header;
    }
    // A header alone says nothing yet: wait for the first complete events.
    return eventlogPieceExtent(obs.header, chunk, from, { partialBlocks: when.settled });
  }

  private async cutWhole(record: ArtefactRecord, path: string, st: { size: number; mtimeMs: number }): Promise<void> {
    if (st.size > this.opts.spool.maxBytes) {
      const reason = `${formatBytes(st.size)} is larger than the whole spool (--spool-max-bytes ${formatBytes(this.opts.spool.maxBytes)})`;
      await this.opts.spool.reject(record.key, reason);
      this.opts.log.error(`${record.path}: ${reason}; not uploaded (use ghcprof push for it, or raise the limit)`);
      return;
    }
    if (!this.opts.spool.hasRoomFor(st.size)) return this.spoolFull(record, st.size);
    const bytes = await readRange(path, 0, st.size);
    const after = await stat(path);
    if (after.size !== st.size || after.mtimeMs !== st.mtimeMs) return; // still being written after all
    await this.enqueue(record, 0, bytes, { size: st.size, mtimeMs: st.mtimeMs });
  }

  private async enqueue(
    record: ArtefactRecord,
    offset: number,
    bytes: Buffer,
    done?: { size: number; mtimeMs: number }
  ): Promise<boolean> {
    const result = await this.opts.spool.enqueue(record.key, offset, bytes, done);
    if (result === 'queued') {
      if (this.spoolFullSince !== null) {
        this.opts.log.info(
          `spool has room again after ${((this.now() - this.spoolFullSince) / 1000).toFixed(0)}s; resuming`
        );
        this.spoolFullSince = null;
      }
      return true;
    }
    this.spoolFull(record, bytes.length);
    return false;
  }

  /** The data stays in the source file; says so once per episode. */
  private spoolFull(record: ArtefactRecord, waiting: number): void {
    this.opts.metrics?.spoolFull.inc();
    if (this.spoolFullSince !== null) return;
    this.spoolFullSince = this.now();
    const spool = this.opts.spool;
    this.opts.log.warn(
      `spool full: ${formatBytes(spool.pendingBytes())} of ${formatBytes(spool.maxBytes)} (--spool-max-bytes) wait for the server; ` +
        `${record.path} (${formatBytes(waiting)} more) stays in ${this.opts.dir} until uploads drain`
    );
  }

  /**
   * Will nothing more be written to the file? Deleting a file the program still writes to would lose what it writes
   * next (into the unlinked inode). Written-once artefacts are finished once spooled; an eventlog at its end marker;
   * a .hp has no end marker, so only a long silence (10 x --settle) counts.
   */
  private finished(record: ArtefactRecord, unchangedMs: number): boolean {
    if (record.kind === 'hp') return unchangedMs >= 10 * this.opts.settleMs;
    return record.complete;
  }

  private async deleteIfUploaded(record: ArtefactRecord, rel: string, path: string, size: number): Promise<void> {
    if (record.rejected || record.spooledOffset === 0 || record.ackedOffset !== record.spooledOffset) return;
    await unlink(path);
    this.observed.delete(rel);
    await this.opts.spool.forget(rel);
    this.opts.log.info(`deleted ${rel} (${formatBytes(size)}) after upload as ${record.profileId}`);
  }

  private warnOnce(rel: string, key: string, message: string): void {
    const obs = this.observed.get(rel);
    if (obs?.warned.has(key)) return;
    obs?.warned.add(key);
    this.opts.log.warn(message);
  }
}

async function readRange(path: string, position: number, length: number): Promise<Buffer> {
  // O_NOFOLLOW: a file swapped for a symlink after the scan is not read (the directory's writer could point it
  // anywhere in the agent's file system; the scan itself only takes regular files).
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await file.close();
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
