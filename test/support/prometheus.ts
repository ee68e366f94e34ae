/**
 * A real Prometheus for tests: `startPrometheus({targets})` writes a scrape config (1 s interval by default), starts
 * `/usr/bin/prometheus` (or $PROMETHEUS_BIN) on a free 127.0.0.1 port with its TSDB in a temp dir, and waits until
 * it is ready. `waitForSeries` polls (never sleeps blindly) until the first scrapes have landed. Call `stop()` in
 * an `after` hook: it terminates the process and removes the temp dir. A Prometheus that cannot start fails the
 * test run; it is never skipped.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './net';

export interface ScrapeTarget {
  /** Becomes the `job` label. */
  job: string;
  /** host:port of the endpoint. */
  address: string;
  metricsPath: string;
  /** Extra target labels (`service`, `pod`, ...). */
  labels?: Record<string, string>;
  /** Sent as `Authorization: Bearer ...` on every scrape (an endpoint behind a token). */
  bearerToken?: string;
}

export interface StartOptions {
  targets: ScrapeTarget[];
  scrapeIntervalS?: number;
}

export interface RunningPrometheus {
  url: string;
  /** Resolves once `/api/v1/series?match[]=match` returns at least `count` series; rejects after `timeoutMs`. */
  waitForSeries(match: string, count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once a range of `match` holds at least `samples` samples in every one of its series. */
  waitForSamples(match: string, samples: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const POLL_MS = 200;

export async function startPrometheus(opts: StartOptions): Promise<RunningPrometheus> {
  const bin = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
  const dir = mkdtempSync(join(tmpdir(), 'ghcprof-prometheus-'));
  const port = await freePort();
  const interval = `${opts.scrapeIntervalS ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: opts.targets.map((t) => ({
      job_name: t.job,
      metrics_path: t.metricsPath,
      static_configs: [{ targets: [t.address], labels: t.labels ?? {} }],
      ...(t.bearerToken ? { authorization: { type: 'Bearer', credentials: t.bearerToken } } : {}),
    })),
  };
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const child = spawn(
    bin,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopProcess(child, dir);
  try {
    await pollUntil(
      async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok === true,
      20_000,
      () =>
        `Prometheus (${bin}) did not become ready on ${url}: ${child.exitCode !== null ? `exited ${child.exitCode}` : 'still starting'}\n${stderr}`,
      () => child.exitCode !== null
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    stop,
    waitForSeries: (match, count, timeoutMs = 20_000) =>
      pollUntil(
        async () => (await seriesCount(url, match)) >= count,
        timeoutMs,
        () => `Prometheus has fewer than ${count} series for ${match} after ${timeoutMs} ms\n${stderr}`
      ),
    waitForSamples: (match, samples, timeoutMs = 20_000) =>
      pollUntil(
        async () => (await minSamples(url, match)) >= samples,
        timeoutMs,
        () => `Prometheus has fewer than ${samples} samples of ${match} after ${timeoutMs} ms\n${stderr}`
      ),
  };
}

async function seriesCount(url: string, match: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/series?${new URLSearchParams({ 'match[]': match })}`);
  const body = (await res.json()) as { data?: unknown[] };
  return body.data?.length ?? 0;
}

/** Fewest raw samples any series of `match` has over the last 5 minutes (0 when there is no series). */
async function minSamples(url: string, match: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: `count_over_time(${match}[5m])` })}`);
  const body = (await res.json()) as { data?: { result: Array<{ value: [number, string] }> } };
  const counts = body.data?.result.map((r) => Number(r.value[1])) ?? [];
  return counts.length === 0 ? 0 : Math.min(...counts);
}

async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  message: () => string,
  abort: () => boolean = () => false
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !abort()) {
    if (await check().catch(() => false)) {
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(message());
}

async function stopProcess(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}
