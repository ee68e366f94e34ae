/**
 * The backends every store test runs on, and a helper that gives each suite its own fresh store: a new SQLite file
 * in a temp dir, or a new database on the process's private PostgreSQL (test/support/postgres.ts). STORE_BACKENDS
 * (comma-separated) narrows the list for local runs; the default, used by CI, is both.
 */
import { after, before } from 'node:test';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres';
import { STORE_BACKENDS, type StoreBackend } from '../../../test/support/store-backends';
import { openSqlStore } from '../index';
import type { SqlStore } from '../sql-store';
import type { SqlDriver } from '../driver';
import type { NewProfile } from '../store';
import type { CallTree, HeapProfile, RtsEvents } from '../../model/types';

export type Backend = StoreBackend;

export const BACKENDS: Backend[] = STORE_BACKENDS;

export interface StoreFixture {
  /** The suite's store (migrated). */
  readonly store: SqlStore;
  /** A database spec for a further, empty database of the same backend (for migration tests). */
  freshSpec(): Promise<string>;
}

/** Registers before/after hooks that open a fresh migrated store for the enclosing suite. */
export function useStore(backend: Backend): StoreFixture {
  let pg: TestPostgres | null = null;
  let dir = '';
  let store: SqlStore | null = null;
  let files = 0;
  const fixture: StoreFixture = {
    get store() {
      if (!store) throw new Error('store used outside the suite (before hook not run)');
      return store;
    },
    freshSpec: async () => (pg ? pg.createDatabase() : join(dir, `fresh-${++files}`, 'ghcprof.db')),
  };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ghcprof-store-'));
    if (backend === 'postgres') {
      pg = await startPostgres();
    }
    store = await openSqlStore(await fixture.freshSpec());
    await store.migrate();
  });
  after(async () => {
    await store?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return fixture;
}

/** The driver under a store, for tests that need to reach below the Store interface. */
export function driverOf(store: SqlStore): SqlDriver {
  return (store as unknown as { driver: SqlDriver }).driver;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

let counter = 0;

/** A profile with unique raw bytes (unless raw is given) and the fields a .prof upload would have. */
export function newProfile(overrides: Partial<NewProfile> = {}): NewProfile {
  const raw = overrides.raw ?? Buffer.from(`profile ${++counter} ${Math.random()}\n`.repeat(20));
  return {
    tenant: 'acme',
    kind: 'prof',
    labels: { service: 'api' },
    startTime: overrides.startTime ?? 1_700_000_000_000,
    endTime: (overrides.startTime ?? 1_700_000_000_000) + 60_000,
    timeSource: 'artefact',
    program: 'search',
    rtsArguments: ['-p', '-P'],
    size: raw.length,
    sha256: sha256(raw),
    uploader: 'alice',
    warnings: [],
    raw,
    ...overrides,
  };
}

export function sampleTree(scale = 1): CallTree {
  const node = (label: string, module: string, ticks: number, children: CallTree['root'][] = []) => ({
    label,
    module,
    src: `${module}.hs:1:1-10`,
    ccId: label.length,
    ccsId: ticks,
    entries: 3 * scale,
    ticks: ticks * scale,
    alloc: ticks * 1024 * scale,
    children,
  });
  return {
    root: node('MAIN', 'MAIN', 0, [
      node('main', 'Main', 5, [node('go', 'Main', 90), node('>>=', 'GHC.Base', 7)]),
      node('GC', 'PROFILING', 12),
    ]),
    tickIntervalUs: 1000,
    approximate: false,
  };
}

export function sampleHeap(): HeapProfile {
  return {
    mode: 'hc',
    job: 'leaky +RTS -hc -i0.05',
    timeBase: 'mutator-cpu',
    sampleUnit: 'seconds',
    valueUnit: 'bytes',
    bands: ['(306)Main.go', 'MAIN'],
    samples: [
      { time: 0, values: {} },
      { time: 0.05, values: { '(306)Main.go': 24_000, MAIN: 48 } },
      { time: 0.1, values: { '(306)Main.go': 51_200 } },
    ],
    marks: [0.07],
    bandStacks: { '(306)Main.go': ['Main.go', 'Main.main'] },
  };
}

export function sampleRts(): RtsEvents {
  return {
    series: [
      {
        name: 'heapLive',
        unit: 'bytes',
        points: [
          [1000, 4096],
          [2_000_000, 1.5e10],
        ],
      },
    ],
    gc: { count: 3, totalNs: 1_200_000, maxPauseNs: 900_000 },
    capabilities: 2,
    markers: [{ timeNs: 1500, text: 'phase "two" ✓', kind: 'marker' }],
  };
}
