/**
 * Our flame-graph frames read by Grafana's own code: `dataFrameFromJSON` (@grafana/data) and the flame graph's
 * `checkFields` and `FlameGraphDataContainer` (@grafana/flamegraph), the exact path the panel and the app's
 * FlameGraph component take. Both packages expect a browser, so a jsdom window stands in (jsdom comes with the
 * plugin's jest environment). The container module is loaded by file path: the package does not export it.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sampleTree } from '../model/__tests__/fixtures';
import { diffTrees, pruneTree } from '../model/tree';
import type { DataFrameJSON } from '../api/dataframe';
import { diffFlamegraphFrame, emptyFlamegraphFrame, flamegraphFrame } from './flamegraph';

interface LevelItem {
  start: number;
  value: number;
  valueRight?: number;
  itemIndexes: number[];
}
interface Container {
  isDiffFlamegraph(): boolean;
  getLevels(): LevelItem[][];
  getLabel(index: number): string;
  valueDisplayProcessor(value: number): { text: string; suffix?: string };
}
interface Grafana {
  dataFrameFromJSON(json: DataFrameJSON): unknown;
  createTheme(): unknown;
  checkFields(frame: unknown): unknown;
  FlameGraphDataContainer: new (frame: unknown, options: { collapsing: boolean }, theme: unknown) => Container;
}

/** Installs a jsdom window as the global browser environment, then loads Grafana's modules. */
function loadGrafana(): Grafana {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JSDOM } = require('jsdom');
  const dom = new JSDOM('<!doctype html><html><body></body></html>', {
    url: 'http://localhost/',
    pretendToBeVisual: true,
  });
  const g = globalThis as Record<string, unknown>;
  g.window = dom.window;
  for (const key of Object.getOwnPropertyNames(dom.window)) {
    if (!(key in g)) {
      g[key] = dom.window[key];
    }
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const data = require('@grafana/data');
  const transform = require(
    join(require.resolve('@grafana/flamegraph').split('/dist/')[0], 'dist/cjs/FlameGraph/dataTransform.cjs')
  );
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    dataFrameFromJSON: data.dataFrameFromJSON,
    createTheme: data.createTheme,
    checkFields: transform.checkFields,
    FlameGraphDataContainer: transform.FlameGraphDataContainer,
  };
}

describe('flame-graph frames in Grafana’s own flame-graph code', () => {
  let grafana: Grafana;
  before(() => {
    grafana = loadGrafana();
  });

  function container(json: DataFrameJSON): Container {
    const frame = grafana.dataFrameFromJSON(json);
    assert.equal(grafana.checkFields(frame), undefined, 'checkFields reports no missing or mistyped field');
    return new grafana.FlameGraphDataContainer(frame, { collapsing: false }, grafana.createTheme());
  }

  function levels(c: Container): Array<Array<[string, number, number]>> {
    return c.getLevels().map((level) => level.map((item) => [c.getLabel(item.itemIndexes[0]), item.value, item.start]));
  }

  it('reads the nested set into levels with enum labels, `other` included, and shows ns as time', () => {
    const c = container(flamegraphFrame(pruneTree(sampleTree(), 'time', 4), 'time'));
    assert.equal(c.isDiffFlamegraph(), false);
    assert.deepEqual(levels(c), [
      [['MAIN.MAIN', 22e6, 0]],
      [
        ['Main.main', 15e6, 0],
        ['GC.GC', 7e6, 15e6],
      ],
      [['other', 13e6, 0]],
    ]);
    const shown = c.valueDisplayProcessor(22e6);
    assert.equal(`${shown.text}${shown.suffix}`, '22 ms');
  });

  it('recognises the diff frame and sizes bars as left + right', () => {
    const c = container(diffFlamegraphFrame(diffTrees(sampleTree(), sampleTree(500)), 'time'));
    assert.equal(c.isDiffFlamegraph(), true);
    const main = c.getLevels()[1][0];
    assert.equal(c.getLabel(main.itemIndexes[0]), 'Main.main');
    assert.deepEqual([main.value, main.valueRight], [15e6 + 7.5e6, 7.5e6]);
  });

  it('accepts the empty frame', () => {
    const c = container(emptyFlamegraphFrame('alloc'));
    assert.deepEqual(c.getLevels(), []);
  });
});
