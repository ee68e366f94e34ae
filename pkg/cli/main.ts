import { Command } from 'commander';
import { registerFormatCommands } from './commands/formats';
import { registerServerCommands } from './commands/server';
import { registerCollectCommands } from './commands/collect';

/** Builds the `ghcprof` command line. Each command is a thin call into pkg/; only `serve` listens. */
export function buildCli(): Command {
  const program = new Command('ghcprof')
    .description('GHC profiles, heap profiles, eventlogs and RTS metrics for Grafana')
    .version(require('../../../package.json').version)
    .showHelpAfterError();
  registerFormatCommands(program); // inspect, flame, heap
  registerServerCommands(program); // serve, token, demo
  registerCollectCommands(program); // push, agent
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildCli().parseAsync(argv);
}
