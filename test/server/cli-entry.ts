/**
 * Runs the server commands (serve, token, demo) from the TypeScript sources, as bin/ghcprof.js runs the built CLI,
 * so the tests need no build. Same error handling: one line on stderr, exit code 1.
 */
import { Command } from 'commander';
import { registerServerCommands } from '../../pkg/cli/commands/server';

const program = new Command('ghcprof').showHelpAfterError();
registerServerCommands(program);
program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`ghcprof: ${err.message}\n`);
  process.exit(1);
});
