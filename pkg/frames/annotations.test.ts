import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProfileMeta } from '../api/query';
import { annotationsFrame, exemplarFrame, markerAnnotation, profileAnnotation } from './annotations';
import { profilesTableFrame } from './profiles';

const META: ProfileMeta = {
  id: 'p1',
  kind: 'prof-json',
  labels: { service: 'search', pod: 'search-0' },
  startTime: 1_000_000,
  endTime: 1_000_570,
  timeSource: 'artefact',
  program: 'search',
  rtsArguments: ['-A4m', '-pj'],
  size: 27832,
  sha256: 'ab'.repeat(32),
  uploader: null,
  createdAt: 2_000_000,
  warnings: [],
  has: { tree: true, heap: false, rts: false },
  heapMode: null,
};

describe('annotationsFrame', () => {
  it('emits time, timeEnd, text, isRegion and color, sorted by time', () => {
    const frame = annotationsFrame(
      [profileAnnotation(META), markerAnnotation(999_000, { timeNs: 2_500_000, text: 'phase 2', kind: 'marker' })],
      { refId: 'N' }
    );
    assert.deepEqual(frame, {
      schema: {
        name: 'annotations',
        refId: 'N',
        meta: { dataTopic: 'annotations' },
        fields: [
          { name: 'time', type: 'time', config: {} },
          { name: 'timeEnd', type: 'time', config: {} },
          { name: 'text', type: 'string', config: {} },
          { name: 'isRegion', type: 'boolean', config: {} },
          { name: 'color', type: 'string', config: {} },
        ],
      },
      data: {
        values: [
          [999_002.5, 1_000_000],
          [999_002.5, 1_000_570],
          ['marker: phase 2', 'search profile (prof-json) {pod="search-0", service="search"}'],
          [false, true],
          ['#FF9830', '#8F3BB8'],
        ],
      },
    });
  });
});

describe('exemplarFrame', () => {
  it("gives '' for a label another exemplar has, even one named like Object.prototype's properties", () => {
    const frame = exemplarFrame([
      { timeMs: 1, value: 1, id: 'a', labels: { constructor: 'c', toString: 't' } },
      { timeMs: 2, value: 2, id: 'b', labels: {} },
    ]);
    const col = (name: string) => frame.data.values[frame.schema.fields.findIndex((f) => f.name === name)];
    assert.deepEqual(col('constructor'), ['c', '']);
    assert.deepEqual(col('toString'), ['t', '']);
  });

  it('emits Time, Value, Id and one field per label, with a link to the flame graph', () => {
    const frame = exemplarFrame(
      [
        { timeMs: 20, value: 5e8, id: 'p2', labels: { service: 'api' } },
        { timeMs: 10, value: 7e8, id: 'p1', labels: { service: 'search', pod: 'search-0' } },
      ],
      { datasource: { datasourceUid: 'ghcprof-ds', datasourceName: 'ghcprof' }, unit: 'ns' }
    );
    assert.deepEqual(frame, {
      schema: {
        name: 'exemplar',
        meta: { dataTopic: 'annotations' },
        fields: [
          { name: 'Time', type: 'time', config: {} },
          { name: 'Value', type: 'number', config: { unit: 'ns' } },
          {
            name: 'Id',
            type: 'string',
            config: {
              links: [
                {
                  title: 'View profile',
                  url: '',
                  internal: {
                    datasourceUid: 'ghcprof-ds',
                    datasourceName: 'ghcprof',
                    query: { queryType: 'flamegraph', profileIds: ['${__value.raw}'] },
                  },
                },
              ],
            },
          },
          { name: 'pod', type: 'string', config: {} },
          { name: 'service', type: 'string', config: {} },
        ],
      },
      data: {
        values: [
          [10, 20],
          [7e8, 5e8],
          ['p1', 'p2'],
          ['search-0', ''],
          ['search', 'api'],
        ],
      },
    });
  });
});

describe('profilesTableFrame', () => {
  it('lists stored profiles newest first', () => {
    const older = {
      ...META,
      id: 'p0',
      startTime: 5,
      endTime: null,
      kind: 'hp' as const,
      heapMode: 'hc' as const,
      has: { tree: false, heap: true, rts: false },
      warnings: ['w'],
      uploader: 'alice',
    };
    const frame = profilesTableFrame([older, META]);
    assert.deepEqual(
      frame.schema.fields.map((f) => [f.name, f.type]),
      [
        ['time', 'time'],
        ['end', 'time'],
        ['id', 'string'],
        ['kind', 'string'],
        ['program', 'string'],
        ['labels', 'string'],
        ['rtsArguments', 'string'],
        ['contents', 'string'],
        ['heapMode', 'string'],
        ['size', 'number'],
        ['warnings', 'number'],
        ['uploader', 'string'],
        ['sha256', 'string'],
      ]
    );
    assert.deepEqual(frame.data.values.slice(0, 12), [
      [1_000_000, 5],
      [1_000_570, null],
      ['p1', 'p0'],
      ['prof-json', 'hp'],
      ['search', 'search'],
      ['{pod="search-0", service="search"}', '{pod="search-0", service="search"}'],
      ['-A4m -pj', '-A4m -pj'],
      ['tree', 'heap'],
      ['', 'hc'],
      [27832, 27832],
      [0, 1],
      ['', 'alice'],
    ]);
    assert.equal(frame.schema.meta!.preferredVisualisationType, 'table');
    assert.equal(frame.schema.fields[9].config.unit, 'bytes');
  });
});
