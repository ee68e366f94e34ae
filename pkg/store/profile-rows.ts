/**
 * A profile's row in `profiles` and its blobs: the columns, the mapping to and from ProfileMeta, and the checks both
 * backends must agree on before anything is written. Used by SqlStore's profile methods.
 */
import type { ProfileMeta } from '../api/query';
import { LABEL_NAME_RE } from '../api/selector';
import { compress, packHeap, packJson, packTree } from './codec';
import type { Row, SqlParam } from './driver';
import { newId } from './ids';
import { labelsKey } from './rollups';
import type { NewProfile } from './store';

/** Parts of a profile kept in profile_blobs. */
export type BlobPart = 'raw' | 'tree' | 'heap' | 'rts' | 'bench' | 'growth';

export const META_COLUMNS = `p.id, p.tenant, p.kind, p.labels, p.start_time, p.end_time, p.time_source, p.program,
  p.rts_arguments, p.size, p.sha256, p.uploader, p.created_at, p.warnings, p.has_tree, p.has_heap, p.has_rts,
  p.heap_mode`;

export interface ProfileRow extends Row {
  id: string;
  kind: ProfileMeta['kind'];
  labels: string;
  start_time: number;
  end_time: number | null;
  time_source: ProfileMeta['timeSource'];
  program: string;
  rts_arguments: string;
  size: number;
  sha256: string;
  uploader: string | null;
  created_at: number;
  warnings: string;
  has_tree: number;
  has_heap: number;
  has_rts: number;
  heap_mode: ProfileMeta['heapMode'];
}

/** The profiles columns a profile's content decides (all but id, tenant and created_at), in one order. */
export function contentColumns(meta: ProfileMeta, blobs: Map<BlobPart, Buffer>): Record<string, SqlParam> {
  return {
    kind: meta.kind,
    labels: JSON.stringify(meta.labels),
    labels_key: labelsKey(meta.labels),
    start_time: meta.startTime,
    end_time: meta.endTime,
    time_source: meta.timeSource,
    program: meta.program,
    rts_arguments: JSON.stringify(meta.rtsArguments),
    size: meta.size,
    sha256: meta.sha256,
    uploader: meta.uploader,
    warnings: JSON.stringify(meta.warnings),
    has_tree: flag(meta.has.tree),
    has_heap: flag(meta.has.heap),
    has_rts: flag(meta.has.rts),
    heap_mode: meta.heapMode,
    stored_bytes: [...blobs.values()].reduce((n, b) => n + b.length, 0),
  };
}

function flag(b: boolean): number {
  return b ? 1 : 0;
}

/**
 * What both backends must agree on, checked before anything is written: PostgreSQL would refuse a fractional BIGINT
 * that SQLite stores, and an end before the start would make the time filter and the rollups disagree.
 */
export function checkProfile(p: Omit<NewProfile, 'raw' | 'heap' | 'rts'>): void {
  for (const [name, value] of Object.entries(p.labels)) {
    if (!LABEL_NAME_RE.test(name)) {
      throw new Error(`label name ${JSON.stringify(name)} is not valid (expected [a-zA-Z_][a-zA-Z0-9_]*)`);
    }
    if (typeof value !== 'string') {
      throw new Error(`label ${name}: value must be a string`);
    }
  }
  if (!Number.isSafeInteger(p.startTime)) {
    throw new Error(`startTime ${p.startTime} is not an integer number of milliseconds`);
  }
  if (p.endTime !== null && !(Number.isSafeInteger(p.endTime) && p.endTime >= p.startTime)) {
    throw new Error(
      `endTime ${p.endTime} must be an integer number of milliseconds not before startTime ${p.startTime}`
    );
  }
  if (!Number.isSafeInteger(p.size) || p.size < 0) {
    throw new Error(`size ${p.size} is not a byte count`);
  }
  if (!/^[0-9a-f]{64}$/.test(p.sha256)) {
    throw new Error(`sha256 ${JSON.stringify(p.sha256)} is not 64 lowercase hex digits`);
  }
}

export async function packBlobs(p: NewProfile): Promise<Map<BlobPart, Buffer>> {
  const parts: Array<[BlobPart, Promise<Buffer>]> = [['raw', compress(p.raw)]];
  if (p.tree) parts.push(['tree', packTree(p.tree)]);
  if (p.heap) parts.push(['heap', packHeap(p.heap)]);
  if (p.rts) parts.push(['rts', packJson(p.rts)]);
  if (p.bench) parts.push(['bench', packJson(p.bench)]);
  const packed = await Promise.all(parts.map(([, data]) => data));
  return new Map(parts.map(([part], i) => [part, packed[i]]));
}

export function newMeta(p: NewProfile): ProfileMeta {
  return {
    id: newId(),
    kind: p.kind,
    labels: { ...p.labels },
    startTime: p.startTime,
    endTime: p.endTime,
    timeSource: p.timeSource,
    program: p.program,
    rtsArguments: [...p.rtsArguments],
    size: p.size,
    sha256: p.sha256,
    uploader: p.uploader,
    createdAt: Date.now(),
    warnings: [...p.warnings],
    has: { tree: p.tree !== undefined, heap: p.heap !== undefined, rts: p.rts !== undefined },
    heapMode: p.heapMode ?? p.heap?.mode ?? null,
  };
}

export function metaOf(r: ProfileRow): ProfileMeta {
  return {
    id: r.id,
    kind: r.kind,
    labels: JSON.parse(r.labels) as Record<string, string>,
    startTime: Number(r.start_time),
    endTime: r.end_time === null ? null : Number(r.end_time),
    timeSource: r.time_source,
    program: r.program,
    rtsArguments: JSON.parse(r.rts_arguments) as string[],
    size: Number(r.size),
    sha256: r.sha256,
    uploader: r.uploader,
    createdAt: Number(r.created_at),
    warnings: JSON.parse(r.warnings) as string[],
    has: { tree: Number(r.has_tree) === 1, heap: Number(r.has_heap) === 1, rts: Number(r.has_rts) === 1 },
    heapMode: r.heap_mode,
  };
}
