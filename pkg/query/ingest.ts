/**
 * Uploads: bytes (maybe gzip) -> a parsed profile -> one atomic store insert. Shared by the HTTP upload and append
 * routes and by `ghcprof demo`, so every way in applies the same limits, labels and start-time rules.
 */
import { createHash } from 'node:crypto';
import { isGzip } from '../formats/detect';
import { GzipNested, GzipTooLarge, gunzipBuffer } from '../formats/gunzip';
import { redactArtefact, redactionWarning } from '../formats/redact';
import type { ProfileData } from '../model/types';
import type { ProfileMeta } from '../api/query';
import { recordOf, setOwn } from '../api/records';
import { LABEL_LIMITS, LABEL_NAME_RE } from '../api/selector';
import type { NewProfile, Store } from '../store/store';
import { HttpError } from '../api/errors';
import { parseInPool } from './parse-pool';

export function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `upload larger than the limit of ${maxBytes} bytes (decompressed)`);
}

/** An upload body after Content-Encoding: the artefact's bytes and, for a damaged gzip, why they end early. */
export interface DecodedUpload {
  bytes: Buffer;
  /** Set when the gzip stream was damaged or cut off: `bytes` is the intact part before it. */
  damage: string | null;
}

/**
 * The artefact's bytes: gzip (by Content-Encoding or by magic: no GHC artefact starts with 1f 8b) goes through the
 * one bounded gunzip files use too (formats/gunzip.ts): over `maxBytes`, or a ratio only a gzip bomb has, is 413
 * long before the bomb is inflated; gzip inside gzip is 415. A damaged gzip gives its intact part and the damage,
 * which ingest reports as truncation exactly as for a damaged .gz file.
 */
export async function decodeUpload(
  body: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number
): Promise<DecodedUpload> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    // RFC 9110 §15.5.16: an unsupported content coding is 415.
    throw new HttpError(
      415,
      'unsupported_encoding',
      `Content-Encoding "${encoding}" is not supported (use gzip or none)`
    );
  }
  if (encoding === 'gzip' || encoding === 'x-gzip' || isGzip(body)) {
    let decoded: Awaited<ReturnType<typeof gunzipBuffer>>;
    try {
      decoded = await gunzipBuffer(body, { maxBytes });
    } catch (err) {
      if (err instanceof GzipTooLarge) {
        throw new HttpError(413, 'payload_too_large', err.message);
      }
      if (err instanceof GzipNested) {
        throw new HttpError(415, 'unknown_format', err.message);
      }
      throw err;
    }
    const damage = decoded.damage && `${decoded.damage.message}: read the intact part before it`;
    if (damage && decoded.bytes.length === 0) {
      throw new HttpError(415, 'unknown_format', `nothing readable after decompression: ${damage}`);
    }
    return { bytes: decoded.bytes, damage };
  }
  if (body.length > maxBytes) {
    throw tooLarge(maxBytes);
  }
  return { bytes: body, damage: null };
}

/** `k=v` strings (the upload's `label` parameters) checked against Prometheus naming and the limits. */
export function parseUploadLabels(pairs: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new HttpError(400, 'invalid_label', `label "${pair.slice(0, 200)}" must be name=value`);
    }
    setOwn(labels, pair.slice(0, eq), pair.slice(eq + 1));
  }
  return checkLabels(labels);
}

export function checkLabels(labels: Record<string, string>): Record<string, string> {
  const names = Object.keys(labels);
  if (names.length > LABEL_LIMITS.count) {
    throw new HttpError(400, 'invalid_label', `at most ${LABEL_LIMITS.count} labels per profile (got ${names.length})`);
  }
  for (const name of names) {
    if (!LABEL_NAME_RE.test(name) || name.length > LABEL_LIMITS.nameLength || name.startsWith('__')) {
      throw new HttpError(
        400,
        'invalid_label',
        `label name "${name.slice(0, 200)}" must match [a-zA-Z_][a-zA-Z0-9_]*, be at most ${LABEL_LIMITS.nameLength} characters and not start with __`
      );
    }
    if (labels[name].length > LABEL_LIMITS.valueLength) {
      throw new HttpError(
        400,
        'invalid_label',
        `label ${name}: value longer than ${LABEL_LIMITS.valueLength} characters`
      );
    }
  }
  return labels;
}

export interface IngestOptions {
  tenant: string;
  labels: Record<string, string>;
  /** ms epoch: the start time to use when the artefact does not record one (`start` upload parameter). */
  start?: number;
  /** Use `start` even when the artefact has its own time (the demo spreads the samples over the last hours). */
  startOverridesArtefact?: boolean;
  uploader: string | null;
  /** Who the audit log names (default: the uploader), e.g. with the verified Grafana subject. */
  auditUser?: string | null;
  /** The token that uploaded (audit log). */
  tokenId?: string | null;
  /** Name used in parser messages. */
  file?: string;
  maxBytes: number;
  /**
   * Accept an artefact that ends early (a .hp/.eventlog still being written: the agent's first piece). Without it a
   * cut-off artefact is refused with 422, so a broken copy is never stored as if it were the whole run.
   */
  allowPartial?: boolean;
  /** Why the bytes end early when they came out of a damaged gzip (DecodedUpload.damage): reported as truncation. */
  damage?: string | null;
  /** Redact secrets in the artefact's command line before parsing and storing (formats/redact.ts). */
  redact?: boolean;
  now?: number;
}

