/**
 * Server configuration: defaults, then a YAML/JSON config file, then `GHCPROF_*` environment variables, then
 * command-line options (later sources win). Plain data so tests can build an app without touching the environment.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { setOwn } from '../api/records';
import { LABEL_NAME_RE } from '../api/selector';
import { parseLabelMapOptions } from '../rts/labels';

export interface ServerConfig {
  port: number;
  host: string;
  /** `postgres://...` or a SQLite file path. */
  db: string;
  dataDir: string;
  prometheusUrl: string | null;
  /**
   * Use the Prometheus URL the Grafana datasource sends (`X-Ghcprof-Prometheus-Url`) when `prometheusUrl` is not
   * set. Off by default: any read token could otherwise make the server fetch a URL of its choosing.
   */
  prometheusUrlFromHeader: boolean;
  /** ghcprof label -> Prometheus label(s) for RTS queries (`--prometheus-label service=app`, `pod=pod|kubernetes_pod_name`). */
  prometheusLabels: Record<string, string>;
  ekgUrl: string | null;
  /** Labels of the one process behind `ekgUrl` (`service=api`, `pod=api-0`), matched by RTS query selectors. */
  ekgLabels: Record<string, string>;
  /** Profiles that ended longer ago than this are deleted; null keeps everything. */
  retentionMs: number | null;
  /** Largest upload accepted, compressed on the wire and decompressed alike (bytes). */
  maxUploadBytes: number;
  /** Upload/append bodies received and processed at once; more answer 503 with Retry-After. */
  maxConcurrentUploads: number;
  /**
   * Slowest average rate an upload/append body may arrive at once `uploadRateGraceMs` have passed (bytes per
   * second; 0: no minimum), so slow clients cannot hold the upload slots for the whole request timeout.
   */
  minUploadBytesPerSecond: number;
  uploadRateGraceMs: number;
  /** Per-token request budget per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /**
   * Failed authentications (401) one client address may have per rate-limit window before its requests are answered
   * 429 without looking at the token (guessing tokens gets slow); 0 disables.
   */
  authFailureLimit: number;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Most profiles one query reads. */
  maxQueryProfiles: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** File with the 64 hex digits of the AES-256 key every stored blob is sealed with; null stores plain blobs. */
  encryptionKeyFile: string | null;
  /** Redact secrets in program arguments and URLs of uploads before storing them (redact.ts); on by default. */
  redact: boolean;
  /** Scope a raw download of an eventlog needs (its environment events can hold secrets). */
  rawDownloadScope: 'read' | 'admin';
  /** Grafana's root URL: tokens bound to Grafana orgs are checked against its signed ID tokens (grafana-id.ts). */
  grafanaUrl: string | null;
  /**
   * The `iss` Grafana writes into its ID tokens: its root_url (default: grafanaUrl). They differ when the server
   * reaches Grafana at another address than users do (`http://grafana:3000` inside compose, root_url
   * `http://localhost:3000/`).
   */
  grafanaIssuer: string | null;
  /** Least time between two fetches of Grafana's signing keys caused by an unknown key id (rotation). */
  grafanaKeysCooldownMs: number;
  /** PEM files for HTTPS (re-read on SIGHUP); both or neither. */
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
}

