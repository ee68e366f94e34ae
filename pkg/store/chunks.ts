/**
 * Growing profiles' chunks (issue 9): one immutable row per append in profile_chunks, holding the appended bytes
 * (compressed) and the delta that completed in them; the profile's continuation and digest state ("growth") are a
 * profile_blobs part the next append reads and replaces. An append writes one chunk row and the profile's metadata
 * in one transaction, so its cost does not depend on what is stored before it. Reads put the chunks back together:
 * the raw artefact chunk by chunk, the heap and RTS data by joining the deltas (model/join.ts).
 */
import type { CallTree, HeapProfile, RtsEvents } from '../model/types';
import { mergeTrees } from '../model/tree';
import { joinHeaps, joinRts } from '../model/join';
import { compress, decompress, packJson, unpackJson } from './codec';
import type { Row, SqlExecutor } from './driver';
import type { ChunkDelta, ChunkInfo, NewChunk } from './store';

interface ChunkRow extends Row {
  seq: number;
  start_offset: number;
  end_offset: number;
  sha256: string;
  first_ns: number | null;
  last_ns: number | null;
}

const INFO_COLUMNS = 'seq, start_offset, end_offset, sha256, first_ns, last_ns';

function infoOf(r: ChunkRow): ChunkInfo {
  return {
    seq: Number(r.seq),
    startOffset: Number(r.start_offset),
    endOffset: Number(r.end_offset),
    sha256: r.sha256,
    firstNs: r.first_ns === null ? null : Number(r.first_ns),
    lastNs: r.last_ns === null ? null : Number(r.last_ns),
  };
}

/** Chunks of one profile (the caller has checked the tenant owns it) overlapping [from, to), in order. */
export async function listChunks(
  exec: SqlExecutor,
  profileId: string,
  range?: { from: number; to: number }
): Promise<ChunkInfo[]> {
  const rows = range
    ? await exec.query<ChunkRow>(
        `SELECT ${INFO_COLUMNS} FROM profile_chunks WHERE profile_id = ? AND end_offset > ? AND start_offset < ?
         ORDER BY seq`,
        [profileId, range.from, range.to]
      )
    : await exec.query<ChunkRow>(`SELECT ${INFO_COLUMNS} FROM profile_chunks WHERE profile_id = ? ORDER BY seq`, [
        profileId,
      ]);
  return rows.map(infoOf);
}

export async function chunkRaw(exec: SqlExecutor, profileId: string, seq: number): Promise<Buffer | null> {
  const rows = await exec.query<{ raw: Buffer }>(`SELECT raw FROM profile_chunks WHERE profile_id = ? AND seq = ?`, [
    profileId,
    seq,
  ]);
  return rows.length > 0 ? decompress(rows[0].raw) : null;
}

/** Compressed blobs of the chunks to insert (outside the transaction: compressing is the slow part). */
export async function packChunks(chunks: NewChunk[]): Promise<Array<{ chunk: NewChunk; raw: Buffer; delta: Buffer }>> {
  return Promise.all(
    chunks.map(async (chunk) => {
      const [raw, delta] = await Promise.all([compress(chunk.raw), packJson(chunk.delta)]);
      return { chunk, raw, delta };
    })
  );
}

