/**
 * The plugin's pages and query editor in a real Chromium, against a real `ghcprof serve` holding the GHC fixtures.
 * Screenshots go to test-results/ (look at them: the assertions cover text, the pictures cover layout).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ProfileMeta } from '../../pkg/api/query';
import { testIds } from '../../src/components/testIds';
import { bundleHarness } from './support/bundle';
import { biggestHeapBands, topCostCentres } from './support/fixtureFacts';
import { startGhcprof, type Ghcprof } from './support/ghcprofServer';
import { startHarnessServer } from './support/harnessServer';

const RESULTS = join(__dirname, '..', '..', 'test-results');
const byTestId = (id: string) => `[data-testid="${id}"]`;

let work: string;
let ghcprof: Ghcprof;
let harness: { url: string; server: Server };
let context: BrowserContext;
const pageErrors: string[] = [];
const stored: Record<string, ProfileMeta> = {};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ghcprof-browser-'));
  mkdirSync(RESULTS, { recursive: true });
  const bundle = join(work, 'bundle.js');
  const [server] = await Promise.all([startGhcprof(join(work, 'ghcprof.db')), bundleHarness(bundle)]);
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
  harness = await startHarnessServer(bundle, ghcprof.url, tokens);
  context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
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
  rmSync(work, { recursive: true, force: true });
});

async function open(search: Record<string, string>): Promise<Page> {
  const page = await context.newPage();
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
      await flame.getByText(name, { exact: true }).first().waitFor({ timeout: 10_000 });
    }
    // Hovering the root bar (full width, first row) shows its tooltip with the root's label.
    const canvas = flame.locator('canvas').first();
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 8);
    const tooltip = await page.getByText('MAIN.MAIN').last().textContent({ timeout: 10_000 });
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
      await heap.getByText(`${band} leaky-1`, { exact: true }).first().waitFor({ timeout: 10_000 });
    }
    const notices = await page.locator(byTestId(testIds.profilePage.notice)).allTextContents();
    assert.ok(
      notices.some((text) =>
        text.includes('no profiles for {service="leaky"} in this range; upload with ghcprof push or the agent')
      ),
      notices.join(' | ')
    );
    await page.screenshot({ path: join(RESULTS, 'profile-heap.png'), fullPage: true });
    await page.close();
  });

  it('Profiles page: lists the stored profiles with their labels', async () => {
    const page = await open({ view: 'app', path: `/profiles?${new URLSearchParams({ from: 'now-30d', to: 'now' })}` });
    const rows = page.locator(byTestId(testIds.profilesPage.row));
    await rows.first().waitFor({ timeout: 30_000 });
    assert.equal(await rows.count(), 3);
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

  it('raised no uncaught page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
