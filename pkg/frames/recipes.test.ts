import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sampleHeap, sampleTree } from '../model/__tests__/fixtures';
import { diffFromTrees, flamegraphFromTrees, groupHeapSeries, topTableFromTrees } from './recipes';

function labelsOf(frame: ReturnType<typeof flamegraphFromTrees>): string[] {
  const texts = frame.schema.fields.find((f) => f.name === 'label')!.config.type!.enum!.text;
  return (frame.data.values[frame.schema.fields.findIndex((f) => f.name === 'label')] as number[]).map((i) => texts[i]);
}

describe('flamegraphFromTrees', () => {
  it('merges, leaves out system nodes, prunes, and keeps the exact function table', () => {
    const frame = flamegraphFromTrees([sampleTree(), sampleTree()], {
      metric: 'time',
      maxNodes: 3,
      excludeSystem: true,
    });
    assert.deepEqual(labelsOf(frame), ['MAIN.MAIN', 'Main.main', 'other']);
    assert.deepEqual(frame.data.values[1], [30e6, 30e6, 26e6]);
    const table = frame.schema.meta!.custom!.functionTable as {
      rows: Array<{ name: string; self: number }>;
      total: number;
    };
    assert.equal(table.total, 30e6);
    assert.deepEqual(
      table.rows.map((r) => r.name),
      ['Main.go', 'Data.Map.insert', 'Main.main', 'Main.leaf', 'MAIN.MAIN']
    );
  });

  it('gives the empty frame when there is no profile', () => {
    const frame = flamegraphFromTrees([], { metric: 'alloc', maxNodes: 10, excludeSystem: false }, { refId: 'A' });
    assert.deepEqual(frame.data.values, [[], [], [], [], []]);
    assert.equal(frame.schema.refId, 'A');
  });
});

describe('diffFromTrees', () => {
  it('aligns merged sides; a missing side is all zeros', () => {
    const frame = diffFromTrees([sampleTree()], [], { metric: 'time', maxNodes: 100, excludeSystem: false });
    assert.deepEqual(
      frame.schema.fields.map((f) => f.name),
      ['level', 'value', 'self', 'valueRight', 'selfRight', 'label', 'truncated']
    );
    assert.deepEqual(frame.data.values[1], [22e6, 15e6, 9e6, 4e6, 1e6, 4e6, 7e6]);
    assert.deepEqual(frame.data.values[3], [0, 0, 0, 0, 0, 0, 0]);
    assert.equal(diffFromTrees([], [], { metric: 'time', maxNodes: 1, excludeSystem: false }).data.values[0].length, 0);
  });
});

describe('topTableFromTrees', () => {
  it('lists functions of the merged trees with their total', () => {
    const frame = topTableFromTrees([sampleTree(), sampleTree(500)], {
      metric: 'time',
      limit: 2,
      excludeSystem: false,
    });
    assert.deepEqual(frame.data.values.slice(0, 4), [
      ['go', 'GC'],
      ['Main', 'GC'],
      [12e6, 10.5e6],
      [13.5e6, 10.5e6],
    ]);
    assert.equal((frame.schema.meta!.custom!.functionTable as { total: number }).total, 33e6);
  });
});

describe('groupHeapSeries', () => {
  it('splits by the label, puts profiles without it together, and filters by mode', () => {
    const inputs = [
      { heap: sampleHeap(), startTimeMs: 0, labels: { pod: 'b' } },
      { heap: sampleHeap(), startTimeMs: 10_000, labels: { pod: 'a' } },
      { heap: sampleHeap(), startTimeMs: 20_000, labels: { pod: 'a' } },
      { heap: sampleHeap(), startTimeMs: 0, labels: {} },
      { heap: sampleHeap({ mode: 'hT' }), startTimeMs: 0, labels: { pod: 'a' } },
    ];
    const series = groupHeapSeries(inputs, 'pod', 'hc');
    assert.deepEqual(
      series.map((s) => s.labels),
      [{}, { pod: 'a' }, { pod: 'b' }]
    );
    assert.equal(series[1].combined.originMs, 10_000);
    assert.equal(series[1].combined.heap.samples.length, 10);
  });

  it('splits mixed modes into separate series labelled by mode', () => {
    const series = groupHeapSeries(
      [
        { heap: sampleHeap(), startTimeMs: 0, labels: { pod: 'a' } },
        { heap: sampleHeap({ mode: 'hT' }), startTimeMs: 0, labels: { pod: 'a' } },
      ],
      'pod'
    );
    assert.deepEqual(
      series.map((s) => s.labels),
      [
        { pod: 'a', mode: 'hT' },
        { pod: 'a', mode: 'hc' },
      ]
    );
  });
});
