import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  envName,
  MIB,
  parseByteSize,
  parseDuration,
  resolveConfig,
  settingsFromEnv,
  settingsFromFile,
} from './config';

describe('server config', () => {
  it('defaults: 127.0.0.1:4040, SQLite under ./.data, 512 MiB uploads, no retention', () => {
    const c = resolveConfig([], {});
    assert.equal(c.port, 4040);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.db, join('.data', 'ghcprof.db'));
    assert.equal(c.maxUploadBytes, 512 * MIB);
    assert.equal(c.retentionMs, null);
  });

  it('GHCPROF_DATA_DIR moves the default database', () => {
    assert.equal(resolveConfig([], { GHCPROF_DATA_DIR: '/var/lib/ghcprof' }).db, '/var/lib/ghcprof/ghcprof.db');
  });

  it('reads every setting from GHCPROF_* variables', () => {
    assert.equal(envName('maxUploadBytes'), 'GHCPROF_MAX_UPLOAD_BYTES');
    const env = {
      GHCPROF_PORT: '5050',
      GHCPROF_DB: 'postgres://u@h/db',
      GHCPROF_RETENTION: '30d',
      GHCPROF_MAX_UPLOAD_BYTES: '10MiB',
      GHCPROF_PROMETHEUS_URL: 'http://prom:9090',
      GHCPROF_PROMETHEUS_LABEL: 'service=app, pod=kubernetes_pod_name|pod',
      GHCPROF_EKG_URL: 'http://svc:8000',
      GHCPROF_EKG_LABEL: 'service=api,pod=api-0',
    };
    const c = resolveConfig([settingsFromEnv(env)], env);
    assert.equal(c.port, 5050);
    assert.equal(c.db, 'postgres://u@h/db');
    assert.equal(c.retentionMs, 30 * 86_400_000);
    assert.equal(c.maxUploadBytes, 10 * MIB);
    assert.equal(c.prometheusUrl, 'http://prom:9090');
    assert.deepEqual(c.prometheusLabels, { service: 'app', pod: 'kubernetes_pod_name|pod' });
    assert.equal(c.ekgUrl, 'http://svc:8000');
    assert.deepEqual(c.ekgLabels, { service: 'api', pod: 'api-0' });
  });

  it('command line beats environment beats config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ghcprof-config-'));
    const file = join(dir, 'ghcprof.yaml');
    writeFileSync(file, 'port: 6000\nhost: 0.0.0.0\nretention: 7d\n');
    const env = { GHCPROF_PORT: '7000' };
    const c = resolveConfig([settingsFromFile(file), settingsFromEnv(env), { host: '::1' }], env);
    assert.equal(c.port, 7000);
    assert.equal(c.host, '::1');
    assert.equal(c.retentionMs, 7 * 86_400_000);
  });

  it('names the file and key of a bad config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ghcprof-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'port: eighty\n');
    assert.throws(
      () => settingsFromFile(file),
      (err: Error) => err.message.startsWith(`${file}: port:`)
    );
    writeFileSync(file, 'prot: 1\n');
    assert.throws(() => settingsFromFile(file), /prot/);
  });

  it('parses durations and sizes, and says what it expected', () => {
    assert.equal(parseDuration('90m'), 5_400_000);
    assert.equal(parseDuration('off'), null);
    assert.equal(parseByteSize('1.5KiB'), 1536);
    assert.equal(parseByteSize('2GB'), 2e9);
    assert.throws(() => parseDuration('30 days'), /expected a number with a unit/);
    assert.throws(() => parseByteSize('lots'), /expected bytes/);
  });

  it('refuses a prometheus label that is not name=value', () => {
    assert.throws(() => resolveConfig([{ prometheusLabel: ['9bad=x'] }], {}), /--prometheus-label "9bad=x": expected/);
  });
});
