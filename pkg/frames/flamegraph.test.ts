import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sampleTree } from '../model/__tests__/fixtures';
import { diffTrees, functionTable, pruneTree } from '../model/tree';
import { TreeBuilder } from '../model/builder';
import { diffFlamegraphFrame, emptyFlamegraphFrame, flamegraphFrame } from './flamegraph';

const LABELS = ['MAIN.MAIN', 'Main.main', 'Main.go', 'Main.leaf', 'Data.Map.insert', 'GC.GC'];

describe('flamegraphFrame', () => {
  it('emits the nested-set frame Grafana reads, time in ns', () => {
    const tree = sampleTree();
    const frame = flamegraphFrame(tree, 'time', { refId: 'A', functionTable: functionTable(tree, 'time').slice(0, 2) });
    assert.deepEqual(frame, {
      schema: {
        name: 'flamegraph',
        refId: 'A',
        meta: {
          preferredVisualisationType: 'flamegraph',
          custom: {
            ghcprof: { metric: 'time', tickIntervalUs: 1000, approximate: false },
            functionTable: {
              rows: [
                { name: 'Main.go', self: 8e6, total: 9e6 },
                { name: 'GC.GC', self: 7e6, total: 7e6 },
              ],
              total: 22e6,
            },
          },
        },
        fields: [
          { name: 'level', type: 'number', config: {} },
          { name: 'value', type: 'number', config: { unit: 'ns' } },
          { name: 'self', type: 'number', config: { unit: 'ns' } },
          { name: 'label', type: 'enum', config: { type: { enum: { text: LABELS } } } },
          { name: 'truncated', type: 'boolean', config: {} },
        ],
      },
      data: {
        values: [
          [0, 1, 2, 3, 4, 2, 1],
          [22e6, 15e6, 9e6, 4e6, 1e6, 4e6, 7e6],
          [0, 2e6, 5e6, 3e6, 1e6, 4e6, 7e6],
          [0, 1, 2, 2, 3, 4, 5],
          [false, false, false, false, false, false, false],
        ],
      },
    });
  });

  it('marks `other` rows truncated, uses bytes for alloc and short for entries, and warns when approximate', () => {
    const tree = { ...sampleTree(), approximate: true };
    const frame = flamegraphFrame(pruneTree(tree, 'time', 4), 'time');
    const labelTexts = frame.schema.fields[3].config.type!.enum!.text as string[];
    const labels = (frame.data.values[3] as number[]).map((i) => labelTexts[i]);
    assert.deepEqual(labels, ['MAIN.MAIN', 'Main.main', 'other', 'GC.GC']);
    assert.deepEqual(frame.data.values[4], [false, false, true, false]);
    assert.deepEqual(frame.data.values[1], [22e6, 15e6, 13e6, 7e6]);
    assert.deepEqual(frame.schema.meta!.notices, [
      {
        severity: 'warning',
        text: 'Some values were derived from the rounded percentages of a .prof report (no -P): approximate',
      },
    ]);
    // When the readers' warnings that come with the frame already explain it, the approximation is said once.
    const readerWarning = { severity: 'warning' as const, text: 'profile p (search): derived from rounded %time' };
    const explained = flamegraphFrame(tree, 'time', { notices: [readerWarning], approximationExplained: true });
    assert.deepEqual(explained.schema.meta!.notices, [readerWarning]);
    assert.equal((explained.schema.meta!.custom!.ghcprof as { approximate: boolean }).approximate, true);
    assert.equal(flamegraphFrame(sampleTree(), 'alloc').schema.fields[1].config.unit, 'bytes');
    assert.equal(flamegraphFrame(sampleTree(), 'entries').schema.fields[2].config.unit, 'short');
  });

  it('keeps every field in an empty frame', () => {
    const frame = emptyFlamegraphFrame('alloc', { refId: 'B' });
    assert.deepEqual(
      frame.schema.fields.map((f) => [f.name, f.type, f.config.unit]),
      [
        ['level', 'number', undefined],
        ['value', 'number', 'bytes'],
        ['self', 'number', 'bytes'],
        ['label', 'enum', undefined],
        ['truncated', 'boolean', undefined],
      ]
    );
    assert.deepEqual(frame.data.values, [[], [], [], [], []]);
    assert.equal(frame.schema.meta!.preferredVisualisationType, 'flamegraph');
    assert.deepEqual(
      emptyFlamegraphFrame('time', { diff: true }).schema.fields.map((f) => f.name),
      ['level', 'value', 'self', 'valueRight', 'selfRight', 'label', 'truncated']
    );
  });
});

describe('diffFlamegraphFrame', () => {
  it('adds valueRight and selfRight; value/self stay the left side', () => {
    const right = new TreeBuilder();
    right.enter({ module: 'Main', label: 'main' }, { ticks: 10 });
    right.leave();
    const frame = diffFlamegraphFrame(diffTrees(sampleTree(), right.build()), 'time');
    assert.deepEqual(
      frame.schema.fields.map((f) => [f.name, f.type, f.config.unit]),
      [
        ['level', 'number', undefined],
        ['value', 'number', 'ns'],
        ['self', 'number', 'ns'],
        ['valueRight', 'number', 'ns'],
        ['selfRight', 'number', 'ns'],
        ['label', 'enum', undefined],
        ['truncated', 'boolean', undefined],
      ]
    );
    assert.deepEqual(frame.data.values.slice(0, 5), [
      [0, 1, 2, 3, 4, 2, 1],
      [22e6, 15e6, 9e6, 4e6, 1e6, 4e6, 7e6],
      [0, 2e6, 5e6, 3e6, 1e6, 4e6, 7e6],
      [10e6, 10e6, 0, 0, 0, 0, 0],
      [0, 10e6, 0, 0, 0, 0, 0],
    ]);
  });
});
