/**
 * `ghcprof agent --layout node`: one agent per node (a DaemonSet) for every pod that mounts the node's profiles
 * hostPath (see layout.ts). Each pod directory gets the sidecar's own units, separately: a Watcher over the pod's
 * directory, a Spool in `<spool>/<namespace>/<pod>/` and an Uploader, so nothing of one pod is ever mixed into
 * another's, and a pod whose uploads the server refuses does not hold the others up.
 *
 * Without Kubernetes API access the agent cannot ask whether a pod still exists, so a pod counts as gone once
 * nothing in its directory has changed for `--pod-gone-after` (and it has written at least one artefact). Then a
 * final scan uploads what a killed or exited program left (as the sidecar does on SIGTERM), and with
 * `--delete-after-upload` the pod's directory and spool are removed once a final scan finds nothing more to spool
 * and the server has acknowledged every piece.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DEFAULT_AGENT_RETRY, type AgentOptions } from './agent';
import { serveAgentEndpoints, type AgentHealth } from './http';
import type { Labels } from './labels';
import { prefixedLog } from './log';
import { layoutLabels, listPods, podKey, podLabelBudget, PodInfoReader, type PodInfo, type PodRef } from './layout';
import { AgentMetrics, type QueueView } from './metrics';
import { defaultPollMs, Poller } from './poller';
import { Spool, type PieceRecord } from './spool';
import { formatBytes, formatDuration } from './units';
import { Uploader } from './uploader';
import { Watcher } from './watcher';

export interface NodeAgentOptions extends AgentOptions {
  /** A pod directory unchanged this long belongs to a pod that has gone. */
  podGoneAfterMs: number;
  now?: () => number;
}

/** One pod's units. */
class PodUnit {
  readonly key: string;
  readonly watcher: Watcher;
  readonly uploader: Uploader;
  private info: PodInfo = { labels: {}, present: false, problems: [] };
  private readonly podinfo: PodInfoReader;
  private readonly reported = new Set<string>();
  /** The change time the last "gone" final scan was made for; null while the pod is alive. */
  goneSince: number | null = null;

  constructor(
    readonly ref: PodRef,
    readonly dir: string,
    readonly spool: Spool,
    readonly firstSeenAt: number,
    private readonly opts: NodeAgentOptions,
    metrics: AgentMetrics
  ) {
    this.key = podKey(ref);
    this.podinfo = new PodInfoReader(dir, podLabelBudget(opts.labels));
    // The units log paths relative to the pod's directory: say which pod.
    const log = prefixedLog(opts.log, `pod ${this.key}: `);
    this.watcher = new Watcher({
      dir,
      spool,
      labels: opts.labels,
      labelsOf: (rel) => this.labelsOf(rel),
      settleMs: opts.settleMs,
      intervalMs: opts.intervalMs,
      log,
      metrics,
      now: opts.now,
    });
    this.uploader = new Uploader({
      target: opts.target,
      spool,
      policy: opts.retry ?? DEFAULT_AGENT_RETRY,
      log,
      metrics,
      gzip: opts.gzip,
    });
  }

  /** Reads the pod's labels file (when it changed), then scans the pod's directory. */
  async scan(final = false): Promise<void> {
    this.info = await this.podinfo.read();
    for (const problem of this.info.problems) this.reportOnce(problem);
    await this.watcher.scan({ final });
  }

  /** The pod has not set up its podinfo yet: wait up to --settle for it, so the first uploads carry service/version. */
  private labelsOf(rel: string): Labels | undefined {
    const now = (this.opts.now ?? Date.now)();
    if (!this.info.present && now - this.firstSeenAt < this.opts.settleMs) return undefined;
    return layoutLabels(this.ref, rel, this.info.labels, this.opts.labels);
  }

  reportOnce(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.opts.log.warn(`pod ${this.key}: ${message}`);
  }

