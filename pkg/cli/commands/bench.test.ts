/**
 * End-to-end tests of `ghcprof bench`: the built executable on the real criterion fixtures (two versions, one real
 * regression) and the tasty-bench CSVs; every expected value is computed here from the file text.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cliText, ensureBuiltCli, runCli } from '../__tests__/built-cli';
import {
  criterionCsv,
  criterionJson,
  type Expected,
  expectedFromCriterionCsv,
  expectedFromCriterionJson,
  expectedFromTastyCsv,
  machinePairs,
  rtsMachine,
  TASTY_DIR,
  TASTY_FILES,
  VERSIONS,
} from '../../formats/bench/__tests__/expected';

interface CompareJson {
  benchmarks: Array<{ name: string; old: number; new: number; ratio: number; significant: boolean }>;
  geomean: number;
}

/** What a comparison must say, worked out from two independent readings. */
function expectedComparison(oldList: Expected[], newList: Expected[]) {
  const olds = new Map(oldList.map((b) => [b.name, b]));
  const rows = newList
    .filter((n) => olds.has(n.name))
    .map((n) => {
      const o = olds.get(n.name)!;
      return {
        name: n.name,
        old: o.mean,
        new: n.mean,
        ratio: n.mean / o.mean,
        significant: n.meanLower > o.meanUpper || n.meanUpper < o.meanLower,
      };
    });
  const geomean = Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / rows.length);
  return { rows, geomean };
}

function json<T>(args: string[]): T {
  const r = runCli(args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.toString('utf8')) as T;
}

