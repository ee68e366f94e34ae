/**
 * The benchmark views in a real Chromium against a real `ghcprof serve` holding the two criterion fixture runs (v2
 * with a real regression): the query editor's benchmark picker, and the Benchmarks dashboard's panels run through
 * the data source with its variables. Expected values come from the fixture files. Screenshots go to test-results/
 * and the dashboard's to docs/img/benchmarks.png (the README shows it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { testIds } from '../../src/shared/testIds';
import { criterionJson, expectedFromCriterionJson } from '../../pkg/formats/bench/__tests__/expected';
import { bundleHarness } from './support/bundle';
import { startGhcprof, type Ghcprof } from './support/ghcprofServer';
import { startHarnessServer } from './support/harnessServer';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results');
const DOC_IMAGES = join(ROOT, 'docs', 'img');
const T0 = Date.UTC(2026, 10, 20, 12, 0);
const HOUR = 3_600_000;
const WINDOW = { from: T0 - HOUR, to: T0 + 3 * HOUR };
const v1 = expectedFromCriterionJson(join(ROOT, criterionJson('v1')));
const v2 = expectedFromCriterionJson(join(ROOT, criterionJson('v2')));
const NAMES = v1.map((b) => b.name);

let work: string;
let ghcprof: Ghcprof;
let harness: { url: string; server: Server };
let context: BrowserContext;
const pageErrors: string[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ghcprof-browser-bench-'));
  mkdirSync(RESULTS, { recursive: true });
  const bundle = join(work, 'bundle.js');
  const [server] = await Promise.all([startGhcprof(join(work, 'ghcprof.db')), bundleHarness(bundle)]);
  ghcprof = server;
  const tokens = {
    read: ghcprof.createToken('read'),
    write: ghcprof.createToken('write'),
    admin: ghcprof.createToken('admin'),
  };
  for (const [v, start] of [
    ['v1', T0],
    ['v2', T0 + HOUR],
  ] as const) {
    const response = await fetch(
      `${ghcprof.url}/api/v1/profiles?label=suite%3Ddemo&label=version%3D${v}&start=${start}`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${tokens.write}`, 'Content-Type': 'application/octet-stream' },
        body: readFileSync(join(ROOT, criterionJson(v))),
      }
    );
    assert.equal(response.status, 201, await response.text());
  }
  harness = await startHarnessServer(bundle, { ghcprof: { url: ghcprof.url, tokens } });
  context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
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
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  await page.goto(`${harness.url}/?${new URLSearchParams(search)}`);
  return page;
}

describe('benchmark views in Chromium against ghcprof serve', () => {
  it("query editor: the benchmark picker lists the stored suite's benchmarks; picking one sets the query", async () => {
    const query = { refId: 'A', queryType: 'benchmarks', selector: '{suite="demo"}' };
    const page = await open({ view: 'queryEditor', query: JSON.stringify(query) });
    await page.locator(`[data-testid="${testIds.benchQuery.benchmark}"]`).click();
    for (const name of NAMES) {
      await page.getByRole('option', { name, exact: true }).waitFor();
    }
    await page.screenshot({ path: join(RESULTS, 'query-editor-benchmarks.png') });
    await page.getByRole('option', { name: 'sort/insertion', exact: true }).click();
    await page.waitForFunction(
      () =>
        JSON.parse(document.querySelector('[data-testid="harness-query-json"]')!.textContent!).benchmark ===
        'sort/insertion'
    );
    await page.getByRole('radio', { name: 'By version' }).click();
    const final = JSON.parse((await page.getByTestId('harness-query-json').textContent())!);
    assert.equal(final.benchBy, 'version');
    await page.close();
  });

  it('Benchmarks dashboard: the compare table of v1 -> v2, a chart per benchmark and the means by version, as the files say', async () => {
    const dashboard = {
      vars: { suite: 'demo', base: 'v1', version: 'v2', benchmarks: NAMES, allBenchmarks: NAMES },
      window: WINDOW,
    };
    const page = await open({ view: 'benchmarksDashboard', dashboard: JSON.stringify(dashboard) });
    const compare = page.locator('[data-testid="bench-panel"][data-title="What changed: v1 → v2"]');
    await compare.locator('[data-testid="bench-row"]').nth(NAMES.length).waitFor();
    const rows = await compare
      .locator('[data-testid="bench-row"]')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.field!, td.dataset.raw!]))
        )
      );
    const olds = new Map(v1.map((b) => [b.name, b]));
    const ratios = v2.map((n) => n.mean / olds.get(n.name)!.mean);
    rows.slice(0, -1).forEach((row, i) => {
      assert.equal(row.name, v2[i].name);
      assert.equal(Number(row.ratio), ratios[i]);
      const o = olds.get(v2[i].name)!;
      assert.equal(row.significant, String(v2[i].meanLower > o.meanUpper || v2[i].meanUpper < o.meanLower));
    });
    const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
    assert.equal(rows.at(-1)!.name, 'geometric mean');
    assert.ok(Math.abs(Number(rows.at(-1)!.ratio) - geomean) < 1e-12 * geomean);

    for (const name of NAMES) {
      const chart = page.locator(`[data-testid="bench-panel"][data-title="${name}"]`);
      await chart.locator('canvas').first().waitFor();
      await chart.getByText(name, { exact: true }).first().waitFor(); // the legend names the mean series
    }
    const byVersion = page.locator(
      '[data-testid="bench-panel"][data-title="Means by version"] [data-testid="bench-row"]'
    );
    await byVersion.nth(1).waitFor();
    const versionRows = await byVersion.evaluateAll((trs) =>
      trs.map((tr) =>
        Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.field!, td.dataset.raw!]))
      )
    );
    assert.deepEqual(
      versionRows.map((r) => r.version),
      ['v1', 'v2']
    );
    assert.equal(Number(versionRows[1]['sort/insertion']), v2.find((b) => b.name === 'sort/insertion')!.mean);
    assert.equal(await page.locator('[data-testid="bench-panel-error"]').count(), 0);
    await page.screenshot({ path: join(RESULTS, 'benchmarks-dashboard.png'), fullPage: true });
    mkdirSync(DOC_IMAGES, { recursive: true });
    copyFileSync(join(RESULTS, 'benchmarks-dashboard.png'), join(DOC_IMAGES, 'benchmarks.png'));
    await page.close();
  });

  it('no uncaught page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
