/**
 * The store backends a test run covers: STORE_BACKENDS (comma-separated: `sqlite`, `postgres`) narrows the list for
 * local runs; the default, used by CI, is both. Read once here for the store's own suites (pkg/store) and the
 * server suites (test/server).
 */
export type StoreBackend = 'sqlite' | 'postgres';

export function parseStoreBackends(value: string | undefined): StoreBackend[] {
  return (value ?? 'sqlite,postgres')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is StoreBackend => s === 'sqlite' || s === 'postgres');
}

export const STORE_BACKENDS: StoreBackend[] = parseStoreBackends(process.env.STORE_BACKENDS);
