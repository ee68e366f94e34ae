/** What only the SQLite backend has to show: WAL, durability of an acknowledged insert, a CLI next to a server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlStore } from '../index';
import { openSqliteDatabase } from './driver';
import type { SqlStore } from '../sql-store';
import { sampleTree } from '../__tests__/backends';

const CHILD = join(__dirname, '..', '__tests__', 'sqlite-child.ts');

interface Child {
  /** The next line the child prints. */
  nextLine(): Promise<string>;
  process: ChildProcess;
}

function runChild(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const w = waiting.shift();
      w ? w(line) : lines.push(line);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<string>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`child exited with ${code}: ${stderr}`)))
  );
  exited.catch(() => undefined);
  return {
    process: child,
    nextLine: () =>
      lines.length > 0
        ? Promise.resolve(lines.shift()!)
        : Promise.race([new Promise<string>((r) => waiting.push(r)), exited]),
  };
}

describe('sqlite backend', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ghcprof-sqlite-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens in WAL mode with synchronous=FULL, foreign keys and a busy timeout, creating parent dirs', () => {
    const db = openSqliteDatabase(join(dir, 'nested', 'deeper', 'a.db'));
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 2);
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 5000);
    } finally {
      db.close();
    }
  });

  it('names the file when it cannot open it', async () => {
    await assert.rejects(openSqlStore(dir), new RegExp(`cannot open SQLite database ${dir}: `));
  });

  it('keeps an acknowledged insert when the process is killed with SIGKILL right after', async () => {
    const file = join(dir, 'durable.db');
    const child = runChild(['insert', file]);
    const line = await child.nextLine();
    child.process.kill('SIGKILL');
    await new Promise((r) => child.process.once('exit', r));
    const [id, sha] = line.split(' ');
    const store = await openSqlStore(file);
    try {
      const meta = await store.getProfile('durable', id);
      assert.equal(meta?.sha256, sha);
      assert.deepEqual(await store.getTree('durable', id), sampleTree());
      assert.ok((await store.getRaw('durable', id))?.toString().startsWith('profile '));
    } finally {
      await store.close();
    }
  });

  describe('a CLI process writing while a server holds the file', () => {
    let server: SqlStore;
    const file = () => join(dir, 'shared.db');
    before(async () => {
      server = await openSqlStore(file());
      await server.migrate();
    });
    after(() => server.close());

    it('waits for the server’s write transaction instead of failing with SQLITE_BUSY', async () => {
      // The server holds the write lock from before the CLI starts until 500 ms after the CLI is ready to write.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const transaction = (
        server as unknown as { driver: { transaction: (fn: () => Promise<void>) => Promise<void> } }
      ).driver.transaction(() => held);
      const cli = runChild(['token', file(), 'cli-hash']);
      assert.equal(await cli.nextLine(), 'ready');
      await new Promise((r) => setTimeout(r, 500));
      release();
      await transaction;
      const [tokenId, waitedMs] = (await cli.nextLine()).split(' ');
      const found = await server.findTokenByHash('cli-hash');
      assert.equal(found?.id, tokenId);
      assert.equal(found?.scope, 'admin');
      assert.ok(Number(waitedMs) >= 400, `the CLI waited ${waitedMs} ms for the lock`);
    });
  });
});
