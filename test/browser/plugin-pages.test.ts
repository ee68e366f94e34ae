/**
 * The plugin's pages and query editor in a real Chromium, against a real `ghcprof serve` holding the GHC fixtures.
 * Screenshots go to test-results/ (look at them: the assertions cover text, the pictures cover layout).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ProfileMeta } from '../../pkg/api/query';
import { testIds } from '../../src/components/testIds';
import { bundleHarness } from './support/bundle';
import { biggestHeapBands, topCostCentres } from './support/fixtureFacts';
import { freePort, startGhcprof, type Ghcprof } from './support/ghcprofServer';
import { startHarnessServer } from './support/harnessServer';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus';
import { startFakeExporters, TRUTH, type FakeExporters } from '../rts/fake-exporters';

const RESULTS = join(__dirname, '..', '..', 'test-results');
const FIXTURES = join(__dirname, '..', 'fixtures', 'ghc');
const byTestId = (id: string) => `[data-testid="${id}"]`;

let work: string;
let ghcprof: Ghcprof;
let harness: { url: string; server: Server };
let context: BrowserContext;
let prometheus: RunningPrometheus;
let exporters: FakeExporters;
const pageErrors: string[] = [];
const stored: Record<string, ProfileMeta> = {};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ghcprof-browser-'));
  mkdirSync(RESULTS, { recursive: true });
  const bundle = join(work, 'bundle.js');
  // RTS metrics: a real Prometheus scraping the RTS tests' fake prometheus-metrics-ghc process as service=search.
  exporters = await startFakeExporters();
  prometheus = await startPrometheus({
    targets: [
      {
        job: 'search-1',
        address: exporters.address,
        metricsPath: '/metrics/prometheus-metrics-ghc',
        labels: { service: 'search', pod: 'search-1' },
      },
    ],
  });
  const [server] = await Promise.all([
    startGhcprof(join(work, 'ghcprof.db'), ['--prometheus-url', prometheus.url]),
    bundleHarness(bundle),
  ]);
  ghcprof = server;
  const tokens = {
    read: ghcprof.createToken('read'),
    write: ghcprof.createToken('write'),
    admin: ghcprof.createToken('admin'),
  };
  stored.searchProf = await ghcprof.upload(
    'test/fixtures/ghc/search.prof',
    { service: 'search', pod: 'search-1' },
    tokens.write
  );
  stored.searchHeap = await ghcprof.upload(
    'test/fixtures/ghc/search.hc.hp',
    { service: 'search', pod: 'search-1' },
    tokens.write
  );
  stored.leakyHeap = await ghcprof.upload(
    'test/fixtures/ghc/leaky.hc.hp',
    { service: 'leaky', pod: 'leaky-1' },
    tokens.write
  );
  // A second run of the same program (with -l): the Compare page diffs it against the first.
  stored.searchRun2 = await ghcprof.upload(
    'test/fixtures/ghc/search.eventlog-run.prof',
    { service: 'search', pod: 'search-2' },
    tokens.write
  );
  const closedPort = `http://127.0.0.1:${await freePort()}`;
  harness = await startHarnessServer(bundle, {
    ghcprof: { url: ghcprof.url, tokens },
    'wrong-read-token': { url: ghcprof.url, tokens: { ...tokens, read: 'ghcp_not_a_token' } },
    'write-token-as-admin': { url: ghcprof.url, tokens: { ...tokens, admin: tokens.write } },
    unreachable: { url: closedPort, tokens },
  });
  context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 1000 },
  });
});

after(async () => {
  await context?.close();
  await new Promise((resolve) => harness?.server.close(resolve));
  await ghcprof?.stop();
  await prometheus?.stop();
  await exporters?.close();
  rmSync(work, { recursive: true, force: true });
});

async function open(search: Record<string, string>): Promise<Page> {
  const page = await context.newPage();
  // Generous: the machine has 2 cores and other test suites may run beside this one.
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  await page.goto(`${harness.url}/?${new URLSearchParams(search)}`);
  return page;
}

const range = (meta: ProfileMeta) => ({
  from: String(meta.startTime - 200),
  to: String((meta.endTime ?? meta.startTime) + 200),
});

describe('plugin pages in Chromium against ghcprof serve', () => {
  it('Profile page: the flame graph of search.prof shows its real cost centres in the top table and the canvas', async () => {
    const page = await open({ view: 'app', path: `/profile?id=${stored.searchProf.id}` });
    const flame = page.locator(byTestId(testIds.profilePage.flameGraph));
    await flame.locator('canvas').first().waitFor({ timeout: 30_000 });
    const expected = topCostCentres('search.prof');
    for (const name of expected.slice(0, 5)) {
      await flame.getByText(name, { exact: true }).first().waitFor({ timeout: 30_000 });
    }
    // Hovering the root bar (full width, first row) shows its tooltip with the root's label.
    const canvas = flame.locator('canvas').first();
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 8);
    const tooltip = await page.getByText('MAIN.MAIN').last().textContent({ timeout: 30_000 });
    assert.equal(tooltip, 'MAIN.MAIN');
    await page.screenshot({ path: join(RESULTS, 'profile-flamegraph.png'), fullPage: true });
    await page.close();
  });

  it('Profile page over a range: the heap timeline of leaky.hc.hp shows its biggest bands; no tree says how to upload', async () => {
    const page = await open({
      view: 'app',
      path: `/profile?${new URLSearchParams({ selector: '{service="leaky"}', ...range(stored.leakyHeap) })}`,
    });
    const heap = page.locator(byTestId(testIds.profilePage.heap));
    await heap.locator('canvas').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(RESULTS, 'profile-heap.png'), fullPage: true });
    // Legend entries are the band names followed by the split label's value (`... leaky-1`).
    for (const band of biggestHeapBands('leaky.hc.hp', 4)) {
      await heap.getByText(`${band} leaky-1`, { exact: true }).first().waitFor({ timeout: 30_000 });
    }
    const notices = await page.locator(byTestId(testIds.profilePage.notice)).allTextContents();
    assert.ok(
      notices.some((text) =>
        text.includes('no profiles for {service="leaky"} in this range; upload with ghcprof push or the agent')
      ),
      notices.join(' | ')
    );
    // Prometheus has no series for leaky: said as information, not as a failure.
    await page.getByText('No RTS metrics', { exact: true }).waitFor();
    assert.equal(await page.getByText('RTS metrics failed').count(), 0);
    await page.screenshot({ path: join(RESULTS, 'profile-heap.png'), fullPage: true });
    await page.close();
  });

  it('Profiles page: lists the stored profiles with their labels', async () => {
    const page = await open({ view: 'app', path: `/profiles?${new URLSearchParams({ from: 'now-30d', to: 'now' })}` });
    const rows = page.locator(byTestId(testIds.profilesPage.row));
    await rows.first().waitFor({ timeout: 30_000 });
    assert.equal(await rows.count(), 4);
    const text = await page.locator(byTestId(testIds.profilesPage.table)).textContent();
    for (const label of ['service=search', 'service=leaky', 'pod=search-1', 'prof', 'hp (hc)']) {
      assert.ok(text?.includes(label), `${label} missing in ${text}`);
    }
    await page.screenshot({ path: join(RESULTS, 'profiles.png'), fullPage: true });
    await page.close();
  });

  it('Query editor: builds a heap query with server-suggested labels, and shows it again when reopened', async () => {
    const page = await open({
      view: 'queryEditor',
      query: JSON.stringify({ refId: 'A', queryType: 'flamegraph', selector: '{}' }),
    });
    await page.getByRole('radio', { name: 'Heap timeline' }).click();
    await page.locator(byTestId(testIds.queryEditor.labelName)).click();
    await page.getByRole('option', { name: 'service' }).click();
    await page.locator(byTestId(testIds.queryEditor.labelValue)).click();
    await page.getByRole('option', { name: 'leaky' }).click();
    await page.screenshot({ path: join(RESULTS, 'query-editor.png'), fullPage: true });
    await page.locator(byTestId(testIds.queryEditor.addMatcher)).click();
    await page.locator(byTestId(testIds.queryEditor.topN)).fill('5');
    await page.locator(byTestId(testIds.queryEditor.topN)).blur();
    const json = await page.getByTestId('harness-query-json').textContent();
    assert.deepEqual(JSON.parse(json!), { refId: 'A', queryType: 'heap', selector: '{service="leaky"}', topN: 5 });
    await page.screenshot({ path: join(RESULTS, 'query-editor.png'), fullPage: true });
    await page.close();

    const reopened = await open({ view: 'queryEditor', query: json! });
    await reopened.locator(byTestId(testIds.queryEditor.topN)).waitFor();
    assert.equal(await reopened.locator(byTestId(testIds.queryEditor.selector)).inputValue(), '{service="leaky"}');
    assert.equal(await reopened.locator(byTestId(testIds.queryEditor.topN)).inputValue(), '5');
    assert.equal(await reopened.getByRole('radio', { name: 'Heap timeline' }).isChecked(), true);
    await reopened.close();
  });

  it('Profiles page: uploads by file picker and by drag-and-drop with progress, deletes after confirmation', async () => {
    const page = await open({ view: 'app', path: `/profiles?${new URLSearchParams({ from: 'now-30d', to: 'now' })}` });
    const rows = page.locator(byTestId(testIds.profilesPage.row));
    await rows.first().waitFor({ timeout: 30_000 });
    const before = await rows.count();

    await page.locator(byTestId(testIds.profilesPage.uploadLabels)).fill('service=pipeline, pod=pipeline-1');
    await page.locator(byTestId(testIds.profilesPage.fileInput)).setInputFiles(join(FIXTURES, 'pipeline.hc.hp'));
    await page.getByText(/^stored as /).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator(byTestId(testIds.profilesPage.progress)).getAttribute('value'), '1');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="data-testid ghcprof-profiles-row"]').length === n,
      before + 1
    );

    // A drop event carrying a file, as the browser fires it when a file is dragged onto the zone.
    await page.locator(byTestId(testIds.profilesPage.uploadLabels)).fill('service=jsonagg');
    const report = readFileSync(join(FIXTURES, 'jsonagg.prof'), 'utf8');
    await page.locator(byTestId(testIds.profilesPage.dropzone)).evaluate((zone, text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'jsonagg.prof'));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, report);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="data-testid ghcprof-profiles-row"]').length === n,
      before + 2
    );
    const table = await page.locator(byTestId(testIds.profilesPage.table)).textContent();
    assert.ok(
      table?.includes('service=pipeline') && table.includes('pod=pipeline-1') && table.includes('service=jsonagg'),
      table ?? ''
    );
    await page.screenshot({ path: join(RESULTS, 'profiles-uploaded.png'), fullPage: true });

    const pipelineRow = rows.filter({ hasText: 'service=pipeline' });
    await pipelineRow.locator(byTestId(testIds.profilesPage.delete)).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/Delete hp profile .* of pipeline\?/).waitFor();
    await page.screenshot({ path: join(RESULTS, 'profiles-delete-confirm.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="data-testid ghcprof-profiles-row"]').length === n,
      before + 1
    );
    assert.ok(!(await page.locator(byTestId(testIds.profilesPage.table)).textContent())?.includes('service=pipeline'));
    await page.close();
  });

  it('Profiles page: Viewers get no upload or delete, Editors upload but do not delete', async () => {
    for (const [role, canUpload, canDelete] of [
      ['Viewer', false, false],
      ['Editor', true, false],
    ] as const) {
      const page = await open({
        view: 'app',
        role,
        path: `/profiles?${new URLSearchParams({ from: 'now-30d', to: 'now' })}`,
      });
      await page.locator(byTestId(testIds.profilesPage.row)).first().waitFor({ timeout: 30_000 });
      assert.equal(await page.locator(byTestId(testIds.profilesPage.dropzone)).count(), canUpload ? 1 : 0, role);
      assert.equal(await page.locator(byTestId(testIds.profilesPage.delete)).count(), canDelete ? 1 : 0, role);
      assert.ok((await page.locator(byTestId(testIds.profilesPage.download)).count()) > 0, role);
      await page.close();
    }
  });

  it('Compare page: two runs side by side and their diff flame graph', async () => {
    const page = await open({
      view: 'app',
      path: `/compare?${new URLSearchParams({
        'left.selector': '{service="search",pod="search-1"}',
        'left.from': 'now-30d',
        'left.to': 'now',
        'right.selector': '{service="search",pod="search-2"}',
        'right.from': 'now-30d',
        'right.to': 'now',
      })}`,
    });
    await page
      .locator(`${byTestId(testIds.comparePage.left)} canvas`)
      .first()
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(RESULTS, 'compare.png'), fullPage: true });
    for (const id of [testIds.comparePage.left, testIds.comparePage.right, testIds.comparePage.diff]) {
      await page
        .locator(`${byTestId(id)} canvas`)
        .first()
        .waitFor({ timeout: 30_000 });
    }
    const diff = page.locator(byTestId(testIds.comparePage.diff));
    // The diff top table has baseline and comparison columns, and the fixture's biggest cost centre.
    await diff.getByText('Baseline', { exact: true }).first().waitFor({ timeout: 30_000 });
    await diff.getByText('Comparison', { exact: true }).first().waitFor();
    await diff.getByText(topCostCentres('search.eventlog-run.prof')[0], { exact: true }).first().waitFor();
    await page.screenshot({ path: join(RESULTS, 'compare.png'), fullPage: true });
    await page.close();
  });

  it('Profile page over the last minutes: RTS live bytes of the service come from Prometheus through ghcprof', async () => {
    await prometheus.waitForSamples('up', 5);
    const page = await open({
      view: 'app',
      path: `/profile?${new URLSearchParams({ selector: '{service="search"}', from: 'now-2m', to: 'now' })}`,
      prometheusUrl: prometheus.url,
    });
    const rts = page.locator(byTestId(testIds.profilePage.rts));
    await rts.locator('canvas').first().waitFor({ timeout: 30_000 });
    // The exporter publishes TRUTH.liveBytes (50 MiB); the legend's last and max values show it.
    assert.equal(TRUTH.liveBytes, 50 * 1048576);
    await rts.getByText('50 MiB', { exact: true }).first().waitFor({ timeout: 30_000 });
    assert.ok((await rts.textContent())?.includes('search-1'));
    const link = await page.getByRole('link', { name: 'Open in Prometheus' }).getAttribute('href');
    const graph = new URL(link!);
    assert.equal(`${graph.origin}${graph.pathname}`, `${prometheus.url}/graph`);
    assert.match(graph.searchParams.get('g0.expr') ?? '', /service="search"/);
    await page.screenshot({ path: join(RESULTS, 'profile-rts.png'), fullPage: true });
    await page.close();
  });

  it('Save & test: says what works, and exactly what is wrong, against the real server', async () => {
    const saveAndTest = async (uid: string) => {
      const page = await open({ view: 'testDatasource', uid });
      const result = page.getByTestId('harness-test-result');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="harness-test-result"]')?.textContent !== 'running'
      );
      const answer = JSON.parse((await result.textContent())!);
      await page.close();
      return answer as { status: string; message: string };
    };
    assert.deepEqual(await saveAndTest('ghcprof'), {
      status: 'success',
      message:
        'Connected to ghcprof (tenant "t"). read token: tenant "t", scope "read"; write token: scope "write"; admin token: scope "admin"',
    });
    const wrongRead = await saveAndTest('wrong-read-token');
    assert.equal(wrongRead.status, 'error');
    assert.match(
      wrongRead.message,
      /^ghcprof rejected the read token \(401 .+\); set a valid token in the data source settings \("Read token"\)$/
    );
    const wrongAdmin = await saveAndTest('write-token-as-admin');
    assert.equal(wrongAdmin.status, 'error');
    assert.equal(wrongAdmin.message, 'Connected to ghcprof, but wrong admin token: it has scope "write", needs admin');
    const unreachable = await saveAndTest('unreachable');
    assert.equal(unreachable.status, 'error');
    assert.match(unreachable.message, /^ghcprof server unreachable \(502: Bad Gateway: .+\); check the server URL/);
  });

  it('raised no uncaught page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