/** Seconds the artefact covers, when its data says: the last heap sample, the RTS series, or the report's total. */
function durationMs(data: ProfileData): number | null {
  const lastSample = data.heap?.samples.at(-1)?.time;
  if (lastSample !== undefined) {
    return lastSample * 1000;
  }
  const rtsEndNs = Math.max(0, ...(data.rts?.series ?? []).map((s) => s.points.at(-1)?.[0] ?? 0));
  if (rtsEndNs > 0) {
    return rtsEndNs / 1e6;
  }
  return data.totals.timeSeconds !== undefined ? data.totals.timeSeconds * 1000 : null;
}

/**
 * Start and end on the wall clock: the artefact's own time, else the `start` parameter, else the upload time (the
 * first piece of a growing .hp/eventlog: the upload time minus how far its data reaches).
 */
export function placeInTime(
  data: ProfileData,
  opts: Pick<IngestOptions, 'start' | 'startOverridesArtefact' | 'now'>
): Pick<NewProfile, 'startTime' | 'endTime' | 'timeSource'> {
  const duration = durationMs(data);
  const artefactStart =
    data.startTimeMs ?? (data.endTimeMs !== null && duration !== null ? data.endTimeMs - duration : null);
  let startTime: number;
  let timeSource: NewProfile['timeSource'];
  if (artefactStart === null && data.truncated && (data.kind === 'eventlog' || data.kind === 'hp')) {
    // The first piece of a growing artefact that does not (yet) say when it started: it ran until about now
    // (GHC writes the eventlog's WallClockTime late). Appends re-place it the same way until the time arrives.
    [startTime, timeSource] = [(opts.now ?? Date.now()) - (duration ?? 0), 'estimate'];
  } else if (opts.start !== undefined && (opts.startOverridesArtefact || artefactStart === null)) {
    [startTime, timeSource] = [opts.start, 'parameter'];
  } else if (artefactStart !== null) {
    [startTime, timeSource] = [artefactStart, 'artefact'];
  } else {
    [startTime, timeSource] = [opts.now ?? Date.now(), 'upload'];
  }
  const endFromArtefact = timeSource === 'artefact' ? data.endTimeMs : null;
  const endTime = endFromArtefact ?? (duration !== null ? startTime + duration : null);
  const start = Math.round(startTime);
  // A run never ends before it starts (a clock step inside an artefact must not make an invalid range).
  return { startTime: start, endTime: endTime === null ? null : Math.max(start, Math.round(endTime)), timeSource };
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `sha256` is the hex digest of `raw`, when the caller already has it. */
export function toNewProfile(data: ProfileData, raw: Buffer, opts: IngestOptions, sha256 = sha256Hex(raw)): NewProfile {
  const labels = recordOf(Object.entries(opts.labels));
  // A profile without a service label is still findable by its program name.
  if (labels.service === undefined && data.program) {
    labels.service = data.program;
  }
  return {
    tenant: opts.tenant,
    kind: data.kind,
    labels: checkLabels(labels),
    ...placeInTime(data, opts),
    program: data.program,
    rtsArguments: data.rtsArguments,
    size: raw.length,
    sha256,
    uploader: opts.uploader,
    warnings: data.warnings,
    raw,
    tree: data.tree,
    heap: data.heap,
    heapMode: data.heap?.mode ?? null,
    rts: data.rts,
    bench: data.bench,
  };
}

export async function parseArtefact(
  raw: Buffer,
  opts: Pick<IngestOptions, 'file' | 'maxBytes' | 'allowPartial' | 'damage'>
): Promise<ProfileData> {
  const file = opts.file ?? 'upload';
  const data = await parseInPool(raw, { file, maxBytes: opts.maxBytes });
  if (opts.damage) {
    data.warnings.push(opts.damage);
    data.truncated = true;
  }
  if (data.truncated && !opts.allowPartial) {
    throw new HttpError(
      422,
      'truncated_artefact',
      `${file}: ${data.kind} ends early: ${data.warnings.join('; ')} (upload with partial=true to store the complete part)`,
      { kind: data.kind, warnings: data.warnings }
    );
  }
  return data;
}

/** Meta says the raw bytes were redacted (a warning: clients already show those). */
export function withRedactionNote(data: ProfileData, count: number): ProfileData {
  return count === 0 ? data : { ...data, warnings: [...data.warnings, redactionWarning(count)] };
}

/** Parses and stores one artefact; acknowledges only what the store committed. */
export async function ingest(
  store: Store,
  raw: Buffer,
  opts: IngestOptions
): Promise<{ meta: ProfileMeta; created: boolean }> {
  // Redacted in place (same size) first: what is hashed, parsed, stored and served never held the secrets, and the
  // profile's sha256 is that of its stored bytes (the digest appends continue).
  const redacted = opts.redact ? redactArtefact(raw) : { bytes: raw, count: 0 };
  // The same bytes again (agent retries, re-runs of a push): answered before the expensive parse. The store's own
  // check inside the insert still settles two identical uploads racing each other.
  const sha256 = sha256Hex(redacted.bytes);
  const existing = await store.findProfileBySha256(opts.tenant, sha256);
  if (existing) {
    return { meta: existing, created: false };
  }
  const data = withRedactionNote(await parseArtefact(redacted.bytes, opts), redacted.count);
  // The audit line commits with the profile (an idempotent re-upload stores nothing and audits nothing).
  return store.insertProfile(toNewProfile(data, redacted.bytes, opts, sha256), {
    tenant: opts.tenant,
    action: 'upload',
    user: opts.auditUser ?? opts.uploader,
    tokenId: opts.tokenId ?? null,
    detail: `${data.kind} ${raw.length} bytes`,
  });
}
