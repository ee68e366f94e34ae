/**
 * The ghcprof server's upload API as seen by `push` and the agent:
 *   POST /api/v1/profiles?label=k%3Dv...            body = the artefact (optionally gzip)  -> 201 new | 200 same bytes
 *   POST /api/v1/profiles/:id/append?offset=N        body = the artefact's bytes from offset N (growing .hp/.eventlog)
 * node:http rather than fetch: request bodies are streamed from disk (and through gzip) with byte counts for the
 * progress bar, and every failure is classified as transient (retry) or permanent (report the server's message).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { z } from 'zod';
import { API_PREFIX } from '../api/paths';
import { AppendResponseSchema, UploadResponseSchema, type ProfileMeta } from '../api/query';
import { labelQuery, type Labels } from './labels';
import { redactingHead } from './redact-stream';
import type { RetryableError } from './retry';

export interface ServerTarget {
  /** Base URL, e.g. `http://ghcprof:4040` (a path prefix is kept). */
  url: string;
  token: string;
  /** PEM certificate(s) to trust for an https:// URL instead of the system's (`--ca-file`). */
  ca?: Buffer;
  /** Redact secrets in the artefact's command line before sending (`--redact`, on by default). */
  redact?: boolean;
}

export interface StoredProfile {
  id: string;
  /** Upload: false when the server already had these bytes (HTTP 200). Append: false when it changed nothing. */
  created: boolean;
  /** The stored profile as the server describes it (the upload's answer, the append answer's `profile`). */
  profile: ProfileMeta;
}

/** A failed request. `transient` says whether the same request can succeed later. */
export class UploadError extends Error implements RetryableError {
  readonly status?: number;
  readonly code: string;
  readonly transient: boolean;
  readonly retryAfterMs?: number;
  readonly details?: unknown;

  constructor(opts: {
    message: string;
    code: string;
    transient: boolean;
    status?: number;
    retryAfterMs?: number;
    details?: unknown;
  }) {
    super(opts.message);
    this.name = 'UploadError';
    this.status = opts.status;
    this.code = opts.code;
    this.transient = opts.transient;
    this.retryAfterMs = opts.retryAfterMs;
    this.details = opts.details;
  }
}

/** A body that can be produced again for every attempt: bytes in memory, or a factory (e.g. a file stream). */
export type BodySource = Buffer | (() => Readable);

export interface SendOptions {
  body: BodySource;
  /** Compress on the fly and send `Content-Encoding: gzip`. */
  gzip?: boolean;
  /** Called with the number of (uncompressed) body bytes as they are sent. */
  onBytes?: (n: number) => void;
  /** Abort the request when the socket is idle this long. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** 408, 429 and 5xx (but 501: the server will never implement it) can succeed when tried again. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A new profile. `startMs` is the run's start for artefacts that do not record it (a `.hp`'s sample times are
 * relative); the server prefers the artefact's own time. `partial`: the bytes are the complete part of an artefact
 * still being written (the server refuses a cut-off artefact otherwise).
 */
export async function uploadProfile(
  target: ServerTarget,
  labels: Labels,
  opts: SendOptions & { startMs?: number; partial?: boolean }
): Promise<StoredProfile> {
  const params = new URLSearchParams(labelQuery(labels));
  if (opts.startMs !== undefined) params.append('start', String(Math.round(opts.startMs)));
  if (opts.partial) params.append('partial', 'true');
  const query = params.toString();
  const { status, json } = await send(target, `${API_PREFIX}/profiles${query ? `?${query}` : ''}`, opts);
  const profile = answerOf(UploadResponseSchema, json, status);
  return { id: profile.id, created: status === 201, profile };
}

export async function appendToProfile(
  target: ServerTarget,
  id: string,
  offset: number,
  opts: SendOptions
): Promise<StoredProfile> {
  const path = `${API_PREFIX}/profiles/${encodeURIComponent(id)}/append?offset=${offset}`;
  const { status, json } = await send(target, path, opts);
  const { profile, changed } = answerOf(AppendResponseSchema, json, status);
  return { id: profile.id, created: changed, profile };
}

/** A 2xx answer checked against the API's response schema: anything else is not a ghcprof server answering. */
function answerOf<S extends z.ZodType>(schema: S, json: Record<string, unknown>, status: number): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UploadError({
      message: `server answered ${status} with something that is not ghcprof's answer (${issue.path.join('.') || '/'}: ${issue.message})`,
      code: 'bad_response',
      transient: false,
      status,
    });
  }
  return parsed.data;
}

async function send(
  target: ServerTarget,
  path: string,
  opts: SendOptions
): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(target.url.replace(/\/+$/, '') + path);
  const headers: Record<string, string | number> = {
    authorization: `Bearer ${target.token}`,
    'content-type': 'application/octet-stream',
    accept: 'application/json',
    'user-agent': 'ghcprof-agent',
  };
  if (opts.gzip) headers['content-encoding'] = 'gzip';
  else if (Buffer.isBuffer(opts.body)) headers['content-length'] = opts.body.length;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = request(url, { method: 'POST', headers, signal: opts.signal, ...(target.ca ? { ca: target.ca } : {}) });
  req.setTimeout(opts.idleTimeoutMs ?? 60_000, () =>
    req.destroy(Object.assign(new Error('socket idle timeout'), { code: 'ETIMEDOUT' }))
  );
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  try {
    // The server may answer (e.g. 401, 413) before the body is sent; then the response decides, not the pipe error.
    const sent = pipeline(bodyStream(opts, target.redact ?? false), req).catch((err: unknown) => err);
    const res = await response;
    const text = await readText(res);
    await sent;
    return interpret(res, text);
  } catch (err) {
    throw classifyNetworkError(err, url);
  }
}

function bodyStream(opts: SendOptions, redact: boolean): Readable {
  const raw = Buffer.isBuffer(opts.body) ? Readable.from([opts.body]) : opts.body();
  const source = redact ? raw.pipe(redactingHead()) : raw;
  if (redact) raw.once('error', (err) => source.destroy(err));
  const counted = source.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        opts.onBytes?.(chunk.length);
        done(null, chunk);
      },
    })
  );
  source.once('error', (err) => counted.destroy(err));
  if (!opts.gzip) return counted;
  const gz = createGzip();
  counted.once('error', (err) => gz.destroy(err));
  return counted.pipe(gz);
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
  });
}

function interpret(res: IncomingMessage, text: string): { status: number; json: Record<string, unknown> } {
  const status = res.statusCode ?? 0;
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    json = {};
  }
  if (status >= 200 && status < 300) return { status, json };
  const error = (json.error ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  const message =
    typeof error.message === 'string' ? error.message : text.trim().slice(0, 300) || res.statusMessage || 'no message';
  throw new UploadError({
    message: `HTTP ${status}: ${message}`,
    code: typeof error.code === 'string' ? error.code : `http_${status}`,
    status,
    transient: isTransientStatus(status),
    retryAfterMs: parseRetryAfter(headerValue(res.headers['retry-after'])),
    details: error.details,
  });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function classifyNetworkError(err: unknown, url: URL): unknown {
  if (err instanceof UploadError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'AbortError') return err;
  const code = e?.code ?? '';
  const transient =
    NETWORK_ERROR_CODES.has(code) || /socket hang up|ECONNRESET|premature close/i.test(e?.message ?? '');
  if (e?.code === 'ENOENT' || e?.code === 'EACCES' || e?.code === 'EISDIR') return err; // reading the local file failed
  return new UploadError({
    message: `${url.origin}: ${e?.message ?? String(err)}`,
    code: code || 'network',
    transient,
  });
}
