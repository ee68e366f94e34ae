import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sampleHeap } from '../model/__tests__/fixtures';
import { combineHeapProfiles, standardDeviation } from '../model/heap';
import { heapTimelineFrames, leakTableFrame } from './heap';

const START = Date.UTC(2026, 10, 27, 13, 48);

describe('heapTimelineFrames', () => {
  it('gives one frame per series: time in ms, one bytes field per band with the series labels', () => {
    const combined = combineHeapProfiles([{ heap: sampleHeap(), startTimeMs: START }]);
    const frames = heapTimelineFrames([{ labels: { pod: 'api-1' }, combined }], { refId: 'H', topN: 1 });
    const notice =
      '1 of 1 heap profile(s) time their samples in mutator CPU seconds (.hp), not wall-clock: each is placed at its start time plus that CPU time, so it looks shorter than it ran';
    assert.deepEqual(frames, [
      {
        schema: {
          name: 'heap {pod="api-1"}',
          refId: 'H',
          meta: {
            preferredVisualisationType: 'graph',
            custom: { ghcprof: { mode: 'hc', timeBase: 'mutator-cpu', job: 'leaky 400000', marksMs: [] } },
            notices: [{ severity: 'info', text: notice }],
          },
          fields: [
            { name: 'time', type: 'time', config: {} },
            { name: 'A', type: 'number', config: { unit: 'bytes' }, labels: { pod: 'api-1' } },
            { name: 'other', type: 'number', config: { unit: 'bytes' }, labels: { pod: 'api-1' } },
          ],
        },
        data: {
          values: [
            [START, START + 1000, START + 2000, START + 3000, START + 4000],
            [0, 100, 200, 300, 0],
            [0, 10, 15, 10, 0],
          ],
        },
      },
    ]);
  });

  it('returns a frame with only a time field when there is no series', () => {
    const [frame] = heapTimelineFrames([]);
    assert.deepEqual(frame.schema.fields, [{ name: 'time', type: 'time', config: {} }]);
    assert.deepEqual(frame.data.values, [[]]);
  });
});

describe('leakTableFrame', () => {
  it('lists bands of every series, steepest growth first, with census values for sparklines', () => {
    const combined = combineHeapProfiles([{ heap: sampleHeap({ timeBase: 'wall-clock' }), startTimeMs: START }]);
    const frame = leakTableFrame([{ labels: {}, combined }], { minR2: 0.8 });
    assert.deepEqual(frame, {
      schema: {
        name: 'leaks',
        meta: {
          preferredVisualisationType: 'table',
          custom: {
            ghcprof: {
              censusTimesMs: { '{}': [START + 1000, START + 2000, START + 3000] },
              timeBases: ['wall-clock'],
              minR2: 0.8,
            },
          },
        },
        fields: [
          { name: 'series', type: 'string', config: {} },
          { name: 'band', type: 'string', config: {} },
          { name: 'slope', type: 'number', config: { unit: 'Bps' } },
          { name: 'intercept', type: 'number', config: { unit: 'bytes' } },
          { name: 'r2', type: 'number', config: { displayName: 'R²', decimals: 3, min: 0, max: 1 } },
          { name: 'integrated', type: 'number', config: { unit: 'suffix: B·s' } },
          { name: 'stddev', type: 'number', config: { unit: 'bytes' } },
          { name: 'max', type: 'number', config: { unit: 'bytes' } },
          { name: 'last', type: 'number', config: { unit: 'bytes' } },
          { name: 'steady', type: 'boolean', config: { displayName: 'growing steadily (R² ≥ 0.8)' } },
          { name: 'trend', type: 'other', config: { unit: 'bytes' } },
        ],
      },
      data: {
        values: [
          ['{}', '{}', '{}'],
          ['A', 'B', 'C'],
          [100, 0, 0],
          [0, 10, 5 / 3],
          [1, 0, 0],
          [400, 20, 5],
          [standardDeviation([100, 200, 300]), 0, standardDeviation([0, 5, 0])],
          [300, 10, 5],
          [300, 10, 0],
          [true, false, false],
          [
            [100, 200, 300],
            [10, 10, 10],
            [0, 5, 0],
          ],
        ],
      },
    });
  });
});
