/**
 * Incremental uploads of a growing artefact (the agent tailing a `.hp` or `.eventlog` while the program runs).
 *
 * The request names where its bytes belong: `offset=N` says the body is the artefact's content from byte N on;
 * without `offset` the body is the whole content so far. Bytes the server already has must match (else 409); a gap
 * (N beyond the stored length) is 409 with the stored length in `details.storedBytes`, so the agent can resend from
 * there. A retried or duplicated request changes nothing.
 *
 * The profile is stored as immutable chunks, one per append (store.ts NewChunk): only the new bytes are read, from
 * the continuation the previous append left (formats/incremental.ts), and overlapping bytes are checked against the
 * chunks' boundaries and digests, decompressing at most the two chunks a request starts or ends inside. So an append
 * costs what its own bytes cost, however long the process has run; a growing profile has no total size cap (each
 * request is bounded by `maxBytes`). The first append turns the uploaded first piece into chunk 0.
 */
import type { ProfileMeta } from '../api/query';
import { readIncrement, isGrowingKind, type Continuation, type GrowingKind } from '../formats/incremental';
import { mergeTrees } from '../model/tree';
import type { CallTree, ProfileData } from '../model/types';
import type { AuditEntry, ChunkAppend, GrowingProfile, NewChunk, Store } from '../store/store';
import { HttpError, notFound } from '../api/errors';
import { EVENTLOG_REDACT_HEAD as REDACT_HEAD, redactArtefact } from '../formats/redact';
import { checkLabels, sha256Hex } from './ingest';
import { digestSha256, initialSha256, updateSha256, type Sha256State } from './resumable-sha256';

export interface AppendRequest {
  tenant: string;
  id: string;
  body: Buffer;
  /** Byte offset of `body` in the complete artefact; undefined: body is the complete artefact. */
  offset?: number;
  uploader: string | null;
  /** Who the audit log names (default: the uploader). */
  auditUser?: string | null;
  tokenId: string | null;
  /** ms epoch of the request (placement before the eventlog's wall-clock event); default now. */
  now?: number;
  /** Redact secrets (formats/redact.ts), as the first upload was. */
  redact?: boolean;
}

export interface AppendResult {
  meta: ProfileMeta;
  /** False when the request added nothing the server did not already have. */
  changed: boolean;
  /** Length of the stored artefact after the request. */
  storedBytes: number;
}

/** What a growing profile's next append needs, kept by the store as JSON (GrowingProfile.growth). */
interface GrowthState {
  continuation: Continuation;
  /** The digest of the bytes so far (the profile's sha256 is its hex digest). */
  hash: Sha256State;
  /** Newest time the data reached, ms since the artefact's start (eventlog: its last event; .hp: last sample). */
  durationMs: number | null;
}

/** Concurrent appends to one profile that each lost the race this often give up with 409 (the agent resends). */
const MAX_ATTEMPTS = 8;

function conflict(message: string, storedBytes: number): HttpError {
  return new HttpError(409, 'append_conflict', message, { storedBytes });
}

export async function appendToProfile(store: Store, req: AppendRequest): Promise<AppendResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await appendOnce(store, req);
    if (result !== 'moved') {
      return result;
    }
    if (attempt === MAX_ATTEMPTS) {
      const growing = await store.getGrowth(req.tenant, req.id);
      throw conflict(`profile ${req.id} is being appended to concurrently: resend`, growing?.size ?? 0);
    }
  }
}

async function appendOnce(store: Store, req: AppendRequest): Promise<AppendResult | 'moved'> {
  const growing = await store.getGrowth(req.tenant, req.id);
  if (!growing) {
    throw notFound(`profile ${req.id}`);
  }
  const { meta, size: stored } = growing;
  if (!isGrowingKind(meta.kind)) {
    throw new HttpError(
      409,
      'append_conflict',
      `only .hp and .eventlog profiles grow; profile ${req.id} is ${meta.kind}`
    );
  }
  const at = req.offset ?? 0;
  if (at > stored) {
    throw conflict(`offset ${at} is beyond the ${stored} bytes stored: resend from byte ${stored}`, stored);
  }
  const body = req.redact ? await redactedBody(store, req, growing, at) : req.body;
  await checkOverlap(store, req, growing, at, body.subarray(0, Math.min(stored - at, body.length)));
  if (req.offset === undefined && body.length < stored) {
    throw conflict(`complete content (${body.length} bytes) is shorter than the ${stored} bytes stored`, stored);
  }
  if (at + body.length <= stored) {
    return { meta, changed: false, storedBytes: stored };
  }
  const added = body.subarray(stored - at);
  const append = await readAppend(store, req, growing, meta.kind, added);
  const audit: AuditEntry = {
    tenant: req.tenant,
    action: 'append',
    user: req.auditUser ?? req.uploader,
    tokenId: req.tokenId,
    detail: `${stored} -> ${stored + added.length} bytes`,
  };
  const result = await store.appendChunks(req.tenant, req.id, append, audit);
  if (result === null) {
    throw notFound(`profile ${req.id}`);
  }
  if (result.type === 'moved') {
    return 'moved';
  }
  // Another profile already holds exactly these bytes: answered as an identical upload would be.
  return { meta: result.meta, changed: result.type === 'appended', storedBytes: result.meta.size };
}

