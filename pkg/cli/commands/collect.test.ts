import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerCollectCommands, resolveToken } from './collect';

describe('push and agent command lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ghcprof-collect-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the token from --token, else from --token-file (a mounted Secret, trailing newline trimmed)', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'ghcp_secret\n');
    assert.equal(resolveToken({ token: 'ghcp_flag', tokenFile: file }), 'ghcp_flag');
    assert.equal(resolveToken({ tokenFile: file }), 'ghcp_secret');
    writeFileSync(file, '  \n');
    assert.throws(() => resolveToken({ tokenFile: file }), /--token-file .* is empty/);
    assert.throws(() => resolveToken({}), /a token is needed: --token TOKEN, --token-file FILE, or GHCPROF_TOKEN/);
  });

  it('declares the documented agent flags with their defaults, and --url from GHCPROF_URL', () => {
    const program = new Command('ghcprof').exitOverride();
    registerCollectCommands(program);
    const agent = program.commands.find((c) => c.name() === 'agent')!;
    const defaults = Object.fromEntries(agent.options.map((o) => [o.long, o.defaultValue]));
    assert.deepEqual(
      {
        settle: defaults['--settle'],
        interval: defaults['--interval'],
        spoolMax: defaults['--spool-max-bytes'],
        drain: defaults['--drain-timeout'],
        deleteAfterUpload: defaults['--delete-after-upload'],
      },
      { settle: '5s', interval: '30s', spoolMax: '256MiB', drain: '20s', deleteAfterUpload: false }
    );
    for (const flag of ['--watch', '--url', '--token', '--token-file', '--label', '--spool', '--listen', '--gzip']) {
      assert.ok(defaults[flag] !== undefined || agent.options.some((o) => o.long === flag), flag);
    }
    const url = agent.options.find((o) => o.long === '--url')!;
    assert.equal(url.envVar, 'GHCPROF_URL');
    assert.equal(agent.options.find((o) => o.long === '--token')!.envVar, 'GHCPROF_TOKEN');
  });

  it('refuses push without --url, naming the option', () => {
    const program = new Command('ghcprof').exitOverride().configureOutput({ writeErr: () => {} });
    registerCollectCommands(program);
    const env = process.env.GHCPROF_URL;
    delete process.env.GHCPROF_URL;
    try {
      assert.throws(() => program.parse(['node', 'ghcprof', 'push', 'x.prof', '--token', 't']), /--url <url>/);
    } finally {
      if (env !== undefined) process.env.GHCPROF_URL = env;
    }
  });
});
