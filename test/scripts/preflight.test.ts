import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { planPreflight, requirements, type Requirement } from '../../scripts/preflight';

const ROOT = join(__dirname, '..', '..');

const need = (name: string, aptPackages: string[]): Requirement => ({
  name,
  neededBy: `the ${name} suite`,
  aptPackages,
  lookedFor: `/usr/bin/${name}`,
  isPresent: () => false,
});
const chromium = need('chromium', ['chromium']);
const initdb = need('initdb', ['postgresql']);
const hp2ps = need('hp2ps', ['ghc']);
const ghc = need('ghc', ['ghc', 'ghc-prof']);

describe('preflight decision', () => {
  it('is ready when nothing is missing, whoever runs it', () => {
    for (const isRoot of [true, false]) {
      assert.deepEqual(planPreflight([], { isRoot, hasAptGet: false, checkOnly: true }), { action: 'ready' });
    }
  });

  it('as root with apt-get: updates the package lists, then installs every missing package once', () => {
    const plan = planPreflight([chromium, ghc, hp2ps], { isRoot: true, hasAptGet: true, checkOnly: false });
    assert.equal(plan.action, 'install');
    assert.ok(plan.action === 'install');
    assert.deepEqual(plan.packages, ['chromium', 'ghc', 'ghc-prof']);
    assert.deepEqual(plan.commands[0], ['apt-get', 'update', '-q']);
    assert.deepEqual(plan.commands[1].slice(0, 3), ['apt-get', 'install', '-y']);
    assert.deepEqual(plan.commands[1].slice(-3), ['chromium', 'ghc', 'ghc-prof']);
  });

  it('not root: stops with the exact sudo command and names what each missing program is for', () => {
    const plan = planPreflight([chromium, initdb], { isRoot: false, hasAptGet: true, checkOnly: false });
    assert.equal(plan.action, 'stop');
    assert.ok(plan.action === 'stop');
    assert.deepEqual(plan.missing, ['chromium', 'initdb']);
    assert.match(
      plan.message,
      /sudo apt-get update && sudo apt-get install -y -q --no-install-recommends chromium postgresql$/m
    );
    assert.match(plan.message, /chromium \(the chromium suite\): not found at \/usr\/bin\/chromium/);
    assert.match(plan.message, /initdb \(the initdb suite\)/);
  });

  it('root but GHCPROF_PREFLIGHT=check: reports instead of installing, without sudo', () => {
    const plan = planPreflight([initdb], { isRoot: true, hasAptGet: true, checkOnly: true });
    assert.ok(plan.action === 'stop');
    assert.match(plan.message, /^  apt-get update && apt-get install .* postgresql$/m);
    assert.doesNotMatch(plan.message, /sudo/);
  });

  it('without apt-get: stops and names the Debian packages for another package manager', () => {
    const plan = planPreflight([chromium], { isRoot: true, hasAptGet: false, checkOnly: false });
    assert.ok(plan.action === 'stop');
    assert.match(plan.message, /your system's package manager \(on Debian: apt-get install .* chromium\)/);
  });
});

describe('preflight requirements', () => {
  it('the test profile looks where the suites look, and honours their overrides', () => {
    const env = {
      GHCPROF_PG_BIN: '/opt/pg/bin',
      PROMETHEUS_BIN: process.execPath,
      CHROMIUM_BIN: '/nonexistent/chromium',
    };
    const byName = new Map(requirements('test', env).map((r) => [r.name, r]));
    assert.deepEqual([...byName.keys()], ['chromium', 'PostgreSQL 15 initdb', 'prometheus']);
    assert.equal(byName.get('PostgreSQL 15 initdb')?.lookedFor, '/opt/pg/bin/initdb');
    assert.equal(byName.get('prometheus')?.isPresent(), true, 'an existing file counts as present');
    assert.equal(byName.get('chromium')?.isPresent(), false);
  });

  it('the bench profile needs GHC, hp2ps and the ghc-events library', () => {
    const names = requirements('bench').map((r) => r.name);
    assert.deepEqual(names, ['ghc', 'hp2ps', 'ghc-events (Haskell library)']);
  });

  it('the command stops before any suite with exit 1 and the install command on stderr', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/preflight.ts', 'test'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, GHCPROF_PREFLIGHT: 'check', PROMETHEUS_BIN: '/nonexistent/prometheus' },
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /prometheus \(the RTS metric suites\): not found at \/nonexistent\/prometheus/);
    assert.match(r.stderr, /apt-get install -y -q --no-install-recommends prometheus/);
  });
});
