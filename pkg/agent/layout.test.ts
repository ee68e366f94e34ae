import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LABEL_LIMITS } from '../api/selector';
import { layoutLabels, listPods, podLabelBudget, PodInfoReader } from './layout';

const root = mkdtempSync(join(tmpdir(), 'ghcprof-layout-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('node layout <root>/<namespace>/<pod>/<container>/', () => {
  it('lists pod directories two levels down, skipping dot entries (the spool), files and symlinks', async () => {
    mkdirSync(join(root, 'shop/checkout-1/app'), { recursive: true });
    mkdirSync(join(root, 'shop/cart-2'), { recursive: true });
    mkdirSync(join(root, 'ops/batch-x'), { recursive: true });
    mkdirSync(join(root, '.ghcprof-spool/shop/checkout-1'), { recursive: true });
    writeFileSync(join(root, 'shop/stray.prof'), 'x');
    symlinkSync('/etc', join(root, 'shop/etc-link'));
    symlinkSync('/', join(root, 'rootfs'));
    const pods = (await listPods(root)).map((p) => `${p.namespace}/${p.pod}`).sort();
    assert.deepEqual(pods, ['ops/batch-x', 'shop/cart-2', 'shop/checkout-1']);
    assert.deepEqual(await listPods(join(root, 'missing')), []);
  });

  it('labels a file from its path; the path wins over the agent, which wins over the pod', () => {
    const ref = { namespace: 'shop', pod: 'checkout-1' };
    const pod = { service: 'checkout', namespace: 'kube-system', pod: 'evil', team: 'pay', node: 'forged' };
    assert.deepEqual(layoutLabels(ref, 'app/sub/run.hp', pod, { node: 'n1' }), {
      service: 'checkout',
      team: 'pay',
      node: 'n1',
      namespace: 'shop',
      pod: 'checkout-1',
      container: 'app',
      file: 'sub/run.hp',
    });
    assert.equal(layoutLabels(ref, 'loose.prof', pod, {}), undefined, 'not in a container directory');
    assert.equal(layoutLabels(ref, 'podinfo/x.prof', pod, {}), undefined);
  });

  it("leaves the pod the labels the server takes beyond the agent's and the layout's", () => {
    assert.equal(podLabelBudget({}), LABEL_LIMITS.count - 5);
    assert.equal(podLabelBudget({ node: 'n', cluster: 'c', pod: 'x' }), LABEL_LIMITS.count - 7);
  });

  it('reads podinfo/labels, rereads it when it changes, reports a broken one and refuses a symlink', async () => {
    const dir = join(root, 'shop/checkout-1');
    const reader = new PodInfoReader(dir, 10);
    assert.deepEqual(await reader.read(), { labels: {}, present: false, problems: [] });
    mkdirSync(join(dir, 'podinfo'));
    writeFileSync(join(dir, 'podinfo/labels'), 'app.kubernetes.io/name="checkout"\napp.kubernetes.io/version="2"');
    assert.deepEqual((await reader.read()).labels, { service: 'checkout', version: '2' });
    writeFileSync(join(dir, 'podinfo/labels'), 'app.kubernetes.io/name="checkout"\nbroken');
    const broken = await reader.read();
    assert.equal(broken.present, true);
    assert.deepEqual(broken.labels, {});
    assert.match(broken.problems[0], /podinfo\/labels:2: expected key="value"/);
    const other = join(root, 'ops/batch-x');
    mkdirSync(join(other, 'podinfo'));
    writeFileSync(join(root, 'secret'), 'app="stolen"');
    symlinkSync(join(root, 'secret'), join(other, 'podinfo/labels'));
    const linked = await new PodInfoReader(other, 10).read();
    assert.deepEqual(linked.labels, {});
    assert.match(linked.problems[0], /not a file/);
  });
});
