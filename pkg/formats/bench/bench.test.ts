import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FormatError } from '../errors';
import { readProfile, readProfileFile } from '../index';
import { gzipSync } from 'node:zlib';
import { readCriterionJson } from './criterion-json';
import { readCriterionCsv } from './criterion-csv';
import { readTastyBenchCsv } from './tasty-bench-csv';
import { readRtsMachine } from './rts-machine';
import { readRtsText } from './rts-text';
import {
  criterionCsv,
  criterionJson,
  expectedFromCriterionCsv,
  expectedFromCriterionJson,
  expectedFromTastyCsv,
  machinePairs,
  rtsMachine,
  rtsText,
  sFigure,
  sTime,
  TASTY_FILES,
  VERSIONS,
} from './__tests__/expected';

const text = (p: string) => readFileSync(p, 'utf8');

function assertSameBenchmarks(actual: Array<Record<string, unknown>>, expected: Array<Record<string, unknown>>) {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => {
    for (const key of ['name', 'mean', 'meanLower', 'meanUpper', 'stddev']) {
      assert.equal(actual[i][key], e[key], `${e.name}: ${key}`);
    }
  });
}

describe('criterion --json (real criterion 1.5.13 output)', () => {
  for (const v of VERSIONS) {
    it(`suite-${v}: every report's mean, interval, stddev, outlier variance and R² as the file has them`, () => {
      const data = readCriterionJson(text(criterionJson(v)), { file: criterionJson(v) });
      assert.ok(data);
      const expected = expectedFromCriterionJson(criterionJson(v));
      assert.equal(data.tool, `criterion ${JSON.parse(text(criterionJson(v)))[1]}`);
      assertSameBenchmarks(data.benchmarks as never, expected as never);
      data.benchmarks.forEach((b, i) => {
        const a = expected[i].raw.reportAnalysis;
        assert.equal(b.outlierVariance, a.anOutlierVar.ovFraction);
        assert.equal(b.rSquare, a.anRegress.find((r: any) => r.regResponder === 'time').regRSquare.estPoint);
      });
    });
    it(`suite-${v}: allocation and GC per iteration from reportMeasured (+RTS -T)`, () => {
      const data = readCriterionJson(text(criterionJson(v)))!;
      expectedFromCriterionJson(criterionJson(v)).forEach(({ raw }, i) => {
        const col = (k: string) => raw.reportKeys.indexOf(k);
        const rows: number[][] = raw.reportMeasured;
        const perIter = (k: string) =>
          rows.reduce((s, r) => s + r[col(k)], 0) / rows.reduce((s, r) => s + r[col('iters')], 0);
        assert.ok(
          rows.every((r) => typeof r[col('allocated')] === 'number'),
          'the fixture was made with +RTS -T'
        );
        assert.equal(data.benchmarks[i].allocatedBytes, perIter('allocated'));
        assert.equal(data.benchmarks[i].copiedBytes, perIter('bytesCopied'));
        assert.equal(data.benchmarks[i].gcSeconds, perIter('gcWallSeconds'));
      });
    });
    it(`suite-${v}: the CSV of the same run gives the same means and bounds as the JSON`, () => {
      const fromJson = readCriterionJson(text(criterionJson(v)))!;
      const fromCsv = readCriterionCsv(text(criterionCsv(v)))!;
      assertSameBenchmarks(fromCsv.benchmarks as never, fromJson.benchmarks as never);
    });
  }

  it('without +RTS -T (null columns) there is no allocation figure', () => {
    const doc = JSON.parse(text(criterionJson('v1')));
    for (const r of doc[2])
      r.reportMeasured = r.reportMeasured.map((row: unknown[]) => row.map((x, i) => (i >= 4 ? null : x)));
    const data = readCriterionJson(JSON.stringify(doc))!;
    assert.equal(data.benchmarks[0].allocatedBytes, undefined);
    assert.equal(data.benchmarks[0].mean, doc[2][0].reportAnalysis.anMean.estPoint);
  });

  it('a cut-off file: one error naming the byte offset where the JSON ends', () => {
    const whole = text(criterionJson('v1'));
    const cut = whole.slice(0, 5000);
    assert.throws(
      () => readCriterionJson(cut, { file: 'cut.json' }),
      (err: FormatError) =>
        err instanceof FormatError &&
        err.offset === 5000 &&
        /cut\.json: bench at byte offset 5000: criterion JSON: not valid JSON .*ends early/.test(err.message)
    );
  });

  it('a report without a mean: the error names the report and the byte offset where it starts', () => {
    const whole = text(criterionJson('v1'));
    const doc = JSON.parse(whole);
    delete doc[2][1].reportAnalysis.anMean.estPoint;
    const broken = JSON.stringify(doc);
    const start = broken.indexOf('{"reportAnalysis"', broken.indexOf('{"reportAnalysis"') + 1);
    assert.throws(
      () => readCriterionJson(broken),
      (err: FormatError) =>
        err.offset === start &&
        err.message.includes(`report 2 ("${doc[2][1].reportName}"): reportAnalysis.anMean.estPoint is not a number`)
    );
  });
});

