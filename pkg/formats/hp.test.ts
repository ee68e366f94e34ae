import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { guessHeapMode, readHp } from './hp';
import { readProf } from './prof-text';
import { readProfileFile } from './index';
import { FormatError } from './errors';
import type { HeapMode, ProfileData, TreeNode } from '../model/types';
import { allNodes, BAD, EXTRA, fixtureText, GHC, hpSamples, WORKLOADS } from './__tests__/helpers';

function read(path: string, lenient = false): ProfileData {
  const data = readHp(fixtureText(path), { file: path, lenient });
  assert.ok(data, `${path} is a .hp`);
  return data;
}

const FILES: Array<[string, HeapMode]> = [
  ...WORKLOADS.flatMap((n): Array<[string, HeapMode]> => [
    [join(GHC, `${n}.hc.hp`), 'hc'],
    [join(GHC, `${n}.hy.hp`), 'hy'],
    [join(GHC, `${n}.hT.hp`), 'hT'],
    [join(GHC, `${n}.eventlog-run.hp`), 'hc'],
  ]),
  [join(EXTRA, 'leaky.hm.hp'), 'hm'],
  [join(EXTRA, 'leaky.hd.hp'), 'hd'],
  [join(EXTRA, 'leaky.hr.hp'), 'hr'],
  [join(EXTRA, 'leaky.hb.hp'), 'hb'],
];

describe('readHp: real GHC 9.0.2 heap profiles, every -h mode', () => {
  for (const [path, mode] of FILES) {
    it(`${path}: mode ${mode}; every sample and band value as the file writes it`, () => {
      const data = read(path);
      const heap = data.heap!;
      const expected = hpSamples(fixtureText(path));
      assert.equal(heap.mode, mode);
      assert.equal(heap.timeBase, 'mutator-cpu');
      assert.equal(heap.samples.length, expected.length);
      heap.samples.forEach((s, i) => {
        assert.equal(s.time, expected[i].time);
        assert.deepEqual(Object.entries(s.values), expected[i].bands);
      });
      const firstSeen = [...new Set(expected.flatMap((s) => s.bands.map(([label]) => label)))];
      assert.deepEqual(heap.bands, firstSeen);
      // GHC writes an empty census at t=0 and one at the end (values have no prototype: labels are data)
      assert.deepEqual(Object.keys(heap.samples[0].values), []);
      assert.deepEqual(Object.keys(heap.samples[heap.samples.length - 1].values), []);
      assert.deepEqual(heap.marks, []);
      assert.equal(data.truncated, false);
      assert.deepEqual(data.warnings, []);
    });
  }

  it('leaky.hc.hp: header, JOB split into program / arguments / RTS arguments, DATE as the start', () => {
    const data = read(join(GHC, 'leaky.hc.hp'));
    assert.equal(data.kind, 'hp');
    assert.equal(data.heap!.job, 'leaky 400000 +RTS -A4m -hc -i0.02');
    assert.equal(data.program, 'leaky');
    assert.deepEqual(data.arguments, ['400000']);
    assert.deepEqual(data.rtsArguments, ['-A4m', '-hc', '-i0.02']);
    assert.equal(data.startTimeMs, Date.UTC(2026, 10, 27, 13, 48));
    assert.equal(data.endTimeMs, null);
    assert.equal(data.heap!.sampleUnit, 'seconds');
    assert.equal(data.heap!.valueUnit, 'bytes');
    // labels exactly as written, including GHC's 25-character cut with "..."
    const second = data.heap!.samples[1];
    assert.equal(second.time, 0.020824);
    assert.equal(second.values['(306)applyLazy/simulateLaz...'], 4_249_504);
    assert.equal(second.values['(305)txns.go/txns/simulate...'], 1_057_352);
    assert.equal(second.values.MAIN, 9992);
  });

  it('hT from a non-profiled RTS: JOB has only the program, the labels decide the mode', () => {
    const data = read(join(GHC, 'leaky.hT.hp'));
    assert.equal(data.heap!.job, 'leaky');
    assert.deepEqual(data.rtsArguments, []);
    assert.ok(data.heap!.bands.includes('THUNK_0_1'));
    assert.ok(data.heap!.bands.includes('base:GHC.Event.Control.W'));
  });

  it('the eventlog-run .hp and .prof of one run agree: every -hc band id is a stack of that .prof with that path', () => {
    for (const name of WORKLOADS) {
      const hp = read(join(GHC, `${name}.eventlog-run.hp`));
      const prof = readProf(fixtureText(join(GHC, `${name}.eventlog-run.prof`)))!;
      const parent = new Map<TreeNode, TreeNode>();
      const byId = new Map<number, TreeNode>();
      for (const n of allNodes(prof.tree!.root)) {
        byId.set(n.ccsId, n);
        n.children.forEach((c) => parent.set(c, n));
      }
      // MAIN has no id; the RTS's own stacks (PINNED, SYSTEM, ...) are not under MAIN, so the report omits them
      const costCentreBands = hp.heap!.bands.filter((b) => b !== 'MAIN' && !/^\(\d+\)(PINNED|SYSTEM|IDLE|DONT_CARE)$/.test(b));
      assert.ok(costCentreBands.length >= 10);
      for (const band of costCentreBands) {
        const m = /^\((\d+)\)(.*)$/.exec(band)!;
        let node = byId.get(Number(m[1]));
        assert.ok(node, `${name}: band ${band} has a stack in the .prof`);
        // GHC prints innermost/caller/..., CAFs as Module.CAF, MAIN left out, cut to 25 chars with "..."
        const path: string[] = [];
        while (node && node.label !== 'MAIN') {
          path.push(node.label === 'CAF' ? `${node.module}.CAF` : node.label);
          node = parent.get(node);
        }
        const full = path.join('/');
        const shown = m[2].endsWith('...') ? m[2].slice(0, -3) : m[2];
        assert.ok(full.startsWith(shown), `${name}: ${band} vs ${full}`);
      }
    }
  });

  it('the eventlog-run .hp has the eventlog censuses: same totals, plus an empty sample at each end', async () => {
    for (const name of WORKLOADS) {
      const hp = read(join(GHC, `${name}.eventlog-run.hp`)).heap!;
      const ev = (await readProfileFile(join(GHC, `${name}.eventlog`))).heap!;
      const total = (v: Record<string, number>) => Object.values(v).reduce((a, b) => a + b, 0);
      assert.deepEqual(ev.samples.map((s) => total(s.values)), hp.samples.slice(1, -1).map((s) => total(s.values)));
    }
  });
});

