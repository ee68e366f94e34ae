import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ProfileData, TreeNode } from '../../model/types';
import { splitCommandLine } from './collector';
import { readEventlog } from './index';
import { parseReference, type Reference } from './__tests__/ghc-events-reference';

const DIR = 'test/fixtures/ghc-events-corpus';
const LOG_AND_USER_MESSAGES = ['16', '19'];

/** Corpus logs with a non-empty `ghc-events show` reference (stop.hT's is empty, the testlogs have none). */
const withReference = readdirSync(DIR)
  .filter(
    (f) => f.endsWith('.eventlog') && (statSync(`${DIR}/${f}.reference`, { throwIfNoEntry: false })?.size ?? 0) > 0
  )
  .sort();

function read(name: string): Promise<ProfileData> {
  return readEventlog(readFileSync(`${DIR}/${name}`), { file: name });
}

/** The reference lines matching `re`, as [time, match]. */
function refLines(ref: Reference, re: RegExp): Array<[number, RegExpExecArray]> {
  const out: Array<[number, RegExpExecArray]> = [];
  for (const [time, text] of ref.lines) {
    const m = re.exec(text);
    if (m) {
      out.push([time, m]);
    }
  }
  return out;
}

function seriesValues(data: ProfileData, name: string): number[] {
  return (data.rts?.series.find((s) => s.name === name)?.points ?? []).map(([, v]) => v).sort((a, b) => a - b);
}