export const MIB = 1024 * 1024;

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = env.GHCPROF_DATA_DIR ?? './.data';
  return {
    port: 4040,
    host: '127.0.0.1',
    db: join(dataDir, 'ghcprof.db'),
    dataDir,
    prometheusUrl: null,
    prometheusUrlFromHeader: false,
    prometheusLabels: {},
    ekgUrl: null,
    ekgLabels: {},
    retentionMs: null,
    maxUploadBytes: 512 * MIB,
    maxConcurrentUploads: 4,
    minUploadBytesPerSecond: 1024,
    uploadRateGraceMs: 10_000,
    rateLimitMax: 600,
    rateLimitWindowMs: 60_000,
    authFailureLimit: 30,
    requestTimeoutMs: 300_000,
    connectionTimeoutMs: 310_000,
    keepAliveTimeoutMs: 72_000,
    maxQueryProfiles: 5000,
    logLevel: 'info',
    encryptionKeyFile: null,
    redact: true,
    rawDownloadScope: 'admin',
    grafanaUrl: null,
    grafanaIssuer: null,
    grafanaKeysCooldownMs: 30_000,
    tlsCertFile: null,
    tlsKeyFile: null,
  };
}

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** `30d`, `12h`, `90m`, `500ms`, or a bare number of ms; `0`/`off`/`none` disables. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (['0', 'off', 'none', ''].includes(t)) {
    return null;
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)?$/.exec(t);
  if (!m) {
    throw new Error(`invalid duration "${text}": expected a number with a unit (ms, s, m, h, d, w, y), e.g. 30d`);
  }
  return Math.round(Number(m[1]) * DURATION_UNITS_MS[m[2] ?? 'ms']);
}

/** `512MiB`, `10MB`, `1048576`. */
export function parseByteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(text.trim());
  if (!m) {
    throw new Error(`invalid size "${text}": expected bytes, optionally with a unit (KiB, MiB, GiB, KB, MB, GB)`);
  }
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: MIB, gb: 1e9, gib: 1024 * MIB };
  return Math.round(Number(m[1]) * factor[unit]);
}

/**
 * Settings as text, the way they arrive from a config file, the environment or the command line. Keys are the long
 * option names in camelCase; the environment variable of `maxUploadBytes` is `GHCPROF_MAX_UPLOAD_BYTES`.
 */
export const RawSettingsSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535),
    host: z.string().min(1),
    db: z.string().min(1),
    dataDir: z.string().min(1),
    prometheusUrl: z.string().url(),
    prometheusUrlFromHeader: z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]),
    prometheusLabel: z.union([z.string(), z.array(z.string())]),
    ekgUrl: z.string().url(),
    ekgLabel: z.union([z.string(), z.array(z.string())]),
    retention: z.union([z.string(), z.number()]),
    maxUploadBytes: z.union([z.string(), z.number()]),
    maxConcurrentUploads: z.coerce.number().int().min(1),
    minUploadRate: z.union([z.string(), z.number()]),
    rateLimit: z.coerce.number().int().min(1),
    rateLimitWindow: z.union([z.string(), z.number()]),
    authFailureLimit: z.coerce.number().int().min(0),
    requestTimeout: z.union([z.string(), z.number()]),
    maxQueryProfiles: z.coerce.number().int().min(1),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    encryptionKeyFile: z.string().min(1),
    redact: z.union([z.boolean(), z.enum(['on', 'off', 'true', 'false', '1', '0'])]),
    rawDownload: z.enum(['read', 'admin']),
    grafanaUrl: z.string().url(),
    grafanaIssuer: z.string().url(),
    tlsCert: z.string().min(1),
    tlsKey: z.string().min(1),
  })
  .partial()
  .strict();
export type RawSettings = z.infer<typeof RawSettingsSchema>;

export const SETTING_KEYS = Object.keys(RawSettingsSchema.shape) as Array<keyof RawSettings>;

