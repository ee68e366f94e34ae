/**
 * Phase 3: a bounded autocannon run on 127.0.0.1 mixing uploads and queries, every connection cycling through
 *
 *   1. POST /api/v1/profiles            a distinct -pj report (~53 KB) of service=load
 *   2. POST /api/v1/query/flamegraph    service=bench over a 6-hour window of the stored week
 *   3. GET  /api/v1/profiles            service=bench, 100 latest
 *   4. POST /api/v1/query/top           service=bench over the same 6-hour window
 *
 * while the server's RSS is sampled. Afterwards every upload the server acknowledged must be listed.
 */
import autocannon from 'autocannon';
import { MINUTE_MS, type PatchableArtefact, patchablePj, patchArtefact, PjVariants } from './artefacts';
import { type BenchServer, listedIds } from './context';
import { RssSampler, withCpu } from './harness';
import { SERVICE } from './flamegraph';

export const LOAD_SERVICE = 'load';
const RUN_BASE = 200_000_000;

export interface LoadResult {
  seconds: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  /** Server CPU time / wall time during the run (1.0 = one core busy all the time). */
  serverCpuShare: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  uploadsAcked: number;
  uploadsListed: number;
  rss: { startKiB: number; peakKiB: number; endKiB: number; samples: number; everyMs: number };
}

interface Window {
  from: number;
  to: number;
}

function requests(
  server: BenchServer,
  pj: PatchableArtefact,
  window: Window,
  now: number,
  acked: string[]
): autocannon.Request[] {
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const json = (token: string) => ({ ...auth(token), 'content-type': 'application/json' });
  const range = { selector: `{service="${SERVICE}"}`, from: window.from, to: window.to };
  let run = 0;
  return [
    {
      method: 'POST',
      path: `/api/v1/profiles?label=${encodeURIComponent(`service=${LOAD_SERVICE}`)}`,
      headers: { ...auth(server.tokens.write), 'content-type': 'application/octet-stream' },
      setupRequest: (req) => {
        const n = run++;
        // One a minute back from now: distinct bytes, all inside the range listed afterwards.
        const end = now - (now % MINUTE_MS) - (n % (24 * 60)) * MINUTE_MS;
        return { ...req, body: patchArtefact(pj, end, RUN_BASE + n) };
      },
      onResponse: (status, body) => {
        if (status === 201) {
          acked.push((JSON.parse(body) as { id: string }).id);
        }
      },
    },
    {
      method: 'POST',
      path: '/api/v1/query/flamegraph',
      headers: json(server.tokens.read),
      body: JSON.stringify({ ...range, metric: 'time', maxNodes: 16384 }),
    },
    {
      method: 'GET',
      path: `/api/v1/profiles?${new URLSearchParams({ selector: range.selector, from: String(window.from), to: String(window.to), limit: '100' })}`,
      headers: auth(server.tokens.read),
    },
    {
      method: 'POST',
      path: '/api/v1/query/top',
      headers: json(server.tokens.read),
      body: JSON.stringify({ ...range, metric: 'alloc', limit: 100 }),
    },
  ];
}

export async function loadPhase(
  server: BenchServer,
  opts: { seconds: number; connections: number; rssEveryMs: number; window: Window }
): Promise<LoadResult> {
  const pj = patchablePj(new PjVariants(), 424242);
  const now = Date.now();
  const acked: string[] = [];
  const rss = new RssSampler(server.pid, opts.rssEveryMs).start();
  const { result, cpuMs } = await withCpu(server.pid, () =>
    autocannon({
      url: server.url,
      connections: opts.connections,
      duration: opts.seconds,
      // A query slower than this counts as a timeout (reported), not a hang.
      timeout: 30,
      requests: requests(server, pj, opts.window, now, acked),
    })
  );
  const memory = rss.stop();
  if (!server.current.alive) {
    throw new Error(`the ${server.kind} server died during the load test:\n${server.current.log}`);
  }
  const listed = await listedIds(server, LOAD_SERVICE, now - 25 * 60 * MINUTE_MS, now + MINUTE_MS);
  const lost = acked.filter((id) => !listed.has(id));
  if (lost.length > 0) {
    throw new Error(
      `${lost.length} of ${acked.length} uploads acknowledged during the load test are not listed, e.g. ${lost.slice(0, 5).join(', ')}`
    );
  }
  return {
    seconds: opts.seconds,
    connections: opts.connections,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / opts.seconds,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    serverCpuShare: cpuMs / (opts.seconds * 1000),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    uploadsAcked: acked.length,
    uploadsListed: acked.length - lost.length,
    rss: { ...memory, everyMs: opts.rssEveryMs },
  };
}
