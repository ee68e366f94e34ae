/**
 * `ghcprof bench FILE...` prints benchmark results (criterion, tasty-bench, GHC RTS summaries) in seconds whatever
 * the tool wrote; `ghcprof bench --compare OLD NEW` compares two, and with `--fail-if-slower PCT` is a CI gate: exit 1
 * when a benchmark is slower by more than PCT % and the change is significant (the intervals do not overlap).
 * The JSON shapes are what scripts depend on (issue 10); keep them.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { BenchData, Benchmark, RtsSummary } from '../../model/bench';
import { type BenchComparison, compareBenchmarks, regressions } from '../../model/bench-compare';
import { formatReader } from '../../formats';
import { readInput } from './formats';
import { COMMAND_SUMMARIES } from './summaries';

export const BENCH_OUTPUT_FORMATS = ['text', 'json'] as const;
type OutputFormat = (typeof BENCH_OUTPUT_FORMATS)[number];

/** `ghcprof bench --format json`. */
export interface BenchListJson {
  unit: 's';
  benchmarks: Array<Pick<Benchmark, 'name' | 'mean' | 'meanLower' | 'meanUpper' | 'stddev' | 'allocatedBytes'>>;
  /** Only when an input is a GHC RTS summary: its figures, by file. */
  rts?: Array<{ file: string } & RtsSummary>;
}

/** `ghcprof bench --compare --format json`. */
export interface BenchCompareJson {
  benchmarks: Array<{ name: string; old: number; new: number; ratio: number; significant: boolean }>;
  geomean: number | null;
}

/** Reads a file that must be a bench artefact. */
export async function readBenchFile(file: string): Promise<BenchData> {
  const data = await readInput(file);
  if (data.bench === undefined) {
    throw new Error(
      `${file}: ${formatReader(data.kind).description}, not a benchmark result (expected criterion --json/--csv, tasty-bench --csv, or a GHC RTS summary from +RTS -s / -t --machine-readable)`
    );
  }
  return data.bench;
}

export function benchListJson(inputs: Array<{ file: string; bench: BenchData }>): BenchListJson {
  const benchmarks = inputs.flatMap(({ bench }) =>
    bench.benchmarks.map(({ name, mean, meanLower, meanUpper, stddev, allocatedBytes }) => ({
      name,
      mean,
      meanLower,
      meanUpper,
      stddev,
      ...(allocatedBytes !== undefined ? { allocatedBytes } : {}),
    }))
  );
  const rts = inputs.flatMap(({ file, bench }) => (bench.rts ? [{ file, ...bench.rts }] : []));
  return { unit: 's', benchmarks, ...(rts.length > 0 ? { rts } : {}) };
}

export function benchCompareJson(c: BenchComparison): BenchCompareJson {
  return {
    benchmarks: c.benchmarks.map(({ name, old, new: n, ratio, significant }) => ({
      name,
      old,
      new: n,
      ratio,
      significant,
    })),
    geomean: c.geomean,
  };
}

/** Seconds in the largest unit that keeps the number at least 1 (`1.17 ms`, `41.3 µs`). */
export function formatSeconds(s: number): string {
  const units: Array<[number, string]> = [
    [1, 's'],
    [1e-3, 'ms'],
    [1e-6, 'µs'],
    [1e-9, 'ns'],
  ];
  if (s === 0) return '0 s';
  const [scale, unit] = units.find(([u]) => Math.abs(s) >= u) ?? [1e-12, 'ps'];
  return `${(s / scale).toPrecision(4)} ${unit}`;
}

function formatBytes(b: number): string {
  return `${Math.round(b).toLocaleString('en-US')} B`;
}