describe('criterion --csv', () => {
  for (const v of VERSIONS) {
    it(`suite-${v}: every line's mean, bounds and stddev in seconds`, () => {
      assertSameBenchmarks(
        readCriterionCsv(text(criterionCsv(v)))!.benchmarks as never,
        expectedFromCriterionCsv(criterionCsv(v)) as never
      );
    });
  }
  it('a bad number: one error naming the line and the column', () => {
    const lines = text(criterionCsv('v1')).split('\n');
    lines[2] = lines[2].replace(/,[^,]+,/, ',fast,');
    assert.throws(
      () => readCriterionCsv(lines.join('\n'), { file: 'x.csv' }),
      /x\.csv: bench at line 3: criterion CSV: Mean: "fast" is not a non-negative number/
    );
  });
  it('a missing field: the line and the count', () => {
    const broken = `${text(criterionCsv('v1')).trimEnd()}\nlast/one,1e-3,1e-3\n`;
    assert.throws(() => readCriterionCsv(broken), /line 6: criterion CSV: expected 7 fields, found 3/);
  });
});

describe('tasty-bench --csv (written from its source: see test/fixtures/tasty-bench/README.md)', () => {
  for (const path of TASTY_FILES) {
    it(`${basename(path)}: picoseconds to seconds, 2σ to σ and to the bounds, GC columns when present`, () => {
      const data = readTastyBenchCsv(text(path))!;
      const expected = expectedFromTastyCsv(path);
      assertSameBenchmarks(data.benchmarks as never, expected as never);
      data.benchmarks.forEach((b, i) => {
        const gc = expected[i].gc;
        assert.deepEqual([b.allocatedBytes, b.copiedBytes, b.peakMemoryBytes], gc ?? [undefined, undefined, undefined]);
      });
    });
  }
  it('a quoted name keeps its comma and quotes', () => {
    const names = readTastyBenchCsv(text(join('test/fixtures/tasty-bench', 'gc-stats.csv')))!.benchmarks.map(
      (b) => b.name
    );
    assert.ok(names.includes('All.parse.quoted "a,b"'));
  });
  it('an unclosed quote: the line it starts on', () => {
    assert.throws(
      () => readTastyBenchCsv('Name,Mean (ps),2*Stdev (ps)\nAll.a,1,1\n"All.b,2,2\n'),
      /line 3: tasty-bench CSV: a quoted field is not closed/
    );
  });
});

