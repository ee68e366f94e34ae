/**
 * The closed lists of names shared by every layer: what a stored artefact is, and how heap bands are keyed.
 * Defined here once (browser-safe, no imports) so the model, the API schemas and the plugin agree.
 * A new artefact kind is added here and gets its reader registered in pkg/formats/index.ts (the compiler
 * points at the registry until it does).
 */

/** What a file is, decided by content (pkg/formats/index.ts detects it through the format registry). */
/** `bench`: a benchmark result (criterion, tasty-bench) or a GHC RTS summary of a run (pkg/formats/bench/). */
export const PROFILE_KINDS = ['prof', 'prof-json', 'hp', 'eventlog', 'bench'] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];

/**
 * How heap-profile bands are keyed: the `-h` mode that made them.
 * hc: cost-centre stack, hm: module, hd: closure description, hy: type, hr: retainer, hb: biography,
 * hT: closure type (no profiling build), hi: info table (GHC ≥ 9.2 info-table provenance), he: era (GHC ≥ 9.10).
 */
export const HEAP_MODES = ['hc', 'hm', 'hd', 'hy', 'hr', 'hb', 'hT', 'hi', 'he', 'unknown'] as const;
export type HeapMode = (typeof HEAP_MODES)[number];

/** Flame-graph / top-table metrics. `time` is reported in ns (ticks × tick interval), `alloc` in bytes. */
export const METRICS = ['time', 'alloc', 'entries'] as const;
export type Metric = (typeof METRICS)[number];
