/**
 * `--ekg-url`: the poller against a local HTTP server serving nested ekg JSON (and Prometheus text), answering
 * the same panels as Prometheus from consecutive polls.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataFrameJSON } from '../../pkg/api/dataframe';
import type { RtsPanel } from '../../pkg/api/query';
import { HttpError } from '../../pkg/api/errors';
import { EkgPoller, runRtsQuery } from '../../pkg/rts';
import { startFakeExporters, TRUTH } from './fake-exporters';
import type { FakeExporters } from './fake-exporters';

let exporters: FakeExporters;

before(async () => {
  exporters = await startFakeExporters();
});

after(async () => {
  await exporters?.close();
});


async function pollTimes(poller: EkgPoller, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await poller.pollOnce();
    await sleep(60);
  }
}

async function panel(poller: EkgPoller, name: RtsPanel, selector = '') {
  const from = poller.samples()[0].t;
  return (await runRtsQuery({ panel: name, selector, from, to: Date.now() }, { ekg: poller })).frames;
}

function series(frames: DataFrameJSON[], name: string): Array<number | null> {
  const frame = frames.find((f) => f.schema.fields[1].name === name);
  assert.ok(frame, `a ${name} frame among ${frames.map((f) => f.schema.fields[1].name)}`);
  return frame.data.values[1] as Array<number | null>;
}

function present(values: Array<number | null>): number[] {
  return values.filter((v): v is number => v !== null);
}

function assertAllNear(values: number[], expected: number, tolerance: number, what: string): void {
  assert.ok(values.length >= 3, `${what}: ${values.length} values`);
  for (const v of values) {
    assert.ok(
      Math.abs(v - expected) <= expected * tolerance,
      `${what}: ${v} not within ${tolerance * 100}% of ${expected}`
    );
  }
}

describe('ekg JSON poller', () => {
  it('answers every panel from consecutive polls, in base units, with the ekg server clock', async () => {
    const poller = new EkgPoller({ url: `http://${exporters.address}/ekg`, labels: { service: 'api', pod: 'api-0' } });
    await pollTimes(poller, 6);

    const alloc = await panel(poller, 'allocRate', '{service="api"}');
    assert.equal(alloc.length, 1);
    assert.deepEqual(alloc[0].schema.fields[1].labels, { instance: exporters.address, service: 'api', pod: 'api-0' });
    assert.equal(alloc[0].schema.fields[1].config.unit, 'Bps');
    assert.equal((alloc[0].schema.meta?.custom?.ghcprof as { dialect: string }).dialect, 'ekg');
    const allocValues = series(alloc, 'allocated');
    assert.equal(allocValues[0], null, 'the first sample has no predecessor');
    // ekg.server_timestamp_ms is the clock the counters were read at: rates are exact to a byte.
    assertAllNear(present(allocValues), TRUTH.allocBytesPerS, 1e-6, 'allocRate');

    assertAllNear(
      present(series(await panel(poller, 'copiedRate'), 'copied')),
      TRUTH.copiedBytesPerS,
      1e-5,
      'copiedRate'
    );
    const gcs = await panel(poller, 'gcRate');
    assertAllNear(present(series(gcs, 'minor')), TRUTH.gcsPerS - TRUTH.majorGcsPerS, 1e-6, 'minor GCs');
    assertAllNear(present(series(gcs, 'major')), TRUTH.majorGcsPerS, 1e-6, 'major GCs');
    // ekg times are whole milliseconds: over ~60 ms polls that is a few percent.
    assertAllNear(present(series(await panel(poller, 'gcCpuFraction'), 'gc')), 0.25, 0.15, 'gcCpuFraction');
    const cpu = await panel(poller, 'mutatorVsGc');
    assertAllNear(present(series(cpu, 'mutator')), TRUTH.mutatorCpuPerS, 0.05, 'mutator CPU');
    assertAllNear(present(series(cpu, 'gc')), TRUTH.gcCpuPerS, 0.15, 'GC CPU');
    assert.deepEqual(
      present(series(await panel(poller, 'liveBytes'), 'live')).slice(0, 3),
      Array(3).fill(TRUTH.liveBytes)
    );
    assert.equal(present(series(await panel(poller, 'maxMemInUse'), 'max in use'))[0], TRUTH.maxMemInUseBytes);
  });

  it('a restart (counters back to zero) leaves a gap, never a negative rate', async () => {
    const poller = new EkgPoller({ url: `http://${exporters.address}/ekg` });
    await pollTimes(poller, 3);
    exporters.restartAll();
    await pollTimes(poller, 3);
    const values = series(await panel(poller, 'allocRate'), 'allocated');
    assert.equal(values.length, 6);
    assert.deepEqual(
      values.map((v) => v === null),
      [true, false, false, true, false, false],
      `the interval across the restart is a gap: ${values}`
    );
    assertAllNear(present(values), TRUTH.allocBytesPerS, 1e-6, 'rates on both sides of the restart');
  });

  it('keeps a bounded ring of samples, oldest out first', async () => {
    const poller = new EkgPoller({ url: `http://${exporters.address}/ekg`, capacity: 4 });
    const polled: number[] = [];
    for (let i = 0; i < 7; i++) {
      polled.push((await poller.pollOnce()).t);
      await sleep(5);
    }
    assert.deepEqual(
      poller.samples().map((s) => s.t),
      polled.slice(-4)
    );
    assert.deepEqual(
      poller.samples(polled[5]).map((s) => s.t),
      polled.slice(4),
      'a range starts one sample early so its first rate has a predecessor'
    );
  });

  it('start() polls on its own until stop()', async () => {
    const poller = new EkgPoller({ url: `http://${exporters.address}/ekg`, intervalMs: 50 });
    poller.start();
    const deadline = Date.now() + 5000;
    while (poller.samples().length < 4 && Date.now() < deadline) {
      await sleep(20);
    }
    poller.stop();
    const count = poller.samples().length;
    assert.ok(count >= 4, `${count} samples`);
    await sleep(150);
    assert.equal(poller.samples().length, count, 'no polls after stop()');
  });

  it('reads a Prometheus text endpoint too (hasura ekg-prometheus, two spaces, ns)', async () => {
    const poller = new EkgPoller({ url: `http://${exporters.address}/metrics/ekg-prometheus` });
    await pollTimes(poller, 6);
    const frames = await panel(poller, 'gcCpuFraction');
    assert.equal((frames[0].schema.meta?.custom?.ghcprof as { dialect: string }).dialect, 'ekg-prometheus');
    // Sample times are when ghcprof received the text, a few ms after the exporter read its clock.
    assertAllNear(present(series(frames, 'gc')), 0.25, 0.02, 'GC CPU fraction (cpu - mutator) / cpu');
    const alloc = present(series(await panel(poller, 'allocRate'), 'allocated'));
    const sorted = [...alloc].sort((a, b) => a - b);
    assert.ok(Math.abs(sorted[Math.floor(sorted.length / 2)] / TRUTH.allocBytesPerS - 1) < 0.1, `${alloc}`);
  });

  it('errors: selector not matching the polled process (422), unreachable endpoint (502), not ekg (502)', async () => {
    const poller = new EkgPoller({ url: `http://${exporters.address}/ekg`, labels: { service: 'api' } });
    await pollTimes(poller, 2);
    await assert.rejects(
      panel(poller, 'allocRate', '{service="web"}'),
      (e: unknown) => e instanceof HttpError && e.statusCode === 422 && /"service":"api"/.test(e.message)
    );

    const dead = new EkgPoller({ url: 'http://127.0.0.1:1/ekg' });
    await assert.rejects(dead.pollOnce(), (e: unknown) => e instanceof HttpError && e.statusCode === 502);
    dead.start();
    await sleep(100);
    dead.stop();
    await assert.rejects(
      runRtsQuery({ panel: 'allocRate', from: 0, to: Date.now() }, { ekg: dead }),
      (e: unknown) => e instanceof HttpError && e.statusCode === 422 && /unreachable/.test(e.message)
    );

    const html = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>')
    );
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    const port = (html.address() as { port: number }).port;
    try {
      const wrong = new EkgPoller({ url: `http://127.0.0.1:${port}/` });
      await assert.rejects(
        wrong.pollOnce(),
        (e: unknown) => e instanceof HttpError && e.statusCode === 502 && /line 1: expected a metric name/.test(e.message)
      );
    } finally {
      html.close();
    }
  });

  it('without Prometheus or ekg the query is a 404 naming the options', async () => {
    await assert.rejects(
      runRtsQuery({ panel: 'allocRate', from: 0, to: 1 }, {}),
      (e: unknown) => e instanceof HttpError && e.statusCode === 404 && /--prometheus-url or --ekg-url/.test(e.message)
    );
  });
});