describe('GHC RTS summaries', () => {
  const files = [...VERSIONS.map(rtsMachine), 'test/fixtures/ghc/leaky.rts-stats.machine.txt'];
  for (const path of files) {
    it(`${basename(path)} (-t --machine-readable): allocation, residency, GC and mutator time`, () => {
      const data = readRtsMachine(text(path))!;
      const kv = machinePairs(path);
      assert.deepEqual(data.rts, {
        allocatedBytes: kv.get('bytes allocated'),
        maxResidencyBytes: kv.get('max_bytes_used'),
        mutatorCpuSeconds: kv.get('mut_cpu_seconds'),
        mutatorWallSeconds: kv.get('mut_wall_seconds'),
        gcCpuSeconds: kv.get('GC_cpu_seconds'),
        gcWallSeconds: kv.get('GC_wall_seconds'),
        copiedBytes: kv.get('copied_bytes'),
        memoryInUseBytes: kv.get('max_mem_in_use_bytes'),
        gcCount: kv.get('num_GCs'),
        totalCpuSeconds: kv.get('total_cpu_seconds'),
        totalWallSeconds: kv.get('total_wall_seconds'),
      });
      assert.equal(data.command?.[0], text(path).split("'")[1]);
    });
  }
  const sFiles = [...VERSIONS.map(rtsText), 'test/fixtures/ghc/leaky.rts-stats.txt'];
  for (const path of sFiles) {
    it(`${basename(path)} (-s): the same figures from the text`, () => {
      const rts = readRtsText(text(path))!.rts!;
      assert.equal(rts.allocatedBytes, sFigure(path, ' bytes allocated in the heap'));
      assert.equal(rts.copiedBytes, sFigure(path, ' bytes copied during GC'));
      assert.equal(rts.maxResidencyBytes, sFigure(path, ' bytes maximum residency'));
      assert.equal(rts.memoryInUseBytes, sFigure(path, ' MiB total memory in use') * 1024 * 1024);
      assert.deepEqual([rts.mutatorCpuSeconds, rts.mutatorWallSeconds], sTime(path, 'MUT'));
      assert.deepEqual([rts.gcCpuSeconds, rts.gcWallSeconds], sTime(path, 'GC'));
      assert.deepEqual([rts.totalCpuSeconds, rts.totalWallSeconds], sTime(path, 'Total'));
      const colls = [...text(path).matchAll(/(\d+) colls/g)].reduce((s, m) => s + Number(m[1]), 0);
      assert.equal(rts.gcCount, colls);
    });
  }
  it('a damaged pair: the line', () => {
    const lines = text(rtsMachine('v1')).split('\n');
    lines[4] = ' ,("max_bytes_used" "123")';
    assert.throws(
      () => readRtsMachine(lines.join('\n'), { file: 'm.txt' }),
      /m\.txt: bench at line 5: RTS summary \(-t --machine-readable\): expected a \("key", "value"\) pair/
    );
  });
  it('a cut-off machine summary: no closing bracket', () => {
    const cut = text(rtsMachine('v1')).split('\n').slice(0, 10).join('\n');
    assert.throws(() => readRtsMachine(cut), /ends early \(no closing "\]"\)/);
  });
  it('a damaged MUT line: the line', () => {
    const lines = text(rtsText('v1')).split('\n');
    const i = lines.findIndex((l) => l.includes('MUT'));
    lines[i] = '  MUT     time    ?.???s';
    assert.throws(
      () => readRtsText(lines.join('\n')),
      new RegExp(`line ${i + 1}: RTS summary \\(-s\\): expected "time`)
    );
  });
  it('a -s summary cut before its times', () => {
    const cut = text(rtsText('v1')).split('\n').slice(0, 6).join('\n');
    assert.throws(() => readRtsText(cut), /ends without its "MUT time" line/);
  });
});

describe('the format registry: each bench format recognised by content', () => {
  const cases: Array<[string, string]> = [
    ...VERSIONS.flatMap((v): Array<[string, string]> => [
      [criterionJson(v), 'criterion-json'],
      [criterionCsv(v), 'criterion-csv'],
      [rtsMachine(v), 'rts-machine'],
      [rtsText(v), 'rts-text'],
    ]),
    ...TASTY_FILES.map((f): [string, string] => [f, 'tasty-bench-csv']),
  ];
  for (const [path, format] of cases) {
    it(`${basename(path)} -> bench (${format}), from memory, gzip and a streamed file`, async () => {
      for (const data of [
        await readProfile(readFileSync(path), { file: path }),
        await readProfile(gzipSync(readFileSync(path)), { file: path }),
        await readProfileFile(path),
      ]) {
        assert.equal(data.kind, 'bench');
        assert.equal(data.bench?.format, format);
      }
    });
  }
  it('an RTS summary names its program and arguments from the command line', async () => {
    const data = await readProfileFile(rtsMachine('v2'));
    assert.equal(data.program, 'suite-v2');
    assert.deepEqual(data.arguments.slice(0, 2), ['--time-limit', text(rtsMachine('v2')).split("'")[5]]);
    assert.ok(data.rtsArguments.includes('-T'));
  });
  it("a broken bench file fails with the reader's error through the registry too", async () => {
    await assert.rejects(
      readProfile(Buffer.from('Name,Mean,MeanLB,MeanUB,Stddev,StddevLB,StddevUB\na,1,x,1,1,1,1\n'), { file: 'b.csv' }),
      /b\.csv: bench at line 2: criterion CSV: MeanLB/
    );
  });
});
