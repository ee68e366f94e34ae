import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ProfileData, TreeNode } from '../../model/types';
import { FormatError } from '../errors';
import { isEventlogHeader, readEventlog } from './index';
import { readHpCensuses, total } from './__tests__/hp-censuses';

const DIR = 'test/fixtures/ghc';
const WORKLOADS = ['jsonagg', 'leaky', 'pipeline', 'search'];

function read(path: string): Promise<ProfileData> {
  return readEventlog(readFileSync(path), { file: path });
}

/** Self ticks per `Module.label` over the whole tree. */
function selfTicks(root: TreeNode): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (n: TreeNode): void => {
    const key = `${n.module}.${n.label}`;
    out.set(key, (out.get(key) ?? 0) + n.ticks);
    n.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** The flat `%time` table at the top of a `.prof` report: `label module src %time %alloc`. */
function profPercentages(path: string): Map<string, number> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out = new Map<string, number>();
  const start = lines.findIndex((l) => l.startsWith('COST CENTRE'));
  for (const line of lines.slice(start + 2)) {
    if (line.trim() === '') {
      break;
    }
    const cols = line.trim().split(/\s+/);
    out.set(`${cols[1]}.${cols[0]}`, Number(cols[cols.length - 2]));
  }
  return out;
}

describe('eventlog reader on the GHC 9.0.2 fixtures', () => {
  it('reads every eventlog of test/fixtures/ghc without warnings', async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.eventlog'));
    assert.equal(files.length, 8);
    for (const f of files) {
      const data = await read(`${DIR}/${f}`);
      assert.equal(data.kind, 'eventlog');
      assert.deepEqual(data.warnings, [], f);
      assert.equal(data.truncated, false, f);
      assert.equal(data.rtsIdent?.startsWith('GHC-9.0.2 rts_thr'), true, f);
      assert.ok(data.heap && data.heap.samples.length > 0, f);
      assert.equal(data.heap.timeBase, 'wall-clock');
      const counts = data.eventTypeCounts ?? {};
      assert.equal(counts['162'], counts['165'], `${f}: every census begun is ended`);
      assert.equal(data.heap.samples.length, counts['162'], f);
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b, 0),
        data.eventCount
      );
    }
  });

  for (const name of WORKLOADS) {
    it(`${name}: heap censuses equal the .hp of the same run, band by band`, async () => {
      const data = await read(`${DIR}/${name}.eventlog`);
      const heap = data.heap;
      assert.ok(heap);
      assert.equal(heap.mode, 'hc');
      // The .hp adds an empty census at t=0 and one at the end.
      const hp = readHpCensuses(`${DIR}/${name}.eventlog-run.hp`);
      assert.equal(hp[0].bands.size, 0);
      assert.equal(hp[hp.length - 1].bands.size, 0);
      const censuses = hp.slice(1, -1);
      assert.equal(heap.samples.length, censuses.length);
      heap.samples.forEach((sample, i) => {
        const hpValues = [...censuses[i].bands.values()].sort((a, b) => a - b);
        const ours = Object.values(sample.values).sort((a, b) => a - b);
        assert.deepEqual(ours, hpValues, `census ${i}`);
        assert.equal(total(ours), total(hpValues));
      });
      // .hp -hc labels are `(ccsId)innermost/caller...`, cut at 25 characters; ours are the uncut stack.
      for (const [label, bytes] of censuses[censuses.length - 1].bands) {
        const stackText = label.replace(/^\(\d+\)/, '').replace(/\.\.\.$/, '');
        const last = heap.samples[heap.samples.length - 1].values;
        assert.ok(
          Object.entries(last).some(([ours, v]) => v === bytes && ours.startsWith(stackText)),
          `band ${label} = ${bytes}`
        );
      }
      assert.ok(heap.bandStacks);
      assert.deepEqual(heap.bandStacks.MAIN, ['MAIN.MAIN']);
      for (const band of heap.bands) {
        const stack = heap.bandStacks[band];
        assert.ok(stack && stack.length > 0, band);
      }
      const times = heap.samples.map((s) => s.time);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b)
      );
    });
  }

  it('leaky: band labels and stacks follow the .hp naming (CAFs as Module.CAF, innermost first)', async () => {
    const heap = (await read(`${DIR}/leaky.eventlog`)).heap;
    assert.ok(heap?.bandStacks);
    assert.ok(heap.bands.includes('GHC.Conc.Signal.CAF'));
    assert.ok(heap.bands.includes('main.steps/main'));
    assert.deepEqual(heap.bandStacks['main.steps/main'], ['Main.main.steps', 'Main.main']);
    assert.deepEqual(heap.bandStacks['applyLazy/simulateLazy/main.ledger/main'], [
      'Main.applyLazy',
      'Main.simulateLazy',
      'Main.main.ledger',
      'Main.main',
    ]);
    assert.equal(heap.job, 'leaky 400000 +RTS -A4m -l -p -hc -i0.02');
  });

  it('leaky: the heap grows to tens of MB and drops (the space leak of the workload)', async () => {
    const heap = (await read(`${DIR}/leaky.eventlog`)).heap;
    assert.ok(heap);
    const totals = heap.samples.map((s) => total(Object.values(s.values)));
    const peak = Math.max(...totals);
    assert.ok(peak > 40e6, `peak ${peak}`);
    assert.ok(totals[totals.length - 1] < peak / 10);
  });

  for (const name of WORKLOADS) {
    it(`${name}: time-profile samples give the .prof's hottest cost centres`, async () => {
      const data = await read(`${DIR}/${name}.eventlog`);
      const tree = data.tree;
      assert.ok(tree);
      assert.equal(tree.tickIntervalUs, 1000);
      assert.equal(tree.root.label, 'MAIN');
      const self = selfTicks(tree.root);
      assert.equal(total(self.values()), data.totals.ticks);
      assert.equal(data.totals.ticks, data.eventTypeCounts?.['167']);
      // .prof %time leaves out ticks sampled under GC, the profiler's overhead and the RTS's own cost centres.
      const rtsOwn = ['GC.GC', 'SYSTEM.SYSTEM', 'IDLE.IDLE', 'PROFILING.OVERHEAD_of'];
      const mutatorCcs = [...self].filter(([k]) => !rtsOwn.includes(k)).sort((a, b) => b[1] - a[1]);
      const mutator = total(mutatorCcs.map(([, v]) => v));
      const ourTop = mutatorCcs.slice(0, 6).map(([k]) => k);
      // The report's sampling differs a little from the eventlog's (the same ticks, accounted separately).
      const prof = [...profPercentages(`${DIR}/${name}.eventlog-run.prof`)].sort((a, b) => b[1] - a[1]);
      for (const [cc, pct] of prof.slice(0, 3)) {
        assert.ok(ourTop.includes(cc), `${cc} in ${ourTop.join(', ')}`);
        const ours = (100 * (self.get(cc) ?? 0)) / mutator;
        assert.ok(Math.abs(ours - pct) < 5, `${cc}: .prof ${pct}%, eventlog ${ours.toFixed(1)}%`);
      }
    });
  }

  it('search: program, arguments and RTS options come from ProgramArgs', async () => {
    const data = await read(`${DIR}/search.eventlog`);
    assert.equal(data.program, 'search');
    assert.deepEqual(data.arguments, ['10', '8']);
    assert.deepEqual(data.rtsArguments, ['-A4m', '-l', '-p', '-hc', '-i0.02']);
    // The .prof of the same run was written on 2026-11-27 (`Fri Nov 27 13:48 2026`).
    assert.ok(data.startTimeMs !== null && data.endTimeMs !== null);
    assert.equal(new Date(data.startTimeMs).toISOString().slice(0, 10), '2026-11-27');
    assert.ok(data.endTimeMs > data.startTimeMs);
    assert.equal(data.totals.processors, 1);
    assert.equal(data.rts?.capabilities, 1);
  });

  it('leaky: RTS series and GC statistics', async () => {
    const data = await read(`${DIR}/leaky.eventlog`);
    const rts = data.rts;
    assert.ok(rts);
    const series = new Map(rts.series.map((s) => [s.name, s]));
    const counts = data.eventTypeCounts ?? {};
    assert.equal(series.get('heapSize')?.points.length, counts['50']);
    assert.equal(series.get('heapLive')?.points.length, counts['51']);
    assert.equal(series.get('heapAllocated')?.points.length, counts['49']);
    assert.equal(series.get('gcCopied')?.points.length, counts['53']);
    assert.equal(rts.gc.count, counts['9']);
    assert.ok(rts.gc.totalNs > 0 && rts.gc.maxPauseNs > 0 && rts.gc.maxPauseNs <= rts.gc.totalNs);
    for (const s of rts.series) {
      const times = s.points.map(([t]) => t);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        s.name
      );
    }
    // Live data peaks with the leak (about 60 MB) and the heap never is smaller than the live data.
    const live = Math.max(...(series.get('heapLive')?.points ?? []).map(([, v]) => v));
    assert.ok(live > 40e6 && live < 200e6, `live ${live}`);
    const allocated = series.get('heapAllocated')?.points ?? [];
    assert.equal(data.totals.allocBytes, allocated[allocated.length - 1][1]);
    // More allocation than the .prof's 1,695,580,792 bytes, which excludes profiling overheads.
    assert.ok((data.totals.allocBytes ?? 0) > 1_695_580_792);
  });

  it('hT eventlogs of the plain build: closure-type bands from string samples', async () => {
    const data = await read(`${DIR}/leaky.hT.eventlog`);
    assert.equal(data.heap?.mode, 'hT');
    assert.equal(data.heap?.bandStacks, undefined);
    assert.equal(data.tree, undefined);
    assert.ok(data.heap?.bands.includes('ARR_WORDS'));
    // The plain .hT.hp run has the same kind of labels.
    const hp = readHpCensuses(`${DIR}/leaky.hT.hp`);
    const hpLabels = new Set(hp.flatMap((c) => [...c.bands.keys()]));
    const shared = data.heap?.bands.filter((b) => hpLabels.has(b)) ?? [];
    assert.ok(shared.length >= 5, shared.join(', '));
  });

  it('isEventlogHeader recognises the magic only', () => {
    assert.equal(isEventlogHeader(readFileSync(`${DIR}/leaky.eventlog`).subarray(0, 16)), true);
    assert.equal(isEventlogHeader(readFileSync(`${DIR}/bad/bad-header.eventlog`).subarray(0, 16)), false);
    assert.equal(isEventlogHeader(Buffer.from('hdr')), false);
    assert.equal(isEventlogHeader(readFileSync(`${DIR}/leaky.prof`).subarray(0, 16)), false);
  });
});

