/**
 * Incremental uploads of a growing artefact (the agent tailing a `.hp` or `.eventlog` while the program runs).
 *
 * The request names where its bytes belong: `offset=N` says the body is the artefact's content from byte N on;
 * without `offset` the body is the whole content so far. The server rebuilds the full content from what it holds,
 * re-parses it and replaces the stored profile. That makes every request idempotent: a retried or duplicated chunk
 * describes bytes the server already has, which must match (else 409), and changes nothing. A gap (N beyond the
 * stored length) is 409 with the stored length in `details.storedBytes`, so the agent can resend from there.
 */
import type { ProfileMeta } from '../api/query';
import type { AuditEntry, Store } from '../store/store';
import { HttpError, notFound } from '../api/errors';
import { parseArtefact, toNewProfile, tooLarge } from './ingest';

export interface AppendRequest {
  tenant: string;
  id: string;
  body: Buffer;
  /** Byte offset of `body` in the complete artefact; undefined: body is the complete artefact. */
  offset?: number;
  uploader: string | null;
  tokenId: string | null;
  maxBytes: number;
}

export interface AppendResult {
  meta: ProfileMeta;
  /** False when the request added nothing the server did not already have. */
  changed: boolean;
  /** Length of the stored artefact after the request. */
  storedBytes: number;
}

function conflict(message: string, storedBytes: number): HttpError {
  return new HttpError(409, 'append_conflict', message, { storedBytes });
}

/** The complete new content, or a 409 when the request does not continue what is stored. */
export function combine(stored: Buffer, body: Buffer, offset: number | undefined): Buffer {
  const at = offset ?? 0;
  if (at > stored.length) {
    throw conflict(
      `offset ${at} is beyond the ${stored.length} bytes stored: resend from byte ${stored.length}`,
      stored.length
    );
  }
  const overlap = Math.min(stored.length - at, body.length);
  if (!stored.subarray(at, at + overlap).equals(body.subarray(0, overlap))) {
    throw conflict(
      `bytes from offset ${at} differ from the stored artefact: not a continuation of the same file`,
      stored.length
    );
  }
  if (offset === undefined && body.length < stored.length) {
    throw conflict(
      `complete content (${body.length} bytes) is shorter than the ${stored.length} bytes stored`,
      stored.length
    );
  }
  return at + body.length <= stored.length ? stored : Buffer.concat([stored.subarray(0, at), body]);
}

export async function appendToProfile(store: Store, req: AppendRequest): Promise<AppendResult> {
  const meta = await store.getProfile(req.tenant, req.id);
  const stored = meta && (await store.getRaw(req.tenant, req.id));
  if (!meta || !stored) {
    throw notFound(`profile ${req.id}`);
  }
  if (meta.kind !== 'hp' && meta.kind !== 'eventlog') {
    throw new HttpError(
      409,
      'append_conflict',
      `only .hp and .eventlog profiles grow; profile ${req.id} is ${meta.kind}`
    );
  }
  const content = combine(stored, req.body, req.offset);
  if (content === stored) {
    return { meta, changed: false, storedBytes: stored.length };
  }
  if (content.length > req.maxBytes) {
    throw tooLarge(req.maxBytes);
  }
  const data = await parseArtefact(content, { file: `profile ${req.id}`, maxBytes: req.maxBytes, allowPartial: true });
  if (data.kind !== meta.kind) {
    throw new HttpError(
      409,
      'append_conflict',
      `the appended content reads as ${data.kind}, the profile is ${meta.kind}`
    );
  }
  // Keep the labels and, unless the artefact knows its own start, the start the first upload chose.
  const next = toNewProfile(data, content, {
    tenant: req.tenant,
    labels: meta.labels,
    start: meta.startTime,
    startOverridesArtefact: meta.timeSource !== 'artefact',
    uploader: req.uploader,
    maxBytes: req.maxBytes,
  });
  // Another profile of the tenant already holds exactly the new content: answered as an identical upload is, with
  // that profile (the agent appends to the id it is given next).
  const holder = await store.findProfileBySha256(req.tenant, next.sha256);
  if (holder && holder.id !== meta.id) {
    return { meta: holder, changed: false, storedBytes: content.length };
  }
  const replaced = await replace(store, req.tenant, meta, next, {
    tenant: req.tenant,
    action: 'append',
    user: req.uploader,
    tokenId: req.tokenId,
    detail: `${stored.length} -> ${content.length} bytes`,
  });
  return { meta: replaced, changed: true, storedBytes: content.length };
}

async function replace(
  store: Store,
  tenant: string,
  old: ProfileMeta,
  next: ReturnType<typeof toNewProfile>,
  audit: AuditEntry
): Promise<ProfileMeta> {
  // The audit line is written in the change's own transaction, so it is never lost while the change stays.
  const meta = await store.replaceProfile(tenant, old.id, next, audit);
  if (!meta) {
    throw notFound(`profile ${old.id}`);
  }
  return meta;
}