/** Left-aligned first column, right-aligned others. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function benchListText(inputs: Array<{ file: string; bench: BenchData }>): string {
  const parts: string[] = [];
  for (const { file, bench } of inputs) {
    parts.push(`${file}: ${bench.tool}, ${bench.benchmarks.length} benchmark(s)\n`);
    if (bench.benchmarks.length > 0) {
      parts.push(
        table(
          ['benchmark', 'mean', 'lower', 'upper', 'stddev', 'allocated'],
          bench.benchmarks.map((b) => [
            b.name,
            formatSeconds(b.mean),
            formatSeconds(b.meanLower),
            formatSeconds(b.meanUpper),
            formatSeconds(b.stddev),
            b.allocatedBytes !== undefined ? formatBytes(b.allocatedBytes) : '',
          ])
        )
      );
    }
    if (bench.rts) {
      const r = bench.rts;
      parts.push(
        table(
          ['RTS summary', 'value'],
          [
            ['bytes allocated', formatBytes(r.allocatedBytes)],
            ['max residency', formatBytes(r.maxResidencyBytes)],
            ['mutator time (cpu / wall)', `${r.mutatorCpuSeconds} s / ${r.mutatorWallSeconds} s`],
            ['GC time (cpu / wall)', `${r.gcCpuSeconds} s / ${r.gcWallSeconds} s`],
          ]
        )
      );
    }
  }
  return parts.join('\n');
}

/** The comparison as a table sorted by change (slowest first), then the geometric mean. */
export function benchCompareText(c: BenchComparison): string {
  const rows = [...c.benchmarks]
    .sort((a, b) => b.change - a.change || a.name.localeCompare(b.name))
    .map((b) => [
      b.name,
      formatSeconds(b.old),
      formatSeconds(b.new),
      `${b.change >= 0 ? '+' : ''}${b.change.toFixed(1)}%`,
      b.significant ? 'yes' : 'no',
    ]);
  const out = [table(['benchmark', 'old', 'new', 'change', 'significant'], rows)];
  out.push(
    `geometric mean of the ratios: ${c.geomean === null ? 'n/a (no benchmark in both)' : c.geomean.toFixed(4)}\n`
  );
  if (c.onlyOld.length > 0) out.push(`only in OLD: ${c.onlyOld.join(', ')}\n`);
  if (c.onlyNew.length > 0) out.push(`only in NEW: ${c.onlyNew.join(', ')}\n`);
  return out.join('');
}

function percent(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`expected a percentage like 10 or 2.5, got "${text}"`);
  }
  return n;
}

interface BenchOptions {
  compare?: boolean;
  format: OutputFormat;
  failIfSlower?: number;
}

export function registerBenchCommands(program: Command): void {
  program
    .command('bench')
    .description(COMMAND_SUMMARIES.bench)
    .argument('<files...>', 'result files (gzip-compressed is fine); with --compare exactly two: OLD NEW')
    .option('--compare', 'compare OLD and NEW: ratio new/old per benchmark, significance, geometric mean')
    .addOption(new Option('--format <format>', 'output format').choices([...BENCH_OUTPUT_FORMATS]).default('text'))
    .option(
      '--fail-if-slower <pct>',
      'with --compare: exit 1 when a benchmark is slower by more than PCT % and the change is significant',
      percent
    )
    .action(async (files: string[], opts: BenchOptions) => {
      if (!opts.compare) {
        if (opts.failIfSlower !== undefined) {
          throw new Error('--fail-if-slower needs --compare OLD NEW');
        }
        const inputs = [];
        for (const file of files) {
          inputs.push({ file, bench: await readBenchFile(file) });
        }
        process.stdout.write(
          opts.format === 'json' ? `${JSON.stringify(benchListJson(inputs))}\n` : benchListText(inputs)
        );
        return;
      }
      if (files.length !== 2) {
        throw new Error(`--compare takes exactly two files, OLD and NEW (got ${files.length})`);
      }
      const [oldBench, newBench] = [await readBenchFile(files[0]), await readBenchFile(files[1])];
      const comparison = compareBenchmarks(oldBench.benchmarks, newBench.benchmarks);
      process.stdout.write(
        opts.format === 'json' ? `${JSON.stringify(benchCompareJson(comparison))}\n` : benchCompareText(comparison)
      );
      if (opts.failIfSlower !== undefined) {
        const slower = regressions(comparison, opts.failIfSlower);
        if (slower.length > 0) {
          process.stderr.write(
            `ghcprof bench: ${slower.length} benchmark(s) slower by more than ${opts.failIfSlower}% (significant): ${slower
              .map((b) => `${b.name} (+${b.change.toFixed(1)}%)`)
              .join(', ')}\n`
          );
          process.exitCode = 1;
        }
      }
    });
}
