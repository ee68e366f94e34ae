import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sampleHeap } from './__tests__/fixtures';
import {
  censusSamples,
  combineHeapProfiles,
  fitLine,
  growsSteadily,
  integratedSizes,
  leakTable,
  rankBands,
  standardDeviation,
  topBands,
} from './heap';

describe('integratedSizes and rankBands', () => {
  it('integrates each band over the censuses with the trapezoid rule', () => {
    assert.equal(censusSamples(sampleHeap()).length, 3);
    assert.deepEqual(
      [...integratedSizes(sampleHeap())],
      [
        ['B', 20],
        ['A', 400],
        ['C', 5],
      ]
    );
    assert.deepEqual(rankBands(sampleHeap()), ['A', 'B', 'C']);
  });
});

describe('topBands', () => {
  it('keeps the top N by integrated size and sums the rest into `other`', () => {
    const top = topBands(sampleHeap(), 1);
    assert.deepEqual(top.bands, ['A', 'other']);
    assert.deepEqual(
      top.samples.map((s) => s.values),
      [
        { A: 0, other: 0 },
        { A: 100, other: 10 },
        { A: 200, other: 15 },
        { A: 300, other: 10 },
        { A: 0, other: 0 },
      ]
    );
  });

  it('sums a real band named `other` into the `other` band', () => {
    const heap = sampleHeap({
      bands: ['other', 'A', 'B'],
      samples: [
        { time: 1, values: { other: 1000, A: 5, B: 1 } },
        { time: 2, values: { other: 1000, A: 5, B: 1 } },
      ],
    });
    const top = topBands(heap, 1);
    assert.deepEqual(top.bands, ['A', 'other']);
    assert.deepEqual(top.samples[0].values, { A: 5, other: 1001 });
  });

  it('without N fills every band in every sample, in first-appearance order, and adds no `other`', () => {
    const all = topBands(sampleHeap());
    assert.deepEqual(all.bands, ['B', 'A', 'C']);
    assert.deepEqual(all.samples[3].values, { B: 10, A: 300, C: 0 });
    assert.deepEqual(topBands(sampleHeap(), 3).bands, ['A', 'B', 'C']);
  });
});

describe('leakTable', () => {
  it('fits a least-squares line per band over the censuses', () => {
    const rows = leakTable(sampleHeap());
    assert.deepEqual(
      rows.map((r) => [r.band, r.slope, r.intercept, r.integrated, r.max, r.last]),
      [
        ['A', 100, 0, 400, 300, 300],
        ['B', 0, 10, 20, 10, 10],
        ['C', 0, 5 / 3, 5, 5, 0],
      ]
    );
    assert.deepEqual(rows[0].values, [100, 200, 300]);
  });

  it('can limit to the top N plus `other`', () => {
    const rows = leakTable(sampleHeap(), 1);
    assert.deepEqual(
      rows.map((r) => r.band),
      ['A', 'other']
    );
    assert.deepEqual(rows[1].values, [10, 15, 10]);
  });

  it('fitLine is flat through the mean when time does not vary', () => {
    assert.deepEqual(fitLine([2, 2], [1, 3]), { slope: 0, intercept: 2, r2: 0 });
    assert.deepEqual(fitLine([], []), { slope: 0, intercept: 0, r2: 0 });
    const { slope, intercept, r2 } = fitLine([0, 1, 2, 3], [1, 3, 5, 7]);
    assert.equal(slope, 2);
    assert.equal(intercept, 1);
    assert.equal(r2, 1);
  });

  it('R² is 1 - SS_res/SS_tot of the fitted line', () => {
    const times = [0, 1, 2, 3, 4];
    const values = [1, 4, 2, 8, 9];
    const { slope, intercept, r2 } = fitLine(times, values);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const ssRes = values.reduce((sum, v, i) => sum + (v - (intercept + slope * times[i])) ** 2, 0);
    const ssTot = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
    assert.ok(Math.abs(r2 - (1 - ssRes / ssTot)) < 1e-12, `${r2} vs ${1 - ssRes / ssTot}`);
    assert.ok(r2 > 0.5 && r2 < 1);
    assert.equal(fitLine([0, 1, 2], [5, 5, 5]).r2, 0, 'a flat band explains nothing');
  });

  it('reports R² and the standard deviation per band; only rising bands with R² >= the threshold grow steadily', () => {
    const rows = leakTable(sampleHeap());
    assert.deepEqual(
      rows.map((r) => [r.band, r.r2, r.stddev]),
      [
        ['A', 1, standardDeviation([100, 200, 300])],
        ['B', 0, 0],
        ['C', 0, standardDeviation([0, 5, 0])],
      ]
    );
    assert.equal(standardDeviation([100, 200, 300]), Math.sqrt(20000 / 3));
    assert.deepEqual(
      rows.map((r) => growsSteadily(r, 0.8)),
      [true, false, false]
    );
    assert.equal(growsSteadily({ slope: 5, r2: 0.79 }, 0.8), false);
    assert.equal(growsSteadily({ slope: -5, r2: 0.99 }, 0.8), false);
  });
});

describe('combineHeapProfiles', () => {
  it('places runs on one axis from the earliest start and adds samples at the same instant', () => {
    const combined = combineHeapProfiles([
      { heap: sampleHeap(), startTimeMs: 1_000 },
      {
        heap: sampleHeap({
          bands: ['D'],
          samples: [
            { time: 0, values: { D: 7 } },
            { time: 1, values: { D: 9 } },
          ],
        }),
        startTimeMs: 3_000,
      },
    ]);
    assert.equal(combined.originMs, 1_000);
    assert.deepEqual(combined.heap.bands, ['B', 'A', 'C', 'D']);
    assert.deepEqual(
      combined.heap.samples.map((s) => [s.time, s.values]),
      [
        [0, {}],
        [1, { A: 100, B: 10 }],
        [2, { A: 200, B: 10, C: 5, D: 7 }],
        [3, { A: 300, B: 10, D: 9 }],
        [4, {}],
      ]
    );
    assert.equal(combined.heap.timeBase, 'mutator-cpu');
    assert.match(combined.notices[0], /2 of 2 heap profile\(s\).*mutator CPU seconds/);
  });

  it('says nothing about time for wall-clock (eventlog) runs', () => {
    const combined = combineHeapProfiles([{ heap: sampleHeap({ timeBase: 'wall-clock' }), startTimeMs: 5 }]);
    assert.deepEqual(combined.notices, []);
    assert.equal(combined.heap.timeBase, 'wall-clock');
    assert.equal(combined.heap.mode, 'hc');
  });

  it('reports mode unknown when runs differ', () => {
    const combined = combineHeapProfiles([
      { heap: sampleHeap(), startTimeMs: 0 },
      { heap: sampleHeap({ mode: 'hT' }), startTimeMs: 0 },
    ]);
    assert.equal(combined.heap.mode, 'unknown');
  });
});
