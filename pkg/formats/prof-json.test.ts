import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readProfJson } from './prof-json';
import { FormatError } from './errors';
import type { ProfileData } from '../model/types';
import { allNodes, BAD, fixtureText, GHC, preorder, WORKLOADS } from './__tests__/helpers';

interface JsonNode {
  id: number;
  entries: number;
  alloc: number;
  ticks: number;
  children: JsonNode[];
}

/** The file's tree in document order, read with plain JSON.parse. */
function jsonNodes(root: JsonNode): JsonNode[] {
  return preorder(root, (n) => n.children);
}

function read(path: string): ProfileData {
  const data = readProfJson(fixtureText(path), { file: path });
  assert.ok(data);
  return data;
}

describe('readProfJson: real GHC 9.0.2 -pj reports', () => {
  for (const name of WORKLOADS) {
    const path = join(GHC, `${name}.json.prof`);
    it(`${name}.json.prof: every node with its exact values and cost centre; totals = sum of the tree (GC and OVERHEAD_of included)`, () => {
      const doc = JSON.parse(fixtureText(path));
      const data = read(path);
      const ccs = new Map<number, { label: string; module: string; src_loc: string }>(
        doc.cost_centres.map((c: { id: number }) => [c.id, c])
      );
      const expected = jsonNodes(doc.profile);
      const nodes = allNodes(data.tree!.root);
      assert.equal(nodes.length, expected.length);
      nodes.forEach((n, i) => {
        const e = expected[i];
        const cc = ccs.get(e.id)!;
        assert.deepEqual(
          [n.ccId, n.ccsId, n.label, n.module, n.src, n.entries, n.ticks, n.alloc],
          [e.id, -1, cc.label, cc.module, cc.src_loc, e.entries, e.ticks, e.alloc]
        );
      });
      assert.equal(
        nodes.reduce((s, n) => s + n.ticks, 0),
        doc.total_ticks
      );
      assert.equal(
        nodes.reduce((s, n) => s + n.alloc, 0),
        doc.total_alloc
      );
      assert.deepEqual(data.totals, {
        ticks: doc.total_ticks,
        tickIntervalUs: doc.tick_interval,
        allocBytes: doc.total_alloc,
        timeSeconds: doc.total_time,
        processors: doc.initial_capabilities,
      });
      const top = data.tree!.root.children.map((c) => `${c.module}.${c.label}`);
      assert.ok(top.includes('GC.GC'), 'GC node kept');
      assert.ok(top.includes('PROFILING.OVERHEAD_of'), 'OVERHEAD_of node kept');
      assert.equal(data.tree!.approximate, false);
      assert.deepEqual(data.warnings, []);
    });
  }

  it('leaky.json.prof: header, program arguments without argv[0], times from end_time', () => {
    const data = read(join(GHC, 'leaky.json.prof'));
    assert.equal(data.kind, 'prof-json');
    assert.equal(data.program, 'leaky');
    assert.deepEqual(data.arguments, ['400000']);
    assert.deepEqual(data.rtsArguments, ['-A4m', '-pj']);
    assert.equal(data.endTimeMs, Date.UTC(2026, 10, 27, 13, 48));
    assert.equal(data.startTimeMs, Date.UTC(2026, 10, 27, 13, 48) - 1170);
    assert.equal(data.totals.ticks, 1168);
    assert.equal(data.totals.allocBytes, 1_724_450_592);
    const gc = data.tree!.root.children.find((c) => c.label === 'GC')!;
    assert.deepEqual([gc.module, gc.ticks, gc.alloc], ['GC', 451, 0]);
    const overhead = data.tree!.root.children.find((c) => c.label === 'OVERHEAD_of')!;
    assert.deepEqual([overhead.module, overhead.alloc], ['PROFILING', 28_801_320]);
  });
});

