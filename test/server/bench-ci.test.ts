/**
 * The README's GitHub Actions flow for benchmarks, end to end with the ghcprof command line on both stores:
 * `ghcprof push` of a criterion result per branch, main's latest result found by a query and downloaded raw, then
 * `ghcprof bench --compare ... --fail-if-slower 10` failing on the real regression of the fixtures' v2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { criterionJson } from '../../pkg/formats/bench/__tests__/expected';
import { freshStoreSpec, STORE_KINDS, stopPostgres } from './support';
import { runCli, startServe, stopChild } from './spawn';
import { spawnSync } from 'node:child_process';
import { ensureBuiltCli, REPO } from '../../pkg/cli/__tests__/built-cli';

/** The real executable (bin/ghcprof.js on build/), which has every command. */
function ghcprof(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/ghcprof.js'), ...args], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

after(stopPostgres);

const lastLine = (out: string) => out.trimEnd().split('\n').at(-1)!;

for (const kind of STORE_KINDS) {
  describe(`benchmarks in CI on ${kind}`, { timeout: 180_000 }, () => {
    it("push per branch, download main's latest result by a query, gate: exit 1 naming the regressed benchmark", async () => {
      ensureBuiltCli();
      const { spec, cleanup } = await freshStoreSpec(kind);
      const work = mkdtempSync(join(tmpdir(), 'ghcprof-bench-ci-'));
      const token = (scope: string) =>
        lastLine(runCli(['token', 'create', '--db', spec, '--tenant', 'ci', '--scope', scope]).stdout);
      const [write, read] = [token('write'), token('read')];
      const server = await startServe(['--db', spec]);
      try {
        const env = { GHCPROF_URL: server.url, GHCPROF_TOKEN: write };
        const push = (file: string, version: string, branch: string) =>
          ghcprof(
            ['push', file, '--label', 'suite=mylib', '--label', `version=${version}`, '--label', `branch=${branch}`],
            env
          );
        const older = push(criterionJson('v2'), 'old', 'main'); // an older main result, replaced by the next one
        assert.equal(older.status, 0, older.stderr);
        // a different file for the newer main result (v1's CSV: v1's values), so "latest" is checked, not luck
        const main = push(criterionJson('v1').replace('.json', '.csv'), 'aaa', 'main');
        assert.equal(main.status, 0, main.stderr);
        const feature = push(criterionJson('v2'), 'bbb', 'feature');
        assert.equal(feature.status, 0, feature.stderr);
        assert.match(feature.stdout, /\t(created|existing)\n$/);

        const auth = { authorization: `Bearer ${read}` };
        const query = new URLSearchParams({ selector: '{suite="mylib",branch="main"}', kind: 'bench', limit: '1' });
        const list = (await (await fetch(`${server.url}/api/v1/profiles?${query}`, { headers: auth })).json()) as {
          profiles: Array<{ id: string; labels: Record<string, string> }>;
        };
        assert.equal(list.profiles.length, 1);
        assert.equal(list.profiles[0].labels.version, 'aaa', 'listing is newest first: limit=1 is the latest');
        const raw = Buffer.from(
          await (
            await fetch(`${server.url}/api/v1/profiles/${list.profiles[0].id}/raw`, { headers: auth })
          ).arrayBuffer()
        );
        assert.deepEqual(raw, readFileSync(criterionJson('v1').replace('.json', '.csv')));
        const mainFile = join(work, 'main.csv');
        writeFileSync(mainFile, raw);

        const gate = ghcprof(['bench', '--compare', mainFile, criterionJson('v2'), '--fail-if-slower', '10']);
        assert.equal(gate.status, 1, gate.stdout + gate.stderr);
        assert.match(gate.stderr, /slower by more than 10% \(significant\): .*sort\/insertion/);
        const same = ghcprof(['bench', '--compare', mainFile, mainFile, '--fail-if-slower', '10']);
        assert.equal(same.status, 0, same.stderr);
      } finally {
        await stopChild(server.child);
        rmSync(work, { recursive: true, force: true });
        await cleanup();
      }
    });
  });
}
