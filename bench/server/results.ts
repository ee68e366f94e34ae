/**
 * The shapes of `npm run bench:server`'s options and results (bench/server/results.json), shared by the runner
 * (bench/server.ts) and the report that formats them (report.ts).
 */
import type { StoreKind } from './context';
import type { FlamegraphResult } from './flamegraph';
import type { CliMode } from './harness';
import type { IngestResult } from './ingest';
import type { LoadResult } from './load';

export interface BenchOptions {
  small: boolean;
  stores: StoreKind[];
  profiles: number;
  uploadConcurrency: number;
  coldRuns: number;
  warmRuns: number;
  ingestUploads: number;
  ingestClients: number;
  ingestBytes: number;
  loadSeconds: number;
  loadConnections: number;
  rssEveryMs: number;
  cli: CliMode;
  results: string;
  timeoutS: number;
}

export interface StoreResult {
  store: StoreKind;
  flamegraph: FlamegraphResult;
  ingest: IngestResult;
  load: LoadResult;
}

export interface BenchResults {
  startedAt: string;
  options: BenchOptions;
  /** Load averages (1 min) when the bench started and ended: other work on the machine skews every number. */
  machine: { node: string; cpus: number; loadAverageStart: number; loadAverageEnd: number };
  stores: StoreResult[];
}
