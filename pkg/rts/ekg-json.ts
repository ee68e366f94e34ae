/**
 * ekg's JSON (`Accept: application/json` on an ekg server): metrics nested by the `.`s of their names, each leaf
 * `{"type": "c"|"g"|"l"|"d", "val": ...}` (counter, gauge, label, distribution; a distribution carries
 * mean/variance/count/sum/min/max instead of `val`). Flattened to the names ekg-prometheus-adapter gives them
 * (`rts.gc.bytes_allocated` -> `rts_gc_bytes_allocated`), so the `ekg` dialect's alias table applies unchanged.
 */
import { rtsError } from './errors';

export interface EkgValues {
  /** Counters and gauges (distributions as `<name>_count` and `<name>_sum`); labels are left out. */
  values: Map<string, number>;
  /** `ekg.server_timestamp_ms` when the server sent it: when the values were read. */
  serverTimeMs?: number;
}

const LEAF_TYPES = new Set(['c', 'g', 'l', 'd']);

export function parseEkgJson(text: string, source = '<ekg>'): EkgValues {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw rtsError('upstream_error', `${source}: not ekg JSON: ${(e as Error).message}`);
  }
  if (!isObject(root)) {
    throw rtsError('upstream_error', `${source}: expected a JSON object of ekg metrics, found ${describe(root)}`);
  }
  const values = new Map<string, number>();
  walk(root, [], values, source);
  const serverTimeMs = values.get('ekg_server_timestamp_ms');
  return serverTimeMs === undefined ? { values } : { values, serverTimeMs };
}

function walk(node: Record<string, unknown>, path: string[], out: Map<string, number>, source: string): void {
  if (typeof node.type === 'string' && LEAF_TYPES.has(node.type) && path.length > 0) {
    readLeaf(node, path, out, source);
    return;
  }
  for (const [key, child] of Object.entries(node)) {
    if (!isObject(child)) {
      throw rtsError(
        'upstream_error',
        `${source}: ${[...path, key].join('.')}: expected a nested object or a {"type","val"} leaf, found ${describe(child)}`
      );
    }
    walk(child, [...path, key], out, source);
  }
}

function readLeaf(leaf: Record<string, unknown>, path: string[], out: Map<string, number>, source: string): void {
  const name = path.join('_').replace(/[^a-zA-Z0-9_]/g, '_');
  switch (leaf.type) {
    case 'l':
      return;
    case 'd':
      for (const stat of ['count', 'sum'] as const) {
        if (typeof leaf[stat] === 'number') {
          out.set(`${name}_${stat}`, leaf[stat] as number);
        }
      }
      return;
    default:
      if (typeof leaf.val !== 'number') {
        throw rtsError(
          'upstream_error',
          `${source}: ${path.join('.')}: a "${String(leaf.type)}" metric needs a numeric "val", found ${describe(leaf.val)}`
        );
      }
      out.set(name, leaf.val);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