export function envName(key: string): string {
  return `GHCPROF_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Settings present in the environment (`GHCPROF_PORT`, `GHCPROF_DB`, `GHCPROF_PROMETHEUS_LABEL=a=b,c=d`, ...). */
export function settingsFromEnv(env: NodeJS.ProcessEnv): RawSettings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') {
      out[key] =
        key === 'prometheusLabel' || key === 'ekgLabel'
          ? value
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : value;
    }
  }
  return out as RawSettings;
}

export function settingsFromFile(path: string): RawSettings {
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new Error(`${path}: not valid YAML/JSON: ${(err as Error).message}`);
  }
  const parsed = RawSettingsSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  return parsed.data;
}

/** `name=value` pairs with Prometheus label names. */
export function parseLabelValues(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!LABEL_NAME_RE.test(name)) {
      throw new Error(`invalid label "${pair}": expected name=value with a Prometheus label name, e.g. service=api`);
    }
    setOwn(out, name, pair.slice(eq + 1).trim());
  }
  return out;
}

function checkSettings(s: RawSettings): RawSettings {
  const parsed = RawSettingsSchema.safeParse(s);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? '');
    throw new Error(
      `invalid setting ${key} (--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}, ${envName(key)}): ${issue.message}`
    );
  }
  return parsed.data;
}

/** Merges the sources in order (later wins) over the defaults and checks every value. */
export function resolveConfig(sources: RawSettings[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const merged: RawSettings = {};
  for (const s of sources) {
    for (const [k, v] of Object.entries(checkSettings(s))) {
      if (v !== undefined) {
        (merged as Record<string, unknown>)[k] = v;
      }
    }
  }
  const base = defaultConfig(merged.dataDir ? { ...env, GHCPROF_DATA_DIR: merged.dataDir } : env);
  const asText = (v: string | number) => String(v);
  const labels = merged.prometheusLabel === undefined ? [] : [merged.prometheusLabel].flat();
  return {
    ...base,
    port: merged.port ?? base.port,
    host: merged.host ?? base.host,
    db: merged.db ?? base.db,
    prometheusUrl: merged.prometheusUrl ?? null,
    prometheusUrlFromHeader: [true, 'true', '1'].includes(merged.prometheusUrlFromHeader ?? false),
    prometheusLabels: parseLabelMapOptions(labels),
    ekgUrl: merged.ekgUrl ?? null,
    ekgLabels: parseLabelValues(merged.ekgLabel === undefined ? [] : [merged.ekgLabel].flat()),
    retentionMs: merged.retention === undefined ? null : parseDuration(asText(merged.retention)),
    maxUploadBytes:
      merged.maxUploadBytes === undefined ? base.maxUploadBytes : parseByteSize(asText(merged.maxUploadBytes)),
    maxConcurrentUploads: merged.maxConcurrentUploads ?? base.maxConcurrentUploads,
    minUploadBytesPerSecond:
      merged.minUploadRate === undefined
        ? base.minUploadBytesPerSecond
        : parseByteSize(asText(merged.minUploadRate).replace(/\/s$/, '')),
    uploadRateGraceMs: base.uploadRateGraceMs,
    rateLimitMax: merged.rateLimit ?? base.rateLimitMax,
    rateLimitWindowMs:
      merged.rateLimitWindow === undefined
        ? base.rateLimitWindowMs
        : (parseDuration(asText(merged.rateLimitWindow)) ?? base.rateLimitWindowMs),
    authFailureLimit: merged.authFailureLimit ?? base.authFailureLimit,
    requestTimeoutMs:
      merged.requestTimeout === undefined ? base.requestTimeoutMs : (parseDuration(asText(merged.requestTimeout)) ?? 0),
    maxQueryProfiles: merged.maxQueryProfiles ?? base.maxQueryProfiles,
    logLevel: merged.logLevel ?? base.logLevel,
    encryptionKeyFile: merged.encryptionKeyFile ?? null,
    redact: merged.redact === undefined ? base.redact : parseOnOff(merged.redact),
    rawDownloadScope: merged.rawDownload ?? base.rawDownloadScope,
    grafanaUrl: merged.grafanaUrl ?? null,
    grafanaIssuer: merged.grafanaIssuer ?? null,
    ...tlsFiles(merged.tlsCert, merged.tlsKey),
  };
}

function parseOnOff(v: boolean | string): boolean {
  return v === true || v === 'on' || v === 'true' || v === '1';
}

function tlsFiles(cert: string | undefined, key: string | undefined): Pick<ServerConfig, 'tlsCertFile' | 'tlsKeyFile'> {
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error('--tls-cert and --tls-key go together: give both (PEM files) or neither');
  }
  return { tlsCertFile: cert ?? null, tlsKeyFile: key ?? null };
}

/** Config for tests and embedded use: defaults with overrides, quiet logs. */
export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...defaultConfig({}), logLevel: 'silent', ...overrides };
}

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}

export function resolveDbPath(db: string): string {
  return isPostgresUrl(db) ? db : resolve(db);
}