/**
 * The body as it reads once redacted in its place in the artefact: the stored bytes hold `*` where the client's copy
 * may still have secrets, and an overlap must compare equal. GHC writes the command line at the start (formats/
 * redact.ts), so a body starting within the first REDACT_HEAD bytes is redacted after the stored bytes before it
 * (already redacted, and redaction keeps sizes and is idempotent); a body further on is left as it is.
 */
async function redactedBody(store: Store, req: AppendRequest, growing: GrowingProfile, at: number): Promise<Buffer> {
  if (at >= REDACT_HEAD) {
    return req.body;
  }
  const before = at === 0 ? Buffer.alloc(0) : await storedRange(store, req, growing, at);
  return redactArtefact(Buffer.concat([before, req.body])).bytes.subarray(at);
}

/** The stored bytes [0, to), read from the chunks that hold them (or the one upload before the first append). */
async function storedRange(store: Store, req: AppendRequest, growing: GrowingProfile, to: number): Promise<Buffer> {
  if (growing.growth === null) {
    const raw = await store.getRaw(req.tenant, req.id);
    return raw ? raw.subarray(0, to) : Buffer.alloc(0);
  }
  const parts: Buffer[] = [];
  for (const chunk of await store.listChunks(req.tenant, req.id, { from: 0, to })) {
    const raw = await store.getChunkRaw(req.tenant, req.id, chunk.seq);
    if (raw) parts.push(raw);
  }
  return Buffer.concat(parts).subarray(0, to);
}

/**
 * 409 unless `bytes` (at offset `at`, all within what is stored) equal the stored bytes. A chunk the bytes cover
 * whole is compared by digest; only a chunk they start or end inside is read. Before the first append the stored
 * bytes are the one upload.
 */
async function checkOverlap(
  store: Store,
  req: AppendRequest,
  growing: GrowingProfile,
  at: number,
  bytes: Buffer
): Promise<void> {
  if (bytes.length === 0) {
    return;
  }
  const differs = () =>
    conflict(
      `bytes from offset ${at} differ from the stored artefact: not a continuation of the same file`,
      growing.size
    );
  if (growing.growth === null) {
    const raw = await store.getRaw(req.tenant, req.id);
    if (!raw || !raw.subarray(at, at + bytes.length).equals(bytes)) {
      throw differs();
    }
    return;
  }
  const end = at + bytes.length;
  for (const chunk of await store.listChunks(req.tenant, req.id, { from: at, to: end })) {
    const from = Math.max(at, chunk.startOffset);
    const to = Math.min(end, chunk.endOffset);
    const part = bytes.subarray(from - at, to - at);
    if (from === chunk.startOffset && to === chunk.endOffset) {
      if (sha256Hex(part) !== chunk.sha256) {
        throw differs();
      }
      continue;
    }
    const raw = await store.getChunkRaw(req.tenant, req.id, chunk.seq);
    if (!raw || !raw.subarray(from - chunk.startOffset, to - chunk.startOffset).equals(part)) {
      throw differs();
    }
  }
}

/** Reads the new bytes on from the stored continuation: the chunk(s) to add and the profile after them. */
async function readAppend(
  store: Store,
  req: AppendRequest,
  growing: GrowingProfile,
  kind: GrowingKind,
  added: Buffer
): Promise<ChunkAppend> {
  const file = `profile ${req.id}`;
  const chunks: NewChunk[] = [];
  let growth = growing.growth as GrowthState | null;
  let tree = await store.getTree(req.tenant, req.id);
  let firstWarnings: string[] = [];
  if (growth === null) {
    // The first append: the upload so far becomes chunk 0, read the same way as every later chunk.
    const first = await store.getRaw(req.tenant, req.id);
    if (!first) {
      throw notFound(`profile ${req.id}`);
    }
    const inc = readIncrement(kind, null, first, { file });
    chunks.push(newChunk(0, first, inc.delta, growing.meta.sha256));
    growth = { continuation: inc.continuation, hash: updateSha256(initialSha256(), first), durationMs: null };
    growth.durationMs = durationOf(inc.delta, null);
    tree = inc.delta.tree ?? null;
    firstWarnings = inc.delta.warnings;
  }
  const inc = readIncrement(kind, growth.continuation, added, { file });
  chunks.push(newChunk(growing.size, added, inc.delta));
  const hash = updateSha256(growth.hash, added);
  const durationMs = durationOf(inc.delta, growth.durationMs);
  const merged = mergedTree(tree, inc.delta.tree);
  const place = placeGrowing(inc.delta, durationMs, req.now ?? Date.now());
  const meta = growing.meta;
  return {
    expectedSize: growing.size,
    chunks,
    profile: {
      tenant: req.tenant,
      kind,
      labels: checkLabels({ ...meta.labels }),
      ...place,
      program: inc.delta.program || meta.program,
      rtsArguments: inc.delta.rtsArguments.length > 0 ? inc.delta.rtsArguments : meta.rtsArguments,
      size: growing.size + added.length,
      sha256: digestSha256(hash),
      uploader: meta.uploader,
      warnings: mergedWarnings(meta.warnings, [...firstWarnings, ...inc.delta.warnings]),
      ...(merged ? { tree: merged } : {}),
      heapMode: inc.delta.heap?.mode ?? meta.heapMode,
    },
    has: {
      heap: meta.has.heap || chunks.some((c) => c.delta.heap !== undefined),
      rts: meta.has.rts || chunks.some((c) => c.delta.rts !== undefined),
    },
    growth: { continuation: inc.continuation, hash, durationMs } satisfies GrowthState,
  };
}

