import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sampleTree } from '../model/__tests__/fixtures';
import { diffFunctionTable, diffTrees, functionTable } from '../model/tree';
import { topTableFrame } from './table';

describe('topTableFrame', () => {
  it('lists function, module, self and total with the FunctionTable in meta.custom', () => {
    const frame = topTableFrame(functionTable(sampleTree(), 'alloc'), 'alloc', { refId: 'T', limit: 2, total: 150 });
    assert.deepEqual(frame, {
      schema: {
        name: 'top',
        refId: 'T',
        meta: {
          preferredVisualisationType: 'table',
          custom: {
            ghcprof: { metric: 'alloc', rows: 4 },
            functionTable: {
              rows: [
                { name: 'MAIN.MAIN', self: 100, total: 150 },
                { name: 'Main.leaf', self: 40, total: 40 },
              ],
              total: 150,
            },
          },
        },
        fields: [
          { name: 'function', type: 'string', config: {} },
          { name: 'module', type: 'string', config: {} },
          { name: 'self', type: 'number', config: { unit: 'bytes' } },
          { name: 'total', type: 'number', config: { unit: 'bytes' } },
        ],
      },
      data: {
        values: [
          ['MAIN', 'leaf'],
          ['MAIN', 'Main'],
          [100, 40],
          [150, 40],
        ],
      },
    });
  });

  it('adds the right side for a diff', () => {
    const rows = diffFunctionTable(diffTrees(sampleTree(), sampleTree(500)), 'time');
    const frame = topTableFrame(rows, 'time', { limit: 1 });
    assert.deepEqual(
      frame.schema.fields.map((f) => [f.name, f.config.unit]),
      [
        ['function', undefined],
        ['module', undefined],
        ['self', 'ns'],
        ['total', 'ns'],
        ['selfRight', 'ns'],
        ['totalRight', 'ns'],
      ]
    );
    assert.deepEqual(frame.data.values, [['go'], ['Main'], [8e6], [9e6], [4e6], [4.5e6]]);
    assert.deepEqual(frame.schema.meta!.custom!.functionTable, {
      rows: [{ name: 'Main.go', self: 8e6, total: 9e6, selfRight: 4e6, totalRight: 4.5e6 }],
      total: 22e6,
      totalRight: 11e6,
    });
  });
});
