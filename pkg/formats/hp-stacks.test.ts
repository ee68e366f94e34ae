import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { attachBandStacks } from './hp-stacks';
import { readHp } from './hp';
import { readProf } from './prof-text';
import { fixtureText, GHC, WORKLOADS } from './__tests__/helpers';

describe('attachBandStacks: a -hc .hp joined with the .prof of the same run', () => {
  for (const name of WORKLOADS) {
    it(`${name}.eventlog-run: every cost-centre band gets its full stack`, () => {
      const heap = readHp(fixtureText(join(GHC, `${name}.eventlog-run.hp`)))!.heap!;
      const tree = readProf(fixtureText(join(GHC, `${name}.eventlog-run.prof`)))!.tree!;
      const joined = attachBandStacks(heap, tree);
      // MAIN has no id, and the RTS's own stacks (PINNED, ...) are not in the report's tree
      const expected = heap.bands.filter((b) => b !== 'MAIN' && !/^\(\d+\)(PINNED|SYSTEM|IDLE|DONT_CARE)$/.test(b));
      assert.equal(joined, expected.length);
      assert.deepEqual(Object.keys(heap.bandStacks!).sort(), [...expected].sort());
    });
  }

  it('leaky: the cut label (306)applyLazy/simulateLaz... resolves to its whole stack', () => {
    const heap = readHp(fixtureText(join(GHC, 'leaky.eventlog-run.hp')))!.heap!;
    attachBandStacks(heap, readProf(fixtureText(join(GHC, 'leaky.eventlog-run.prof')))!.tree!);
    const band = heap.bands.find((b) => b.includes('applyLazy/simulateLaz...'))!;
    assert.deepEqual(heap.bandStacks![band].slice(0, 2), ['Main.applyLazy', 'Main.simulateLazy']);
  });

  it('a report from another run does not join bands whose printed path disagrees', () => {
    const heap = readHp(fixtureText(join(GHC, 'leaky.eventlog-run.hp')))!.heap!;
    const otherRun = readProf(fixtureText(join(GHC, 'search.prof')))!.tree!;
    assert.equal(attachBandStacks(heap, otherRun), 0);
    assert.equal(heap.bandStacks, undefined);
  });

  it('only -hc profiles are joined', () => {
    const heap = readHp(fixtureText(join(GHC, 'leaky.hy.hp')))!.heap!;
    assert.equal(attachBandStacks(heap, readProf(fixtureText(join(GHC, 'leaky.prof')))!.tree!), 0);
  });
});
