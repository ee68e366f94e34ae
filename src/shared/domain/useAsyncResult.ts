import { useEffect, useState } from 'react';

export interface AsyncResult<T> {
  value?: T;
  error?: Error;
  loading: boolean;
}

interface Settled<T> {
  deps: unknown[];
  value?: T;
  error?: Error;
}

/**
 * Runs `load` whenever `deps` change. Loading is derived (the settled answer belongs to other deps), so the
 * effect only sets state when an answer arrives, and an answer for stale deps is dropped.
 */
export function useAsyncResult<T>(load: () => Promise<T>, deps: unknown[]): AsyncResult<T> & { reload: () => void } {
  const [generation, setGeneration] = useState(0);
  const allDeps = [...deps, generation];
  const [settled, setSettled] = useState<Settled<T>>();
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setSettled({ deps: allDeps, value }),
      (error: Error) => current && setSettled({ deps: allDeps, error })
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, allDeps);
  const loading = !settled || !sameDeps(settled.deps, allDeps);
  return {
    // The previous answer stays visible while the next one loads (no flicker on a changed range).
    value: settled?.value,
    error: loading ? undefined : settled?.error,
    loading,
    reload: () => setGeneration((g) => g + 1),
  };
}

function sameDeps(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((item, index) => Object.is(item, b[index]));
}
