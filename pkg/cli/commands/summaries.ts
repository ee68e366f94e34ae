/**
 * One line per top-level command: what `ghcprof --help` lists (without loading the command modules, whose
 * dependencies take most of a second) and what each command module describes itself with.
 */
export const COMMAND_SUMMARIES = {
  inspect: 'describe a .prof, -pj JSON, .hp or .eventlog file: kind, program, RTS arguments, totals, sizes, warnings',
  flame: 'export the cost-centre tree: folded stacks (default), Grafana flame-graph frame JSON, pprof or speedscope',
  heap: 'print heap samples as JSON or CSV: every band of every sample, seconds since the start, bytes',
  bench:
    'print benchmark results (criterion --json/--csv, tasty-bench --csv, GHC RTS summaries) in seconds, or compare ' +
    'two with --compare OLD NEW (--fail-if-slower PCT: the CI gate)',
  serve: 'serve the ghcprof HTTP API (options also from GHCPROF_* environment variables or --config)',
  token: 'manage API tokens (works while a server runs on the same store)',
  store: 'maintain a store',
  demo: 'serve the sample profiles on the embedded store and print how to point Grafana at it',
  push: 'upload .prof, -pj JSON, .hp, .eventlog and benchmark-result files; prints ID<TAB>FILE<TAB>created|existing per file',
  agent:
    'watch a directory for GHC artefacts and upload them (growing .hp/.eventlog incrementally): a sidecar, ' +
    'or with --layout node one agent per node for every pod under <namespace>/<pod>/<container>/',
} as const;

export type CommandName = keyof typeof COMMAND_SUMMARIES;