function newChunk(startOffset: number, raw: Buffer, delta: ProfileData, sha256 = sha256Hex(raw)): NewChunk {
  const span = timeSpanNs(delta);
  return {
    startOffset,
    raw,
    sha256,
    delta: {
      ...(delta.tree ? { tree: delta.tree } : {}),
      ...(delta.heap ? { heap: delta.heap } : {}),
      ...(delta.rts ? { rts: delta.rts } : {}),
    },
    firstNs: span?.[0] ?? null,
    lastNs: span?.[1] ?? null,
  };
}

/** Earliest and latest time (ns since the artefact's start) of the censuses and RTS points in a delta. */
function timeSpanNs(delta: ProfileData): [number, number] | null {
  let first = Infinity;
  let last = -Infinity;
  const see = (ns: number) => {
    first = Math.min(first, ns);
    last = Math.max(last, ns);
  };
  const samples = delta.heap?.samples ?? [];
  if (samples.length > 0) {
    see(samples[0].time * 1e9);
    see(samples[samples.length - 1].time * 1e9);
  }
  for (const s of delta.rts?.series ?? []) {
    if (s.points.length > 0) {
      see(s.points[0][0]);
      see(s.points[s.points.length - 1][0]);
    }
  }
  return first <= last ? [Math.round(first), Math.round(last)] : null;
}

/** How far the data reaches (ms since the artefact's start): an eventlog's last event, a .hp's last sample. */
function durationOf(delta: ProfileData, before: number | null): number | null {
  const candidates = [before, delta.totals.timeSeconds !== undefined ? delta.totals.timeSeconds * 1000 : null];
  const lastSample = delta.heap?.samples.at(-1)?.time;
  if (lastSample !== undefined) {
    candidates.push(lastSample * 1000);
  }
  const known = candidates.filter((c): c is number => c !== null);
  return known.length > 0 ? Math.max(...known) : null;
}

/** Always a merge (also of one tree): the stored tree is what the profile's hourly rollup would be on its own. */
function mergedTree(stored: CallTree | null, added: CallTree | undefined): CallTree | null {
  if (!added) {
    return stored;
  }
  return mergeTrees(stored ? [stored, added] : [added]);
}

/**
 * Where a growing profile lies in time, the rule of a whole upload (ingest.ts placeInTime) with one addition:
 * until the artefact says when it started (the eventlog's WallClockTime, which GHC writes late; a .hp's DATE), the
 * start is the upload time minus how far the data reaches, re-computed at every append and replaced by the
 * artefact's own time as soon as it arrives (every chunk's times are relative, so all of them move with it).
 */
function placeGrowing(
  delta: ProfileData,
  durationMs: number | null,
  now: number
): Pick<ChunkAppend['profile'], 'startTime' | 'endTime' | 'timeSource'> {
  const duration = durationMs ?? 0;
  let start: number;
  let timeSource: ProfileMeta['timeSource'];
  if (delta.startTimeMs !== null) {
    [start, timeSource] = [delta.startTimeMs, 'artefact'];
  } else {
    [start, timeSource] = [now - duration, 'estimate'];
  }
  const startTime = Math.round(start);
  const end = delta.endTimeMs !== null && timeSource === 'artefact' ? delta.endTimeMs : start + duration;
  return { startTime, endTime: durationMs === null ? null : Math.max(startTime, Math.round(end)), timeSource };
}

/** The profile's warnings and the new ones (each once, at most 100). */
function mergedWarnings(before: string[], added: string[]): string[] {
  return [...new Set([...before, ...added])].slice(0, 100);
}
