/**
 * Where one upload's server time goes (`node --import tsx bench/server/ingest-stages.ts`): the ingest path's
 * stages run in-process on the bench's ~1 MiB text .prof and on the ~53 KB -pj report, each timed as the median of
 * BENCH_STAGE_REPS runs (default 15). Explains the ingest phase of bench/server.ts; it stores nothing.
 *
 * Stages, in the order pkg/query/ingest.ts and pkg/store/sql-store.ts run them: parse (readProfile), sha256,
 * gzip of the raw bytes and of the tree JSON (packBlobs, off the event loop in zlib's pool), and the hourly rollup
 * merge done INSIDE the insert's transaction (rollups.ts addToRollup: unpack the hour's rollup, mergeTrees, pack).
 */
import { readProfile } from '../../pkg/formats';
import { sha256Hex } from '../../pkg/query/ingest';
import { compress, packJson, unpackJson } from '../../pkg/store/codec';
import { mergeTrees } from '../../pkg/model/tree';
import type { CallTree } from '../../pkg/model/types';
import { bigTextReport, patchArtefact, PjVariants } from './artefacts';
import { median } from './harness';

const REPS = Number(process.env.BENCH_STAGE_REPS ?? 15);

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

function nodeCount(tree: CallTree): number {
  let n = 0;
  const stack = [tree.root];
  while (stack.length > 0) {
    n++;
    stack.push(...stack.pop()!.children);
  }
  return n;
}

async function stages(name: string, raw: Buffer): Promise<Record<string, string | number>> {
  const data = await readProfile(raw, { file: name, maxBytes: 1 << 30 });
  const tree = data.tree!;
  // The rollup of an hour that already holds profiles like this one (what most inserts find).
  const rollup = await packJson(mergeTrees([tree, tree]));
  const row: Record<string, string | number> = { artefact: name, bytes: raw.length, nodes: nodeCount(tree) };
  row.parseMs = await timed(() => readProfile(raw, { file: name, maxBytes: 1 << 30 }));
  row.sha256Ms = await timed(() => sha256Hex(raw));
  row.gzipRawMs = await timed(() => compress(raw));
  row.packTreeMs = await timed(() => packJson(tree));
  row.rollupUnpackMs = await timed(() => unpackJson<CallTree>(rollup));
  const current = await unpackJson<CallTree>(rollup);
  row.rollupMergeMs = await timed(() => mergeTrees([current, tree]));
  const merged = mergeTrees([current, tree]);
  row.rollupPackMs = await timed(() => packJson(merged));
  row.inTransactionMs = Number(row.rollupUnpackMs) + Number(row.rollupMergeMs) + Number(row.rollupPackMs);
  return row;
}

async function main(): Promise<void> {
  const big = patchArtefact(bigTextReport(1024 * 1024), Date.UTC(2026, 10, 20, 12, 0), 1);
  const pj = Buffer.from(new PjVariants().make(1, Date.UTC(2026, 10, 20, 12, 0)).text);
  const rows = [await stages('1 MiB text .prof', big), await stages('-pj jsonagg', pj)];
  const keys = Object.keys(rows[0]);
  const fmt = (v: string | number) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v));
  const width = Math.max(...keys.map((k) => k.length));
  for (const k of keys) {
    process.stdout.write(`${k.padEnd(width)}  ${rows.map((r) => fmt(r[k]).padStart(18)).join('  ')}\n`);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`ingest-stages: ${err.message}\n`);
  process.exit(1);
});
