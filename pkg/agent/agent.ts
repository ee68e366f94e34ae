/**
 * `ghcprof agent`: the sidecar. Wires the three units together (watcher -> spool -> uploader) and serves
 * /healthz and /metrics for the kubelet and Prometheus.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { ServerTarget } from './client';
import { serveAgentEndpoints, type AgentHealth } from './http';
import type { Labels } from './labels';
import type { AgentLog } from './log';
import { AgentMetrics } from './metrics';
import type { RetryPolicy } from './retry';
import { EventlogSocketSource } from './socket-source';
import { Spool } from './spool';
import { defaultPollMs } from './poller';
import { formatBytes } from './units';
import { Uploader } from './uploader';
import { Watcher } from './watcher';

export interface AgentOptions {
  watchDir: string;
  /** A Unix socket a program built with eventlog-socket listens on: its live eventlog, next to the files. */
  eventlogSocket?: string;
  target: ServerTarget;
  labels: Labels;
  settleMs: number;
  intervalMs: number;
  pollMs?: number;
  spoolDir: string;
  spoolMaxBytes: number;
  deleteAfterUpload: boolean;
  /** `host:port` for /healthz and /metrics; port 0 picks a free one. */
  listen?: string;
  gzip?: boolean;
  retry?: RetryPolicy;
  log: AgentLog;
}

export const DEFAULT_AGENT_RETRY: RetryPolicy = { baseMs: 1000, maxMs: 60_000 };

export class Agent {
  readonly spool: Spool;
  readonly metrics: AgentMetrics;
  readonly watcher: Watcher;
  readonly uploader: Uploader;
  readonly socket: EventlogSocketSource | null;
  private http: Server | null = null;

  private constructor(
    private readonly opts: AgentOptions,
    spool: Spool
  ) {
    this.spool = spool;
    this.metrics = new AgentMetrics(spool);
    this.watcher = new Watcher({
      dir: opts.watchDir,
      spool,
      labels: opts.labels,
      settleMs: opts.settleMs,
      intervalMs: opts.intervalMs,
      pollMs: opts.pollMs,
      deleteAfterUpload: opts.deleteAfterUpload,
      log: opts.log,
      metrics: this.metrics,
    });
    this.uploader = new Uploader({
      target: opts.target,
      spool,
      policy: opts.retry ?? DEFAULT_AGENT_RETRY,
      log: opts.log,
      metrics: this.metrics,
      gzip: opts.gzip,
    });
    this.socket = opts.eventlogSocket
      ? new EventlogSocketSource({
          path: opts.eventlogSocket,
          spool,
          labels: opts.labels,
          intervalMs: opts.intervalMs,
          pollMs: opts.pollMs ?? defaultPollMs(opts.settleMs),
          log: opts.log,
        })
      : null;
  }

  static async start(opts: AgentOptions): Promise<Agent> {
    const spool = await Spool.open(opts.spoolDir, opts.spoolMaxBytes);
    const agent = new Agent(opts, spool);
    if (opts.listen) await agent.listen(opts.listen);
    const pending = spool.pieces();
    opts.log.info(
      `agent: watching ${resolve(opts.watchDir)}, uploading to ${opts.target.url}, spool ${resolve(opts.spoolDir)} ` +
        `(${pending.length} piece(s), ${formatBytes(spool.pendingBytes())} left from before; limit ${formatBytes(opts.spoolMaxBytes)})` +
        (opts.eventlogSocket ? `; live eventlog from socket ${resolve(opts.eventlogSocket)}` : '')
    );
    agent.uploader.start();
    agent.watcher.start();
    await agent.socket?.start();
    return agent;
  }

  /** The address /healthz and /metrics listen on. */
  get address(): AddressInfo | null {
    return (this.http?.address() as AddressInfo | null) ?? null;
  }

  async stop(): Promise<void> {
    await this.watcher.stop();
    await this.socket?.stop();
    await this.uploader.stop();
    await new Promise<void>((done) => (this.http ? this.http.close(() => done()) : done()));
  }

  /**
   * Graceful shutdown (SIGTERM): one last scan that treats every file as finished (the program has exited: GHC
   * writes its .prof at exit), then up to `drainMs` for the uploads. Whatever is left stays in the spool for the
   * next start. Returns the number of pieces left.
   */
  async shutdown(drainMs: number): Promise<number> {
    await this.watcher.stop();
    await this.socket?.stop();
    await this.watcher.scan({ final: true }).catch((err: Error) => this.opts.log.error(`final scan: ${err.message}`));
    const deadline = Date.now() + drainMs;
    while (this.spool.pieces().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const left = this.spool.pieces().length;
    await this.stop();
    this.opts.log.info(
      left === 0
        ? 'agent: everything uploaded; bye'
        : `agent: ${left} piece(s) still in the spool ${resolve(this.opts.spoolDir)}; they go first on the next start`
    );
    return left;
  }

  health(): AgentHealth {
    const { lastSuccessAt, lastError, failingAttempts } = this.uploader.status;
    return {
      // Degraded (still 200: restarting the sidecar would not bring the server back) while uploads keep failing.
      status: failingAttempts > 0 ? 'degraded' : 'ok',
      queuePieces: this.spool.pieces().length,
      queueBytes: this.spool.pendingBytes(),
      lastSuccessAt,
      lastError,
    };
  }

  private async listen(address: string): Promise<void> {
    this.http = await serveAgentEndpoints(address, () => this.health(), this.metrics);
  }
}
