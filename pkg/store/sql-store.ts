/**
 * The Store on top of an SqlDriver: one implementation for SQLite and PostgreSQL, their differences declared in
 * the drivers' dialects. Every query names the tenant; an id of another tenant reads exactly like a missing one.
 * This file holds the profiles (insert, replace, read, delete, labels, trees for queries) and the store's life
 * cycle; rows and blobs are mapped in profile-rows.ts, tokens and the audit log live in tokens-audit.ts and
 * retention in retention.ts, all over the same driver.
 */
import type { ProfileMeta } from '../api/query';
import type { CallTree, HeapProfile, RtsEvents } from '../model/types';
import type { BenchData } from '../model/bench';
import { PLAIN } from './blob-cipher';
import { decompress, packJson, packTree, unpackHeap, unpackJson, unpackTree } from './codec';
import * as chunks from './chunks';
import type { SqlDriver, SqlExecutor, SqlParam } from './driver';
import { profileCondition } from './filter-sql';
import { appliedVersions, migrate } from './migrate';
import {
  checkProfile,
  contentColumns,
  META_COLUMNS,
  metaOf,
  newMeta,
  packBlobs,
  type BlobPart,
  type ProfileRow,
} from './profile-rows';
import { deleteOlderThan } from './retention';
import { DEFAULT_ROLLUP_CACHE_NODES, RollupCache } from './rollup-cache';
import {
  addPending,
  bucketsOf,
  coveredHours,
  decodeRollups,
  hourOf,
  labelsKey,
  readRollups,
  rebuildBuckets,
  RollupFolder,
  uniqueBuckets,
  type BucketKey,
  type CoveredHours,
} from './rollups';
import { SealingDriver } from './sealing-driver';
import type {
  AuditEntry,
  ChunkAppend,
  ChunkAppendResult,
  ChunkInfo,
  GrowingProfile,
  DeletedProfile,
  NewProfile,
  ProfileFilter,
  NewToken,
  Scope,
  Store,
  StoredAuditEntry,
  TokenRecord,
  TreeQueryResult,
  TreeSource,
} from './store';
import * as tokensAudit from './tokens-audit';

export interface SqlStoreOptions {
  /** Budget of the decoded-rollup cache, in tree nodes (0 turns it off). */
  rollupCacheNodes?: number;
}

export class SqlStore implements Store {
  private readonly rollupCache: RollupCache;
  private readonly folder: RollupFolder;

  constructor(
    protected readonly driver: SqlDriver,
    options: SqlStoreOptions = {}
  ) {
    this.rollupCache = new RollupCache(options.rollupCacheNodes ?? DEFAULT_ROLLUP_CACHE_NODES);
    this.folder = new RollupFolder(driver, this.rollupCache);
  }

  get backend(): 'sqlite' | 'postgres' {
    return this.driver.dialect.name;
  }

  async migrate(): Promise<void> {
    await migrate(this.driver);
  }

  /**
   * Refuses (throws) when the store holds blobs sealed with a key this process was not given, naming the key;
   * records the key new blobs are sealed with, so a later start without it refuses too (even before any upload).
   */
  async checkEncryptionKeys(): Promise<void> {
    const cipher = this.driver instanceof SealingDriver ? this.driver.cipher : PLAIN;
    const used = (await this.driver.query<{ key_id: string }>(`SELECT key_id FROM blob_keys ORDER BY key_id`)).map(
      (r) => r.key_id
    );
    const given = new Set(cipher.keyIds());
    const missing = used.filter((id) => !given.has(id));
    if (missing.length > 0) {
      throw new Error(
        `the store's blobs are encrypted with key ${missing.join(', ')}, which was not given: start with ` +
          `--encryption-key-file naming ${missing.length > 1 ? 'those keys' : 'that key'}` +
          (given.size > 0 ? ` (given: ${[...given].join(', ')}; rotate with ghcprof store rekey)` : '')
      );
    }
    if (cipher.current && !used.includes(cipher.current.id)) {
      await this.driver.execute(
        `INSERT INTO blob_keys (key_id, first_used_at) VALUES (?, ?) ON CONFLICT (key_id) DO NOTHING`,
        [cipher.current.id, Date.now()]
      );
    }
  }

