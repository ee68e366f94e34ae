/**
 * End-to-end tests of `ghcprof inspect | flame | heap`: the built executable on the real GHC 9.0.2 fixtures, each
 * output checked against values read straight from the fixture files by the small independent parsers below.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Profile } from 'pprof-format';
import { spawn } from 'node:child_process';
import { cliText, ensureBuiltCli, REPO, runCli } from '../__tests__/built-cli';
import { speedscopeProblems } from '../../export/__tests__/speedscope-check';
import type { SpeedscopeFile } from '../../export/speedscope';

const FIX = 'test/fixtures/ghc';
const BAD = `${FIX}/bad`;

interface PjNode {
  id: number;
  entries: number;
  ticks: number;
  alloc: number;
  children: PjNode[];
}

/** Folded path -> summed self value, straight from a -pj file (paths joined like folded stacks). */
function pjPathValues(
  file: string,
  field: 'ticks' | 'alloc' | 'entries'
): { values: Map<string, number>; json: Record<string, unknown> } {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const names = new Map<number, string>(
    (json.cost_centres as Array<{ id: number; label: string; module: string }>).map((c) => [
      c.id,
      `${c.module}.${c.label}`,
    ])
  );
  const values = new Map<string, number>();
  const stack: Array<[PjNode, string]> = [[json.profile, names.get(json.profile.id)!]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    values.set(path, (values.get(path) ?? 0) + node[field]);
    for (const c of node.children) {
      stack.push([c, `${path};${names.get(c.id)}`]);
    }
  }
  return { values: new Map([...values].filter(([, v]) => v !== 0)), json };
}

/** Folded output -> path -> value; also checks every line's shape. */
function parseFolded(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const m = /^(MAIN\.MAIN(?:;[^;]+)*) (\d+)$/.exec(line);
    assert.ok(m, `not a folded line: ${JSON.stringify(line)}`);
    assert.ok(!out.has(m[1]), `path twice: ${m[1]}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

/** Entries per path from a .prof text report's tree (depth = leading spaces; entries = 5th column from the right). */
function profEntries(file: string): Map<string, number> {
  const lines = readFileSync(file, 'utf8').split('\n');
  const headers = lines.flatMap((l, i) => (l.startsWith('COST CENTRE') ? [i] : []));
  const path: string[] = [];
  const out = new Map<string, number>();
  for (const line of lines.slice(headers[1] + 1)) {
    if (line.trim() === '') continue;
    const depth = line.length - line.trimStart().length;
    const cols = line.trim().split(/\s+/);
    path.length = depth;
    path.push(`${cols[1]}.${cols[0]}`);
    const entries = Number(cols[cols.length - 5]);
    const key = path.join(';');
    out.set(key, (out.get(key) ?? 0) + entries);
  }
  return new Map([...out].filter(([, v]) => v !== 0));
}

/** The samples of a .hp file: time and band -> bytes. */
function hpSamples(file: string): Array<{ time: number; values: Map<string, number> }> {
  const samples: Array<{ time: number; values: Map<string, number> }> = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('BEGIN_SAMPLE ')) {
      samples.push({ time: Number(line.slice(13)), values: new Map() });
    } else if (line.includes('\t') && samples.length > 0) {
      const [band, bytes] = line.split('\t');
      samples[samples.length - 1].values.set(band, Number(bytes));
    }
  }
  return samples;
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** Asserts a failed run: non-zero exit, exactly one stderr line `ghcprof: ...` naming the file, no stack trace. */
function assertOneLineError(args: string[], file: string): string {
  const r = runCli(args);
  assert.notEqual(r.status, 0, `ghcprof ${args.join(' ')} should fail`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one stderr line expected, got:\n${r.stderr}`);
  assert.match(lines[0], /^ghcprof: /);
  assert.ok(lines[0].includes(file), `the message names ${file}: ${lines[0]}`);
  assert.equal(r.stdout.length, 0);
  return lines[0];
}