  /** What a final scan would change: each artefact's spooled extent. */
  spoolSignature(): string {
    return this.spool
      .artefacts()
      .map((r) => `${r.key}:${r.spooledOffset}:${r.complete ? 1 : 0}`)
      .join(',');
  }
}

export class NodeAgent implements QueueView {
  readonly metrics: AgentMetrics;
  private readonly pods = new Map<string, PodUnit>();
  /** Pods whose spool could not be opened (reported once). */
  private readonly unopenable = new Set<string>();
  private readonly root: string;
  private readonly now: () => number;
  private readonly poller: Poller;
  private http: Server | null = null;

  private constructor(private readonly opts: NodeAgentOptions) {
    this.root = resolve(opts.watchDir);
    this.now = opts.now ?? Date.now;
    this.metrics = new AgentMetrics(this);
    this.poller = new Poller(
      () => this.tick(),
      opts.pollMs ?? defaultPollMs(opts.settleMs),
      (err) => opts.log.error(`agent: scanning ${this.root} failed: ${err.message}`)
    );
  }

  static async start(opts: NodeAgentOptions): Promise<NodeAgent> {
    const agent = new NodeAgent(opts);
    await agent.discover();
    if (opts.listen) agent.http = await serveAgentEndpoints(opts.listen, () => agent.health(), agent.metrics);
    opts.log.info(
      `agent: watching ${agent.root} (node layout: <namespace>/<pod>/<container>/), uploading to ${opts.target.url}, ` +
        `spools in ${resolve(opts.spoolDir)} (${agent.pods.size} pod(s), ${agent.pieces().length} piece(s), ` +
        `${formatBytes(agent.pendingBytes())} left from before; limit ${formatBytes(opts.spoolMaxBytes)} per pod)`
    );
    agent.poller.start();
    return agent;
  }

  /** Each pod's spool limit (--spool-max-bytes applies per pod). */
  get maxBytes(): number {
    return this.opts.spoolMaxBytes;
  }

  get address(): AddressInfo | null {
    return (this.http?.address() as AddressInfo | null) ?? null;
  }

  /** The pods the agent currently follows, as `namespace/pod`. */
  podKeys(): string[] {
    return [...this.pods.keys()];
  }

  pieces(): PieceRecord[] {
    return [...this.pods.values()].flatMap((p) => p.spool.pieces());
  }

  pendingBytes(): number {
    let bytes = 0;
    for (const p of this.pods.values()) bytes += p.spool.pendingBytes();
    return bytes;
  }

  health(): AgentHealth {
    let failing: PodUnit | undefined;
    let lastSuccessAt: number | null = null;
    for (const p of this.pods.values()) {
      const s = p.uploader.status;
      if (s.failingAttempts > 0) failing ??= p;
      if (s.lastSuccessAt !== null && (lastSuccessAt === null || s.lastSuccessAt > lastSuccessAt))
        lastSuccessAt = s.lastSuccessAt;
    }
    const lastError = failing
      ? `${failing.key}: ${failing.uploader.status.lastError}`
      : ([...this.pods.values()].find((p) => p.uploader.status.lastError)?.uploader.status.lastError ?? null);
    return {
      status: failing ? 'degraded' : 'ok',
      queuePieces: this.pieces().length,
      queueBytes: this.pendingBytes(),
      lastSuccessAt,
      lastError,
    };
  }

