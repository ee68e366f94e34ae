/**
 * A pod's labels as the downward API writes them (`downwardAPI` volume item `fieldRef: metadata.labels`): one
 * `key="value"` line per label, keys sorted, each value quoted with Go's `%q` (kubernetes pkg/fieldpath
 * `FormatMap`: `fmt.Sprintf("%v=%q\n", key, m[key])`, last newline trimmed). The node agent reads the copy a pod
 * leaves at `<root>/<namespace>/<pod>/podinfo/labels` and turns it into profile labels, with no Kubernetes API access.
 */
import { LABEL_LIMITS, LABEL_NAME_RE, readGoQuoted, SelectorError } from '../api/selector';
import type { Labels } from './labels';

/** Pod label keys that become the profile labels dashboards use, first match wins (`app` only without the first). */
const WELL_KNOWN: ReadonlyArray<[key: string, label: string]> = [
  ['app.kubernetes.io/name', 'service'],
  ['app', 'service'],
  ['app.kubernetes.io/version', 'version'],
];

/** The label file's lines as `key -> value`; throws naming `source` and the line for anything else. */
export function parseDownwardApiLabels(text: string, source: string): Map<string, string> {
  const labels = new Map<string, string>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const eq = line.indexOf('=');
    const where = `${source}:${i + 1}`;
    if (eq <= 0) throw new Error(`${where}: expected key="value", found ${JSON.stringify(line.slice(0, 80))}`);
    let quoted: { value: string; length: number };
    try {
      quoted = readGoQuoted(line.slice(eq + 1));
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      throw new Error(`${where}: column ${eq + 1 + err.column}: ${err.reason}`);
    }
    if (eq + 1 + quoted.length !== line.length)
      throw new Error(`${where}: column ${eq + 2 + quoted.length}: unexpected text after the quoted value`);
    labels.set(line.slice(0, eq), quoted.value);
  });
  return labels;
}

/** A Kubernetes label key as a Prometheus label name: `.`, `/`, `-` (and anything else invalid) become `_`. */
export function sanitiseLabelName(key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

export interface PodLabels {
  labels: Labels;
  /** Keys left out, each with why (the server's label limits, or a clash after sanitising). */
  dropped: string[];
}

/**
 * Profile labels from a pod's labels: `service` and `version` from the well-known keys, every other key kept under
 * its sanitised name. `budget` is how many labels the pod may add (the server takes LABEL_LIMITS.count per
 * profile, and the agent's own labels come first); keys beyond it are dropped, in the file's (sorted) order.
 */
export function podLabels(raw: ReadonlyMap<string, string>, budget: number): PodLabels {
  const out = new Map<string, string>();
  const dropped: string[] = [];
  const used = new Set<string>();
  for (const [key, label] of WELL_KNOWN) {
    const value = raw.get(key);
    if (value === undefined || out.has(label)) continue;
    out.set(label, value);
    used.add(key);
  }
  for (const [key, value] of raw) {
    if (used.has(key)) continue;
    const name = sanitiseLabelName(key);
    const why = refusal(name, value, out, budget);
    if (why) dropped.push(`${key} (${why})`);
    else out.set(name, value);
  }
  // Object.fromEntries defines own properties: a key like __proto__ cannot reach the prototype.
  return { labels: Object.fromEntries(out), dropped };
}

function refusal(name: string, value: string, taken: Map<string, string>, budget: number): string | null {
  if (!LABEL_NAME_RE.test(name) || name.startsWith('__') || name.length > LABEL_LIMITS.nameLength)
    return `the server refuses the label name ${name}`;
  if (taken.has(name)) return `same name as another key after sanitising: ${name}`;
  if (value.length > LABEL_LIMITS.valueLength) return `value longer than ${LABEL_LIMITS.valueLength} characters`;
  if (taken.size >= budget) return `more than ${budget} pod labels`;
  return null;
}