describe('ghcprof CLI (built, end to end)', () => {
  before(() => ensureBuiltCli());

  describe('flame', () => {
    it('folded time: every -pj node with ticks, values equal to the JSON, summing to total_ticks', () => {
      const file = `${FIX}/search.json.prof`;
      const { values, json } = pjPathValues(file, 'ticks');
      const folded = parseFolded(cliText(['flame', file]));
      assert.deepEqual(folded, values);
      assert.equal(sum(folded.values()), json.total_ticks);
      assert.equal(folded.get('MAIN.MAIN;GC.GC'), values.get('MAIN.MAIN;GC.GC'));
    });

    it('folded alloc of -pj: self bytes per path, summing to the JSON total_alloc', () => {
      const file = `${FIX}/leaky.json.prof`;
      const { values, json } = pjPathValues(file, 'alloc');
      const folded = parseFolded(cliText(['flame', file, '--metric', 'alloc']));
      assert.deepEqual(folded, values);
      assert.equal(sum(folded.values()), json.total_alloc);
    });

    it('folded entries of a .prof text report equal its entries column', () => {
      const file = `${FIX}/pipeline.prof`;
      assert.deepEqual(parseFolded(cliText(['flame', file, '--metric', 'entries'])), profEntries(file));
    });

    it('folded time of an eventlog counts cost-centre samples: the ProfSampleCostCentre events', () => {
      const file = `${FIX}/search.eventlog`;
      const folded = parseFolded(cliText(['flame', file]));
      const info = JSON.parse(cliText(['inspect', file, '--json']));
      assert.equal(sum(folded.values()), info.eventTypeCounts['167']);
      assert.equal(sum(folded.values()), info.totals.ticks);
    });

    it('says on stderr when the metric has no values (eventlog samples carry time only)', () => {
      const r = runCli(['flame', `${FIX}/search.eventlog`, '--metric', 'alloc']);
      assert.equal(r.status, 0);
      assert.equal(r.stdout.length, 0);
      assert.equal(
        r.stderr,
        `ghcprof: warning: ${FIX}/search.eventlog: no alloc values in this profile (eventlog cost-centre samples record time only)\n`
      );
    });

    it('pprof decodes with pprof-format and holds total_ticks × tick interval of time', () => {
      const dir = mkdtempSync(join(tmpdir(), 'ghcprof-flame-'));
      try {
        const out = join(dir, 'search.pb');
        const file = `${FIX}/search.json.prof`;
        assert.equal(cliText(['flame', file, '--format', 'pprof', '-o', out]), '');
        const p = Profile.decode(readFileSync(out));
        const json = JSON.parse(readFileSync(file, 'utf8'));
        assert.equal(sum(p.sample.map((s) => Number(s.value[0]))), json.total_ticks * json.tick_interval * 1000);
        assert.equal(sum(p.sample.map((s) => Number(s.value[1]))), json.total_alloc);
        assert.equal(p.stringTable.strings[Number(p.sampleType[0].unit)], 'nanoseconds');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('speedscope output is a valid evented file whose time profile spans the total', () => {
      const file = `${FIX}/jsonagg.json.prof`;
      const doc = JSON.parse(cliText(['flame', file, '--format', 'speedscope'])) as SpeedscopeFile;
      assert.deepEqual(speedscopeProblems(doc), []);
      const json = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(doc.profiles[0].endValue, json.total_ticks * json.tick_interval * 1000);
      assert.equal(doc.profiles[1].endValue, json.total_alloc);
    });

    it('frame output is a Grafana flame-graph frame with the function table', () => {
      const file = `${FIX}/search.json.prof`;
      const frame = JSON.parse(cliText(['flame', file, '--format', 'frame', '--metric', 'alloc']));
      assert.deepEqual(
        frame.schema.fields.map((f: { name: string }) => f.name),
        ['level', 'value', 'self', 'label', 'truncated']
      );
      const json = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(frame.data.values[1][0], json.total_alloc);
      assert.equal(frame.schema.meta.custom.functionTable.total, json.total_alloc);
      assert.equal(frame.schema.meta.preferredVisualisationType, 'flamegraph');
    });

    it('fails with one line for a heap profile (no cost-centre tree)', () => {
      const msg = assertOneLineError(['flame', `${FIX}/search.hc.hp`], `${FIX}/search.hc.hp`);
      assert.match(msg, /without cost-centre data/);
    });
  });

  describe('heap', () => {
    it('JSON has every band of every sample of the .hp, in seconds since start', () => {
      const file = `${FIX}/leaky.hc.hp`;
      const hp = hpSamples(file);
      const out = JSON.parse(cliText(['heap', file]));
      assert.deepEqual(Object.keys(out), ['unit', 'mode', 'start', 'bands', 'samples']);
      assert.equal(out.unit, 'bytes');
      assert.equal(out.mode, 'hc');
      assert.match(out.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const allBands = new Set(hp.flatMap((s) => [...s.values.keys()]));
      assert.deepEqual(new Set(out.bands), allBands);
      assert.equal(out.samples.length, hp.length);
      out.samples.forEach((s: { time: number; values: Record<string, number> }, i: number) => {
        assert.equal(s.time, hp[i].time);
        assert.deepEqual(Object.keys(s.values).sort(), [...allBands].sort());
        for (const band of allBands) {
          assert.equal(s.values[band], hp[i].values.get(band) ?? 0, `sample ${i} band ${band}`);
        }
      });
    });

    it('--top N keeps N bands plus `other` and preserves each sample total', () => {
      const file = `${FIX}/leaky.hy.hp`;
      const hp = hpSamples(file);
      const out = JSON.parse(cliText(['heap', file, '--top', '3']));
      assert.equal(out.bands.length, 4);
      assert.equal(out.bands[3], 'other');
      out.samples.forEach((s: { values: Record<string, number> }, i: number) => {
        assert.equal(sum(Object.values(s.values)), sum(hp[i].values.values()));
      });
    });

    it('an eventlog gives the censuses of the .hp of the same run (which adds empty first and last samples)', () => {
      const fromEventlog = JSON.parse(cliText(['heap', `${FIX}/leaky.eventlog`]));
      const hp = hpSamples(`${FIX}/leaky.eventlog-run.hp`).filter((s) => s.values.size > 0);
      assert.deepEqual(
        fromEventlog.samples.map((s: { values: Record<string, number> }) => sum(Object.values(s.values))),
        hp.map((s) => sum(s.values.values()))
      );
    });

    it('stops quietly when the reader closes the pipe early (`| head`)', async () => {
      const child = spawn(process.execPath, [join(REPO, 'bin/ghcprof.js'), 'heap', `${FIX}/jsonagg.hc.hp`], {
        cwd: REPO,
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(stderr, '');
      assert.equal(code, 0);
    });

    it('CSV has a header of bands and one row per sample', () => {
      const file = `${FIX}/search.hy.hp`;
      const lines = cliText(['heap', file, '--format', 'csv', '--top', '2']).trimEnd().split('\n');
      const hp = hpSamples(file);
      assert.equal(lines.length, hp.length + 1);
      const header = lines[0].split(',');
      assert.equal(header[0], 'time');
      assert.equal(header.length, 4);
      const last = lines[hp.length - 1].split(',').map(Number);
      assert.equal(last[0], hp[hp.length - 2].time);
      assert.equal(last[1] + last[2] + last[3], sum(hp[hp.length - 2].values.values()));
    });

    it('fails with one line for a report without heap samples and for a bad --top', () => {
      assertOneLineError(['heap', `${FIX}/search.prof`], `${FIX}/search.prof`);
      const r = runCli(['heap', `${FIX}/search.hc.hp`, '--top', '0']);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /expected a positive integer, got "0"/);
    });
  });

  describe('inspect', () => {
    it('eventlog --json: eventTypeCounts sum to the event count', () => {
      const info = JSON.parse(cliText(['inspect', `${FIX}/pipeline.eventlog`, '--json']));
      assert.equal(info.kind, 'eventlog');
      assert.equal(info.program, 'pipeline');
      assert.ok(info.eventCount > 1000);
      assert.equal(sum(Object.values(info.eventTypeCounts as Record<string, number>)), info.eventCount);
      for (const key of Object.keys(info.eventTypeCounts)) {
        assert.match(key, /^\d+$/);
      }
      assert.equal(info.heap.mode, 'hc');
      assert.equal(info.heap.timeBase, 'wall-clock');
    });

    it('.prof --json: header facts as the report prints them', () => {
      const info = JSON.parse(cliText(['inspect', `${FIX}/search.prof`, '--json']));
      const header = readFileSync(`${FIX}/search.prof`, 'utf8');
      const m = /\((\d+) ticks @ (\d+) us/.exec(header)!;
      assert.equal(info.kind, 'prof');
      assert.equal(info.totals.ticks, Number(m[1]));
      assert.equal(info.totals.tickIntervalUs, Number(m[2]));
      assert.equal(info.totals.allocBytes, Number(/total alloc = ([\d,]+) bytes/.exec(header)![1].replace(/,/g, '')));
      assert.deepEqual(info.rtsArguments, ['-A4m', '-p']);
      assert.equal(info.approximate, true);
      assert.equal(info.eventTypeCounts, undefined);
    });

    it('.hp --json: as many samples as BEGIN_SAMPLE lines', () => {
      const file = `${FIX}/pipeline.hT.hp`;
      const info = JSON.parse(cliText(['inspect', file, '--json']));
      assert.equal(info.kind, 'hp');
      assert.equal(info.heap.samples, hpSamples(file).length);
      assert.equal(info.heap.mode, 'hT');
      assert.equal(info.heap.timeBase, 'mutator-cpu');
      const samples = hpSamples(file);
      assert.equal(info.timeSpanSeconds, samples[samples.length - 1].time);
      assert.equal(info.timeSpanSource, 'last-heap-sample');
    });

    it('human output is aligned `key: value` lines', () => {
      const text = cliText(['inspect', `${FIX}/leaky.json.prof`]);
      const lines = text.trimEnd().split('\n');
      const valueColumn = lines[0].indexOf('leaky') > 0 ? /^(\S[^:]*:\s+)/.exec(lines[0])![1].length : -1;
      for (const line of lines) {
        const m = /^([a-z][a-z ]*):(\s+)(\S.*)$/.exec(line);
        assert.ok(m, `not a key: value line: ${line}`);
        assert.equal(m[1].length + 1 + m[2].length, valueColumn, `misaligned: ${line}`);
      }
      assert.ok(lines.includes(`${'kind:'.padEnd(valueColumn - 1)} prof-json`), text);
      assert.ok(
        lines.some((l) => /^total ticks:\s+1168$/.test(l)),
        text
      );
    });
  });

  describe('bad input', () => {
    const badFiles = readdirSync(BAD).filter((f) => f !== 'README.md');

    it('every unreadable file fails with one line naming it; readable damaged files report warnings', () => {
      const failed: string[] = [];
      for (const name of badFiles) {
        const file = `${BAD}/${name}`;
        const r = runCli(['inspect', file, '--json']);
        if (r.status === 0) {
          const info = JSON.parse(r.stdout.toString('utf8'));
          assert.ok(info.warnings.length > 0 || info.truncated, `${name} read without any warning`);
        } else {
          assertOneLineError(['inspect', file, '--json'], file);
          failed.push(name);
        }
      }
      for (const sure of ['empty.prof', 'empty.hp', 'empty.eventlog', 'binary.prof', 'bad-header.eventlog']) {
        assert.ok(failed.includes(sure), `${sure} should be refused`);
      }
    });

    it('flame and heap refuse unreadable files the same way (text and binary)', () => {
      for (const name of ['garbage-lines.prof', 'bad-header.eventlog']) {
        assertOneLineError(['flame', `${BAD}/${name}`], `${BAD}/${name}`);
        assertOneLineError(['heap', `${BAD}/${name}`, '--format', 'csv'], `${BAD}/${name}`);
      }
    });

    it('empty file and missing file messages say what is wrong', () => {
      assert.match(assertOneLineError(['inspect', `${BAD}/empty.prof`], `${BAD}/empty.prof`), /empty file/);
      assert.match(
        assertOneLineError(['flame', `${BAD}/bad-header.eventlog`], `${BAD}/bad-header.eventlog`),
        /byte offset 0/
      );
      assert.match(
        assertOneLineError(['inspect', `${BAD}/no-such-file.prof`], `${BAD}/no-such-file.prof`),
        /no such file/
      );
    });
  });
});
