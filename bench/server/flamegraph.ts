/**
 * Phase 1: POST /api/v1/query/flamegraph over N stored -pj profiles of one service spread across a week, against
 * the same query over a range holding exactly one of them. Cold = the first query after a server restart (nothing
 * cached in the process; the database's own caches stay warm), warm = repeated queries, medians of each.
 */
import { MINUTE_MS, PjVariants } from './artefacts';
import { expectStatus, httpRequest, median, withCpu } from './harness';
import type { BenchServer } from './context';

export const WEEK_MS = 7 * 24 * 60 * MINUTE_MS;
export const SERVICE = 'bench';

export interface StoredSet {
  ids: string[];
  /** ms epoch of each profile's start and end as the server stored them. */
  starts: number[];
  ends: number[];
  totalTicks: number[];
  from: number;
  to: number;
}

export interface QueryTiming {
  coldMs: number[];
  warmMs: number[];
  coldMedianMs: number;
  warmMedianMs: number;
  /** Server CPU time per warm query (mean; /proc, 10 ms resolution): robust against other load on the machine. */
  warmCpuMs: number;
  /** Profiles the frame says it merged. */
  profiles: number;
  /** Value of the root node (total time in ns, for metric time). */
  rootValue: number;
  /** meta.custom.ghcprof facts other than the id list (e.g. rollups used), as the server reports them. */
  facts: Record<string, unknown>;
}

export interface FlamegraphResult {
  profiles: number;
  uploadSeconds: number;
  uploadsPerSecond: number;
  many: QueryTiming;
  one: QueryTiming;
  ratioWarm: number;
  ratioCold: number;
  /** Ratio of the server CPU time per warm query. */
  ratioWarmCpu: number;
  /** Hourly rollups merged by the N-profile query and by the 1-profile query (frame meta), null: not reported. */
  rollups: { many: number | null; one: number | null };
  /** The stored week (ms epoch). */
  from: number;
  to: number;
}

/** End time (minute precision, as GHC writes it) of profile i of n spread over the week before `weekEnd`. */
function endTimeOf(i: number, n: number, weekEnd: number): number {
  const t = weekEnd - WEEK_MS + Math.floor(((i + 0.5) * WEEK_MS) / n);
  return t - (t % MINUTE_MS);
}

/** Uploads n distinct -pj profiles (service=bench) with `concurrency` clients; checks each one's stored time. */
export async function uploadWeek(
  server: BenchServer,
  n: number,
  concurrency: number
): Promise<StoredSet & { seconds: number }> {
  const variants = new PjVariants();
  const now = Date.now();
  const weekEnd = now - (now % MINUTE_MS) - 60 * MINUTE_MS;
  const set: StoredSet = {
    ids: [],
    starts: [],
    ends: [],
    totalTicks: [],
    from: weekEnd - WEEK_MS - MINUTE_MS,
    to: weekEnd + MINUTE_MS,
  };
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const endMs = endTimeOf(i, n, weekEnd);
      const v = variants.make(i, endMs);
      const r = expectStatus(
        await httpRequest(server.url, 'POST', `/api/v1/profiles?label=${encodeURIComponent(`service=${SERVICE}`)}`, {
          token: server.tokens.write,
          body: v.text,
        }),
        `upload of -pj profile ${i}`,
        201
      );
      const meta = r.json<{ id: string; startTime: number; endTime: number | null; timeSource: string }>();
      const wantStart = endMs - Math.round(v.totalTimeSeconds * 1000);
      if (meta.timeSource !== 'artefact' || meta.startTime !== wantStart || meta.endTime !== endMs) {
        throw new Error(
          `profile ${i} stored at ${meta.startTime}..${meta.endTime} (${meta.timeSource}), expected ${wantStart}..${endMs} from its end_time`
        );
      }
      set.ids[i] = meta.id;
      set.starts[i] = meta.startTime;
      set.ends[i] = endMs;
      set.totalTicks[i] = v.totalTicks;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ...set, seconds: (performance.now() - started) / 1000 };
}

interface FlameFrame {
  schema: { fields: Array<{ name: string }>; meta?: { custom?: { ghcprof?: Record<string, unknown> } } };
  data: { values: unknown[][] };
}

