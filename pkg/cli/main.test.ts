import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ensureBuiltCli, REPO } from './__tests__/built-cli';

/** Runs the built CLI's buildCli for `args` in a fresh node and reports which command modules and heavy dependencies it loaded. */
function loadedBy(args: string[]): { stdout: string; loaded: string[] } {
  // Help exits the process from inside commander: the report is written on exit, from what stdout was given.
  const script = `
    const out = [];
    process.stdout.write = (s) => (out.push(String(s)), true);
    process.on('exit', () => {
      const loaded = Object.keys(require.cache).filter((k) =>
        /commands\\/(formats|server|collect)\\.js$|node_modules\\/(fastify|better-sqlite3|pg)\\//.test(k)
      );
      require('fs').writeSync(1, JSON.stringify({ stdout: out.join(''), loaded }));
    });
    const { buildCli } = require('./build/pkg/cli/main');
    const argv = ['node', 'ghcprof', ...${JSON.stringify(args)}];
    buildCli(argv).parse(argv);
  `;

  const r = spawnSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { stdout: string; loaded: string[] };
}

describe('CLI start: only the command that runs is loaded', () => {
  ensureBuiltCli();

  it('--version loads no command module', () => {
    const { stdout, loaded } = loadedBy(['--version']);
    assert.match(stdout, /^\d+\.\d+\.\d+/);
    assert.deepEqual(loaded, []);
  });

  it('--help lists every command with its summary, loading none', () => {
    const { stdout, loaded } = loadedBy(['--help']);
    for (const name of ['inspect', 'flame', 'heap', 'bench', 'serve', 'token', 'store', 'demo', 'push', 'agent']) {
      assert.match(stdout, new RegExp(`^  ${name}\\b`, 'm'), name);
    }
    assert.deepEqual(loaded, []);
  });

  it('a command (or its help) loads its own module only', () => {
    const { stdout, loaded } = loadedBy(['help', 'inspect']);
    assert.match(stdout, /--json/);
    assert.equal(loaded.length, 1);
    assert.match(loaded[0], /commands\/formats\.js$/);
  });
});