/** ghc-events shows binary messages byte by byte: printable ASCII as is, everything else as `.`. */
function showBinary(bytes: Buffer): string {
  return [...bytes].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

function findPath(root: TreeNode, path: string[]): TreeNode | undefined {
  let node: TreeNode | undefined = root;
  for (const key of path) {
    node = node?.children.find((c) => `${c.module}.${c.label}` === key);
  }
  return node;
}

describe('eventlog reader against `ghc-events show` (test/fixtures/ghc-events-corpus)', () => {
  it('has the corpus', () => {
    assert.ok(withReference.length >= 20, withReference.join(', '));
  });

  for (const name of withReference) {
    describe(name, () => {
      const ref = parseReference(`${DIR}/${name}.reference`);

      it('per-type event counts equal the reference', async () => {
        const data = await read(name);
        assert.deepEqual(data.warnings, []);
        assert.equal(data.truncated, false);
        assert.equal(data.eventCount, ref.lines.length);
        const ours = data.eventTypeCounts ?? {};
        for (const [type, n] of ref.counts) {
          assert.ok(ref.types.has(type), `type ${type} is in the reference's table`);
          assert.equal(ours[String(type)] ?? 0, n, `type ${type} ${ref.types.get(type)}`);
        }
        // Types the reference only shows as raw text: log and user messages.
        const unshown = Object.keys(ours).filter((t) => !ref.counts.has(Number(t)));
        for (const t of unshown) {
          assert.ok(LOG_AND_USER_MESSAGES.includes(t), `type ${t} has no reference line pattern`);
        }
        const messageEvents = LOG_AND_USER_MESSAGES.reduce((sum, t) => sum + (ours[t] ?? 0), 0);
        assert.equal(messageEvents, ref.messages.length);
      });

      it('run facts: RTS identity, command line, wall-clock start', async () => {
        const data = await read(name);
        const ident = refLines(ref, /^capset \d+: RTS version "(.*)"$/)[0];
        assert.equal(data.rtsIdent, ident?.[1][1]);
        const args = refLines(ref, /^capset \d+: args: (\[.*\])$/)[0];
        if (args) {
          const argv = JSON.parse(args[1][1]) as string[];
          const split = splitCommandLine(argv);
          assert.equal(data.program, split.program);
          assert.deepEqual(data.arguments, split.args);
          assert.deepEqual(data.rtsArguments, split.rtsArgs);
          assert.equal(data.program, argv[0].replace(/^.*\//, ''));
        }
        const clock = refLines(ref, /^capset \d+: wall clock time (\d+)s (\d+)ns \(unix epoch\)$/)[0];
        if (clock) {
          const [time, m] = clock;
          const expected = Number(m[1]) * 1000 + Number(m[2]) / 1e6 - time / 1e6;
          assert.ok(data.startTimeMs !== null && Math.abs(data.startTimeMs - expected) < 1e-3);
        }
      });

      it('RTS series and GC counts equal the reference values', async () => {
        const data = await read(name);
        const values = (re: RegExp): number[] =>
          refLines(ref, re)
            .map(([, m]) => Number(m[1]))
            .sort((a, b) => a - b);
        assert.deepEqual(seriesValues(data, 'heapSize'), values(/^size of heap capset \d+: (\d+) bytes$/));
        assert.deepEqual(seriesValues(data, 'heapLive'), values(/^live data in heap capset \d+: (\d+) bytes$/));
        assert.deepEqual(seriesValues(data, 'blocksSize'), values(/^blocks size of heap capset \d+: (\d+) bytes$/));
        assert.deepEqual(
          seriesValues(data, 'gcCopied'),
          values(/^GC stats for heap capset \d+: generation \d+, (\d+) bytes copied/)
        );
        assert.equal(data.rts?.gc.count, ref.counts.get(9) ?? 0);
        const caps = refLines(ref, /^created cap (\d+)$/).length;
        const startup = refLines(ref, /^startup: (\d+) capabilities$/)[0];
        assert.equal(data.rts?.capabilities, Math.max(caps, Number(startup?.[1][1] ?? 0)) || undefined);
      });

      it('heap censuses equal the reference samples', async () => {
        const data = await read(name);
        const censuses: Array<{ time: number; values: number[]; labels: Map<string, number> }> = [];
        for (const [time, text] of ref.lines) {
          const begin = /^start heap prof sample \d+(?: at time (\d+))?$/.exec(text);
          const band = /^heap prof sample \d+, residency (\d+), (?:label (.*)|cost centre stack .*)$/.exec(text);
          if (begin) {
            censuses.push({ time: Number(begin[1] ?? time) / 1e9, values: [], labels: new Map() });
          } else if (band) {
            const census = censuses[censuses.length - 1];
            census.values.push(Number(band[1]));
            if (band[2] !== undefined) {
              census.labels.set(band[2], (census.labels.get(band[2]) ?? 0) + Number(band[1]));
            }
          }
        }
        if (censuses.length === 0) {
          assert.equal(data.heap?.samples.length ?? 0, 0);
          return;
        }
        const heap = data.heap;
        assert.ok(heap);
        censuses.sort((a, b) => a.time - b.time);
        assert.equal(heap.samples.length, censuses.length);
        heap.samples.forEach((sample, i) => {
          assert.equal(sample.time, censuses[i].time);
          const ours = Object.values(sample.values);
          assert.equal(
            ours.reduce((a, b) => a + b, 0),
            censuses[i].values.reduce((a, b) => a + b, 0),
            `census ${i}`
          );
          for (const [label, bytes] of censuses[i].labels) {
            assert.equal(sample.values[label], bytes, `census ${i} band ${label}`);
          }
        });
        const mode = refLines(ref, /^start heap profiling \d+ at sampling period \d+ broken down by (.*)$/)[0]?.[1][1];
        const modes: Record<string, string> = {
          'cost centre': 'hc',
          module: 'hm',
          'closure description': 'hd',
          'type description': 'hy',
          biography: 'hb',
          'closure type': 'hT',
        };
        assert.equal(heap.mode, mode === undefined ? 'unknown' : modes[mode]);
      });

      it('time-profile samples build the call tree of their stacks', async () => {
        const data = await read(name);
        const samples = refLines(ref, /^cap no \d+, prof sample \d+, cost centre stack (.*)$/);
        if (samples.length === 0) {
          assert.equal(data.tree, undefined);
          return;
        }
        const ccs = new Map(
          refLines(ref, /^cost centre (\d+) (.*) in (.*) at /).map(([, m]) => [m[1], `${m[3]}.${m[2]}`])
        );
        const tick = refLines(ref, /^start time profiling, tick interval (\d+) \(ns\)$/)[0];
        assert.equal(data.tree?.tickIntervalUs, Number(tick[1][1]) / 1000);
        assert.equal(data.totals.ticks, samples.length);
        const perStack = new Map<string, number>();
        for (const [, m] of samples) {
          perStack.set(m[1], (perStack.get(m[1]) ?? 0) + 1);
        }
        for (const [stack, ticks] of perStack) {
          const path = stack
            .split(', ')
            .reverse()
            .map((id) => ccs.get(id) ?? `? ${id}`);
          const node = findPath(
            data.tree?.root as TreeNode,
            path.filter((p, i) => !(i === 0 && p === 'MAIN.MAIN'))
          );
          assert.equal(node?.ticks, ticks, stack);
        }
      });

      it('user and binary messages keep their text', async () => {
        const data = await read(name);
        const markers = data.rts?.markers ?? [];
        const binary = refLines(ref, /^binary message (.*)$/).map(([, m]) => m[1]);
        const ourBinary = markers.filter((_, i) => i >= markers.length - binary.length);
        if ((data.eventTypeCounts?.['16'] ?? 0) === 0) {
          const texts = markers.filter((m) => m.kind === 'message').map((m) => m.text);
          assert.deepEqual(texts.slice(0, ref.messages.length), ref.messages);
        }
        binary.forEach((shown, i) => {
          const text = ourBinary[i].text;
          const hex = /^<binary, \d+ bytes> ([0-9a-f]+)$/.exec(text);
          assert.equal(showBinary(hex ? Buffer.from(hex[1], 'hex') : Buffer.from(text, 'utf8')), shown);
        });
      });
    });
  }

  it('unicode.eventlog: a Japanese user message', async () => {
    const data = await read('unicode.eventlog');
    assert.deepEqual(
      data.rts?.markers.map((m) => [m.timeNs, m.text, m.kind]),
      [[3851573, 'こんにちは', 'message']]
    );
  });

  it('trace-binary-nonutf.eventlog: a binary message that is not UTF-8 is kept as hex', async () => {
    const data = await read('trace-binary-nonutf.eventlog');
    const text = data.rts?.markers[0].text ?? '';
    assert.equal(text, `<binary, 256 bytes> ${Buffer.from([...Array(256).keys()]).toString('hex')}`);
  });

  it('ghc-9.2-events.eventlog: info-table provenance events are counted', async () => {
    const data = await read('ghc-9.2-events.eventlog');
    assert.equal(data.eventTypeCounts?.['169'], 4);
    assert.equal(data.rtsIdent, 'GHC-9.1.20210309 rts_l');
  });

  it('biographical-samples.eventlog: censuses at their own times (written at exit)', async () => {
    const heap = (await read('biographical-samples.eventlog')).heap;
    assert.equal(heap?.mode, 'hb');
    assert.deepEqual(heap?.bands.slice().sort(), ['DRAG', 'INHERENT_USE', 'LAG', 'USE', 'VOID']);
  });

  it('stop.hT.eventlog (2.3 MB, GHC 8.4.3): closure-type censuses', async () => {
    const data = await read('stop.hT.eventlog');
    assert.deepEqual(data.warnings, []);
    assert.equal(data.heap?.mode, 'hT');
    assert.equal(data.heap?.samples.length, data.eventTypeCounts?.['162']);
    assert.equal(data.rtsIdent, 'GHC-8.4.3 rts_thr_l');
    assert.ok((data.eventCount ?? 0) > 100_000);
  });

  it('testlog-part.eventlog is testlog.eventlog cut off: what was complete, truncated, and where', async () => {
    const part = readFileSync(`${DIR}/testlog-part.eventlog`);
    const full = readFileSync(`${DIR}/testlog.eventlog`);
    assert.ok(full.subarray(0, part.length).equals(part));
    const [cut, whole] = [await read('testlog-part.eventlog'), await read('testlog.eventlog')];
    assert.equal(cut.truncated, true);
    assert.equal(whole.truncated, false);
    assert.deepEqual(whole.warnings, []);
    assert.equal(cut.warnings.length, 1);
    assert.match(cut.warnings[0], /input ends at byte 10240, 3 byte\(s\) into an event that starts at byte 10237/);
    assert.ok((cut.eventCount ?? 0) < (whole.eventCount ?? 0));
    for (const [type, n] of Object.entries(cut.eventTypeCounts ?? {})) {
      assert.ok(n <= (whole.eventTypeCounts?.[type] ?? 0), `type ${type}`);
    }
  });

  it('every prefix of a log reads as truncated with no more events than a longer prefix', async () => {
    const full = readFileSync(`${DIR}/sleep.hd.eventlog`);
    let previous = -1;
    const dataStart = full.indexOf('datb') + 4;
    assert.ok(dataStart > 1000);
    for (let cut = dataStart; cut < full.length; cut += 997) {
      const data = await readEventlog(full.subarray(0, cut));
      assert.equal(data.truncated, true);
      assert.ok((data.eventCount ?? 0) >= previous, `cut at ${cut}`);
      assert.match(data.warnings[data.warnings.length - 1], new RegExp(`input ends at byte ${cut}`));
      previous = data.eventCount ?? 0;
    }
  });
});
