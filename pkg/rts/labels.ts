/**
 * ghcprof label names -> Prometheus label names.
 *
 * ghcprof selectors speak ghcprof's labels (`service`, `pod`, `namespace`, ...); Prometheus series carry whatever
 * the scrape config attached. Each ghcprof label has a list of candidate Prometheus labels, tried in order per
 * series: the value of ghcprof label L on a series is the value of its first candidate label that the series has.
 * Defaults follow Prometheus' Kubernetes conventions and their older spellings:
 *   service   -> service, then job   (static configs set `job` only; kubernetes SD configs usually add `service`)
 *   pod       -> pod, then kubernetes_pod_name
 *   namespace -> namespace, then kubernetes_namespace
 *   any other label name -> itself
 * `--prometheus-label service=app` (labelMap `{service: 'app'}`) replaces the list for that label by exactly `app`;
 * `--prometheus-label service=app|job` gives a fallback list.
 */
import { ownValue, recordOf, setOwn } from '../api/records';
import { compileMatcher } from '../api/selector';
import type { LabelMatcher } from '../api/selector';

export const DEFAULT_LABEL_CANDIDATES: Readonly<Record<string, readonly string[]>> = {
  service: ['service', 'job'],
  pod: ['pod', 'kubernetes_pod_name'],
  namespace: ['namespace', 'kubernetes_namespace'],
};

const PROM_LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The Prometheus labels that may hold ghcprof label `name`, in order of preference. */
export function labelCandidates(name: string, labelMap: Record<string, string> = {}): readonly string[] {
  const configured = ownValue(labelMap, name);
  if (configured !== undefined) {
    return configured.split('|').map((s) => s.trim());
  }
  return ownValue(DEFAULT_LABEL_CANDIDATES, name) ?? [name];
}

/** Parses repeated `--prometheus-label ghcprofName=promName[|fallback...]` options; throws on malformed ones. */
export function parseLabelMapOptions(options: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const option of options) {
    const eq = option.indexOf('=');
    const name = option.slice(0, eq).trim();
    const targets = option
      .slice(eq + 1)
      .split('|')
      .map((s) => s.trim());
    if (eq < 0 || !PROM_LABEL_RE.test(name) || !targets.every((t) => PROM_LABEL_RE.test(t))) {
      throw new Error(
        `--prometheus-label ${JSON.stringify(option)}: expected ghcprofLabel=prometheusLabel[|fallback], e.g. service=app`
      );
    }
    setOwn(map, name, targets.join('|'));
  }
  return map;
}

/**
 * For a series' labels: which candidate each matcher was resolved through (index into labelCandidates, or -1 when
 * the series has none of them and the value counts as ""), or null when a matcher rejects the series.
 */
export function resolveMatchers(
  series: Record<string, string>,
  matchers: readonly LabelMatcher[],
  labelMap: Record<string, string> = {}
): number[] | null {
  const resolution: number[] = [];
  for (const m of matchers) {
    const candidates = labelCandidates(m.name, labelMap);
    const index = candidates.findIndex((c) => (ownValue(series, c) ?? '') !== '');
    const value = index < 0 ? '' : (ownValue(series, candidates[index]) ?? '');
    if (!compileMatcher(m)(value)) {
      return null;
    }
    resolution.push(index);
  }
  return resolution;
}

/**
 * PromQL matchers (inside the braces) selecting exactly the series that resolve the selector the same way:
 * candidates before the one used must be absent (`=""`), the used one carries the matcher.
 */
export function promqlMatchers(
  matchers: readonly LabelMatcher[],
  resolution: readonly number[],
  labelMap: Record<string, string> = {}
): string {
  const parts: string[] = [];
  matchers.forEach((m, i) => {
    const candidates = labelCandidates(m.name, labelMap);
    const used = resolution[i];
    const absent = used < 0 ? candidates : candidates.slice(0, used);
    for (const c of absent) {
      parts.push(`${c}=""`);
    }
    if (used >= 0) {
      parts.push(`${candidates[used]}${m.op}${JSON.stringify(m.value)}`);
    } else if (!compileMatcher(m)('')) {
      // Unreachable: resolveMatchers rejected such series. Kept so a bad resolution cannot widen the query.
      parts.push(`${candidates[0]}${m.op}${JSON.stringify(m.value)}`);
    }
  });
  return parts.join(',');
}

/** The ghcprof view of a series' labels: its Prometheus labels plus every ghcprof label that resolves to a value. */
export function ghcprofLabels(
  series: Record<string, string>,
  labelMap: Record<string, string> = {}
): Record<string, string> {
  const out = recordOf(Object.entries(series));
  delete out.__name__;
  const names = new Set([...Object.keys(DEFAULT_LABEL_CANDIDATES), ...Object.keys(labelMap)]);
  for (const name of names) {
    // A default only fills a gap; a configured mapping defines the label (service=app: `service` is app's value).
    if (ownValue(out, name) !== undefined && ownValue(labelMap, name) === undefined) {
      continue;
    }
    const source = labelCandidates(name, labelMap).find((c) => (ownValue(series, c) ?? '') !== '');
    if (source !== undefined) {
      setOwn(out, name, series[source]);
    }
  }
  return out;
}
