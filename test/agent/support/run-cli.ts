/**
 * Runs the ghcprof commands the end-to-end tests need (serve, token, push, agent) from the TypeScript sources, as
 * bin/ghcprof.js runs the built CLI, so the tests exercise the current code without a build. Same error handling:
 * one line on stderr, exit code 1.
 */
import { Command } from 'commander';
import { registerCollectCommands } from '../../../pkg/cli/commands/collect';
import { registerServerCommands } from '../../../pkg/cli/commands/server';

const program = new Command('ghcprof').showHelpAfterError();
registerServerCommands(program);
registerCollectCommands(program);
program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`ghcprof: ${err.message}\n`);
  process.exit(1);
});
