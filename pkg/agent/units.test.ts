import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, parseByteSize, parseDuration } from './units';

describe('parseDuration', () => {
  it('reads units, combinations and bare seconds', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('5s'), 5000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('0.5s'), 500);
    assert.equal(parseDuration('30'), 30_000);
  });
  it('names the flag and the accepted forms on bad input', () => {
    assert.throws(
      () => parseDuration('5 sec', '--settle'),
      /--settle: cannot read "5 sec" as a duration \(expected e\.g\. 500ms/
    );
    assert.throws(() => parseDuration('', '--interval'), /--interval/);
    assert.throws(() => parseDuration('5s10', '--interval'), /--interval/);
  });
});

describe('parseByteSize', () => {
  it('reads decimal and binary units', () => {
    assert.equal(parseByteSize('4096'), 4096);
    assert.equal(parseByteSize('64MiB'), 64 * 1024 * 1024);
    assert.equal(parseByteSize('1G'), 1e9);
    assert.equal(parseByteSize('1.5 KiB'), 1536);
  });
  it('rejects unknown units', () => {
    assert.throws(
      () => parseByteSize('12 parsecs', '--spool-max-bytes'),
      /--spool-max-bytes: cannot read "12 parsecs" as a size/
    );
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  });
});
