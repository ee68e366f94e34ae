/**
 * Pre-merged cost-centre trees per (tenant, kind, label set, hour): a flame graph over a week of profiles reads at
 * most one rollup per hour and label set instead of every tree. A rollup is mergeTrees of the trees of its bucket's
 * profiles (bucket = the hour its start time falls in) except those still pending: an insert only records its
 * profile as pending (rollup_pending, in the insert's transaction); foldPending merges pending profiles in afterwards,
 * outside it, several at once when uploads come in together. Readers take a bucket's rollup plus its pending
 * profiles' own trees, so every read is exact. A delete re-merges what remains (subtracting would leave zero-valued
 * nodes a raw merge does not have), pending profiles included. Because all profiles of a bucket share one label set
 * and kind, a selector accepts all or none of them, so a bucket can stand in for its profiles whenever the query's
 * time range covers the whole hour.
 *
 * Every write of a rollup row sets a new random revision, the key of the decoded-tree cache (rollup-cache.ts).
 */
import { randomBytes } from 'node:crypto';
import { matchLabels, type LabelMatcher } from '../api/selector';
import { mergeTrees } from '../model/tree';
import type { CallTree, ProfileKind } from '../model/types';
import { packTree, unpackTree } from './codec';
import type { Dialect, SqlDriver, SqlExecutor, SqlParam } from './driver';
import { partitionCooperatively } from './filter-sql';
import type { RollupCache } from './rollup-cache';

export const ROLLUP_BUCKET_MS = 3_600_000;

export interface BucketKey {
  tenant: string;
  kind: ProfileKind;
  /** labelsKey() of the bucket's label set. */
  labelsKey: string;
  hourStart: number;
}

