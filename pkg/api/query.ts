/**
 * The one set of query and response types shared by the server (pkg/server validates with these schemas and
 * generates its OpenAPI document from them) and the Grafana plugin (src/ builds requests with them).
 * Browser-safe: imports nothing but zod (and ./kinds).
 */
import { z } from 'zod';
import { HEAP_MODES, METRICS, PROFILE_KINDS } from './kinds';

/** Milliseconds since the epoch, or one of Grafana's relative strings (`now`, `now-1h`, `now-7d/d`). */
export const TimeParam = z.union([z.number(), z.string().min(1).max(64)]);
export type TimeParam = z.infer<typeof TimeParam>;

/** Prometheus-style label selector, e.g. `{service="api",pod=~"api-.*"}`; empty or `{}` selects everything. */
export const Selector = z.string().max(4096);

export const MetricSchema = z.enum(METRICS);
export const ProfileKindSchema = z.enum(PROFILE_KINDS);
export const HeapModeSchema = z.enum(HEAP_MODES);

export const DEFAULT_MAX_NODES = 16384;

/** What to read: profiles matching a selector in a time range, or explicit profile ids. */
export const SelectionSchema = z.object({
  selector: Selector.optional(),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  /** Open exactly these profiles (ignores selector and range). */
  profileIds: z.array(z.string().max(64)).max(1000).optional(),
});
export type Selection = z.infer<typeof SelectionSchema>;

export const FlamegraphQuerySchema = SelectionSchema.extend({
  metric: MetricSchema.default('time'),
  maxNodes: z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_NODES),
  /** Leave out GHC's `GC` and `OVERHEAD_of` (module PROFILING) nodes that -pj adds. */
  excludeSystem: z.boolean().default(false),
});
export type FlamegraphQuery = z.infer<typeof FlamegraphQuerySchema>;

export const TopQuerySchema = FlamegraphQuerySchema.extend({
  limit: z.number().int().min(1).max(100_000).default(1000),
});
export type TopQuery = z.infer<typeof TopQuerySchema>;

export const DiffQuerySchema = z.object({
  left: SelectionSchema,
  right: SelectionSchema,
  metric: MetricSchema.default('time'),
  maxNodes: z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_NODES),
  excludeSystem: z.boolean().default(false),
});
export type DiffQuery = z.infer<typeof DiffQuerySchema>;

export const HeapQuerySchema = SelectionSchema.extend({
  /** Only profiles whose bands are of this kind (`hc`, `hT`, ...); default: whatever is there. */
  mode: HeapModeSchema.optional(),
  topN: z.number().int().min(1).max(1000).default(10),
  /** Label that keeps overlapping processes apart instead of summing them. */
  splitBy: z.string().max(128).default('pod'),
  /** At most this many points per series (Grafana's maxDataPoints): censuses are averaged per interval. */
  maxDataPoints: z.number().int().min(1).max(100_000).default(1000),
});
export type HeapQuery = z.infer<typeof HeapQuerySchema>;

/** R² a band's least-squares fit must reach for its growth to count as steady (eventlog2html's leak reading). */
export const DEFAULT_MIN_R2 = 0.8;

export const LeaksQuerySchema = HeapQuerySchema.extend({
  /** Bands whose fit reaches this R² (and whose slope is positive) are marked `steady` ("growing steadily"). */
  minR2: z.number().min(0).max(1).default(DEFAULT_MIN_R2),
});
export type LeaksQuery = z.infer<typeof LeaksQuerySchema>;

/** One summary row per service (the `service` label) among the profiles a selector matches in a range. */
export const ServicesQuerySchema = z.object({
  selector: Selector.optional(),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  /** Label that tells a service's processes apart (counted as pods; heap series are split by it). */
  splitBy: z.string().max(128).default('pod'),
  minR2: z.number().min(0).max(1).default(DEFAULT_MIN_R2),
});
export type ServicesQuery = z.infer<typeof ServicesQuerySchema>;

export const AnnotationsQuerySchema = SelectionSchema;
export type AnnotationsQuery = z.infer<typeof AnnotationsQuerySchema>;

export const RtsPanelSchema = z.enum([
  'allocRate',
  'gcCpuFraction',
  'liveBytes',
  'maxMemInUse',
  'gcRate',
  'copiedRate',
  'mutatorVsGc',
]);
export type RtsPanel = z.infer<typeof RtsPanelSchema>;

export const RtsQuerySchema = z.object({
  selector: Selector.optional(),
  from: TimeParam,
  to: TimeParam,
  stepMs: z.number().int().min(1).max(86_400_000).optional(),
  panel: RtsPanelSchema,
});
export type RtsQuery = z.infer<typeof RtsQuerySchema>;

/** A regex on benchmark names (RE2 syntax, fully anchored as in PromQL: `sort/.*`); empty = every benchmark. */
export const BenchmarkRegex = z.string().max(1024);

/** The label whose value names a result's version (`ghcprof push --label version=$GITHUB_SHA`). */
export const DEFAULT_VERSION_LABEL = 'version';

/**
 * POST /api/v1/query/benchmarks: the bench results of a selection. `by: "time"` (default): one time series per
 * benchmark (mean, lower and upper bound, seconds) at each result's time; `by: "version"`: one table, a row per
 * version label value and a column per benchmark.
 */
