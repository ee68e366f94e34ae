/**
 * Preflight of `npm test` and `npm run bench`: the suites start a real PostgreSQL, a real Prometheus and a real
 * Chromium themselves (the benchmark also GHC's own tools), so before any suite runs this checks that the machine
 * has them. As root with apt-get it installs what is missing (Debian package names); otherwise it stops at once with
 * the exact command to run, instead of letting a suite fail twenty minutes in with a missing binary.
 *
 *   node --import tsx scripts/preflight.ts [test|bench]
 *
 * GHCPROF_PREFLIGHT=check never installs (it only reports); GHCPROF_PG_BIN, PROMETHEUS_BIN and CHROMIUM_BIN name
 * other locations of the binaries, as the test support code reads them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type PreflightProfile = 'test' | 'bench';

/** One thing a suite needs from the machine, and the Debian packages that provide it. */
export interface Requirement {
  name: string;
  neededBy: string;
  aptPackages: string[];
  /** Where it is looked for, for the message when it is missing. */
  lookedFor: string;
  isPresent: () => boolean;
}

export type PreflightPlan =
  | { action: 'ready' }
  | { action: 'install'; packages: string[]; commands: string[][] }
  | { action: 'stop'; missing: string[]; message: string };

export interface Machine {
  isRoot: boolean;
  hasAptGet: boolean;
  /** GHCPROF_PREFLIGHT=check: report only. */
  checkOnly: boolean;
}

const APT_INSTALL = ['apt-get', 'install', '-y', '-q', '--no-install-recommends'];

/** The decision, kept apart from the probing and the installing so that a test can prove it. */
export function planPreflight(missing: Requirement[], machine: Machine): PreflightPlan {
  if (missing.length === 0) {
    return { action: 'ready' };
  }
  const packages = [...new Set(missing.flatMap((r) => r.aptPackages))];
  if (machine.isRoot && machine.hasAptGet && !machine.checkOnly) {
    return {
      action: 'install',
      packages,
      commands: [
        ['apt-get', 'update', '-q'],
        [...APT_INSTALL, ...packages],
      ],
    };
  }
  const lines = missing.map((r) => `  - ${r.name} (${r.neededBy}): not found at ${r.lookedFor}`);
  const sudo = machine.isRoot ? '' : 'sudo ';
  const fix = machine.hasAptGet
    ? `Install them with:\n  ${sudo}apt-get update && ${sudo}${APT_INSTALL.join(' ')} ${packages.join(' ')}`
    : `Install them with your system's package manager (on Debian: ${APT_INSTALL.join(' ')} ${packages.join(' ')}).`;
  return {
    action: 'stop',
    missing: missing.map((r) => r.name),
    message: `The tests need programs this machine does not have:\n${lines.join('\n')}\n${fix}`,
  };
}

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const file = (path: string, name: string, neededBy: string, aptPackages: string[]): Requirement => ({
  name,
  neededBy,
  aptPackages,
  lookedFor: path,
  isPresent: () => existsSync(path),
});

const command = (cmd: string, neededBy: string, aptPackages: string[]): Requirement => ({
  name: cmd,
  neededBy,
  aptPackages,
  lookedFor: 'PATH',
  isPresent: () => onPath(cmd),
});

/** What each profile needs, at the locations the suites use (test/support/*.ts, test/browser, bench/formats.ts). */
export function requirements(profile: PreflightProfile, env: NodeJS.ProcessEnv = process.env): Requirement[] {
  const pgBin = env.GHCPROF_PG_BIN ?? '/usr/lib/postgresql/15/bin';
  if (profile === 'bench') {
    return [
      command('ghc', 'bench: builds the large inputs and the ghc-events reference', ['ghc', 'ghc-prof']),
      command('hp2ps', 'bench: the .hp reference', ['ghc']),
      {
        name: 'ghc-events (Haskell library)',
        neededBy: 'bench: the eventlog reference decoder',
        aptPackages: ['libghc-ghc-events-dev'],
        lookedFor: 'ghc-pkg',
        isPresent: () =>
          spawnSync('ghc-pkg', ['list', '--simple-output', 'ghc-events'], { encoding: 'utf8' }).stdout?.trim() !== '',
      },
    ];
  }
  return [
    file(env.CHROMIUM_BIN ?? '/usr/bin/chromium', 'chromium', 'the real-browser suite', ['chromium']),
    file(join(pgBin, 'initdb'), 'PostgreSQL 15 initdb', 'the PostgreSQL store suites', ['postgresql']),
    file(env.PROMETHEUS_BIN ?? '/usr/bin/prometheus', 'prometheus', 'the RTS metric suites', ['prometheus']),
  ];
}

function run(argv: string[]): void {
  console.log(`preflight: ${argv.join(' ')}`);
  const r = spawnSync(argv[0], argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) {
    throw new Error(`preflight: '${argv.join(' ')}' failed (exit ${r.status ?? r.signal})`);
  }
}

export function preflight(profile: PreflightProfile, env: NodeJS.ProcessEnv = process.env): void {
  const needed = requirements(profile, env);
  const missing = () => needed.filter((r) => !r.isPresent());
  const plan = planPreflight(missing(), {
    isRoot: process.getuid?.() === 0,
    hasAptGet: onPath('apt-get'),
    checkOnly: env.GHCPROF_PREFLIGHT === 'check',
  });
  if (plan.action === 'stop') {
    throw new Error(plan.message);
  }
  if (plan.action === 'install') {
    plan.commands.forEach(run);
    const still = missing();
    if (still.length > 0) {
      throw new Error(`preflight: still missing after apt-get install: ${still.map((r) => r.lookedFor).join(', ')}`);
    }
  }
  console.log(`preflight (${profile}): ${needed.map((r) => r.name).join(', ')}: present`);
}

if (require.main === module) {
  const profile = (process.argv[2] ?? 'test') as PreflightProfile;
  try {
    preflight(profile);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