  /** Versions recorded in schema_migrations. */
  schemaVersions(): Promise<number[]> {
    return appliedVersions(this.driver);
  }

  async ping(): Promise<void> {
    await this.driver.query('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  async insertProfile(p: NewProfile, audit?: AuditEntry): Promise<{ meta: ProfileMeta; created: boolean }> {
    checkProfile(p);
    // Retries of an upload are common (agents): answer them without compressing anything.
    const existing = await this.findBySha(this.driver, p.tenant, p.sha256);
    if (existing) {
      return { meta: existing, created: false };
    }
    // In flight from here (compressing is the longest part), so uploads arriving together share one fold.
    const bucket = p.tree ? bucketOf(p) : null;
    if (bucket) {
      this.folder.begin(bucket);
    }
    let stored: { id: string; tree: CallTree } | null = null;
    try {
      const meta = newMeta(p);
      const result = await this.insertRows(p, meta, await packBlobs(p), audit);
      stored = result.created && p.tree ? { id: meta.id, tree: p.tree } : null;
      return result;
    } finally {
      if (bucket) {
        await this.foldIntoRollup(bucket, stored);
      }
    }
  }

  /** The insert's one transaction: the profile's rows, or the profile that already holds these bytes. */
  private insertRows(
    p: NewProfile,
    meta: ProfileMeta,
    blobs: Map<BlobPart, Buffer>,
    audit: AuditEntry | undefined
  ): Promise<{ meta: ProfileMeta; created: boolean }> {
    return this.driver.transaction(async (tx) => {
      const inserted = await this.insertMetaRow(tx, p.tenant, meta, blobs);
      if (!inserted) {
        // A concurrent upload of the same bytes committed first (the unique index made us wait for it).
        const winner = await this.findBySha(tx, p.tenant, p.sha256);
        if (!winner) {
          throw new Error(`profile with sha256 ${p.sha256} conflicted but cannot be read back`);
        }
        return { meta: winner, created: false };
      }
      await this.writeLabelsAndBlobs(tx, p.tenant, meta, blobs);
      await this.afterInsert(tx, p, meta.id);
      await tokensAudit.auditIn(tx, audit, meta.id);
      return { meta, created: true };
    });
  }

  /**
   * After an insert's transaction (`stored` null when it stored nothing): merges pending trees into the hourly
   * rollup, outside the transaction, so other requests are not held up behind the merge (rollups.ts RollupFolder).
   * The profile is already stored and read exactly while pending, so a failed fold does not fail the insert.
   */
  protected foldIntoRollup(bucket: BucketKey, stored: { id: string; tree: CallTree } | null): Promise<void> {
    return this.folder.end(bucket, stored);
  }

  /**
   * Replaces a profile's content (artefact, normalised data, times, labels) keeping its id, tenant and createdAt, in
   * one transaction that also re-merges the rollups of the old and the new bucket. Null when the id is not the
   * tenant's. Fails when another profile of the tenant already holds exactly the new bytes.
   */
  async replaceProfile(tenant: string, id: string, p: NewProfile, audit?: AuditEntry): Promise<ProfileMeta | null> {
    checkProfile(p);
    const blobs = await packBlobs(p);
    const dialect = this.driver.dialect;
    return this.driver.transaction(async (tx) => {
      const rows = await tx.query<ProfileRow>(
        `SELECT ${META_COLUMNS} FROM profiles p WHERE p.tenant = ? AND p.id = ?${dialect.forUpdate}`,
        [tenant, id]
      );
      if (rows.length === 0) {
        return null;
      }
      const holder = await this.findBySha(tx, tenant, p.sha256);
      if (holder && holder.id !== id) {
        throw new Error(`profile ${holder.id} already holds these bytes (sha256 ${p.sha256}); not replacing ${id}`);
      }
      const meta: ProfileMeta = { ...newMeta(p), id, createdAt: Number(rows[0].created_at) };
      const buckets = await bucketsOf(tx, dialect, tenant, [id]);
      const columns = contentColumns(meta, blobs);
      await tx.execute(
        `UPDATE profiles SET ${Object.keys(columns)
          .map((c) => `${c} = ?`)
          .join(', ')} WHERE tenant = ? AND id = ?`,
        [...Object.values(columns), tenant, id]
      );
      await tx.execute(`DELETE FROM profile_labels WHERE profile_id = ?`, [id]);
      await tx.execute(`DELETE FROM profile_blobs WHERE profile_id = ?`, [id]);
      await this.writeLabelsAndBlobs(tx, tenant, meta, blobs);
      const touched = uniqueBuckets([...buckets, ...(await bucketsOf(tx, dialect, tenant, [id]))]);
      await rebuildBuckets(tx, dialect, touched, []);
      await tokensAudit.auditIn(tx, audit, id);
      return meta;
    });
  }

  /** Derived data kept in the insert's transaction: the profile marked pending for its hourly rollup. */
  protected async afterInsert(tx: SqlExecutor, p: NewProfile, id: string): Promise<void> {
    if (p.tree) {
      await addPending(tx, bucketOf(p), id);
    }
  }

  /** Derived data kept in a delete's transaction, before the profiles' rows go: their rollups re-merged. */
  protected async beforeDelete(tx: SqlExecutor, tenant: string, ids: string[]): Promise<void> {
    const buckets = await bucketsOf(tx, this.driver.dialect, tenant, ids);
    await rebuildBuckets(tx, this.driver.dialect, buckets, ids);
  }

  async getProfile(tenant: string, id: string): Promise<ProfileMeta | null> {
    const rows = await this.driver.query<ProfileRow>(
      `SELECT ${META_COLUMNS} FROM profiles p WHERE p.tenant = ? AND p.id = ?`,
      [tenant, id]
    );
    return rows.length > 0 ? metaOf(rows[0]) : null;
  }

  /** Newest first (start time, then id). */
  findProfileBySha256(tenant: string, sha256: string): Promise<ProfileMeta | null> {
    return this.findBySha(this.driver, tenant, sha256);
  }

  async listProfiles(tenant: string, filter: ProfileFilter): Promise<ProfileMeta[]> {
    const where = await profileCondition(this.driver, this.driver.dialect, tenant, filter);
    const limit = filter.limit !== undefined ? ' LIMIT ?' : '';
    const rows = await this.driver.query<ProfileRow>(
      `SELECT ${META_COLUMNS} FROM profiles p WHERE ${where.sql} ORDER BY p.start_time DESC, p.id DESC${limit}`,
      filter.limit !== undefined ? [...where.params, filter.limit] : where.params
    );
    return rows.map(metaOf);
  }

  /** A growing profile's bytes are its chunks' (chunks.ts); an upload's are one blob. */
  async getRaw(tenant: string, id: string): Promise<Buffer | null> {
    const data = await this.readBlob(this.driver, tenant, id, 'raw');
    if (data) {
      return decompress(data);
    }
    if (!(await this.owns(tenant, id))) {
      return null;
    }
    const pieces: Buffer[] = [];
    for await (const piece of chunks.rawChunks(this.driver, id)) {
      pieces.push(piece);
    }
    return pieces.length > 0 ? Buffer.concat(pieces) : null;
  }

  async *rawPieces(tenant: string, id: string): AsyncGenerator<Buffer> {
    const data = await this.readBlob(this.driver, tenant, id, 'raw');
    if (data) {
      yield await decompress(data);
    } else if (await this.owns(tenant, id)) {
      yield* chunks.rawChunks(this.driver, id);
    }
  }

  async getGrowth(tenant: string, id: string): Promise<GrowingProfile | null> {
    const meta = await this.getProfile(tenant, id);
    if (!meta) {
      return null;
    }
    const growth = await this.readBlob(this.driver, tenant, id, 'growth');
    return { meta, growth: growth && (await unpackJson<unknown>(growth)), size: meta.size };
  }

  async listChunks(tenant: string, id: string, range?: { from: number; to: number }): Promise<ChunkInfo[]> {
    return (await this.owns(tenant, id)) ? chunks.listChunks(this.driver, id, range) : [];
  }

  async getChunkRaw(tenant: string, id: string, seq: number): Promise<Buffer | null> {
    return (await this.owns(tenant, id)) ? chunks.chunkRaw(this.driver, id, seq) : null;
  }

  /**
   * One transaction per append: the new chunk rows, the profile's metadata, merged tree and growth state, its
   * rollups and the audit line. The profile row is locked first and its size checked, so two replicas appending
   * at once serialise and the second one learns that it must read again ('moved').
   */
  async appendChunks(
    tenant: string,
    id: string,
    append: ChunkAppend,
    audit?: AuditEntry
  ): Promise<ChunkAppendResult | null> {
    const p = append.profile;
    checkProfile(p);
    const [packed, tree, growth] = await Promise.all([
      chunks.packChunks(append.chunks),
      p.tree ? packTree(p.tree) : null,
      packJson(append.growth),
    ]);
    const dialect = this.driver.dialect;
    return this.driver.transaction(async (tx): Promise<ChunkAppendResult | null> => {
      const rows = await tx.query<ProfileRow & { stored_bytes: number }>(
        `SELECT ${META_COLUMNS}, p.stored_bytes FROM profiles p WHERE p.tenant = ? AND p.id = ?${dialect.forUpdate}`,
        [tenant, id]
      );
      if (rows.length === 0) {
        return null;
      }
      if (Number(rows[0].size) !== append.expectedSize) {
        return { type: 'moved' };
      }
      const holder = await this.findBySha(tx, tenant, p.sha256);
      if (holder && holder.id !== id) {
        return { type: 'duplicate', meta: holder };
      }
      const meta: ProfileMeta = {
        ...newMeta({ ...p, raw: Buffer.alloc(0) }),
        id,
        createdAt: Number(rows[0].created_at),
        has: { tree: p.tree !== undefined, ...append.has },
      };
      const buckets = await bucketsOf(tx, dialect, tenant, [id]);
      const added = await chunks.insertChunks(tx, id, packed);
      const blobs = new Map<BlobPart, Buffer>([['growth', growth]]);
      if (tree) {
        blobs.set('tree', tree);
      }
      // The first append moves the upload's bytes and data into chunk 0: its own blobs go.
      await tx.execute(`DELETE FROM profile_blobs WHERE profile_id = ? AND ${dialect.inTextList('part')}`, [
        id,
        dialect.textList(['raw', 'heap', 'rts', ...blobs.keys()]),
      ]);
      for (const [part, data] of blobs) {
        await tx.execute(`INSERT INTO profile_blobs (profile_id, part, data) VALUES (?, ?, ?)`, [id, part, data]);
      }
      const columns = { ...contentColumns(meta, new Map()), stored_bytes: Number(rows[0].stored_bytes) + added };
      await tx.execute(
        `UPDATE profiles SET ${Object.keys(columns)
          .map((c) => `${c} = ?`)
          .join(', ')} WHERE tenant = ? AND id = ?`,
        [...Object.values(columns), tenant, id]
      );
      const touched = uniqueBuckets([...buckets, ...(await bucketsOf(tx, dialect, tenant, [id]))]);
      await rebuildBuckets(tx, dialect, touched, [], tree ? { id, packed: tree } : undefined);
      await tokensAudit.auditIn(tx, audit, id);
      return { type: 'appended', meta };
    });
  }

  private async owns(tenant: string, id: string): Promise<boolean> {
    const rows = await this.driver.query(`SELECT 1 AS one FROM profiles WHERE tenant = ? AND id = ?`, [tenant, id]);
    return rows.length > 0;
  }

  async getTree(tenant: string, id: string): Promise<CallTree | null> {
    const data = await this.readBlob(this.driver, tenant, id, 'tree');
    return data && unpackTree(data);
  }

  async getHeap(tenant: string, id: string): Promise<HeapProfile | null> {
    const data = await this.readBlob(this.driver, tenant, id, 'heap');
    if (data) {
      return unpackHeap(data);
    }
    return (await this.owns(tenant, id)) ? chunks.joinedHeap(this.driver, id) : null;
  }

  async getRts(tenant: string, id: string): Promise<RtsEvents | null> {
    const rts = await this.readJsonBlob<RtsEvents>(tenant, id, 'rts');
    if (rts) {
      return rts;
    }
    return (await this.owns(tenant, id)) ? chunks.joinedRts(this.driver, id) : null;
  }

  getBench(tenant: string, id: string): Promise<BenchData | null> {
    return this.readJsonBlob<BenchData>(tenant, id, 'bench');
  }

  deleteProfile(tenant: string, id: string, audit?: AuditEntry): Promise<boolean> {
    return this.driver.transaction(async (tx) => {
      if ((await this.deleteProfiles(tx, tenant, [id])) === 0) {
        return false;
      }
      await tokensAudit.auditIn(tx, audit, id);
      return true;
    });
  }

  async labelNames(tenant: string, filter: ProfileFilter): Promise<string[]> {
    return this.distinctLabelColumn('name', tenant, filter, []);
  }

  async labelValues(tenant: string, name: string, filter: ProfileFilter): Promise<string[]> {
    return this.distinctLabelColumn('value', tenant, filter, [name]);
  }

  createToken(t: NewToken): Promise<TokenRecord> {
    return tokensAudit.createToken(this.driver, t);
  }

  findTokenByHash(hash: string): Promise<TokenRecord | null> {
    return tokensAudit.findTokenByHash(this.driver, hash);
  }

  listTokens(tenant?: string): Promise<TokenRecord[]> {
    return tokensAudit.listTokens(this.driver, tenant);
  }

  revokeToken(id: string): Promise<boolean> {
    return tokensAudit.revokeToken(this.driver, id);
  }

  audit(entry: AuditEntry): Promise<void> {
    return tokensAudit.insertAudit(this.driver, entry);
  }

  listAudit(tenant: string, limit = 100): Promise<StoredAuditEntry[]> {
    return tokensAudit.listAudit(this.driver, tenant, limit);
  }

  sizeBytes(): Promise<number> {
    return this.driver.sizeBytes();
  }

  /**
   * Reads rows and blobs in one read transaction and decodes after it: on SQLite every statement of the process
   * waits while a transaction runs, and decoding a week of trees takes far longer than reading them.
   */
  async getTreesForQuery(tenant: string, filter: ProfileFilter): Promise<TreeQueryResult> {
    const read = await this.driver.transaction(async (tx) => {
      const hours = coveredHours(filter.from, filter.to);
      const rollups = await readRollups(
        tx,
        this.driver.dialect,
        tenant,
        hours,
        filter.matchers,
        filter.kind,
        this.rollupCache
      );
      const where = await profileCondition(tx, this.driver.dialect, tenant, { ...filter, has: 'tree' });
      const outside = outsideHours(hours);
      // Profiles of partly covered hours, and those of covered hours not yet folded into their rollup.
      const profiles = await tx.query<ProfileRow & { tree: Buffer }>(
        `SELECT ${META_COLUMNS}, b.data AS tree FROM profiles p
           JOIN profile_blobs b ON b.profile_id = p.id AND b.part = 'tree'
         WHERE ${where.sql}
           AND (${outside.sql} OR p.id IN (SELECT q.profile_id FROM rollup_pending q WHERE q.tenant = ?))
         ORDER BY p.start_time, p.id`,
        [...where.params, ...outside.params, tenant]
      );
      return { rollups, profiles };
    }, 'read');
    const [rollups, trees] = await Promise.all([
      decodeRollups(read.rollups, this.rollupCache),
      Promise.all(read.profiles.map((row) => unpackTree(row.tree))),
    ]);
    const sources: TreeSource[] = [
      ...rollups.map((r): TreeSource => ({ type: 'rollup', ...r })),
      ...read.profiles.map((row, i): TreeSource => ({ type: 'profile', meta: metaOf(row), tree: trees[i] })),
    ];
    const profileCount = sources.reduce((n, s) => n + (s.type === 'rollup' ? s.profileCount : 1), 0);
    return { sources, profileCount };
  }

  /** Whole profiles that ended before the cutoff, then the expired chunks of growing profiles that live on. */
  async deleteOlderThan(
    cutoffMs: number,
    opts: { tenant?: string; batchSize?: number } = {}
  ): Promise<DeletedProfile[]> {
    const deleted = await deleteOlderThan(
      this.driver,
      (tx, tenant, ids) => this.deleteProfiles(tx, tenant, ids),
      cutoffMs,
      opts
    );
    await this.dropExpiredChunks(cutoffMs, opts.tenant);
    return deleted;
  }

  /**
   * Retention of a long-running profile: its chunks whose data all lies before the cutoff go, one transaction per
   * profile that also re-merges its tree from the remaining chunks (and its rollups) and audits what went. The
   * rest stays queryable; the profile keeps its size, so appends continue at the same offsets.
   */
  private async dropExpiredChunks(cutoffMs: number, tenant?: string): Promise<void> {
    const dialect = this.driver.dialect;
    for (const expired of await chunks.expiredChunks(this.driver, cutoffMs, tenant)) {
      await this.driver.transaction(async (tx) => {
        const buckets = await bucketsOf(tx, dialect, expired.tenant, [expired.profileId]);
        const dropped = await chunks.dropChunks(tx, expired.profileId, expired.throughSeq);
        const tree = await chunks.joinedTree(tx, expired.profileId);
        await tx.execute(`DELETE FROM profile_blobs WHERE profile_id = ? AND part = 'tree'`, [expired.profileId]);
        if (tree) {
          await tx.execute(`INSERT INTO profile_blobs (profile_id, part, data) VALUES (?, ?, ?)`, [
            expired.profileId,
            'tree',
            await packTree(tree),
          ]);
        }
        await tx.execute(`UPDATE profiles SET has_tree = ? WHERE id = ?`, [tree ? 1 : 0, expired.profileId]);
        await rebuildBuckets(tx, dialect, buckets, []);
        await tokensAudit.auditIn(
          tx,
          {
            tenant: expired.tenant,
            action: 'delete',
            user: null,
            tokenId: null,
            detail: `retention: ${dropped} oldest chunk(s) of a growing profile`,
          },
          expired.profileId
        );
      });
    }
  }

  /** Deletes the tenant's profiles with these ids (rows, labels, blobs, derived data); returns how many existed. */
  protected async deleteProfiles(tx: SqlExecutor, tenant: string, ids: string[]): Promise<number> {
    const dialect = this.driver.dialect;
    const owned = await tx.query<{ id: string }>(
      `SELECT id FROM profiles WHERE tenant = ? AND ${dialect.inTextList('id')}${dialect.forUpdate}`,
      [tenant, dialect.textList(ids)]
    );
    const found = owned.map((r) => r.id);
    if (found.length === 0) {
      return 0;
    }
    await this.beforeDelete(tx, tenant, found);
    const list = dialect.textList(found);
    await tx.execute(`DELETE FROM rollup_pending WHERE ${dialect.inTextList('profile_id')}`, [list]);
    await tx.execute(`DELETE FROM profile_blobs WHERE ${dialect.inTextList('profile_id')}`, [list]);
    await tx.execute(`DELETE FROM profile_chunks WHERE ${dialect.inTextList('profile_id')}`, [list]);
    await tx.execute(`DELETE FROM profile_labels WHERE ${dialect.inTextList('profile_id')}`, [list]);
    await tx.execute(`DELETE FROM profiles WHERE tenant = ? AND ${dialect.inTextList('id')}`, [tenant, list]);
    return found.length;
  }

  protected async readBlob(exec: SqlExecutor, tenant: string, id: string, part: BlobPart): Promise<Buffer | null> {
    const rows = await exec.query<{ data: Buffer }>(
      `SELECT b.data FROM profile_blobs b JOIN profiles p ON p.id = b.profile_id
       WHERE p.tenant = ? AND p.id = ? AND b.part = ?`,
      [tenant, id, part]
    );
    return rows.length > 0 ? rows[0].data : null;
  }

  private async readJsonBlob<T>(tenant: string, id: string, part: BlobPart): Promise<T | null> {
    const data = await this.readBlob(this.driver, tenant, id, part);
    return data && unpackJson<T>(data);
  }

  private async findBySha(exec: SqlExecutor, tenant: string, sha256: string): Promise<ProfileMeta | null> {
    const rows = await exec.query<ProfileRow>(
      `SELECT ${META_COLUMNS} FROM profiles p WHERE p.tenant = ? AND p.sha256 = ?`,
      [tenant, sha256]
    );
    return rows.length > 0 ? metaOf(rows[0]) : null;
  }

  /** Inserts the profiles row unless (tenant, sha256) exists; false when it did. */
  private async insertMetaRow(
    tx: SqlExecutor,
    tenant: string,
    meta: ProfileMeta,
    blobs: Map<BlobPart, Buffer>
  ): Promise<boolean> {
    const columns = { id: meta.id, tenant, created_at: meta.createdAt, ...contentColumns(meta, blobs) };
    const names = Object.keys(columns);
    const changed = await tx.execute(
      `INSERT INTO profiles (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})
       ON CONFLICT (tenant, sha256) DO NOTHING`,
      Object.values(columns)
    );
    return changed > 0;
  }

  /** The profile's labels and blobs (after any old ones were deleted). */
  private async writeLabelsAndBlobs(
    tx: SqlExecutor,
    tenant: string,
    meta: ProfileMeta,
    blobs: Map<BlobPart, Buffer>
  ): Promise<void> {
    for (const [name, value] of Object.entries(meta.labels)) {
      await tx.execute(`INSERT INTO profile_labels (profile_id, tenant, name, value) VALUES (?, ?, ?, ?)`, [
        meta.id,
        tenant,
        name,
        value,
      ]);
    }
    for (const [part, data] of blobs) {
      await tx.execute(`INSERT INTO profile_blobs (profile_id, part, data) VALUES (?, ?, ?)`, [meta.id, part, data]);
    }
  }

  private async distinctLabelColumn(
    column: 'name' | 'value',
    tenant: string,
    filter: ProfileFilter,
    extra: SqlParam[]
  ): Promise<string[]> {
    const where = await profileCondition(this.driver, this.driver.dialect, tenant, filter);
    const limit = filter.limit !== undefined ? ' LIMIT ?' : '';
    const rows = await this.driver.query<{ v: string }>(
      `SELECT DISTINCT lv.${column} AS v FROM profile_labels lv
       WHERE lv.tenant = ?${column === 'value' ? ' AND lv.name = ?' : ''}
         AND lv.profile_id IN (SELECT p.id FROM profiles p WHERE ${where.sql})
       ORDER BY v${limit}`,
      [tenant, ...extra, ...where.params, ...(filter.limit !== undefined ? [filter.limit] : [])]
    );
    return rows.map((r) => r.v);
  }
}

/** SQL true for profiles whose start hour is NOT one of the covered hours (those come from rollups). */
function outsideHours(h: CoveredHours): { sql: string; params: SqlParam[] } {
  if (h.firstHour !== null && h.endHour !== null) {
    return { sql: 'NOT (p.start_time >= ? AND p.start_time < ?)', params: [h.firstHour, h.endHour] };
  }
  if (h.firstHour !== null) {
    return { sql: 'p.start_time < ?', params: [h.firstHour] };
  }
  if (h.endHour !== null) {
    return { sql: 'p.start_time >= ?', params: [h.endHour] };
  }
  return { sql: '1 = 0', params: [] };
}

function bucketOf(p: NewProfile): BucketKey {
  return { tenant: p.tenant, kind: p.kind, labelsKey: labelsKey(p.labels), hourStart: hourOf(p.startTime) };
}