export const BenchmarksQuerySchema = SelectionSchema.extend({
  benchmark: BenchmarkRegex.optional(),
  by: z.enum(['time', 'version']).default('time'),
  versionLabel: z.string().min(1).max(128).default(DEFAULT_VERSION_LABEL),
});
export type BenchmarksQuery = z.infer<typeof BenchmarksQuerySchema>;

/**
 * POST /api/v1/query/benchCompare: `left` (old) against `right` (new), as `diff` takes them; the newest result of
 * each benchmark in each selection. A table frame: name, old, new, ratio, change (%), significant; the geometric
 * mean of the ratios in meta.custom.ghcprof.geomean and in a last row.
 */
export const BenchCompareQuerySchema = z.object({
  left: SelectionSchema,
  right: SelectionSchema,
  benchmark: BenchmarkRegex.optional(),
});
export type BenchCompareQuery = z.infer<typeof BenchCompareQuerySchema>;

/** The name of the geometric-mean row that ends a benchCompare table. */
export const GEOMEAN_ROW = 'geometric mean';

/** GET /api/v1/benchmarks/names?selector=&from=&to=: the benchmark names of the selected results (the picker). */
export const BenchmarkNamesResponseSchema = z.object({ names: z.array(z.string()) });
export type BenchmarkNamesResponse = z.infer<typeof BenchmarkNamesResponseSchema>;

/** A stored profile's metadata as the API returns it. */
export const ProfileMetaSchema = z.object({
  id: z.string(),
  kind: ProfileKindSchema,
  labels: z.record(z.string(), z.string()),
  /** ms since epoch. */
  startTime: z.number(),
  endTime: z.number().nullable(),
  /**
   * Where startTime came from: the artefact's own clock, the `start` upload parameter, the upload time, or (a
   * growing eventlog/.hp before its wall-clock event / DATE arrived) the last upload's time minus how far the data
   * reaches, replaced by the artefact's time once it arrives.
   */
  timeSource: z.enum(['artefact', 'parameter', 'upload', 'estimate']),
  program: z.string(),
  rtsArguments: z.array(z.string()),
  size: z.number(),
  sha256: z.string(),
  uploader: z.string().nullable(),
  createdAt: z.number(),
  warnings: z.array(z.string()),
  /** What the profile holds: a cost-centre tree, heap samples, RTS series. */
  has: z.object({ tree: z.boolean(), heap: z.boolean(), rts: z.boolean() }),
  heapMode: HeapModeSchema.nullable(),
});
export type ProfileMeta = z.infer<typeof ProfileMetaSchema>;

export const ProfileListQuerySchema = z.object({
  selector: Selector.optional(),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  kind: ProfileKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});
export type ProfileListQuery = z.infer<typeof ProfileListQuerySchema>;

export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Query types the datasource offers; each but `profiles` is a POST /api/v1/query/<type>. */
export const QUERY_TYPES = [
  'flamegraph',
  'diff',
  'top',
  'heap',
  'leaks',
  'rts',
  'profiles',
  'annotations',
  'benchmarks',
  'benchCompare',
  'services',
] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

// ---------------------------------------------------------------------------------------------------------------
// HTTP response bodies of the API v1 routes (added with the server; the plugin parses the same shapes).

/** POST /api/v1/profiles: 201 (new) or 200 (same bytes already stored, same id). */
export const UploadResponseSchema = ProfileMetaSchema;
export type UploadResponse = z.infer<typeof UploadResponseSchema>;

/** POST /api/v1/profiles/:id/append. */
export const AppendResponseSchema = z.object({
  profile: ProfileMetaSchema,
  /** False when the request held only bytes the server already had. */
  changed: z.boolean(),
  /** Length of the stored artefact after the request: where the next chunk starts. */
  storedBytes: z.number(),
});
export type AppendResponse = z.infer<typeof AppendResponseSchema>;

/** GET /api/v1/profiles. */
export const ProfileListResponseSchema = z.object({ profiles: z.array(ProfileMetaSchema) });
export type ProfileListResponse = z.infer<typeof ProfileListResponseSchema>;

/** GET /api/v1/labels. */
export const LabelNamesResponseSchema = z.object({ names: z.array(z.string()) });
export type LabelNamesResponse = z.infer<typeof LabelNamesResponseSchema>;

/** GET /api/v1/labels/:name/values. */
export const LabelValuesResponseSchema = z.object({ name: z.string(), values: z.array(z.string()) });
export type LabelValuesResponse = z.infer<typeof LabelValuesResponseSchema>;

/** GET /api/v1/auth/check: what the token may do (the datasource's "Save & test"). */
export const AuthCheckResponseSchema = z.object({
  tenant: z.string(),
  scope: z.enum(['read', 'write', 'admin']),
  tokenId: z.string(),
  tokenName: z.string(),
});
export type AuthCheckResponse = z.infer<typeof AuthCheckResponseSchema>;

/** `{frames: DataFrameJSON[]}` of every POST /api/v1/query/<type> (see dataframe.ts for the frame's fields). */
export const DataFrameJSONSchema = z.object({
  schema: z.object({
    name: z.string().optional(),
    refId: z.string().optional(),
    meta: z.looseObject({}).optional(),
    fields: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['time', 'number', 'string', 'boolean', 'enum', 'other']),
        config: z.looseObject({}),
        labels: z.record(z.string(), z.string()).optional(),
      })
    ),
  }),
  data: z.object({ values: z.array(z.array(z.unknown())) }),
});
export const FramesResponseSchema = z.object({ frames: z.array(DataFrameJSONSchema) });
