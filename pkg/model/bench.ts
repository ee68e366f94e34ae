/**
 * The benchmark-result model every bench reader produces (pkg/formats/bench/*) and the CLI, store and queries
 * consume. Plain data only (the store keeps it as JSON). Every time is in seconds and every size in bytes, whatever
 * unit the tool wrote: the readers convert (tasty-bench writes picoseconds), so nothing downstream knows the tool.
 */

/** The input format a result was read from. */
export type BenchFormat = 'criterion-json' | 'criterion-csv' | 'tasty-bench-csv' | 'rts-machine' | 'rts-text';

export interface Benchmark {
  /** As the tool wrote it: criterion's `group/bench`, tasty-bench's dotted `All.group.bench`. */
  name: string;
  /** Mean time per iteration, seconds. */
  mean: number;
  /** Bounds of the mean's confidence interval (criterion), or mean ∓ 2σ (tasty-bench, as its baseline check uses). */
  meanLower: number;
  meanUpper: number;
  /** Standard deviation of the time per iteration, seconds. */
  stddev: number;
  /** criterion: fraction (0..1) of the variance that outliers introduce (`anOutlierVar.ovFraction`). */
  outlierVariance?: number;
  /** criterion: R² of the time-on-iterations regression. */
  rSquare?: number;
  /** Bytes allocated per iteration (criterion under `+RTS -T`; tasty-bench's `Allocated`). */
  allocatedBytes?: number;
  /** Bytes copied by GC per iteration (criterion `bytesCopied`; tasty-bench's `Copied`). */
  copiedBytes?: number;
  /** tasty-bench's `Peak Memory`: bytes in use at most. */
  peakMemoryBytes?: number;
  /** criterion under `+RTS -T`: GC and mutator wall time per iteration, seconds. */
  gcSeconds?: number;
  mutatorSeconds?: number;
}

/** The figures of a GHC RTS summary (`+RTS -s` / `-t --machine-readable`) that GHC's own performance tests track. */
export interface RtsSummary {
  allocatedBytes: number;
  /** Maximum residency (`max_bytes_used`): live bytes at the largest major GC. */
  maxResidencyBytes: number;
  copiedBytes?: number;
  /** Total memory in use (`max_mem_in_use_bytes`; `-s` prints it in MiB). */
  memoryInUseBytes?: number;
  gcCount?: number;
  mutatorCpuSeconds: number;
  mutatorWallSeconds: number;
  gcCpuSeconds: number;
  gcWallSeconds: number;
  totalCpuSeconds?: number;
  totalWallSeconds?: number;
}

export interface BenchData {
  format: BenchFormat;
  /** `criterion 1.5.13.0` (the JSON names its version), `criterion`, `tasty-bench`, `GHC RTS`. */
  tool: string;
  /** Benchmarks in file order (none for an RTS summary). */
  benchmarks: Benchmark[];
  /** An RTS summary's figures. */
  rts?: RtsSummary;
  /** The command line an RTS statistics file starts with, when present (`./suite` `--time-limit` `1`). */
  command?: string[];
}

export const BENCH_TIME_UNIT = 's';
