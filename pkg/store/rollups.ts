/**
 * Pre-merged cost-centre trees per (tenant, kind, label set, hour): a flame graph over a week of profiles reads at
 * most one rollup per hour and label set instead of every tree. A rollup is mergeTrees of the trees of every profile
 * in its bucket (bucket = the hour its start time falls in), kept exact in the transaction of each insert (merge the
 * new tree in) and delete (re-merge what remains: subtracting would leave zero-valued nodes a raw merge does not
 * have). Because all profiles of a bucket share one label set and kind, a selector accepts all or none of them, so a
 * bucket can stand in for its profiles whenever the query's time range covers the whole hour.
 */
import { matchLabels, type LabelMatcher } from '../api/selector';
import { mergeTrees } from '../model/tree';
import type { CallTree, ProfileKind } from '../model/types';
import { packJson, unpackJson } from './codec';
import type { Dialect, SqlExecutor, SqlParam } from './driver';

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

function compareKeys(a: BucketKey, b: BucketKey): number {
  const as = [a.tenant, a.kind, a.labelsKey].join('\u0000');
  const bs = [b.tenant, b.kind, b.labelsKey].join('\u0000');
  return as < bs ? -1 : as > bs ? 1 : a.hourStart - b.hourStart;
}

/** Creates the bucket's row if missing and locks it until the transaction ends (concurrent writers queue here). */
async function lockBucket(
  tx: SqlExecutor,
  dialect: Dialect,
  key: BucketKey
): Promise<{ count: number; tree: Buffer | null }> {
  await tx.execute(
    `INSERT INTO tree_rollups (tenant, kind, labels_key, hour_start, profile_count, tree) VALUES (?, ?, ?, ?, 0, NULL)
     ON CONFLICT (tenant, kind, labels_key, hour_start) DO NOTHING`,
    keyParams(key)
  );
  const rows = await tx.query<{ profile_count: number; tree: Buffer | null }>(
    `SELECT profile_count, tree FROM tree_rollups WHERE ${KEY_WHERE}${dialect.forUpdate}`,
    keyParams(key)
  );
  return { count: Number(rows[0].profile_count), tree: rows[0].tree };
}

/** Merges a newly stored profile's tree into its bucket (call inside the insert's transaction). */
export async function addToRollup(tx: SqlExecutor, dialect: Dialect, key: BucketKey, tree: CallTree): Promise<void> {
  const current = await lockBucket(tx, dialect, key);
  const merged = current.tree ? mergeTrees([await unpackJson<CallTree>(current.tree), tree]) : mergeTrees([tree]);
  await tx.execute(`UPDATE tree_rollups SET profile_count = ?, tree = ? WHERE ${KEY_WHERE}`, [
    current.count + 1,
    await packJson(merged),
    ...keyParams(key),
  ]);
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
    unique.set(JSON.stringify(keyParams(key)), key);
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
  leaving: string[]
): Promise<void> {
  for (const key of buckets) {
    await lockBucket(tx, dialect, key);
    const trees = await bucketTrees(tx, dialect, key, leaving);
    if (trees.length === 0) {
      await tx.execute(`DELETE FROM tree_rollups WHERE ${KEY_WHERE}`, keyParams(key));
    } else {
      await tx.execute(`UPDATE tree_rollups SET profile_count = ?, tree = ? WHERE ${KEY_WHERE}`, [
        trees.length,
        await packJson(mergeTrees(trees)),
        ...keyParams(key),
      ]);
    }
  }
}

async function bucketTrees(tx: SqlExecutor, dialect: Dialect, key: BucketKey, leaving: string[]): Promise<CallTree[]> {
  const rows = await tx.query<{ data: Buffer }>(
    `SELECT b.data FROM profiles p JOIN profile_blobs b ON b.profile_id = p.id AND b.part = 'tree'
     WHERE p.tenant = ? AND p.kind = ? AND p.labels_key = ? AND p.start_time >= ? AND p.start_time < ?
       AND p.has_tree = 1 AND NOT (${dialect.inTextList('p.id')})
     ORDER BY p.created_at, p.id`,
    [key.tenant, key.kind, key.labelsKey, key.hourStart, key.hourStart + ROLLUP_BUCKET_MS, dialect.textList(leaving)]
  );
  return Promise.all(rows.map((r) => unpackJson<CallTree>(r.data)));
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

/** The tenant's rollups in the covered hours whose label set the matchers accept. */
export async function readRollups(
  tx: SqlExecutor,
  dialect: Dialect,
  tenant: string,
  hours: CoveredHours,
  matchers: readonly LabelMatcher[],
  kind: ProfileKind | undefined
): Promise<RollupRead[]> {
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
  // The label sets first (few), then in one query the trees of the sets the selector accepts: whether a set
  // matches does not depend on kind or hour, so nothing is read that is not used.
  const sets = await tx.query<{ labels_key: string }>(
    `SELECT DISTINCT labels_key FROM tree_rollups WHERE ${where.join(' AND ')}`,
    params
  );
  const accepted = sets
    .map((r) => r.labels_key)
    .filter((key) => matchLabels(JSON.parse(key) as Record<string, string>, matchers));
  if (accepted.length === 0) {
    return [];
  }
  const rows = await tx.query<{
    kind: ProfileKind;
    labels_key: string;
    hour_start: number;
    profile_count: number;
    tree: Buffer;
  }>(
    `SELECT kind, labels_key, hour_start, profile_count, tree FROM tree_rollups
     WHERE ${where.join(' AND ')} AND ${dialect.inTextList('labels_key')}
     ORDER BY hour_start, kind, labels_key`,
    [...params, dialect.textList(accepted)]
  );
  return Promise.all(
    rows.map(async (r) => ({
      hourStart: Number(r.hour_start),
      kind: r.kind,
      labels: JSON.parse(r.labels_key) as Record<string, string>,
      profileCount: Number(r.profile_count),
      tree: await unpackJson<CallTree>(r.tree),
    }))
  );
}
