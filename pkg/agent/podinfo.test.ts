import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_LIMITS } from '../api/selector';
import { parseDownwardApiLabels, podLabels, sanitiseLabelName } from './podinfo';

// What the kubelet writes for metadata.labels: sorted keys, `%v=%q` lines, no newline after the last.
const KUBELET_FILE = [
  'app="legacy"',
  'app.kubernetes.io/name="checkout"',
  'app.kubernetes.io/part-of="shop"',
  'app.kubernetes.io/version="1.4.2"',
  'pod-template-hash="7d9f8b6c5"',
  'team.example.com/owner="payments"',
].join('\n');

describe('downward API labels file (podinfo/labels)', () => {
  it('reads %q-quoted values, Go escapes included, and keeps = inside values', () => {
    const labels = parseDownwardApiLabels(
      'a="x=y"\nb="tab\\there \\"q\\" back\\\\slash"\nc="caf\\u00e9 \\U0001F600"\nd=""\n',
      'p/labels'
    );
    assert.deepEqual(
      [...labels],
      [
        ['a', 'x=y'],
        ['b', 'tab\there "q" back\\slash'],
        ['c', 'café 😀'],
        ['d', ''],
      ]
    );
  });

  it('names the file, the line and the column of a malformed line', () => {
    assert.throws(() => parseDownwardApiLabels('a="1"\nnoequals\n', 'ns/p/podinfo/labels'), {
      message: 'ns/p/podinfo/labels:2: expected key="value", found "noequals"',
    });
    assert.throws(
      () => parseDownwardApiLabels('a="1"\nb=unquoted', 'f'),
      /^Error: f:2: column 3: expected a double-quoted/
    );
    assert.throws(() => parseDownwardApiLabels('b="open', 'f'), /^Error: f:1: column 3: unterminated quoted value/);
    assert.throws(() => parseDownwardApiLabels('b="x"y', 'f'), /^Error: f:1: column 6: unexpected text after/);
    assert.throws(() => parseDownwardApiLabels('b="\\q"', 'f'), /^Error: f:1: .*unknown escape \\q/);
  });

  it('sanitises label keys into Prometheus label names', () => {
    assert.equal(sanitiseLabelName('app.kubernetes.io/part-of'), 'app_kubernetes_io_part_of');
    assert.equal(sanitiseLabelName('team.example.com/owner'), 'team_example_com_owner');
    assert.equal(sanitiseLabelName('9lives'), '_9lives');
  });

  it('maps app.kubernetes.io/name to service (before app) and app.kubernetes.io/version to version, keeping the rest', () => {
    const { labels, dropped } = podLabels(parseDownwardApiLabels(KUBELET_FILE, 'f'), 20);
    assert.deepEqual(labels, {
      service: 'checkout',
      version: '1.4.2',
      app: 'legacy',
      app_kubernetes_io_part_of: 'shop',
      pod_template_hash: '7d9f8b6c5',
      team_example_com_owner: 'payments',
    });
    assert.deepEqual(dropped, []);
    const appOnly = podLabels(new Map([['app', 'web']]), 20).labels;
    assert.deepEqual(appOnly, { service: 'web' });
  });

  it('drops, and says why, what the server would refuse: clashes, reserved names, long values, too many labels', () => {
    const raw = new Map([
      ['a-b', '1'],
      ['a.b', '2'],
      ['__proto__', 'x'],
      ['long', 'v'.repeat(LABEL_LIMITS.valueLength + 1)],
      ['z1', '1'],
      ['z2', '2'],
    ]);
    const { labels, dropped } = podLabels(raw, 2);
    assert.deepEqual(Object.keys(labels), ['a_b', 'z1']);
    assert.equal(Object.getPrototypeOf(labels), Object.prototype);
    assert.deepEqual(dropped, [
      'a.b (same name as another key after sanitising: a_b)',
      '__proto__ (the server refuses the label name __proto__)',
      `long (value longer than ${LABEL_LIMITS.valueLength} characters)`,
      'z2 (more than 2 pod labels)',
    ]);
  });
});
