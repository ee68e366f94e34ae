/** The agent's own Prometheus metrics (a private registry, so tests can run several agents in one process). */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** What the queue gauges read: one spool (sidecar), or all of the node agent's pod spools. */
export interface QueueView {
  pieces(): { length: number };
  pendingBytes(): number;
  readonly maxBytes: number;
}

export class AgentMetrics {
  readonly registry = new Registry();
  readonly uploadedBytes = new Counter({
    name: 'ghcprof_agent_uploaded_bytes_total',
    help: 'Artefact bytes the server acknowledged (uncompressed).',
    registers: [this.registry],
  });
  readonly uploads = new Counter({
    name: 'ghcprof_agent_uploads_total',
    help: 'Pieces the server acknowledged, by kind of request (upload: new profile, append: growing .hp/.eventlog).',
    labelNames: ['request'],
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'ghcprof_agent_upload_failures_total',
    help: 'Failed upload attempts: transient ones are retried, permanent ones drop the artefact.',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly spoolFull = new Counter({
    name: 'ghcprof_agent_spool_full_total',
    help: 'Times a piece waited in the source because the spool had reached --spool-max-bytes.',
    registers: [this.registry],
  });

  constructor(spool: QueueView, withProcessMetrics = true) {
    new Gauge({
      name: 'ghcprof_agent_queue_pieces',
      help: 'Pieces waiting in the spool for upload.',
      registers: [this.registry],
      collect() {
        this.set(spool.pieces().length);
      },
    });
    new Gauge({
      name: 'ghcprof_agent_queue_bytes',
      help: 'Bytes waiting in the spool for upload.',
      registers: [this.registry],
      collect() {
        this.set(spool.pendingBytes());
      },
    });
    new Gauge({
      name: 'ghcprof_agent_spool_max_bytes',
      help: 'The spool size limit (--spool-max-bytes).',
      registers: [this.registry],
      collect() {
        this.set(spool.maxBytes);
      },
    });
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'ghcprof_agent_' });
  }
}