/** Inserts packed chunks after the profile's last one; returns the bytes they take. */
export async function insertChunks(
  tx: SqlExecutor,
  profileId: string,
  packed: Array<{ chunk: NewChunk; raw: Buffer; delta: Buffer }>
): Promise<number> {
  const last = await tx.query<{ seq: number | null }>(
    `SELECT MAX(seq) AS seq FROM profile_chunks WHERE profile_id = ?`,
    [profileId]
  );
  let seq = last[0]?.seq === null || last[0]?.seq === undefined ? 0 : Number(last[0].seq) + 1;
  let bytes = 0;
  for (const { chunk, raw, delta } of packed) {
    await tx.execute(
      `INSERT INTO profile_chunks (profile_id, seq, start_offset, end_offset, sha256, first_ns, last_ns, raw, delta)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        profileId,
        seq++,
        chunk.startOffset,
        chunk.startOffset + chunk.raw.length,
        chunk.sha256,
        chunk.firstNs,
        chunk.lastNs,
        raw,
        delta,
      ]
    );
    bytes += raw.length + delta.length;
  }
  return bytes;
}

/** The deltas of a profile's chunks, in order. */
async function readDeltas(exec: SqlExecutor, profileId: string): Promise<ChunkDelta[]> {
  const rows = await exec.query<{ delta: Buffer }>(
    `SELECT delta FROM profile_chunks WHERE profile_id = ? ORDER BY seq`,
    [profileId]
  );
  return Promise.all(rows.map((r) => unpackJson<ChunkDelta>(r.delta)));
}

export async function joinedHeap(exec: SqlExecutor, profileId: string): Promise<HeapProfile | null> {
  const deltas = await readDeltas(exec, profileId);
  return joinHeaps(deltas.flatMap((d) => (d.heap ? [d.heap] : [])));
}

export async function joinedRts(exec: SqlExecutor, profileId: string): Promise<RtsEvents | null> {
  const deltas = await readDeltas(exec, profileId);
  return joinRts(deltas.flatMap((d) => (d.rts ? [d.rts] : [])));
}

/** The artefact's bytes chunk by chunk (one chunk in memory at a time). */
export async function* rawChunks(exec: SqlExecutor, profileId: string): AsyncGenerator<Buffer> {
  for (const info of await listChunks(exec, profileId)) {
    const raw = await chunkRaw(exec, profileId, info.seq);
    if (raw) {
      yield raw;
    }
  }
}

export async function hasChunks(exec: SqlExecutor, profileId: string): Promise<boolean> {
  const rows = await exec.query(`SELECT 1 AS one FROM profile_chunks WHERE profile_id = ? LIMIT 1`, [profileId]);
  return rows.length > 0;
}

/**
 * Growing profiles' chunks whose data all lies before `cutoffMs` (wall clock: the profile's start plus the chunk's
 * newest time), per profile the newest such chunk: retention drops it and every chunk before it, never a profile's
 * newest chunk (the profile lives on, and a later append continues after it).
 */
export async function expiredChunks(
  exec: SqlExecutor,
  cutoffMs: number,
  tenant?: string
): Promise<Array<{ tenant: string; profileId: string; throughSeq: number }>> {
  const rows = await exec.query<{ tenant: string; profile_id: string; through_seq: number }>(
    `SELECT p.tenant, c.profile_id, MAX(c.seq) AS through_seq FROM profile_chunks c JOIN profiles p ON p.id = c.profile_id
     WHERE c.last_ns IS NOT NULL AND p.start_time + c.last_ns / 1000000 < ?
       AND c.seq < (SELECT MAX(n.seq) FROM profile_chunks n WHERE n.profile_id = c.profile_id)
       ${tenant === undefined ? '' : 'AND p.tenant = ?'}
     GROUP BY p.tenant, c.profile_id ORDER BY p.tenant, c.profile_id`,
    tenant === undefined ? [cutoffMs] : [cutoffMs, tenant]
  );
  return rows.map((r) => ({ tenant: r.tenant, profileId: r.profile_id, throughSeq: Number(r.through_seq) }));
}

/** Drops a profile's chunks up to `throughSeq`; returns how many went. */
export async function dropChunks(tx: SqlExecutor, profileId: string, throughSeq: number): Promise<number> {
  return tx.execute(`DELETE FROM profile_chunks WHERE profile_id = ? AND seq <= ?`, [profileId, throughSeq]);
}

/** The merged time-sample tree of a profile's remaining chunks (null when none has samples). */
export async function joinedTree(exec: SqlExecutor, profileId: string): Promise<CallTree | null> {
  const trees = (await readDeltas(exec, profileId)).flatMap((d) => (d.tree ? [d.tree] : []));
  return trees.length > 0 ? mergeTrees(trees) : null;
}
