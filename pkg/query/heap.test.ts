/**
 * The heap query over a time range and with maxDataPoints, on both stores: only censuses inside [from, to], at most
 * maxDataPoints points, each the mean of the censuses in its interval (checked against the stored censuses).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { HeapQuerySchema } from '../api/query';
import { BACKENDS, useStore } from '../store/__tests__/backends';
import { heapQuery } from './heap';
import { ingest } from './ingest';

for (const backend of BACKENDS) {
  describe(`heap query [${backend}]: range and maxDataPoints`, () => {
    const fx = useStore(backend);

    it('keeps the censuses inside the range and averages them down to maxDataPoints', async () => {
      const bytes = readFileSync('test/fixtures/ghc/leaky.eventlog');
      const { meta } = await ingest(fx.store, bytes, {
        tenant: 't',
        labels: { service: 's' },
        uploader: null,
        maxBytes: 1 << 26,
      });
      const stored = (await fx.store.getHeap('t', meta.id))!;
      const times = stored.samples.map((s) => meta.startTime + s.time * 1000);
      assert.ok(times.length > 20);
      const ctx = { store: fx.store, tenant: 't', maxProfiles: 100 };
      const run = async (q: Record<string, unknown>) => {
        const frame = (
          await heapQuery(ctx, HeapQuerySchema.parse({ selector: '{service="s"}', splitBy: '', topN: 1000, ...q }))
        ).frames[0];
        const time = frame.data.values[0] as number[];
        return { frame, time };
      };
      // A range holding the middle third of the censuses (ends between censuses).
      const from = Math.floor((times[Math.floor(times.length / 3)] + times[Math.floor(times.length / 3) - 1]) / 2);
      const to = Math.floor(
        (times[Math.floor((2 * times.length) / 3)] + times[Math.floor((2 * times.length) / 3) + 1]) / 2
      );
      const inside = times.filter((t) => t >= from && t <= to);
      const ranged = await run({ from, to });
      assert.equal(ranged.time.length, inside.length, 'only the censuses inside the range');
      assert.ok(ranged.time.every((t) => t >= from && t <= to));
      assert.equal(ranged.frame.schema.meta?.custom?.ghcprof?.downsampled, undefined, 'fewer than 1000: not thinned');

      const maxDataPoints = 7;
      const thinned = await run({ maxDataPoints });
      assert.ok(thinned.time.length <= maxDataPoints && thinned.time.length > 1);
      const d = thinned.frame.schema.meta?.custom?.ghcprof?.downsampled as {
        censuses: number;
        points: number;
        method: string;
      };
      assert.deepEqual([d.censuses, d.points, d.method], [times.length, thinned.time.length, 'mean']);
      assert.ok(thinned.frame.schema.meta?.notices?.some((n) => /averaged into/.test(n.text)));
      // Oracle: the first point is the mean of the censuses in the first of 7 equal intervals of the run.
      const first = stored.samples[0].time;
      const width = (stored.samples.at(-1)!.time - first) / maxDataPoints;
      const firstInterval = stored.samples.filter((s) => Math.floor((s.time - first) / width) === 0);
      const band = Object.keys(firstInterval.at(-1)!.values)[0];
      const fields = thinned.frame.schema.fields.map((f) => f.name);
      const column = thinned.frame.data.values[fields.indexOf(band)] as number[];
      const expected = firstInterval.reduce((n, s) => n + (s.values[band] ?? 0), 0) / firstInterval.length;
      assert.ok(Math.abs(column[0] - expected) < 1e-6 * Math.max(1, expected), `${band}: ${column[0]} vs ${expected}`);
      const meanTime = firstInterval.reduce((n, s) => n + s.time, 0) / firstInterval.length;
      assert.ok(Math.abs(thinned.time[0] - (meta.startTime + meanTime * 1000)) < 1);
    });
  });
}
