/**
 * `ghcprof serve|token` from the TypeScript sources (tsx), as bin/ghcprof.js runs the built CLI, with the same
 * one-line errors. Only the server commands: pkg/cli/main.ts reads the version from a path relative to build/.
 */
import { Command } from 'commander';
import { registerServerCommands } from '../../pkg/cli/commands/server';

const program = new Command('ghcprof').showHelpAfterError();
registerServerCommands(program);
program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`ghcprof: ${err.message}\n`);
  process.exit(1);
});
