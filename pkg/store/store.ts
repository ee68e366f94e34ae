/**
 * The storage interface the server, CLI and agent endpoints use. Two implementations with the same file names:
 * `sqlite/` (embedded default, better-sqlite3@12) and `postgres/` (scale-out, pg). One contract test suite
 * (`store.contract.test.ts`) runs against both. Everything is scoped by tenant: a call never sees another tenant's
 * rows, and a missing id and another tenant's id are indistinguishable (both `null` / `false`).
 */
import type { CallTree, HeapMode, HeapProfile, ProfileKind, RtsEvents } from '../model/types';
import type { ProfileMeta } from '../api/query';
import type { BenchData } from '../model/bench';
import type { LabelMatcher } from '../api/selector';

export type Scope = 'read' | 'write' | 'admin';

/** What the server hands the store after parsing an upload. */
export interface NewProfile {
  tenant: string;
  kind: ProfileKind;
  labels: Record<string, string>;
  startTime: number;
  endTime: number | null;
  timeSource: ProfileMeta['timeSource'];
  program: string;
  rtsArguments: string[];
  /** Size of the artefact as uploaded (decompressed bytes). */
  size: number;
  /** sha256 (hex) of the decompressed bytes: the idempotency key per tenant. */
  sha256: string;
  uploader: string | null;
  warnings: string[];
  /** The artefact's bytes as uploaded (decompressed); the store compresses them. */
  raw: Buffer;
  /** Normalised data the queries read without re-parsing. */
  tree?: CallTree;
  heap?: HeapProfile;
  heapMode?: HeapMode | null;
  rts?: RtsEvents;
  /** Kind `bench`: the benchmark results or RTS summary figures. */
  bench?: BenchData;
}

/** What completed in one chunk of a growing profile (times relative to the artefact's start). */
export interface ChunkDelta {
  tree?: CallTree;
  heap?: HeapProfile;
  rts?: RtsEvents;
}

/** One append of a growing profile, as stored: immutable once written. */
export interface NewChunk {
  /** Byte offset of `raw` in the artefact. */
  startOffset: number;
  /** The bytes (decompressed); the store compresses them. */
  raw: Buffer;
  /** sha256 (hex) of `raw`: retried appends are checked against it without reading the bytes back. */
  sha256: string;
  delta: ChunkDelta;
  /** Time span (ns since the artefact's start) of the data that completed in the chunk; null when none did. */
  firstNs: number | null;
  lastNs: number | null;
}

/** A stored chunk without its blobs. */
export interface ChunkInfo {
  seq: number;
  startOffset: number;
  endOffset: number;
  sha256: string;
  firstNs: number | null;
  lastNs: number | null;
}

/** A growing profile's state for its next append: the metadata and the query layer's JSON (continuation, digest). */
export interface GrowingProfile {
  meta: ProfileMeta;
  /** Null until the first append turned the profile into chunks. */
  growth: unknown;
  /** Bytes stored (the artefact's length). */
  size: number;
}

/** The chunks an append adds and the profile's content after them, committed together. */
export interface ChunkAppend {
  /** The profile's size the append was read against: anything else means another append came first. */
  expectedSize: number;
  /** The chunks to add, in order (the first append also stores the bytes uploaded whole as chunk 0). */
  chunks: NewChunk[];
  /** The profile's new metadata and merged tree (no raw bytes: they are in the chunks). */
  profile: Omit<NewProfile, 'raw' | 'heap' | 'rts'>;
  /** Whether the joined chunks hold heap censuses / RTS series. */
  has: { heap: boolean; rts: boolean };
  growth: unknown;
}

export type ChunkAppendResult =
  | { type: 'appended'; meta: ProfileMeta }
  /** The profile's size is no longer `expectedSize` (a concurrent append): read it again. */
  | { type: 'moved' }
  /** Another profile of the tenant holds exactly the bytes the append would make (as an identical upload). */
  | { type: 'duplicate'; meta: ProfileMeta };

export interface ProfileFilter {
  matchers: LabelMatcher[];
  /** ms epoch; profiles overlapping [from, to] (a profile without end time is a point at its start). */
  from?: number;
  to?: number;
  kind?: ProfileKind;
  /** Only profiles that hold this kind of data. */
  has?: 'tree' | 'heap' | 'rts';
  limit?: number;
}

export interface TokenRecord {
  id: string;
  tenant: string;
  scope: Scope;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  /**
   * Grafana organisations the token is bound to (`ghcprof token create --grafana-org N`): then a request with it
   * must also carry Grafana's signed ID token for one of them (X-Grafana-Id). Empty: not bound.
   */
  grafanaOrgs: number[];
}

export interface NewToken {
  tenant: string;
  scope: Scope;
  name: string;
  /** sha256 of the secret. */
  hash: string;
  grafanaOrgs?: number[];
}

export interface AuditEntry {
  tenant: string;
  action: 'upload' | 'append' | 'delete' | 'token.create' | 'token.revoke';
  profileId?: string;
  user: string | null;
  tokenId: string | null;
  detail?: string;
}

/** Where a tree of getTreesForQuery comes from. */
export type TreeSource =
  /** The pre-merged trees of every profile of one label set and kind that started in one whole hour. */
  | {
      type: 'rollup';
      /** ms epoch, a multiple of one hour. */
      hourStart: number;
      kind: ProfileKind;
      labels: Record<string, string>;
      profileCount: number;
      tree: CallTree;
    }
  /** One profile's own tree (hours the time range covers only partly). */
  | { type: 'profile'; meta: ProfileMeta; tree: CallTree };