describe('readHp: broken and unusual input', () => {
  it('truncated.hp: the 10 complete samples; warning names line 136 and the sample opened at line 132', () => {
    const data = read(join(BAD, 'truncated.hp'));
    assert.equal(data.truncated, true);
    assert.equal(data.heap!.samples.length, 10);
    assert.deepEqual(
      data.heap!.samples.map((s) => s.time),
      hpSamples(fixtureText(join(GHC, 'leaky.hc.hp'))).slice(0, 10).map((s) => s.time)
    );
    assert.equal(data.warnings.length, 1);
    assert.match(data.warnings[0], /^line 136: the file ends inside this line \(expected LABEL<TAB>INTEGER/);
    assert.match(data.warnings[0], /found "MAIN"/);
    assert.match(data.warnings[0], /sample opened at line 132 .* never closed/);
    assert.match(data.warnings[0], /10 complete samples/);
  });

  it('garbage-lines.hp: one FormatError naming the file and lines 13 and 22', () => {
    const path = join(BAD, 'garbage-lines.hp');
    assert.throws(
      () => readHp(fixtureText(path), { file: path }),
      (err: unknown) => {
        assert.ok(err instanceof FormatError);
        assert.equal(err.format, 'hp');
        assert.equal(err.line, 13);
        assert.match(err.message, /^test\/fixtures\/ghc\/bad\/garbage-lines\.hp: hp at line 13: 2 malformed lines/);
        assert.match(err.message, /line 13: expected LABEL<TAB>INTEGER or END_SAMPLE, found "this is not a band line"/);
        assert.match(err.message, /line 22: expected LABEL<TAB>INTEGER, found "\(99\)some\/label\tnot-a-number"/);
        return true;
      }
    );
  });

  it('garbage-lines.hp, lenient: all 30 samples, the two lines skipped with warnings', () => {
    const data = read(join(BAD, 'garbage-lines.hp'), true);
    assert.equal(data.heap!.samples.length, 30);
    assert.deepEqual(
      data.warnings.map((w) => w.split(':')[0]),
      ['line 13', 'line 22']
    );
    assert.equal(data.truncated, false);
  });

  it('MARK lines, quoted quotes in JOB, a file cut between samples', () => {
    const text = [
      'JOB "prog ""quoted"" arg +RTS -hy"',
      'DATE "Thu Nov 26 12:00:00 2026"',
      'SAMPLE_UNIT "seconds"',
      'VALUE_UNIT "bytes"',
      'BEGIN_SAMPLE 0.00',
      'END_SAMPLE 0.00',
      'MARK 0.5',
      'BEGIN_SAMPLE 1.25',
      '[]\t4294967296000',
      '->[]\t16',
      'END_SAMPLE 1.25',
      'BEGIN_SAMPLE 2.5',
      '[]\t8',
    ].join('\n') + '\n';
    const data = readHp(text)!;
    assert.equal(data.heap!.job, 'prog "quoted" arg +RTS -hy');
    assert.equal(data.heap!.mode, 'hy');
    assert.deepEqual(data.heap!.marks, [0.5]);
    assert.equal(data.heap!.samples.length, 2);
    assert.equal(data.heap!.samples[1].values['[]'], 4_294_967_296_000);
    assert.equal(data.startTimeMs, Date.UTC(2026, 10, 26, 12, 0, 0));
    assert.equal(data.truncated, true);
    assert.match(data.warnings[0], /^line 13: the file ends but the sample opened at line 12 \(BEGIN_SAMPLE 2\.5\) is never closed/);
  });

  it('structure errors: band outside a sample, nested BEGIN_SAMPLE, END_SAMPLE time mismatch', () => {
    const text = ['JOB "p"', 'x\t1', 'BEGIN_SAMPLE 1', 'BEGIN_SAMPLE 2', 'END_SAMPLE 3', ''].join('\n');
    assert.throws(
      () => readHp(text, { file: 'p.hp' }),
      (err: unknown) =>
        err instanceof FormatError &&
        err.line === 2 &&
        /line 2: band line outside a sample/.test(err.message) &&
        /line 4: BEGIN_SAMPLE while the sample opened at line 3 is not closed/.test(err.message) &&
        /line 5: END_SAMPLE 3 closes the sample that began at 2/.test(err.message)
    );
  });

  it('not a .hp: null', () => {
    assert.equal(readHp(''), null);
    assert.equal(readHp('\n\n'), null);
    assert.equal(readHp(fixtureText(join(GHC, 'search.prof'))), null);
    assert.equal(readHp('JOBS "x"'), null);
  });

  it('guessHeapMode: flags in JOB win; a plain -h is -hc; without flags the labels decide', () => {
    assert.equal(guessHeapMode('p +RTS -hd -i0.1', ['x']), 'hd');
    assert.equal(guessHeapMode('p +RTS -h', ['(1)main']), 'hc');
    assert.equal(guessHeapMode('p +RTS -hc -hyMap', ['(1)main']), 'hc');
    assert.equal(guessHeapMode('p +RTS -hi', ['0x4bd1c0']), 'hi');
    assert.equal(guessHeapMode('p +RTS -he', ['1', '2']), 'he');
    assert.equal(guessHeapMode('p +RTS -hT', ['THUNK']), 'hT');
    assert.equal(guessHeapMode('p', ['THUNK', 'ARR_WORDS']), 'hT');
    assert.equal(guessHeapMode('p', ['0x4bd1c0', '0x4bd2a8']), 'hi');
    assert.equal(guessHeapMode('p +RTS -i0.1', ['VOID', 'LAG', 'USE', 'DRAG']), 'hb');
    assert.equal(guessHeapMode('p +RTS -i0.1', ['(54)SYSTEM,MAIN', 'MANY']), 'hr');
    assert.equal(guessHeapMode('p +RTS -i0.1', ['(3)main/x', 'MAIN']), 'hc');
    assert.equal(guessHeapMode('p +RTS -i0.1', ['Data.Map']), 'unknown');
  });
});
