/**
 * Labels attached to uploads: `--label k=v` flags and, inside Kubernetes, the downward API environment.
 * Names follow Prometheus' Kubernetes conventions (`namespace`, `pod`, `container`, `service`, `version`) so the
 * dashboards' variables are shared with cluster dashboards.
 */

import { setOwn } from '../api/records';

export type Labels = Record<string, string>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `["service=api", "version=1.2"]` -> `{service: "api", version: "1.2"}`; the value may contain `=`. */
export function parseLabelArgs(args: readonly string[]): Labels {
  const labels: Labels = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : '';
    if (!LABEL_NAME.test(name)) {
      throw new Error(`--label "${arg}": expected NAME=VALUE with NAME matching ${LABEL_NAME.source}`);
    }
    setOwn(labels, name, arg.slice(eq + 1));
  }
  return labels;
}

/**
 * Environment variables the example manifests set from the downward API (fieldRef metadata.name, ...), and the
 * label each becomes. The first variable that is set wins for a label (`SERVICE` before `APP`).
 */
export const ENV_LABELS: ReadonlyArray<[env: string, label: string]> = [
  ['POD_NAME', 'pod'],
  ['POD_NAMESPACE', 'namespace'],
  ['CONTAINER_NAME', 'container'],
  ['NODE_NAME', 'node'],
  ['SERVICE', 'service'],
  ['APP', 'service'],
  ['VERSION', 'version'],
];

export function labelsFromEnvironment(env: NodeJS.ProcessEnv): Labels {
  const labels: Labels = {};
  for (const [name, label] of ENV_LABELS) {
    const value = env[name]?.trim();
    if (value && labels[label] === undefined) labels[label] = value;
  }
  return labels;
}

/** Query string `label=k%3Dv&label=...` as the server's POST /api/v1/profiles reads it. */
export function labelQuery(labels: Labels): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(labels)) params.append('label', `${k}=${v}`);
  return params.toString();
}
