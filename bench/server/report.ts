/** The bench's one table: a row per measurement, a column per store, goals and ratios spelled out. */
import type { BenchResults, StoreResult } from './results';

type Cell = (r: StoreResult) => string;

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const mib = (kib: number) => `${(kib / 1024).toFixed(0)}`;
const ratio = (x: number) => `${x.toFixed(2)}x`;
const bodyBytes = (results: BenchResults) => (results.stores[0]?.ingest.bodyBytes ?? 0).toLocaleString('en');
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

function rows(results: BenchResults): Array<[string, Cell] | string> {
  const o = results.options;
  return [
    `1. flame graph, ${o.profiles} -pj profiles of service=bench across 7 days vs 1 profile (maxNodes 16384)`,
    ['   upload of the week (-pj, ~53 KB each)', (r) => `${r.flamegraph.uploadsPerSecond.toFixed(0)}/s`],
    [
      '   1 profile: cold / warm median (ms)',
      (r) => `${ms(r.flamegraph.one.coldMedianMs)} / ${ms(r.flamegraph.one.warmMedianMs)}`,
    ],
    [
      `   ${o.profiles} profiles: cold / warm median (ms)`,
      (r) => `${ms(r.flamegraph.many.coldMedianMs)} / ${ms(r.flamegraph.many.warmMedianMs)}`,
    ],
    ['   ratio cold (goal <= 10x)', (r) => `${ratio(r.flamegraph.ratioCold)} ${verdict(r.flamegraph.ratioCold <= 10)}`],
    ['   ratio warm (goal <= 10x)', (r) => `${ratio(r.flamegraph.ratioWarm)} ${verdict(r.flamegraph.ratioWarm <= 10)}`],
    [
      '   server CPU per warm query: 1 / N profiles (ms)',
      (r) => `${ms(r.flamegraph.one.warmCpuMs)} / ${ms(r.flamegraph.many.warmCpuMs)}`,
    ],
    ['   ratio of server CPU per warm query', (r) => ratio(r.flamegraph.ratioWarmCpu)],
    [
      '   hourly rollups merged: N / 1 profile (frame meta)',
      (r) => `${r.flamegraph.rollups.many ?? 'not reported'} / ${r.flamegraph.rollups.one ?? 'not reported'}`,
    ],
    `2. ingest: ${o.ingestUploads} text .prof uploads of ${bodyBytes(results)} bytes, ${o.ingestClients} concurrent clients`,
    [
      '   uploads/s (goal >= 50)',
      (r) => `${r.ingest.uploadsPerSecond.toFixed(1)} ${verdict(r.ingest.uploadsPerSecond >= 50)}`,
    ],
    ['   MiB/s', (r) => r.ingest.mibPerSecond.toFixed(1)],
    [
      '   server CPU per upload (ms) -> uploads/s per free core',
      (r) => `${ms(r.ingest.serverCpuMsPerUpload)} -> ${(1000 / r.ingest.serverCpuMsPerUpload).toFixed(1)}`,
    ],
    ['   server CPU busy while uploading (cores)', (r) => r.ingest.serverCpuShare.toFixed(2)],
    ['   acked / listed / byte-identical', (r) => `${r.ingest.acked} / ${r.ingest.listed} / ${r.ingest.identical}`],
    ['   not acknowledged', (r) => String(r.ingest.failed)],
    [
      '   server RSS start / peak / end (MiB)',
      (r) => `${mib(r.ingest.rss.startKiB)} / ${mib(r.ingest.rss.peakKiB)} / ${mib(r.ingest.rss.endKiB)}`,
    ],
    `3. load: autocannon, ${o.loadConnections} connections, ${o.loadSeconds} s, cycling upload / flamegraph / list / top`,
    ['   throughput (req/s)', (r) => r.load.requestsPerSecond.toFixed(1)],
    [
      '   latency p50 / p99 / max (ms)',
      (r) => `${ms(r.load.latencyP50Ms)} / ${ms(r.load.latencyP99Ms)} / ${ms(r.load.latencyMaxMs)}`,
    ],
    ['   server CPU busy (cores)', (r) => r.load.serverCpuShare.toFixed(2)],
    ['   non-2xx / errors / timeouts', (r) => `${r.load.non2xx} / ${r.load.errors} / ${r.load.timeouts}`],
    ['   uploads acked / listed', (r) => `${r.load.uploadsAcked} / ${r.load.uploadsListed}`],
    [
      `   server RSS start / peak / end (MiB, every ${o.rssEveryMs / 1000} s)`,
      (r) => `${mib(r.load.rss.startKiB)} / ${mib(r.load.rss.peakKiB)} / ${mib(r.load.rss.endKiB)}`,
    ],
  ];
}

export function formatTable(results: BenchResults): string {
  const stores = results.stores;
  const m = results.machine;
  const table = rows(results);
  const labelWidth = Math.max(...table.map((row) => (typeof row === 'string' ? 0 : row[0].length)));
  const cells = table.map((row) => (typeof row === 'string' ? [] : stores.map((s) => row[1](s))));
  const widths = stores.map((s, i) => Math.max(s.store.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (label: string, values: string[]) =>
    `${label.padEnd(labelWidth)}  ${values.map((v, i) => v.padStart(widths[i])).join('  ')}`.trimEnd();
  const out = [
    `ghcprof server bench, ${results.startedAt}, Node ${results.machine.node}, ${m.cpus} CPUs, ` +
      `load average ${m.loadAverageStart.toFixed(1)} -> ${m.loadAverageEnd.toFixed(1)}, CLI: ${results.options.cli}`,
    line(
      '',
      stores.map((s) => s.store)
    ),
  ];
  table.forEach((row, i) => out.push(typeof row === 'string' ? row : line(row[0], cells[i])));
  return out.join('\n');
}
