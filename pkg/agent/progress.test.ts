import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressBar } from './progress';

describe('ProgressBar', () => {
  it('shows the fraction, the rate and the time left', () => {
    let t = 0;
    const written: string[] = [];
    const bar = new ProgressBar(
      (s) => written.push(s),
      'leaky.eventlog',
      4 * 1024 * 1024,
      10,
      () => t
    );
    t = 1000;
    bar.add(1024 * 1024);
    assert.equal(bar.render(), 'leaky.eventlog [##--------]  25%  1.0 MiB/s  ETA 3s');
    assert.equal(written.length, 1);
    assert.ok(written[0].startsWith('\r') && written[0].endsWith('\x1b[K'));
    bar.add(10); // within 100 ms of the last draw: not redrawn
    assert.equal(written.length, 1);
    t = 2000;
    bar.add(3 * 1024 * 1024 - 10);
    assert.match(written.at(-1)!, /\[##########\] 100% {2}2\.0 MiB\/s {2}ETA 0s/);
  });

  it('starts over when a retry sends the file again', () => {
    let t = 0;
    const bar = new ProgressBar(
      () => {},
      'x',
      100,
      4,
      () => t
    );
    t = 1000;
    bar.add(100);
    bar.reset();
    assert.match(bar.render(), /\[----\] {3}0%/);
  });
});