describe('readProfJson: broken and unusual input', () => {
  it('truncated.json.prof: header and the tree before the cut; warning names line 43, column 39, character 19477', () => {
    const data = read(join(BAD, 'truncated.json.prof'));
    assert.equal(data.truncated, true);
    assert.match(data.warnings[0], /invalid JSON at line 43, column 39 \(character 19477\)/);
    assert.match(data.warnings[0], /ends inside a string/);
    assert.equal(data.totals.ticks, 1168);
    // Every node read is a complete node of the original, in the same document order.
    const full = allNodes(read(join(GHC, 'leaky.json.prof')).tree!.root);
    const partial = allNodes(data.tree!.root);
    assert.ok(partial.length > 1 && partial.length < full.length);
    partial.forEach((n, i) => {
      assert.deepEqual(
        [n.ccId, n.entries, n.ticks, n.alloc],
        [full[i].ccId, full[i].entries, full[i].ticks, full[i].alloc]
      );
    });
  });

  it('a bad tree node: FormatError naming the line of that node (the tree is read in document order)', () => {
    const text = fixtureText(join(GHC, 'leaky.json.prof'));
    const lines = text.split('\n');
    // Three nodes of the tree, the last and a middle one among them, each made bad in a different way.
    const nodeLines = lines.flatMap((l, i) => (/^,?\s*\{"id": \d+, "entries"/.test(l) ? [i] : []));
    assert.ok(nodeLines.length > 10);
    for (const [pick, damage, says] of [
      [
        nodeLines.at(-1)!,
        (l: string) => l.replace(/"ticks": \d+/, '"ticks": -1'),
        /expected "ticks" to be a non-negative/,
      ],
      [
        nodeLines[nodeLines.length >> 1],
        (l: string) => l.replace(/"id": \d+/, '"id": 99999'),
        /id is not in "cost_centres"/,
      ],
      [
        nodeLines.find((i) => lines[i].includes('"children": []'))!,
        (l: string) => l.replace('"children": []', '"children": 7'),
        /expected "children" to be an array/,
      ],
    ] as const) {
      const damaged = lines.map((l, i) => (i === pick ? damage(l) : l)).join('\n');
      let err: unknown;
      try {
        readProfJson(damaged, { file: 'n.json' });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof FormatError, String(err));
      assert.equal(err.line, pick + 1, err.message);
      assert.match(err.message, says);
    }
  });

  it('a missing header key: FormatError naming the line the report object opens on', () => {
    const text = fixtureText(join(GHC, 'leaky.json.prof')).replace('"cost_centres"', '"cost_centrez"');
    assert.throws(
      () => readProfJson(text, { file: 'k.json' }),
      (e: unknown) => e instanceof FormatError && e.line === 1 && /"cost_centres" .*no such key/.test(e.message)
    );
  });

  it('damage in the middle: FormatError with line and column', () => {
    const text = fixtureText(join(GHC, 'search.json.prof')).replace('"total_ticks": ', '"total_ticks": ,');
    assert.throws(
      () => readProfJson(text, { file: 'x.prof' }),
      (err: unknown) =>
        err instanceof FormatError &&
        err.format === 'prof-json' &&
        err.line === 8 &&
        /^x\.prof: prof-json at line 8: invalid JSON at line 8, column 16 \(character 201\): expected a value, found ",575,/.test(
          err.message
        )
    );
  });

  it('a tree node naming an unknown cost centre: FormatError', () => {
    const text = fixtureText(join(GHC, 'search.json.prof')).replace(
      /"profile": \{"id": \d+/,
      '"profile": {"id": 999999'
    );
    assert.throws(() => readProfJson(text, { file: 'x' }), /cost-centre id 999999\): id is not in "cost_centres"/);
  });

  it('a header field of the wrong type: FormatError naming its line', () => {
    const text = fixtureText(join(GHC, 'search.json.prof')).replace(/"total_alloc":\d+/, '"total_alloc":"lots"');
    assert.throws(
      () => readProfJson(text, { file: 'x' }),
      (err: unknown) =>
        err instanceof FormatError && err.line === 10 && /"total_alloc" to be a non-negative number/.test(err.message)
    );
  });

  it('not -pj: null', () => {
    assert.equal(readProfJson('{"a": 1}'), null);
    assert.equal(readProfJson('[1, 2]'), null);
    assert.equal(readProfJson(fixtureText(join(GHC, 'search.prof'))), null);
    assert.equal(readProfJson(''), null);
  });

  it('a tree 20,000 calls deep reads without overflowing the stack', () => {
    const depth = 20000;
    const open = '{"id": 1, "entries": 1, "alloc": 8, "ticks": 1, "children": ['.repeat(depth);
    const close = ']}'.repeat(depth);
    const text = `{"program": "deep", "arguments": ["deep"], "rts_arguments": ["-pj"], "end_time": "Thu Nov 26 12:00:00 2026",
"initial_capabilities": 1, "total_time": 0.02, "total_ticks": ${depth}, "tick_interval": 1000, "total_alloc": ${8 * depth},
"cost_centres": [{"id": 1, "label": "go", "module": "Main", "src_loc": "Main.hs:1:1", "is_caf": false}],
"profile": ${open}${close}}`;
    const data = readProfJson(text)!;
    let n = data.tree!.root;
    let levels = 1;
    while (n.children.length > 0) {
      n = n.children[0];
      levels++;
    }
    assert.equal(levels, depth);
    assert.deepEqual(data.warnings, []);
  });
});
