import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { startPostgres, type TestPostgres } from './postgres';

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('test/support/postgres', () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg.stop();
  });

  it('runs PostgreSQL 15 on 127.0.0.1', async () => {
    assert.match(pg.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const version = await withClient(
      pg.url,
      async (c) => (await c.query('SHOW server_version')).rows[0].server_version
    );
    assert.match(version, /^15\./);
  });

  it('gives each caller a fresh, separate database', async () => {
    const a = await pg.createDatabase();
    const b = await pg.createDatabase();
    assert.notEqual(a, b);
    await withClient(a, (c) => c.query('CREATE TABLE only_in_a (x int)'));
    const tablesInB = await withClient(
      b,
      async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_a'`)).rows[0].n
    );
    assert.equal(tablesInB, 0);
  });

  it('shares one server between handles in a process', async () => {
    const second = await startPostgres();
    assert.equal(second.url, pg.url);
    await second.stop();
    // The first handle still works after the second is released.
    const n = await withClient(pg.url, async (c) => (await c.query('SELECT 1 AS n')).rows[0].n);
    assert.equal(n, 1);
  });

  it('refuses database names that would need quoting', async () => {
    await assert.rejects(pg.createDatabase('Bad-Name'), /must match/);
  });
});
