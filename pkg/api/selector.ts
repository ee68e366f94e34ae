/**
 * Prometheus-style label selectors (`{service="api",pod=~"api-.*"}`), shared by the server (filtering stored
 * profiles) and the plugin (autocomplete, building selectors from template variables). Browser-safe.
 */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}
