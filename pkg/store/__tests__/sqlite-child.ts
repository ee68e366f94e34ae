/**
 * A second process on the same SQLite file, for sqlite.test.ts: `insert FILE` stores a profile and prints its id
 * once insertProfile resolved (then idles until killed); `token FILE HASH` prints `ready`, then creates a
 * token (in an already migrated file) and prints its id and how long it waited for the write lock.
 */
import { openSqlStore } from '../index';
import { newProfile, sampleTree } from './backends';

async function main(): Promise<void> {
  const [command, file, arg] = process.argv.slice(2);
  const store = await openSqlStore(file);
  if (command === 'insert') {
    await store.migrate();
    const { meta } = await store.insertProfile(newProfile({ tenant: 'durable', tree: sampleTree() }));
    process.stdout.write(`${meta.id} ${meta.sha256}\n`);
    setInterval(() => undefined, 1000); // acknowledged; wait for SIGKILL without closing anything
    return;
  }
  if (command === 'token') {
    process.stdout.write('ready\n');
    const started = Date.now();
    const t = await store.createToken({ tenant: 'cli', scope: 'admin', name: 'from-cli', hash: arg });
    process.stdout.write(`${t.id} ${Date.now() - started}\n`);
    await store.close();
    return;
  }
  throw new Error(`unknown command ${command}`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
