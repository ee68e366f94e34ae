import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { CallTree } from '../../model/types';
import { attachBandStacks } from '../hp-stacks';
import { readHp } from '../hp';
import { readProf } from '../prof-text';
import { EXTRA, GHC, WORKLOADS, fixtureText } from '../__tests__/helpers';
import { BandLabeller } from './band-labels';
import { readEventlog } from './index';
import { readHpCensuses } from './__tests__/hp-censuses';

describe('eventlog fidelity: damaged timestamps', () => {
  it('events outside any block after damage do not stretch the span to years (real 9.0.2 non-threaded log)', async () => {
    const data = await readEventlog(gunzipSync(readFileSync(join(EXTRA, 'blockless-damage.eventlog.gz'))));
    // The excerpt starts with a block stamped 12.9 s into the run; its last events are stamped about 15.4 s (read
    // before the fix: 47,006,321 s, from misframed bytes after a block whose size the RTS's timer race cut short).
    const span = data.totals.timeSeconds;
    assert.ok(span > 12.9 && span < 16, `span ${span} s`);
    // What follows the cut-short block up to the excerpt's end is stale buffer bytes: skipped, not read as events.
    assert.ok(data.warnings.some((w) => w.includes('no valid events follow; skipped the remaining 172280 bytes')));
    for (const sample of data.heap?.samples ?? []) {
      assert.ok(sample.time <= span, `census at ${sample.time} s`);
    }
    for (const series of data.rts?.series ?? []) {
      for (const [t] of series.points) {
        assert.ok(t <= span * 1e9, `${series.name} point at ${t} ns`);
      }
    }
    for (const marker of data.rts?.markers ?? []) {
      assert.ok(marker.timeNs <= span * 1e9);
    }
  });

  for (const name of WORKLOADS) {
    it(`${name}: ticks × tick interval agree with the span within 4 % (undamaged -threaded run)`, async () => {
      const { totals } = await readEventlog(readFileSync(join(GHC, `${name}.eventlog`)));
      assert.ok(totals.ticks !== undefined && totals.tickIntervalUs !== undefined);
      const ticked = (totals.ticks * totals.tickIntervalUs) / 1e6;
      assert.ok(
        Math.abs(ticked - totals.timeSeconds) / totals.timeSeconds <= 0.04,
        `${ticked} s vs ${totals.timeSeconds} s`
      );
    });
  }
});

describe('eventlog fidelity: -hc bands are distinct stacks', () => {
  const logFile = join(EXTRA, 'alike.eventlog');
  const hpFile = join(EXTRA, 'alike.eventlog-run.hp');

  it('every census has as many bands as the .hp of the same run, with the same bytes', async () => {
    const heap = (await readEventlog(readFileSync(logFile))).heap;
    assert.ok(heap);
    const censuses = readHpCensuses(hpFile).slice(1, -1);
    assert.equal(heap.samples.length, censuses.length);
    heap.samples.forEach((sample, i) => {
      const ours = Object.values(sample.values).sort((a, b) => a - b);
      assert.deepEqual(
        ours,
        [...censuses[i].bands.values()].sort((a, b) => a - b),
        `census ${i}`
      );
    });
  });

  it('each band is the stack the .hp names by id (joined through the .prof)', async () => {
    const heap = (await readEventlog(readFileSync(logFile))).heap;
    assert.ok(heap?.bandStacks);
    const hp = readHp(fixtureText(hpFile))?.heap;
    assert.ok(hp);
    attachBandStacks(hp, readProf(fixtureText(join(EXTRA, 'alike.eventlog-run.prof')))?.tree as CallTree);
    const hpStacks = hp.bandStacks ?? {};
    // Per census: the (stack, bytes) pairs of the stacks the .prof names (not MAIN nor the RTS's own, e.g. PINNED).
    const named = new Set(Object.values(hpStacks).map((names) => names.join(' <- ')));
    const pairs = (values: Record<string, number>, stacks: Record<string, string[]>): string[] =>
      Object.entries(values)
        .map(([label, bytes]) => [(stacks[label] ?? []).join(' <- '), bytes] as const)
        .filter(([stack]) => named.has(stack))
        .map(([stack, bytes]) => `${stack} = ${bytes}`)
        .sort();
    const hpSamples = hp.samples.filter((s) => Object.keys(s.values).length > 0);
    assert.equal(heap.samples.length, hpSamples.length);
    heap.samples.forEach((sample, i) => {
      assert.deepEqual(
        pairs(sample.values, heap.bandStacks ?? {}),
        pairs(hpSamples[i].values, hpStacks),
        `census ${i}`
      );
    });
  });

  it('labels are the .hp ones, with detail only where a stack prints like an earlier one', async () => {
    const heap = (await readEventlog(readFileSync(logFile))).heap;
    assert.ok(heap?.bandStacks);
    const stacks = heap.bandStacks;
    // The first of two alike stacks keeps the plain label; the later one is qualified until it differs.
    const builds = heap.bands.filter((b) => b.endsWith('build/main.lists/main'));
    assert.equal(builds.length, 2);
    assert.equal(builds[0], 'build/main.lists/main');
    const firstModule = stacks[builds[0]][0].replace(/\.build$/, '');
    const otherModule = firstModule === 'AlikeA' ? 'AlikeB' : 'AlikeA';
    assert.equal(builds[1], `${otherModule}.build/main.lists/main`);
    assert.deepEqual(stacks[builds[1]], [`${otherModule}.build`, 'Main.main.lists', 'Main.main']);
    // The two weight methods share module and label: only the source location tells them apart.
    const weights = heap.bands.filter((b) => b.includes('weight'));
    assert.equal(weights.length, 2);
    assert.equal(weights[0], 'weight/main.weights/main');
    assert.match(weights[1], /^AlikeA\.weight \(src\/AlikeA\.hs:(18:3-43|22:3-28)\)\/main\.weights\/main$/);
    for (const band of weights) {
      assert.deepEqual(stacks[band], ['AlikeA.weight', 'Main.main.weights', 'Main.main']);
    }
    // Stacks that print uniquely keep the .hp's label (without the id).
    const hpLabels = new Set(
      readHpCensuses(hpFile).flatMap((c) => [...c.bands.keys()].map((l) => l.replace(/^\(\d+\)/, '')))
    );
    for (const band of heap.bands.filter((b) => !builds.includes(b) && !weights.includes(b))) {
      assert.ok(hpLabels.has(band), band);
    }
  });

  it('a stack that differs from an earlier alike one in nothing shown is numbered', () => {
    const frame = (plain: string, qualified: string, src: string) => ({ plain, qualified, src });
    const labeller = new BandLabeller();
    const mGo = [frame('go', 'M.go', 'M.hs:1:1'), frame('main', 'Main.main', 'Main.hs:1:1')];
    assert.deepEqual(
      [
        labeller.label(mGo),
        labeller.label([...mGo]),
        labeller.label([frame('go', 'N.go', 'N.hs:1:1'), mGo[1]]),
        labeller.label([]),
      ],
      ['go/main', 'go/main [2]', 'N.go/main', 'MAIN']
    );
  });
});