  /** One pass: find pod directories (and spools left by pods gone while no agent ran), scan each pod. */
  async tick(): Promise<void> {
    const live = new Set((await this.discover()).map(podKey));
    for (const unit of [...this.pods.values()]) {
      try {
        if (live.has(unit.key)) {
          await unit.scan();
          await this.checkGone(unit);
        } else if (unit.spool.pieces().length === 0) {
          await this.retire(unit, 'its directory is gone and its spool is empty');
        }
      } catch (err) {
        unit.reportOnce(`scanning failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * SIGTERM (the DaemonSet pod is replaced or the node drained): the pods keep running, so no final scan; up to
   * `drainMs` for the queued uploads, the rest stays in the spools (on the hostPath) for the next agent.
   */
  async shutdown(drainMs: number): Promise<number> {
    await this.poller.stop();
    const deadline = this.now() + drainMs;
    while (this.pieces().length > 0 && this.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const left = this.pieces().length;
    await this.stop();
    this.opts.log.info(
      left === 0
        ? 'agent: every spool drained; bye'
        : `agent: ${left} piece(s) still in the spools under ${resolve(this.opts.spoolDir)}; they go first on the next start`
    );
    return left;
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    for (const unit of this.pods.values()) await unit.uploader.stop();
    await new Promise<void>((done) => (this.http ? this.http.close(() => done()) : done()));
  }

  /** Opens units for new pod directories and for spools whose pod directory is gone; returns the live pods. */
  private async discover(): Promise<PodRef[]> {
    const live = await listPods(this.root);
    for (const ref of [...live, ...(await listPods(this.opts.spoolDir))]) {
      const key = podKey(ref);
      if (this.pods.has(key)) continue;
      // One pod's broken spool (say, a state.json damaged by hand) must not stop the others: say so once, skip it.
      const spool = await Spool.open(join(this.opts.spoolDir, ref.namespace, ref.pod), this.opts.spoolMaxBytes).catch(
        (err: Error) => {
          if (!this.unopenable.has(key)) this.opts.log.error(`pod ${key}: cannot open its spool: ${err.message}`);
          this.unopenable.add(key);
          return null;
        }
      );
      if (!spool) continue;
      this.unopenable.delete(key);
      const unit = new PodUnit(
        ref,
        join(this.root, ref.namespace, ref.pod),
        spool,
        this.now(),
        this.opts,
        this.metrics
      );
      this.pods.set(key, unit);
      unit.uploader.start();
    }
    return live;
  }

  /**
   * A pod is gone when it has written artefacts and nothing under its directory changed for --pod-gone-after
   * (as the watcher saw it, and by every entry's mtime: a new container directory or podinfo counts too).
   */
  private async checkGone(unit: PodUnit): Promise<void> {
    const changedAt = unit.watcher.lastChangeAt;
    const goneAfter = this.opts.podGoneAfterMs;
    const now = this.now();
    if (changedAt === null || now - Math.max(changedAt, unit.firstSeenAt) < goneAfter) {
      unit.goneSince = null;
      return;
    }
    if (unit.goneSince === changedAt && !this.opts.deleteAfterUpload) return;
    if ((await newestMtime(unit.dir)) > now - goneAfter) return;
    if (unit.goneSince !== changedAt) {
      unit.goneSince = changedAt;
      this.opts.log.info(
        `pod ${unit.key}: nothing changed for ${formatDuration(now - changedAt)} (--pod-gone-after); ` +
          'uploading what is left as finished'
      );
      await unit.scan(true);
      return;
    }
    // --delete-after-upload: remove once a final scan finds nothing more to spool and everything is acknowledged.
    if (unit.spool.pieces().length > 0) return;
    const before = unit.spoolSignature();
    await unit.scan(true);
    if (unit.spool.pieces().length > 0 || unit.spoolSignature() !== before || unit.watcher.lastChangeAt !== changedAt)
      return;
    await rm(unit.dir, { recursive: true, force: true });
    await this.retire(unit, 'every artefact uploaded; removed its directory');
  }

  /** Stops a pod's units and removes its spool (after its directory, so a crash in between leaves an empty spool). */
  private async retire(unit: PodUnit, why: string): Promise<void> {
    await unit.uploader.stop();
    await rm(unit.spool.dir, { recursive: true, force: true });
    this.pods.delete(unit.key);
    this.opts.log.info(`pod ${unit.key}: ${why}`);
  }
}

/** The newest mtime of `dir` and everything under it (symlinks themselves, not followed). */
async function newestMtime(dir: string): Promise<number> {
  let newest = (await lstat(dir)).mtimeMs;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? await newestMtime(path) : (await lstat(path)).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}
