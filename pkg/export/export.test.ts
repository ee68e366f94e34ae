import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Profile } from 'pprof-format';
import { TreeBuilder } from '../model/builder';
import { sampleTree } from '../model/__tests__/fixtures';
import { foldedStacks } from './folded';
import { toPprof } from './pprof';
import { sourceLocation } from './source';
import { toSpeedscope } from './speedscope';
import { speedscopeProblems } from './__tests__/speedscope-check';

describe('foldedStacks', () => {
  it('writes one line per node with non-zero self, from the root, self ticks for time', () => {
    assert.equal(
      foldedStacks(sampleTree(), 'time'),
      [
        'MAIN.MAIN;Main.main 2',
        'MAIN.MAIN;Main.main;Main.go 5',
        'MAIN.MAIN;Main.main;Main.go;Main.go 3',
        'MAIN.MAIN;Main.main;Main.go;Main.go;Main.leaf 1',
        'MAIN.MAIN;Main.main;Data.Map.insert 4',
        'MAIN.MAIN;GC.GC 7',
        '',
      ].join('\n')
    );
    assert.equal(
      foldedStacks(sampleTree(), 'alloc'),
      'MAIN.MAIN 100\nMAIN.MAIN;Main.main 10\nMAIN.MAIN;Main.main;Main.go;Main.go;Main.leaf 40\n'
    );
    assert.equal(
      foldedStacks(sampleTree(), 'entries'),
      'MAIN.MAIN;Main.main 1\nMAIN.MAIN;Main.main;Main.go 3\nMAIN.MAIN;Main.main;Main.go;Main.go 2\n'
    );
  });

  it('keeps `;` and newlines of user SCC names from breaking the format, and rounds approximate values', () => {
    const b = new TreeBuilder();
    b.enter({ module: 'Main', label: 'a;b\nc' }, { ticks: 2.6 });
    b.leave();
    assert.equal(foldedStacks(b.build(true), 'time'), 'MAIN.MAIN;Main.a,b c 3\n');
  });
});

describe('toPprof', () => {
  it('encodes a profile that decodes back to the tree: stacks leaf first, time in ns, alloc, entries', () => {
    const decoded = Profile.decode(
      toPprof(sampleTree(), { startTimeMs: 1_700_000_000_000, comments: ['search 10 8'] })
    );
    const str = (i: number | bigint) => decoded.stringTable.strings[Number(i)];
    assert.deepEqual(
      decoded.sampleType.map((t) => [str(t.type), str(t.unit)]),
      [
        ['time', 'nanoseconds'],
        ['alloc', 'bytes'],
        ['entries', 'count'],
      ]
    );
    const fnName = new Map(decoded.function.map((f) => [Number(f.id), str(f.name)]));
    const locName = new Map(decoded.location.map((l) => [Number(l.id), fnName.get(Number(l.line[0].functionId))]));
    const samples = decoded.sample.map((s) => [
      s.locationId.map((id) => locName.get(Number(id))).join(' < '),
      s.value.map(Number),
    ]);
    assert.deepEqual(samples, [
      ['MAIN.MAIN', [0, 100, 0]],
      ['Main.main < MAIN.MAIN', [2e6, 10, 1]],
      ['Main.go < Main.main < MAIN.MAIN', [5e6, 0, 3]],
      ['Main.go < Main.go < Main.main < MAIN.MAIN', [3e6, 0, 2]],
      ['Main.leaf < Main.go < Main.go < Main.main < MAIN.MAIN', [1e6, 40, 0]],
      ['Data.Map.insert < Main.main < MAIN.MAIN', [4e6, 0, 0]],
      ['GC.GC < MAIN.MAIN', [7e6, 0, 0]],
    ]);
    assert.equal(decoded.function.length, 6);
    assert.equal(Number(decoded.period), 1e6);
    assert.equal(BigInt(decoded.timeNanos), 1_700_000_000_000_000_000n);
    assert.equal(str(decoded.comment[0]), 'search 10 8');
    assert.equal(str(decoded.defaultSampleType), 'time');
  });

  it('takes file and line from GHC source spans', () => {
    const b = new TreeBuilder();
    b.enter({ module: 'Main', label: 'results', src: 'src/Search.hs:(65,1)-(67,99)' }, { ticks: 1 });
    b.leave();
    const decoded = Profile.decode(toPprof(b.build()));
    const fn = decoded.function.find((f) => decoded.stringTable.strings[Number(f.name)] === 'Main.results')!;
    assert.equal(decoded.stringTable.strings[Number(fn.filename)], 'src/Search.hs');
    assert.equal(Number(fn.startLine), 65);
  });
});

describe('sourceLocation', () => {
  it('reads both span forms and leaves out GHC placeholders', () => {
    assert.deepEqual(sourceLocation('src/Search.hs:70:1-91'), { file: 'src/Search.hs', line: 70, column: 1 });
    assert.deepEqual(sourceLocation('src/X.hs:(65,1)-(67,99)'), { file: 'src/X.hs', line: 65, column: 1 });
    assert.deepEqual(sourceLocation('libraries/base/GHC/Base.hs:12:3'), {
      file: 'libraries/base/GHC/Base.hs',
      line: 12,
      column: 3,
    });
    assert.deepEqual(sourceLocation('<entire-module>'), {});
    assert.deepEqual(sourceLocation(''), {});
  });
});

describe('toSpeedscope', () => {
  it('emits valid evented profiles whose open/close spans are the inclusive values', () => {
    const file = toSpeedscope(sampleTree(), { name: 'search' });
    assert.deepEqual(speedscopeProblems(file), []);
    assert.deepEqual(
      file.profiles.map((p) => [p.name, p.unit, p.endValue]),
      [
        ['search (time)', 'nanoseconds', 22e6],
        ['search (alloc)', 'bytes', 150],
        ['search (entries)', 'none', 6],
      ]
    );
    const names = file.shared.frames.map((f) => f.name);
    const alloc = file.profiles[1].events.map((e) => `${e.type}${names[e.frame]}@${e.at}`);
    // MAIN's 100 own bytes come first, then main (10 own), go, go, leaf (40); zero-byte insert and GC are left out.
    assert.deepEqual(alloc, [
      'OMAIN.MAIN@0',
      'OMain.main@100',
      'OMain.go@110',
      'OMain.go@110',
      'OMain.leaf@110',
      'CMain.leaf@150',
      'CMain.go@150',
      'CMain.go@150',
      'CMain.main@150',
      'CMAIN.MAIN@150',
    ]);
  });

  it('handles a tree deeper than the JS call stack', () => {
    const b = new TreeBuilder();
    b.addStack(
      Array.from({ length: 30_000 }, (_, i) => ({ module: 'Deep', label: `f${i}` })),
      { ticks: 1 }
    );
    const file = toSpeedscope(b.build(), { metrics: ['time'] });
    assert.equal(file.profiles[0].events.length, 2 * 30_001);
    assert.deepEqual(speedscopeProblems(file), []);
  });
});
