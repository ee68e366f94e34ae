/**
 * The node agent's directory layout (`ghcprof agent --layout node`). Pods mount one hostPath with
 * `subPathExpr: $(POD_NAMESPACE)/$(POD_NAME)/$(CONTAINER_NAME)`, so the tree under the agent's `--watch` root is
 *   <root>/<namespace>/<pod>/<container>/<artefacts>     what each container writes
 *   <root>/<namespace>/<pod>/podinfo/labels              the pod's labels (downward API), copied there by the pod
 * Namespace, pod and container labels come from the path alone; `podinfo` is therefore not a container name.
 */
import { lstat, open, readdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { LABEL_LIMITS } from '../api/selector';
import type { Labels } from './labels';
import { parseDownwardApiLabels, podLabels } from './podinfo';

export const PODINFO_DIR = 'podinfo';
export const PODINFO_LABELS = `${PODINFO_DIR}/labels`;
/** Labels the layout sets on every file: the path's three, the file, and a segment the uploader may add. */
const LAYOUT_LABELS = ['namespace', 'pod', 'container', 'file', 'segment'];
/** A downward API labels file is a few KB; anything much bigger is not one. */
const MAX_PODINFO_BYTES = 256 << 10;

export interface PodRef {
  namespace: string;
  pod: string;
}

export const podKey = (ref: PodRef): string => `${ref.namespace}/${ref.pod}`;

/**
 * The `<namespace>/<pod>` directories two levels under `root`. Dot entries are skipped (the agent's spool lives
 * in `<root>/.ghcprof-spool`; Kubernetes names never start with a dot), and so are symlinks: a pod could point one
 * anywhere in the agent's file system.
 */
export async function listPods(root: string): Promise<PodRef[]> {
  const pods: PodRef[] = [];
  for (const namespace of await directories(root)) {
    for (const pod of await directories(join(root, namespace))) pods.push({ namespace, pod });
  }
  return pods;
}

async function directories(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * The labels of the file at `rel` (relative to the pod's directory, `<container>/<name>`), or undefined for files
 * outside a container directory. Precedence, lowest first: the pod's labels, the agent's own (`--label`, node),
 * then the path: a pod cannot relabel itself into another namespace, pod or container.
 */
export function layoutLabels(ref: PodRef, rel: string, pod: Labels, agent: Labels): Labels | undefined {
  const slash = rel.indexOf('/');
  if (slash <= 0) return undefined;
  const container = rel.slice(0, slash);
  if (container === PODINFO_DIR) return undefined;
  return { ...pod, ...agent, namespace: ref.namespace, pod: ref.pod, container, file: rel.slice(slash + 1) };
}

/** How many labels a pod's labels file may add next to the agent's and the layout's. */
export function podLabelBudget(agent: Labels): number {
  const fixed = new Set([...Object.keys(agent), ...LAYOUT_LABELS]);
  return Math.max(0, LABEL_LIMITS.count - fixed.size);
}

export interface PodInfo {
  labels: Labels;
  /** The file is there (even if unreadable): the pod has set itself up. */
  present: boolean;
  /** Why the file, or some of its keys, were not used; empty when all is well. */
  problems: string[];
}

/**
 * Reads `<podDir>/podinfo/labels`, again only when its size or mtime changed. A symlink is refused (O_NOFOLLOW):
 * the file is written by the pod, the agent reads it with its own file system.
 */
export class PodInfoReader {
  private cached: { stamp: string; info: PodInfo } | null = null;

  constructor(
    private readonly podDir: string,
    private readonly budget: number
  ) {}

  async read(): Promise<PodInfo> {
    const path = join(this.podDir, PODINFO_LABELS);
    let stamp: string;
    try {
      const st = await lstat(path);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
      if (this.cached?.stamp === stamp) return this.cached.info;
      if (!st.isFile()) return this.remember(stamp, { labels: {}, present: true, problems: [`${path}: not a file`] });
      if (st.size > MAX_PODINFO_BYTES)
        return this.remember(stamp, {
          labels: {},
          present: true,
          problems: [`${path}: ${st.size} bytes is too big for a labels file`],
        });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { labels: {}, present: false, problems: [] };
      throw err;
    }
    try {
      const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      const text = await file.readFile('utf8').finally(() => file.close());
      const { labels, dropped } = podLabels(parseDownwardApiLabels(text, path), this.budget);
      return this.remember(stamp, {
        labels,
        present: true,
        problems: dropped.length > 0 ? [`${path}: left out ${dropped.join(', ')}`] : [],
      });
    } catch (err) {
      return this.remember(stamp, { labels: {}, present: true, problems: [(err as Error).message] });
    }
  }

  private remember(stamp: string, info: PodInfo): PodInfo {
    this.cached = { stamp, info };
    return info;
  }
}
