/** Column sorting for the app's own tables (Services, leak evidence): one column, ascending or descending. */
export type SortDirection = 'asc' | 'desc';

export interface SortState<K extends string> {
  key: K;
  direction: SortDirection;
}

/** Numbers compare numerically, strings by locale; missing values (undefined, null, NaN) always sort last. */
export function sortRows<T, K extends string>(
  rows: T[],
  state: SortState<K>,
  valueOf: (row: T, key: K) => unknown
): T[] {
  const sign = state.direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = valueOf(a, state.key);
    const y = valueOf(b, state.key);
    const xMissing = isMissing(x);
    const yMissing = isMissing(y);
    if (xMissing || yMissing) {
      return Number(xMissing) - Number(yMissing);
    }
    if (typeof x === 'number' && typeof y === 'number') {
      return sign * (x - y);
    }
    return sign * String(x).localeCompare(String(y));
  });
}

/** Clicking the sorted column flips it; another column starts with `initial` (numbers read best largest first). */
export function nextSort<K extends string>(
  current: SortState<K>,
  key: K,
  initial: SortDirection = 'desc'
): SortState<K> {
  if (current.key === key) {
    return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  }
  return { key, direction: initial };
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value));
}