describe('ghcprof bench', () => {
  before(() => ensureBuiltCli());

  const files: Array<[string, Expected[]]> = [
    ...VERSIONS.flatMap((v): Array<[string, Expected[]]> => [
      [criterionJson(v), expectedFromCriterionJson(criterionJson(v))],
      [criterionCsv(v), expectedFromCriterionCsv(criterionCsv(v))],
    ]),
    ...TASTY_FILES.map((f): [string, Expected[]] => [f, expectedFromTastyCsv(f)]),
  ];
  for (const [file, expected] of files) {
    it(`--format json ${file}: every mean and bound equals the file's value, in seconds`, () => {
      const out = json<{ unit: string; benchmarks: Array<Record<string, unknown>> }>([
        'bench',
        '--format',
        'json',
        file,
      ]);
      assert.equal(out.unit, 's');
      assert.deepEqual(
        out.benchmarks.map(({ name, mean, meanLower, meanUpper, stddev }) => ({
          name,
          mean,
          meanLower,
          meanUpper,
          stddev,
        })),
        expected.map(({ name, mean, meanLower, meanUpper, stddev }) => ({ name, mean, meanLower, meanUpper, stddev }))
      );
    });
  }

  it('several files: their benchmarks in order; an RTS summary adds its figures under rts', () => {
    const out = json<{
      benchmarks: Array<{ name: string; allocatedBytes?: number }>;
      rts: Array<Record<string, number | string>>;
    }>(['bench', '--format', 'json', criterionCsv('v1'), `${TASTY_DIR}/gc-stats.csv`, rtsMachine('v1')]);
    const names = [
      ...expectedFromCriterionCsv(criterionCsv('v1')),
      ...expectedFromTastyCsv(`${TASTY_DIR}/gc-stats.csv`),
    ].map((b) => b.name);
    assert.deepEqual(
      out.benchmarks.map((b) => b.name),
      names
    );
    assert.equal(
      out.benchmarks.at(-1)!.allocatedBytes,
      expectedFromTastyCsv(`${TASTY_DIR}/gc-stats.csv`).at(-1)!.gc![0]
    );
    assert.equal(out.rts.length, 1);
    assert.equal(out.rts[0].allocatedBytes, machinePairs(rtsMachine('v1')).get('bytes allocated'));
  });

  const pairs: Array<[string, string, Expected[], Expected[]]> = [
    [
      criterionJson('v1'),
      criterionJson('v2'),
      expectedFromCriterionJson(criterionJson('v1')),
      expectedFromCriterionJson(criterionJson('v2')),
    ],
    [
      criterionCsv('v1'),
      criterionJson('v2'),
      expectedFromCriterionCsv(criterionCsv('v1')),
      expectedFromCriterionJson(criterionJson('v2')),
    ],
    [TASTY_FILES[0], TASTY_FILES[1], expectedFromTastyCsv(TASTY_FILES[0]), expectedFromTastyCsv(TASTY_FILES[1])],
  ];
  for (const [oldFile, newFile, oldList, newList] of pairs) {
    it(`--compare ${oldFile} ${newFile}: ratios, significance and the geometric mean as computed from the files`, () => {
      const out = json<CompareJson>(['bench', '--compare', '--format', 'json', oldFile, newFile]);
      const want = expectedComparison(oldList, newList);
      assert.deepEqual(out.benchmarks, want.rows);
      assert.ok(Math.abs(out.geomean - want.geomean) <= 1e-12 * want.geomean, `${out.geomean} vs ${want.geomean}`);
    });
  }

  it('the CI gate on the real regression: v1 -> v2 with --fail-if-slower 10 exits 1 and names what regressed', () => {
    const want = expectedComparison(
      expectedFromCriterionJson(criterionJson('v1')),
      expectedFromCriterionJson(criterionJson('v2'))
    );
    const failing = want.rows.filter((r) => r.significant && r.ratio > 1.1).map((r) => r.name);
    assert.ok(failing.includes('sort/insertion'), 'the fixture holds the regression it was built with');
    const r = runCli(['bench', '--compare', criterionJson('v1'), criterionJson('v2'), '--fail-if-slower', '10']);
    assert.equal(r.status, 1);
    const named = /slower by more than 10% \(significant\): (.*)$/m
      .exec(r.stderr)![1]
      .split(', ')
      .map((s) => s.replace(/ \(\+[\d.]+%\)$/, ''));
    assert.deepEqual(named.sort(), failing.sort());
  });

  it('the gate passes (exit 0) when the threshold is above every significant slowdown, and for a version against itself', () => {
    const want = expectedComparison(
      expectedFromCriterionCsv(criterionCsv('v1')),
      expectedFromCriterionCsv(criterionCsv('v2'))
    );
    const worst = Math.max(...want.rows.filter((r) => r.significant).map((r) => (r.ratio - 1) * 100));
    const above = String(Math.ceil(worst + 1));
    assert.equal(
      runCli(['bench', '--compare', criterionCsv('v1'), criterionCsv('v2'), '--fail-if-slower', above]).status,
      0
    );
    assert.equal(
      runCli(['bench', '--compare', criterionJson('v2'), criterionCsv('v2'), '--fail-if-slower', '0']).status,
      0
    );
  });

  it('text output: a table sorted by change, slowest first, with the change in % and the geometric mean', () => {
    const text = cliText(['bench', '--compare', criterionJson('v1'), criterionJson('v2')]);
    const want = expectedComparison(
      expectedFromCriterionJson(criterionJson('v1')),
      expectedFromCriterionJson(criterionJson('v2'))
    );
    const order = [...want.rows].sort((a, b) => b.ratio - a.ratio);
    const lines = text.split('\n').slice(1, 1 + order.length);
    lines.forEach((line, i) => {
      assert.ok(line.startsWith(order[i].name), line);
      const pct = ((order[i].ratio - 1) * 100).toFixed(1);
      assert.ok(line.includes(`${order[i].ratio >= 1 ? '+' : ''}${pct}%`), `${line} has ${pct}%`);
    });
    assert.match(text, new RegExp(`geometric mean of the ratios: ${want.geomean.toFixed(4)}`));
  });

  it('refusals: a profile is not a benchmark result; --compare needs two files; --fail-if-slower needs --compare', () => {
    const prof = runCli(['bench', 'test/fixtures/ghc/leaky.prof']);
    assert.equal(prof.status, 1);
    assert.match(prof.stderr, /leaky\.prof: a \.prof report, not a benchmark result/);
    assert.match(runCli(['bench', '--compare', criterionCsv('v1')]).stderr, /exactly two files/);
    assert.match(runCli(['bench', criterionCsv('v1'), '--fail-if-slower', '5']).stderr, /needs --compare/);
    assert.match(
      runCli(['bench', '--compare', criterionCsv('v1'), criterionCsv('v2'), '--fail-if-slower', 'x']).stderr,
      /percentage/
    );
  });
});
