import type { ProfileMeta } from '@ghcprof/api/query';
import { scopeOfProfile } from '../useProfileView';

const meta = (overrides: Partial<ProfileMeta>): ProfileMeta => ({
  id: 'p1',
  kind: 'hp',
  labels: { service: 'search', pod: 'search-1', version: '1.2' },
  startTime: 1_000_000,
  endTime: 1_000_800,
  timeSource: 'artefact',
  program: 'search',
  rtsArguments: [],
  size: 1,
  sha256: 'x',
  uploader: null,
  createdAt: 0,
  warnings: [],
  has: { tree: false, heap: true, rts: false },
  heapMode: 'hc',
  ...overrides,
});

describe('scopeOfProfile', () => {
  it('opens the profile by id over its own run with at least a second of margin', () => {
    const scope = scopeOfProfile(meta({}));
    expect(scope.base).toEqual({ profileIds: ['p1'] });
    expect(scope.range.from.valueOf()).toBe(999_000);
    expect(scope.range.to.valueOf()).toBe(1_001_800);
  });

  it('scales the margin with long runs and handles a run without end', () => {
    const long = scopeOfProfile(meta({ endTime: 1_000_000 + 3_600_000 }));
    expect(long.range.from.valueOf()).toBe(1_000_000 - 360_000);
    const open = scopeOfProfile(meta({ endTime: null }));
    expect(open.range.to.valueOf() - open.range.from.valueOf()).toBe(2000);
  });

  it('asks RTS metrics for the process: service, namespace and pod labels only', () => {
    expect(scopeOfProfile(meta({})).rtsSelector).toBe('{service="search",pod="search-1"}');
    expect(scopeOfProfile(meta({ labels: { namespace: 'prod', service: 'a' } })).rtsSelector).toBe(
      '{service="a",namespace="prod"}'
    );
  });
});