export interface TreeQueryResult {
  /** Merging these trees (mergeTrees) gives exactly the merge of every selected profile's tree. */
  sources: TreeSource[];
  /** Profiles covered by the sources (rollups count all theirs). */
  profileCount: number;
}

/** A profile removed by retention. */
export interface DeletedProfile {
  tenant: string;
  id: string;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
  /** ms epoch. */
  at: number;
}

export interface Store {
  /** Apply schema migrations (idempotent; safe with several replicas starting at once). */
  migrate(): Promise<void>;
  /**
   * Throws, naming the key, when stored blobs are encrypted with a key this process was not given (a server then
   * refuses to start); records the key new blobs are sealed with. Optional: a store without encryption at rest.
   */
  checkEncryptionKeys?(): Promise<void>;
  /** Cheap reachability check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * Store a parsed profile atomically (metadata, compressed raw bytes and normalised data in one transaction).
   * Idempotent: if the tenant already has a profile with the same sha256, nothing is written and that profile is
   * returned with `created: false`.
   * `audit`, when given, is written in the same transaction when the profile is created (its `profileId` set to the
   * new id), so a crash can never keep the profile and lose its audit line; nothing is audited when it existed.
   */
  insertProfile(p: NewProfile, audit?: AuditEntry): Promise<{ meta: ProfileMeta; created: boolean }>;
  /**
   * Replace a stored profile's artefact and normalised data in one transaction, keeping its id, tenant and
   * createdAt (POST /api/v1/profiles/:id/append: a growing .hp/.eventlog re-parsed). `null` when the id is not the
   * tenant's. `audit`, when given, is written in the same transaction (its `profileId` set to `id`).
   */
  replaceProfile(tenant: string, id: string, p: NewProfile, audit?: AuditEntry): Promise<ProfileMeta | null>;
  /**
   * Growing profiles (POST /api/v1/profiles/:id/append, chunks.ts). `getGrowth`: null when the id is not the
   * tenant's.
   */
  getGrowth(tenant: string, id: string): Promise<GrowingProfile | null>;
  /** The chunks whose bytes overlap [from, to), in order (all when no range). */
  listChunks(tenant: string, id: string, range?: { from: number; to: number }): Promise<ChunkInfo[]>;
  /** One chunk's bytes (decompressed), or null. */
  getChunkRaw(tenant: string, id: string, seq: number): Promise<Buffer | null>;
  /**
   * Adds chunks and replaces the profile's metadata, merged tree and growth state in one transaction (with the
   * hourly rollups of its old and new bucket, and `audit`). Null when the id is not the tenant's.
   */
  appendChunks(tenant: string, id: string, append: ChunkAppend, audit?: AuditEntry): Promise<ChunkAppendResult | null>;
  /** The artefact's bytes in pieces (a growing profile: chunk by chunk), without holding it all. */
  rawPieces(tenant: string, id: string): AsyncIterable<Buffer>;
  getProfile(tenant: string, id: string): Promise<ProfileMeta | null>;
  /**
   * The tenant's profile whose artefact has this sha256 (hex of the decompressed bytes), or null. Lets an upload of
   * bytes already stored answer without parsing them again.
   */
  findProfileBySha256(tenant: string, sha256: string): Promise<ProfileMeta | null>;
  listProfiles(tenant: string, filter: ProfileFilter): Promise<ProfileMeta[]>;
  /** The artefact as uploaded (decompressed). */
  getRaw(tenant: string, id: string): Promise<Buffer | null>;
  getTree(tenant: string, id: string): Promise<CallTree | null>;
  getHeap(tenant: string, id: string): Promise<HeapProfile | null>;
  getRts(tenant: string, id: string): Promise<RtsEvents | null>;
  /** A `bench` artefact's results (null for other kinds, a missing id or another tenant's). */
  getBench(tenant: string, id: string): Promise<BenchData | null>;
  /**
   * Deletes metadata, raw bytes and normalised data in one transaction; `audit`, when given, is written in it if the
   * profile existed (its `profileId` set to `id`).
   */
  deleteProfile(tenant: string, id: string, audit?: AuditEntry): Promise<boolean>;

  labelNames(tenant: string, filter: ProfileFilter): Promise<string[]>;
  labelValues(tenant: string, name: string, filter: ProfileFilter): Promise<string[]>;

  /** Tokens: only a hash of the secret is stored. */
  createToken(t: NewToken): Promise<TokenRecord>;
  findTokenByHash(hash: string): Promise<TokenRecord | null>;
  listTokens(tenant?: string): Promise<TokenRecord[]>;
  revokeToken(id: string): Promise<boolean>;

  audit(entry: AuditEntry): Promise<void>;
  /** A tenant's audit log, newest first (default limit 100). */
  listAudit(tenant: string, limit?: number): Promise<StoredAuditEntry[]>;

  /**
   * The trees of every profile `filter` selects that holds a tree, read in one consistent snapshot: hours the time
   * range covers completely come as hourly rollups (one per label set and kind), the rest as single profiles' trees.
   * `filter.has` and `filter.limit` are ignored (a rollup stands for all its profiles or none).
   */
  getTreesForQuery(tenant: string, filter: ProfileFilter): Promise<TreeQueryResult>;
  /**
   * Retention: deletes every profile (of one tenant, or all) that ended before cutoffMs (a profile without end time
   * at its start), in transactions of `batchSize` profiles that also fix the affected rollups and write one audit
   * entry per profile (action 'delete', detail 'retention'). A reader never sees a half-deleted batch.
   */
  deleteOlderThan(cutoffMs: number, opts?: { tenant?: string; batchSize?: number }): Promise<DeletedProfile[]>;
  /** Approximate bytes used by the store (for /metrics). */
  sizeBytes(): Promise<number>;
}
