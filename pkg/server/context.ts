/** What every route plugin gets: the store, the config, the metrics and the optional RTS sources. */
import type { RtsDeps } from '../rts';
import type { Store } from '../store/store';
import type { ServerConfig } from './config';
import type { GrafanaIdVerifier } from './grafana-id';
import type { ServerMetrics } from './metrics';

export interface AppContext {
  store: Store;
  config: ServerConfig;
  metrics: ServerMetrics;
  /** Prometheus / ekg sources of RTS queries (the stored profiles in range are added per query). */
  rts: Omit<RtsDeps, 'profilesInRange'>;
  /** Verifies Grafana's ID tokens for tokens bound to Grafana orgs (`--grafana-url`); null without it. */
  grafanaId: GrafanaIdVerifier | null;
}
