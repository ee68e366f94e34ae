/** The kustomize subset of ./kustomize.ts on small trees: what it builds, and that it refuses what it does not know. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { kustomizeBuild } from './kustomize';

const root = mkdtempSync(join(tmpdir(), 'ghcprof-kustomize-'));
after(() => rmSync(root, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const HEAD = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';
const BASE = {
  'base/kustomization.yaml': `${HEAD}resources: [app.yaml]\n`,
  'base/app.yaml': [
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: ns}\nspec: {replicas: 1, template: {spec: {containers: [{name: a, env: [{name: X, value: "1"}]}]}}}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api-canary, namespace: ns}\nspec: {replicas: 1}',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api, namespace: ns}\ndata: {a: "1"}',
  ].join('\n---\n'),
};

describe('kustomize subset (test/deploy/kustomize.ts)', () => {
  it('accumulates resources through directories in order, and applies patches in order', () => {
    const dir = tree('ok', {
      ...BASE,
      'overlay/kustomization.yaml': `${HEAD}resources: [../base, extra.yaml]\npatches:\n  - path: p.yaml\n    target: {kind: Deployment, name: api}\n  - patch: |-\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: api, namespace: ns}\n      data: {b: "2"}\n  - path: del.yaml\n`,
      'overlay/extra.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: ns}\n',
      'overlay/p.yaml':
        '- op: test\n  path: /spec/template/spec/containers/0/env/0/name\n  value: X\n- op: replace\n  path: /spec/replicas\n  value: 3\n- op: add\n  path: /spec/template/spec/containers/0/env/-\n  value: {name: Y, value: "2"}\n',
      'overlay/del.yaml':
        '$patch: delete\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api-canary, namespace: ns}\n',
    });
    const out = kustomizeBuild(join(dir, 'overlay')).map((r) => r.doc);
    assert.deepEqual(
      out.map((d) => `${d.kind}/${d.metadata.name}`),
      ['Deployment/api', 'ConfigMap/api', 'Secret/s']
    );
    // The target name is an anchored regex: api, not api-canary (deleted anyway, but never patched).
    assert.equal(out[0].spec.replicas, 3);
    assert.deepEqual(out[0].spec.template.spec.containers[0].env, [
      { name: 'X', value: '1' },
      { name: 'Y', value: '2' },
    ]);
    assert.deepEqual(out[1].data, { a: '1', b: '2' }, 'strategic merge of a map without a target, by kind and name');
  });

  it('refuses what kustomize refuses and what it does not implement, naming the file', () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      [
        'dup',
        { ...BASE, 'o/kustomization.yaml': `${HEAD}resources: [../base, ../base/app.yaml]\n` },
        /already registered id: apps\/Deployment\/ns\/api/,
      ],
      [
        'field',
        { ...BASE, 'o/kustomization.yaml': `${HEAD}resources: [../base]\nnamePrefix: x-\n` },
        /field namePrefix is not implemented/,
      ],
      ['missing', { 'o/kustomization.yaml': `${HEAD}resources: [nope.yaml]\n` }, /resource nope.yaml does not exist/],
      [
        'notarget',
        {
          ...BASE,
          'o/kustomization.yaml': `${HEAD}resources: [../base]\npatches: [{path: p.yaml}]\n`,
          'o/p.yaml': '- op: remove\n  path: /spec\n',
        },
        /JSON 6902 patch needs a target/,
      ],
      [
        'testfails',
        {
          ...BASE,
          'o/kustomization.yaml': `${HEAD}resources: [../base]\npatches: [{path: p.yaml, target: {kind: Deployment, name: api}}]\n`,
          'o/p.yaml': '- op: test\n  path: /spec/replicas\n  value: 2\n',
        },
        /op 1 \(test \/spec\/replicas\): test failed, found 1/,
      ],
      [
        'list',
        {
          ...BASE,
          'o/kustomization.yaml': `${HEAD}resources: [../base]\npatches: [{path: p.yaml}]\n`,
          'o/p.yaml':
            'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: ns}\nspec: {template: {spec: {containers: [{name: a}]}}}\n',
        },
        /lists in strategic-merge patches not implemented/,
      ],
      [
        'nomatch',
        {
          ...BASE,
          'o/kustomization.yaml': `${HEAD}resources: [../base]\npatches: [{path: p.yaml, target: {kind: Deployment, name: ap}}]\n`,
          'o/p.yaml': '- op: remove\n  path: /spec\n',
        },
        /the target matches no resource/,
      ],
    ];
    for (const [name, files, error] of cases)
      assert.throws(() => kustomizeBuild(join(tree(name, files), 'o')), error, name);
  });
});