async function flamegraph(server: BenchServer, from: number, to: number): Promise<{ ms: number; frame: FlameFrame }> {
  const body = JSON.stringify({ selector: `{service="${SERVICE}"}`, from, to, metric: 'time', maxNodes: 16384 });
  const t0 = performance.now();
  const r = await httpRequest(server.url, 'POST', '/api/v1/query/flamegraph', {
    token: server.tokens.read,
    body,
    contentType: 'application/json',
  });
  const ms = performance.now() - t0;
  expectStatus(r, `flamegraph ${from}..${to}`, 200);
  return { ms, frame: r.json<{ frames: FlameFrame[] }>().frames[0] };
}

function summarise(frame: FlameFrame): { profiles: number; rootValue: number; facts: Record<string, unknown> } {
  const { profileIds: _ids, ...facts } = frame.schema.meta?.custom?.ghcprof ?? {};
  const valueAt = frame.schema.fields.findIndex((f) => f.name === 'value');
  if (valueAt < 0) {
    throw new Error(`flamegraph frame has no value field: ${frame.schema.fields.map((f) => f.name).join(', ')}`);
  }
  return { profiles: Number(facts.profiles), rootValue: Number(frame.data.values[valueAt][0]), facts };
}

/** Times one range: `coldRuns` first-queries-after-restart, then `warmRuns` repeats (after one warm-up). */
async function timeRange(
  server: BenchServer,
  from: number,
  to: number,
  coldRuns: number,
  warmRuns: number
): Promise<QueryTiming> {
  const coldMs: number[] = [];
  let last: FlameFrame | null = null;
  for (let i = 0; i < coldRuns; i++) {
    await server.restart();
    const r = await flamegraph(server, from, to);
    coldMs.push(r.ms);
    last = r.frame;
  }
  await flamegraph(server, from, to);
  const warmMs: number[] = [];
  const { cpuMs } = await withCpu(server.pid, async () => {
    for (let i = 0; i < warmRuns; i++) {
      const r = await flamegraph(server, from, to);
      warmMs.push(r.ms);
      last = r.frame;
    }
  });
  return {
    coldMs,
    warmMs,
    coldMedianMs: median(coldMs),
    warmMedianMs: median(warmMs),
    warmCpuMs: cpuMs / warmRuns,
    ...summarise(last!),
  };
}

/** Ticks as the frame's time values: nanoseconds (tick interval from the frame's facts). */
function tickNs(timing: QueryTiming, ticks: number): number {
  return ticks * Number(timing.facts.tickIntervalUs) * 1000;
}

/** Hourly rollups the server says stood in for profiles (meta.custom.ghcprof.rollups), null when it says nothing. */
function rollupsOf(timing: QueryTiming): number | null {
  return typeof timing.facts.rollups === 'number' ? timing.facts.rollups : null;
}

export async function flamegraphPhase(
  server: BenchServer,
  opts: { profiles: number; concurrency: number; coldRuns: number; warmRuns: number }
): Promise<FlamegraphResult> {
  const set = await uploadWeek(server, opts.profiles, opts.concurrency);
  const many = await timeRange(server, set.from, set.to, opts.coldRuns, opts.warmRuns);
  const weekNs = tickNs(
    many,
    set.totalTicks.reduce((a, b) => a + b, 0)
  );
  if (many.profiles !== opts.profiles || Math.abs(many.rootValue - weekNs) > 1e-9 * weekNs) {
    throw new Error(
      `flamegraph over the week merged ${many.profiles} profiles, root ${many.rootValue} ns; expected ${opts.profiles} profiles, ${weekNs} ns`
    );
  }
  // One profile from the middle of the week: its own range, a minute either side (neighbours are further away).
  const k = Math.floor(opts.profiles / 2);
  const one = await timeRange(server, set.starts[k] - MINUTE_MS, set.ends[k] + MINUTE_MS, opts.coldRuns, opts.warmRuns);
  const oneNs = tickNs(one, set.totalTicks[k]);
  if (one.profiles !== 1 || Math.abs(one.rootValue - oneNs) > 1e-9 * oneNs) {
    throw new Error(
      `flamegraph over profile ${set.ids[k]}'s range merged ${one.profiles} profiles, root ${one.rootValue} ns; expected 1, ${oneNs} ns`
    );
  }
  return {
    profiles: opts.profiles,
    uploadSeconds: set.seconds,
    uploadsPerSecond: opts.profiles / set.seconds,
    many,
    one,
    ratioWarm: many.warmMedianMs / one.warmMedianMs,
    ratioCold: many.coldMedianMs / one.coldMedianMs,
    ratioWarmCpu: many.warmCpuMs / Math.max(one.warmCpuMs, 1),
    rollups: { many: rollupsOf(many), one: rollupsOf(one) },
    from: set.from,
    to: set.to,
  };
}
