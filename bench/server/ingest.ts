/**
 * Phase 2: uploads of ~1 MiB text .prof reports by `clients` concurrent clients, then proof that nothing
 * acknowledged was lost: every id the server answered 201 for is listed, and its raw download is byte-identical to
 * what was sent (the bodies are regenerated from their run numbers, so the clients keep no copies).
 */
import { bigTextReport, MINUTE_MS, type PatchableArtefact, patchArtefact } from './artefacts';
import { type BenchServer, listedIds } from './context';
import { expectStatus, httpRequest, RssSampler, withCpu } from './harness';

export const INGEST_SERVICE = 'ingest';
const RUN_BASE = 100_000_000;

export interface IngestResult {
  uploads: number;
  clients: number;
  bodyBytes: number;
  seconds: number;
  uploadsPerSecond: number;
  mibPerSecond: number;
  /** Server CPU time per upload: 1000 / this is what one fully available core could ingest per second. */
  serverCpuMsPerUpload: number;
  /** Server CPU time / wall time while uploading (1.0 = one core busy all the time; 2 = both of two). */
  serverCpuShare: number;
  /** Requests the server did not acknowledge (non-201 answers or network errors), with the first reason. */
  failed: number;
  firstFailure: string | null;
  acked: number;
  listed: number;
  identical: number;
  rss: { startKiB: number; peakKiB: number; endKiB: number };
}

/** The end time of upload i: one a minute, counting back from an hour ago (all inside the listed range). */
function endTimeOf(i: number, now: number): number {
  const t = now - 60 * MINUTE_MS - i * MINUTE_MS;
  return t - (t % MINUTE_MS);
}

const bodyOf = (report: PatchableArtefact, i: number, now: number) =>
  patchArtefact(report, endTimeOf(i, now), RUN_BASE + i);

async function uploadAll(
  server: BenchServer,
  report: PatchableArtefact,
  uploads: number,
  clients: number,
  now: number
) {
  const ids = new Map<number, string>();
  const failures: string[] = [];
  let next = 0;
  const client = async () => {
    for (let i = next++; i < uploads; i = next++) {
      try {
        const r = await httpRequest(
          server.url,
          'POST',
          `/api/v1/profiles?label=${encodeURIComponent(`service=${INGEST_SERVICE}`)}`,
          {
            token: server.tokens.write,
            body: bodyOf(report, i, now),
          }
        );
        if (r.status === 201) {
          ids.set(i, r.json<{ id: string }>().id);
        } else {
          failures.push(`upload ${i}: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
        }
      } catch (err) {
        failures.push(`upload ${i}: ${(err as Error).message}`);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  return { ids, failures, seconds: (performance.now() - started) / 1000 };
}

/** Downloads every acknowledged profile (8 at a time) and counts the byte-identical ones; throws on the first difference. */
async function countIdentical(
  server: BenchServer,
  report: PatchableArtefact,
  ids: Map<number, string>,
  now: number
): Promise<number> {
  const queue = [...ids];
  let identical = 0;
  const reader = async () => {
    for (let item = queue.pop(); item; item = queue.pop()) {
      const [i, id] = item;
      const r = expectStatus(
        await httpRequest(server.url, 'GET', `/api/v1/profiles/${id}/raw`, { token: server.tokens.read }),
        `download of ${id}`,
        200
      );
      const sent = bodyOf(report, i, now);
      if (!r.body.equals(sent)) {
        throw new Error(
          `profile ${id} (upload ${i}): downloaded ${r.body.length} bytes differ from the ${sent.length} bytes uploaded`
        );
      }
      identical++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, reader));
  return identical;
}

export async function ingestPhase(
  server: BenchServer,
  opts: { uploads: number; clients: number; bodyBytes: number }
): Promise<IngestResult> {
  const report = bigTextReport(opts.bodyBytes);
  const now = Date.now();
  const rss = new RssSampler(server.pid, 500).start();
  const {
    result: { ids, failures, seconds },
    cpuMs,
  } = await withCpu(server.pid, () => uploadAll(server, report, opts.uploads, opts.clients, now));
  const memory = rss.stop();
  const listed = await listedIds(server, INGEST_SERVICE, endTimeOf(opts.uploads, now) - 60 * MINUTE_MS, now);
  const missing = [...ids.values()].filter((id) => !listed.has(id));
  if (missing.length > 0) {
    throw new Error(`${missing.length} acknowledged uploads are not listed, e.g. ${missing.slice(0, 5).join(', ')}`);
  }
  const identical = await countIdentical(server, report, ids, now);
  return {
    uploads: opts.uploads,
    clients: opts.clients,
    bodyBytes: report.template.length,
    seconds,
    uploadsPerSecond: ids.size / seconds,
    mibPerSecond: (ids.size * report.template.length) / seconds / (1024 * 1024),
    serverCpuMsPerUpload: cpuMs / Math.max(1, ids.size + failures.length),
    serverCpuShare: cpuMs / (seconds * 1000),
    failed: failures.length,
    firstFailure: failures[0] ?? null,
    acked: ids.size,
    listed: [...ids.values()].filter((id) => listed.has(id)).length,
    identical,
    rss: memory,
  };
}
