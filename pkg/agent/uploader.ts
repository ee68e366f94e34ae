/**
 * Takes pieces from the spool in order and uploads them: the first piece of an artefact creates the profile,
 * later pieces of a growing .hp/.eventlog are appended to it at their offset. Transient failures (server down,
 * 5xx, 429) are retried forever with backoff, because the data sits in the spool and must not be lost;
 * a permanent refusal (4xx) drops that artefact with an error line naming the server's message.
 */
import type { ProfileMeta } from '../api/query';
import { ownValue } from '../api/records';
import { isGrowingKind } from './artefact';
import { appendToProfile, uploadProfile, UploadError, type ServerTarget, type StoredProfile } from './client';
import type { AgentLog } from './log';
import type { AgentMetrics } from './metrics';
import { AbortedError, withRetry, type RetryPolicy } from './retry';
import type { ArtefactRecord, PieceRecord, Spool } from './spool';
import { formatBytes } from './units';

export interface UploaderOptions {
  target: ServerTarget;
  spool: Spool;
  policy: RetryPolicy;
  log: AgentLog;
  metrics?: AgentMetrics;
  gzip?: boolean;
}

export interface UploaderStatus {
  lastSuccessAt: number | null;
  lastError: string | null;
  /** Consecutive failed attempts of the current piece. */
  failingAttempts: number;
}

export class Uploader {
  readonly status: UploaderStatus = { lastSuccessAt: null, lastError: null, failingAttempts: 0 };
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: UploaderOptions) {}

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    const unsubscribe = this.opts.spool.onQueued(() => this.wake?.());
    this.loop = this.run().finally(unsubscribe);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** Uploads pieces until the spool is empty (or the uploader is stopped). */
  async drain(): Promise<void> {
    while (!this.abort.signal.aborted && (await this.uploadNext())) {
      /* next piece */
    }
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.drain();
      } catch (err) {
        if (err instanceof AbortedError || this.abort.signal.aborted) break;
        // A local failure (e.g. a piece file unreadable): log it and try again later rather than spin.
        this.opts.log.error(`uploader: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (this.abort.signal.aborted) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (this.opts.spool.pieces().length > 0) resolve();
      });
      this.wake = null;
    }
  }

  /** Uploads the oldest piece; false when there was none. */
  private async uploadNext(): Promise<boolean> {
    const next = await this.opts.spool.next();
    if (!next) return false;
    const { piece, artefact, bytes } = next;
    const what = describe(artefact, piece);
    try {
      const stored = await withRetry(() => this.send(artefact, piece, bytes), this.opts.policy, {
        signal: this.abort.signal,
        onRetry: (err, delayMs, attempt) => {
          this.status.failingAttempts = attempt + 1;
          this.status.lastError = err.message;
          this.opts.metrics?.failures.inc({ kind: 'transient' });
          this.opts.log.warn(
            `upload of ${what} failed (${err.message}); retry ${attempt + 1} in ${(delayMs / 1000).toFixed(1)}s, ` +
              `${this.opts.spool.pieces().length} piece(s) / ${formatBytes(this.opts.spool.pendingBytes())} waiting in the spool`
          );
        },
      });
      const first = startsProfile(artefact, piece);
      if (first && !stored.created) this.warnIfSomeoneElses(artefact, stored.profile);
      await this.opts.spool.acknowledge(piece, stored.id);
      this.status.lastSuccessAt = Date.now();
      this.status.failingAttempts = 0;
      this.opts.metrics?.uploadedBytes.inc(piece.length);
      this.opts.metrics?.uploads.inc({ request: first ? 'upload' : 'append' });
      this.opts.log.info(`stored ${what} as ${stored.id}${stored.created ? '' : ' (already stored)'}`);
    } catch (err) {
      if (!(err instanceof UploadError) || this.abort.signal.aborted) throw err;
      this.status.lastError = err.message;
      this.opts.metrics?.failures.inc({ kind: 'permanent' });
      const dropped = await this.opts.spool.reject(artefact.key, err.message);
      this.opts.log.error(`server refused ${what}: ${err.message}; dropped this artefact (${dropped} piece(s))`);
    }
    return true;
  }

  /**
   * The server answered "already stored" for a first piece: normally our own earlier upload whose answer was lost.
   * If the stored profile carries other labels, it came from another artefact with identical bytes so far.
   */
  private warnIfSomeoneElses(artefact: ArtefactRecord, profile: ProfileMeta): void {
    const stored = profile.labels;
    const differing = Object.keys(artefact.labels).filter((k) => ownValue(stored, k) !== artefact.labels[k]);
    if (differing.length > 0) {
      this.opts.log.warn(
        `${artefact.path}: the server already held these exact bytes as ${profile.id} with other labels ` +
          `(${differing.map((k) => `${k}=${ownValue(stored, k) ?? '<none>'}`).join(', ')}); uploads continue into that profile`
      );
    }
  }

  private send(artefact: ArtefactRecord, piece: PieceRecord, bytes: Buffer): Promise<StoredProfile> {
    const options = { gzip: this.opts.gzip, signal: this.abort.signal };
    if (startsProfile(artefact, piece)) {
      // A growing artefact's first piece is the complete part of a file still being written; the server keeps the
      // later pieces as chunks of the same profile, however long the process runs (no size cap to fall back from).
      const partial = isGrowingKind(artefact.kind);
      return uploadProfile(this.opts.target, artefact.labels, {
        ...options,
        body: bytes,
        startMs: artefact.startedAt,
        partial,
      });
    }
    if (!artefact.profileId) {
      throw new UploadError({
        message: `no profile id for ${artefact.key} (its first piece was never acknowledged)`,
        code: 'internal',
        transient: false,
      });
    }
    return appendToProfile(this.opts.target, artefact.profileId, piece.offset, { ...options, body: bytes });
  }
}

/** Does this piece begin the stored profile (the artefact's first piece)? */
function startsProfile(_artefact: ArtefactRecord, piece: PieceRecord): boolean {
  return piece.offset === 0;
}

function describe(artefact: ArtefactRecord, piece: PieceRecord): string {
  const range = piece.offset === 0 && artefact.complete ? '' : ` bytes ${piece.offset}-${piece.offset + piece.length}`;
  return `${artefact.path}${artefact.generation > 1 ? ` (run ${artefact.generation})` : ''}${range} [${formatBytes(piece.length)}]`;
}