describe('eventlog reader on broken inputs (test/fixtures/ghc/bad)', () => {
  const BAD = `${DIR}/bad`;

  it('empty file: FormatError at byte 0', async () => {
    await assert.rejects(read(`${BAD}/empty.eventlog`), (e: unknown) => {
      assert.ok(e instanceof FormatError);
      assert.equal(e.offset, 0);
      assert.match(e.message, /empty\.eventlog: eventlog at byte offset 0: empty file/);
      return true;
    });
  });

  it('bad magic: FormatError naming byte 0 and the expected `hdrb`', async () => {
    await assert.rejects(read(`${BAD}/bad-header.eventlog`), (e: unknown) => {
      assert.ok(e instanceof FormatError);
      assert.equal(e.offset, 0);
      assert.match(e.message, /expected header marker `hdrb`, found `hdrX`/);
      return true;
    });
  });

  it('a header cut short is a FormatError naming what was expected', async () => {
    const head = readFileSync(`${DIR}/leaky.eventlog`).subarray(0, 300);
    await assert.rejects(readEventlog(head, { file: 'cut.eventlog' }), (e: unknown) => {
      assert.ok(e instanceof FormatError);
      assert.match(
        e.message,
        /cut\.eventlog: eventlog at byte offset \d+: input ends inside the header: expected an event-type entry/
      );
      return true;
    });
  });

  it('truncated.eventlog: every complete event, truncated, and where it stopped', async () => {
    const data = await read(`${BAD}/truncated.eventlog`);
    const full = await read(`${DIR}/leaky.eventlog`);
    assert.equal(data.truncated, true);
    // 9,483 events plus the 2 block markers, all complete before the event cut at byte 198,717.
    assert.equal(data.eventCount, 9485);
    assert.equal(data.warnings.length, 1);
    assert.match(
      data.warnings[0],
      /byte 198717, 21 byte\(s\) into a 38-byte 163 HeapProfSampleCostCentre event that starts at byte 198696/
    );
    for (const [type, n] of Object.entries(data.eventTypeCounts ?? {})) {
      assert.ok(n <= (full.eventTypeCounts?.[type] ?? 0), `type ${type}`);
    }
    // The census in progress at the cut keeps the bands that were complete.
    assert.ok(data.heap && data.heap.samples.length > 0);
    assert.equal(data.heap.samples[0].time, full.heap?.samples[0].time);
  });

  it('interleaved-corrupt.eventlog: the embedded time sample is separated out, decoding goes on past it', async () => {
    const data = await read(`${BAD}/interleaved-corrupt.eventlog`);
    assert.equal(data.truncated, true);
    assert.equal(data.warnings.length, 2, data.warnings.join('\n'));
    assert.match(
      data.warnings[0],
      /byte 273009: a 167 ProfSampleCostCentre event \(29 bytes\) was written inside the 163 HeapProfSampleCostCentre event at byte 272960/
    );
    assert.match(data.warnings[0], /continues at byte 273127/);
    assert.match(data.warnings[1], /input ends at byte 300000/);
    // 2,213 valid events before the damage (ghc-events stops there); the rest of the 300,000 bytes decode too.
    assert.ok((data.eventCount ?? 0) > 2213 + 150, String(data.eventCount));
    assert.equal(data.rtsIdent, 'GHC-9.0.2 rts_p');
    assert.equal(data.program, 'large');
    // The repaired census band and every later one name defined cost centres only.
    assert.ok(!data.warnings.some((w) => /undefined cost-centre/.test(w)));
    assert.ok(data.heap && data.heap.samples.length >= 2);
    assert.ok(data.tree && (data.totals.ticks ?? 0) > 0);
  });
});