/** One canonical text per label set: JSON of the labels sorted by name (parseable back to the labels). */
export function labelsKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export function hourOf(timeMs: number): number {
  return Math.floor(timeMs / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
}

const KEY_WHERE = 'tenant = ? AND kind = ? AND labels_key = ? AND hour_start = ?';

function keyParams(k: BucketKey): SqlParam[] {
  return [k.tenant, k.kind, k.labelsKey, k.hourStart];
}

/** One string per bucket (cache and scheduling keys). */
function bucketId(k: BucketKey): string {
  return JSON.stringify(keyParams(k));
}

function compareKeys(a: BucketKey, b: BucketKey): number {
  const as = [a.tenant, a.kind, a.labelsKey].join('\u0000');
  const bs = [b.tenant, b.kind, b.labelsKey].join('\u0000');
  return as < bs ? -1 : as > bs ? 1 : a.hourStart - b.hourStart;
}

/** A fresh revision for a rollup row's new content: random, so no two writes on any replica share one. */
function newRevision(): string {
  return randomBytes(12).toString('base64url');
}

/** Creates the bucket's row if missing and locks it until the transaction ends (concurrent writers queue here). */
async function lockBucket(
  tx: SqlExecutor,
  dialect: Dialect,
  key: BucketKey
): Promise<{ count: number; revision: string | null }> {
  await tx.execute(
    `INSERT INTO tree_rollups (tenant, kind, labels_key, hour_start, profile_count, tree) VALUES (?, ?, ?, ?, 0, NULL)
     ON CONFLICT (tenant, kind, labels_key, hour_start) DO NOTHING`,
    keyParams(key)
  );
  const rows = await tx.query<{ profile_count: number; revision: string | null }>(
    `SELECT profile_count, revision FROM tree_rollups WHERE ${KEY_WHERE}${dialect.forUpdate}`,
    keyParams(key)
  );
  return { count: Number(rows[0].profile_count), revision: rows[0].revision };
}

async function writeBucket(tx: SqlExecutor, key: BucketKey, count: number, tree: Buffer, revision: string) {
  await tx.execute(`UPDATE tree_rollups SET profile_count = ?, tree = ?, revision = ? WHERE ${KEY_WHERE}`, [
    count,
    tree,
    revision,
    ...keyParams(key),
  ]);
}

/**
 * Marks a newly stored profile's tree as not yet in its bucket's rollup (call inside the insert's transaction).
 * Readers take pending profiles' own trees next to the rollup, so the insert stays exact without touching the
 * rollup; foldPending merges them in afterwards, outside the insert's transaction.
 */
export async function addPending(tx: SqlExecutor, key: BucketKey, profileId: string): Promise<void> {
  await tx.execute(
    `INSERT INTO rollup_pending (profile_id, tenant, kind, labels_key, hour_start) VALUES (?, ?, ?, ?, ?)`,
    [profileId, ...keyParams(key)]
  );
}

/** Another writer changed the bucket between the fold's read and its write. */
class FoldConflict extends Error {}

const FOLD_ATTEMPTS = 5;

/**
 * Merges the bucket's pending profiles into its rollup. Everything slow (decode, merge, encode) happens outside any
 * write transaction; the write then checks, under the bucket's row lock, that the rollup still has the revision it
 * was merged from and that every folded profile is still pending, and retries from the start when not (another
 * replica folded, or a delete or replace rebuilt the bucket). Returns true when nothing is left pending of what it
 * saw; false after FOLD_ATTEMPTS conflicts (the profiles stay pending: still read exactly, just not pre-merged).
 *
 * `fresh` holds trees the caller still has in memory (just inserted), saving their decode; `cache` the decoded
 * rollups by revision, so a bucket that keeps receiving uploads is never decoded at all.
 */
export async function foldPending(
  driver: SqlDriver,
  cache: RollupCache,
  key: BucketKey,
  fresh: ReadonlyMap<string, CallTree>
): Promise<boolean> {
  for (let attempt = 0; attempt < FOLD_ATTEMPTS; attempt++) {
    const seen = await driver.transaction(async (tx) => readBucketForFold(tx, key, cache), 'read');
    if (seen.pending.length === 0) {
      return true;
    }
    const [rollup, ...trees] = await Promise.all([
      seen.rollup ?? (seen.blob ? unpackTree(seen.blob) : null),
      ...seen.pending.map((p) => fresh.get(p.id) ?? unpackTree(p.data)),
    ]);
    const merged = mergeTrees(rollup ? [rollup, ...trees] : trees);
    const packed = await packTree(merged);
    const revision = newRevision();
    const ids = seen.pending.map((p) => p.id);
    try {
      await driver.transaction(async (tx) => {
        const locked = await lockBucket(tx, driver.dialect, key);
        if (locked.revision !== seen.revision) {
          throw new FoldConflict();
        }
        const removed = await tx.execute(
          `DELETE FROM rollup_pending WHERE ${driver.dialect.inTextList('profile_id')}`,
          [driver.dialect.textList(ids)]
        );
        if (removed !== ids.length) {
          throw new FoldConflict();
        }
        await writeBucket(tx, key, seen.count + ids.length, packed, revision);
      });
    } catch (err) {
      if (err instanceof FoldConflict) {
        continue;
      }
      throw err;
    }
    cache.put(bucketId(key), revision, merged);
    return true;
  }
  return false;
}

/** The bucket's rollup (from the cache when its revision is there) and its pending profiles' trees, in one snapshot. */
async function readBucketForFold(tx: SqlExecutor, key: BucketKey, cache: RollupCache) {
  const heads = await tx.query<{ profile_count: number; revision: string | null }>(
    `SELECT profile_count, revision FROM tree_rollups WHERE ${KEY_WHERE}`,
    keyParams(key)
  );
  const revision = heads.length > 0 ? heads[0].revision : null;
  const count = heads.length > 0 ? Number(heads[0].profile_count) : 0;
  const rollup = revision !== null && count > 0 ? cache.get(revision) : undefined;
  let blob: Buffer | null = null;
  if (count > 0 && rollup === undefined) {
    const rows = await tx.query<{ tree: Buffer }>(`SELECT tree FROM tree_rollups WHERE ${KEY_WHERE}`, keyParams(key));
    blob = rows[0].tree;
  }
  const pending = await tx.query<{ id: string; data: Buffer }>(
    `SELECT q.profile_id AS id, b.data FROM rollup_pending q
       JOIN profile_blobs b ON b.profile_id = q.profile_id AND b.part = 'tree'
     WHERE q.tenant = ? AND q.kind = ? AND q.labels_key = ? AND q.hour_start = ?
     ORDER BY q.profile_id`,
    keyParams(key)
  );
  return { revision, count, rollup, blob, pending };
}

/** The buckets holding these profiles' trees (before they are deleted). */
export async function bucketsOf(
  tx: SqlExecutor,
  dialect: Dialect,
  tenant: string,
  ids: string[]
): Promise<BucketKey[]> {
  const rows = await tx.query<{ kind: ProfileKind; labels_key: string; start_time: number }>(
    `SELECT kind, labels_key, start_time FROM profiles
     WHERE tenant = ? AND has_tree = 1 AND ${dialect.inTextList('id')}`,
    [tenant, dialect.textList(ids)]
  );
  return bucketsOfRows(rows.map((r) => ({ ...r, tenant })));
}

/** Distinct buckets in the one order buckets are locked in. */
export function uniqueBuckets(keys: BucketKey[]): BucketKey[] {
  const unique = new Map<string, BucketKey>();
  for (const key of keys) {
    unique.set(bucketId(key), key);
  }
  return [...unique.values()].sort(compareKeys);
}

/** Profiles' rows -> their distinct buckets. */
function bucketsOfRows(
  rows: Array<{ tenant: string; kind: ProfileKind; labels_key: string; start_time: number }>
): BucketKey[] {
  return uniqueBuckets(
    rows.map((r) => ({
      tenant: r.tenant,
      kind: r.kind,
      labelsKey: r.labels_key,
      hourStart: hourOf(Number(r.start_time)),
    }))
  );
}

/**
 * Re-merges each bucket from its profiles except `leaving` (being deleted in this transaction), or drops the bucket
 * when none remain. Buckets are locked in one global order, so concurrent deletes cannot deadlock.
 */
export async function rebuildBuckets(
  tx: SqlExecutor,
  dialect: Dialect,
  buckets: BucketKey[],
  leaving: string[],
  /** A profile whose merged tree the caller has packed (a growing profile's append): reused when it is alone. */
  known?: { id: string; packed: Buffer }
): Promise<void> {
  for (const key of buckets) {
    await lockBucket(tx, dialect, key);
    if (known && (await onlyProfileOf(tx, dialect, key, leaving)) === known.id) {
      // The bucket's rollup is that one tree: no decode, merge and encode again (the usual case of a growing
      // profile, whose label set is its own pod's).
      await tx.execute(`DELETE FROM rollup_pending WHERE ${KEY_WHERE}`, keyParams(key));
      await writeBucket(tx, key, 1, known.packed, newRevision());
      continue;
    }
    const trees = await bucketTrees(tx, dialect, key, leaving);
    // Every remaining profile is in the rebuilt rollup, pending ones included.
    await tx.execute(`DELETE FROM rollup_pending WHERE ${KEY_WHERE}`, keyParams(key));
    if (trees.length === 0) {
      await tx.execute(`DELETE FROM tree_rollups WHERE ${KEY_WHERE}`, keyParams(key));
    } else {
      await writeBucket(tx, key, trees.length, await packTree(mergeTrees(trees)), newRevision());
    }
  }
}

/** The id of the bucket's one profile with a tree (not leaving), or null when there are none or several. */
async function onlyProfileOf(
  tx: SqlExecutor,
  dialect: Dialect,
  key: BucketKey,
  leaving: string[]
): Promise<string | null> {
  const rows = await tx.query<{ id: string }>(
    `SELECT p.id FROM profiles p
     WHERE p.tenant = ? AND p.kind = ? AND p.labels_key = ? AND p.start_time >= ? AND p.start_time < ?
       AND p.has_tree = 1 AND NOT (${dialect.inTextList('p.id')})
     LIMIT 2`,
    [key.tenant, key.kind, key.labelsKey, key.hourStart, key.hourStart + ROLLUP_BUCKET_MS, dialect.textList(leaving)]
  );
  return rows.length === 1 ? rows[0].id : null;
}

async function bucketTrees(tx: SqlExecutor, dialect: Dialect, key: BucketKey, leaving: string[]): Promise<CallTree[]> {
  const rows = await tx.query<{ data: Buffer }>(
    `SELECT b.data FROM profiles p JOIN profile_blobs b ON b.profile_id = p.id AND b.part = 'tree'
     WHERE p.tenant = ? AND p.kind = ? AND p.labels_key = ? AND p.start_time >= ? AND p.start_time < ?
       AND p.has_tree = 1 AND NOT (${dialect.inTextList('p.id')})
     ORDER BY p.created_at, p.id`,
    [key.tenant, key.kind, key.labelsKey, key.hourStart, key.hourStart + ROLLUP_BUCKET_MS, dialect.textList(leaving)]
  );
  return Promise.all(rows.map((r) => unpackTree(r.data)));
}

/** Builds every bucket from scratch (the migration that introduces rollups, for profiles stored before it). */
export async function rebuildAllRollups(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  const rows = await tx.query<{ tenant: string; kind: ProfileKind; labels_key: string; start_time: number }>(
    `SELECT DISTINCT tenant, kind, labels_key, start_time FROM profiles WHERE has_tree = 1`
  );
  await rebuildBuckets(tx, dialect, bucketsOfRows(rows), []);
}

/** The hours [firstHour, endHour) a time range covers completely (either end may be unbounded). */
export interface CoveredHours {
  firstHour: number | null;
  endHour: number | null;
}

export function coveredHours(from: number | undefined, to: number | undefined): CoveredHours {
  return {
    firstHour: from === undefined ? null : Math.ceil(from / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS,
    // `to` is inclusive: the hour [h, h + 1h) is covered when h + 1h - 1 <= to.
    endHour: to === undefined ? null : Math.floor((to + 1) / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS,
  };
}

export interface RollupRead {
  hourStart: number;
  kind: ProfileKind;
  labels: Record<string, string>;
  profileCount: number;
  tree: CallTree;
}

/** A rollup as read in the query's snapshot: its tree from the cache, or the stored blob still to decode. */
export interface StoredRollup extends Omit<RollupRead, 'tree'> {
  bucket: string;
  revision: string | null;
  tree: CallTree | Buffer;
}

/**
 * The tenant's rollups in the covered hours whose label set the matchers accept. Call inside the query's read
 * transaction; blobs are read only for revisions the cache does not hold (decodeRollups decodes them after it).
 */
export async function readRollups(
  tx: SqlExecutor,
  dialect: Dialect,
  tenant: string,
  hours: CoveredHours,
  matchers: readonly LabelMatcher[],
  kind: ProfileKind | undefined,
  cache: RollupCache
): Promise<StoredRollup[]> {
  const where = ['tenant = ?', 'profile_count > 0'];
  const params: SqlParam[] = [tenant];
  if (hours.firstHour !== null) {
    where.push('hour_start >= ?');
    params.push(hours.firstHour);
  }
  if (hours.endHour !== null) {
    where.push('hour_start < ?');
    params.push(hours.endHour);
  }
  if (kind !== undefined) {
    where.push('kind = ?');
    params.push(kind);
  }
  // The label sets first (few), then the rollups of the sets the selector accepts: whether a set matches does not
  // depend on kind or hour, so nothing is read that is not used.
  const sets = await tx.query<{ labels_key: string }>(
    `SELECT DISTINCT labels_key FROM tree_rollups WHERE ${where.join(' AND ')}`,
    params
  );
  const keys = sets.map((r) => r.labels_key);
  const matches = await partitionCooperatively(keys, (key) =>
    matchLabels(JSON.parse(key) as Record<string, string>, matchers)
  );
  const accepted = keys.filter((_, i) => matches[i]);
  if (accepted.length === 0) {
    return [];
  }
  where.push(dialect.inTextList('labels_key'));
  params.push(dialect.textList(accepted));
  const heads = await tx.query<{
    kind: ProfileKind;
    labels_key: string;
    hour_start: number;
    profile_count: number;
    revision: string | null;
  }>(
    `SELECT kind, labels_key, hour_start, profile_count, revision FROM tree_rollups
     WHERE ${where.join(' AND ')} ORDER BY hour_start, kind, labels_key`,
    params
  );
  // Taken from the cache now: an entry evicted after this read is still held here. A row without a revision (none
  // should exist: migration 3 gave every row one) is never served from the cache.
  const cached = heads.map((h) => (h.revision === null ? undefined : cache.get(h.revision)));
  const blobs = new Map<string, Buffer>();
  const missing = heads.filter((_, i) => cached[i] === undefined).map((h) => h.revision ?? '');
  if (missing.length > 0) {
    const rows = await tx.query<{ kind: ProfileKind; labels_key: string; hour_start: number; tree: Buffer }>(
      `SELECT kind, labels_key, hour_start, tree FROM tree_rollups
       WHERE ${where.join(' AND ')} AND (revision IS NULL OR ${dialect.inTextList('revision')})`,
      [...params, dialect.textList(missing)]
    );
    for (const r of rows) {
      blobs.set(rowBucketId(tenant, r), r.tree);
    }
  }
  return heads.map((h, i) => ({
    bucket: rowBucketId(tenant, h),
    hourStart: Number(h.hour_start),
    kind: h.kind,
    labels: JSON.parse(h.labels_key) as Record<string, string>,
    profileCount: Number(h.profile_count),
    revision: h.revision,
    tree: cached[i] ?? blobs.get(rowBucketId(tenant, h))!,
  }));
}

function rowBucketId(tenant: string, r: { kind: ProfileKind; labels_key: string; hour_start: number }): string {
  return bucketId({ tenant, kind: r.kind, labelsKey: r.labels_key, hourStart: Number(r.hour_start) });
}

/** Decodes the rollups read without a cached tree (in parallel: gunzip runs in zlib's threads) and caches them. */
export async function decodeRollups(stored: StoredRollup[], cache: RollupCache): Promise<RollupRead[]> {
  return Promise.all(
    stored.map(async ({ bucket, revision, tree, ...rest }) => {
      if (!Buffer.isBuffer(tree)) {
        return { ...rest, tree };
      }
      const decoded = await unpackTree(tree);
      return { ...rest, tree: revision === null ? decoded : cache.put(bucket, revision, decoded) };
    })
  );
}

/** An insert that ends while others to its bucket are in flight folds only every FOLD_BATCH-th time. */
export const FOLD_BATCH = 8;

interface BucketFolds {
  /** Inserts into the bucket between begin() and end(). */
  inFlight: number;
  /** Committed inserts whose end() left the fold to a later end(). */
  deferred: number;
  /** Trees of committed inserts not yet folded, by profile id (saves decoding them). */
  fresh: Map<string, CallTree>;
  /** The fold queued and not yet started (later inserts join it), and the end of the last one. */
  queued: Promise<boolean> | null;
  tail: Promise<unknown>;
  runs: number;
}

/**
 * Schedules foldPending for the inserts of one process. One fold per bucket runs at a time; an insert that commits
 * while one runs joins the next. And an insert that ends while other inserts into its bucket are still in flight
 * leaves the fold to the last of them (at most FOLD_BATCH - 1 times in a row), so uploads arriving together are
 * merged into their rollup together: each fold copies and re-encodes the whole rollup, whatever it adds.
 *
 * Every committed insert is folded by a fold that starts after its commit: either its own end() schedules one, or
 * it defers while another insert is in flight, whose end() (always called, also when it fails) schedules one or
 * defers again to a later one, until the bucket has no insert in flight or FOLD_BATCH deferrals.
 */
export class RollupFolder {
  private readonly buckets = new Map<string, BucketFolds>();

  constructor(
    private readonly driver: SqlDriver,
    private readonly cache: RollupCache
  ) {}

  /** Before an insert's transaction. Every begin() must be followed by one end(). */
  begin(key: BucketKey): void {
    this.stateOf(key).inFlight++;
  }

  /**
   * After the insert's transaction: `committed` is the stored profile (null when nothing was stored). Resolves when a
   * fold that saw it has finished, or at once when the fold is left to a later end(). Never rejects: a profile whose
   * fold fails stays pending, which readers still read exactly.
   */
  async end(key: BucketKey, committed: { id: string; tree: CallTree } | null): Promise<void> {
    const state = this.stateOf(key);
    state.inFlight--;
    if (committed) {
      state.fresh.set(committed.id, committed.tree);
      state.deferred++;
    }
    try {
      if (state.deferred > 0 && (state.inFlight === 0 || state.deferred >= FOLD_BATCH)) {
        state.deferred = 0;
        await this.schedule(key, state);
      }
    } catch {
      // Left pending; see above.
    } finally {
      this.forgetIfIdle(key, state);
    }
  }

  private schedule(key: BucketKey, state: BucketFolds): Promise<boolean> {
    if (state.queued) {
      return state.queued;
    }
    state.runs++;
    const run = state.tail.then(async () => {
      state.queued = null; // started: what commits from now on needs the next fold
      const seen = [...state.fresh.keys()];
      try {
        return await foldPending(this.driver, this.cache, key, state.fresh);
      } finally {
        // Folded, or left pending for a later fold to decode from the database.
        seen.forEach((id) => state.fresh.delete(id));
        state.runs--;
      }
    });
    state.queued = run;
    state.tail = run.catch(() => undefined);
    return run;
  }

  private stateOf(key: BucketKey): BucketFolds {
    const id = bucketId(key);
    let state = this.buckets.get(id);
    if (!state) {
      state = { inFlight: 0, deferred: 0, fresh: new Map(), queued: null, tail: Promise.resolve(), runs: 0 };
      this.buckets.set(id, state);
    }
    return state;
  }

  private forgetIfIdle(key: BucketKey, state: BucketFolds): void {
    if (state.inFlight === 0 && state.runs === 0 && state.deferred === 0 && state.fresh.size === 0) {
      this.buckets.delete(bucketId(key));
    }
  }
}
