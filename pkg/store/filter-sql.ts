/**
 * ProfileFilter -> an SQL condition on `profiles p`. Every matcher runs in SQL, so LIMIT stays exact: equality
 * matchers bind their value; a regex matcher is first resolved against the tenant's distinct values of that label
 * (few, and indexed) in JS, with Prometheus semantics, and then bound as a list of values.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { compileMatcher, type LabelMatcher } from '../api/selector';
import type { Dialect, SqlExecutor, SqlParam } from './driver';
import type { ProfileFilter } from './store';

export interface SqlCondition {
  sql: string;
  params: SqlParam[];
}

const HAS_COLUMN = { tree: 'p.has_tree', heap: 'p.has_heap', rts: 'p.has_rts' } as const;

/**
 * Label `name` of p has a value satisfying `valueSql`; binds tenant, name, then valueSql's params. Uncorrelated, so
 * the planner can drive the query from the (tenant, name, value) index.
 */
function labelExists(valueSql: string): string {
  return `p.id IN (SELECT l.profile_id FROM profile_labels l WHERE l.tenant = ? AND l.name = ? AND ${valueSql})`;
}

export async function profileCondition(
  exec: SqlExecutor,
  dialect: Dialect,
  tenant: string,
  filter: ProfileFilter
): Promise<SqlCondition> {
  const parts: string[] = ['p.tenant = ?'];
  const params: SqlParam[] = [tenant];
  if (filter.kind !== undefined) {
    parts.push('p.kind = ?');
    params.push(filter.kind);
  }
  if (filter.has !== undefined) {
    parts.push(`${HAS_COLUMN[filter.has]} = 1`);
  }
  // Overlap with [from, to]; a profile without end time is the point at its start.
  if (filter.from !== undefined) {
    parts.push('COALESCE(p.end_time, p.start_time) >= ?');
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    parts.push('p.start_time <= ?');
    params.push(filter.to);
  }
  for (const m of filter.matchers) {
    const c = await matcherCondition(exec, dialect, tenant, m);
    parts.push(c.sql);
    params.push(...c.params);
  }
  return { sql: parts.join(' AND '), params };
}

async function matcherCondition(
  exec: SqlExecutor,
  dialect: Dialect,
  tenant: string,
  m: LabelMatcher
): Promise<SqlCondition> {
  if (m.op === '=' || m.op === '!=') {
    // A missing label is "": `x=""` means "no non-empty x", `x!=""` means "has a non-empty x".
    const empty = m.value === '';
    const positive = (m.op === '=') !== empty;
    const has = labelExists(empty ? `l.value <> ''` : 'l.value = ?');
    return { sql: positive ? has : `NOT (${has})`, params: empty ? [tenant, m.name] : [tenant, m.name, m.value] };
  }
  const accepts = compileMatcher(m);
  const stored = await exec.query<{ value: string }>(
    `SELECT DISTINCT value FROM profile_labels WHERE tenant = ? AND name = ?`,
    [tenant, m.name]
  );
  const values = stored.map((r) => r.value);
  const matches = await partitionCooperatively(values, accepts);
  const matching = values.filter((_, i) => matches[i]);
  if (accepts('')) {
    // Profiles without the label match too: exclude exactly those whose value is refused.
    const refused = values.filter((_, i) => !matches[i]);
    return {
      sql: `NOT (${labelExists(dialect.inTextList('l.value'))})`,
      params: [tenant, m.name, dialect.textList(refused)],
    };
  }
  return { sql: labelExists(dialect.inTextList('l.value')), params: [tenant, m.name, dialect.textList(matching)] };
}

/** Longest stretch of matching done without letting other requests run. */
const MATCH_SLICE_MS = 10;

/**
 * `accepts` of each item, yielding to the event loop every MATCH_SLICE_MS. RE2 matching is linear in the value,
 * but a large pattern (`(a?){500}a{500}`) costs milliseconds per 1 KiB value, and a tenant may hold many distinct
 * values: in slices, one tenant's selector never holds up /healthz or other tenants.
 */
export async function partitionCooperatively<T>(
  items: readonly T[],
  accepts: (item: T) => boolean
): Promise<boolean[]> {
  const out: boolean[] = [];
  let sliceStart = performance.now();
  for (const item of items) {
    out.push(accepts(item));
    if (performance.now() - sliceStart > MATCH_SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return out;
}
