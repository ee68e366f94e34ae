import { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Command modules by the commands they define. Each is loaded only when one of its commands runs (or for help):
 * `ghcprof heap big.eventlog` should not pay for loading fastify, pg and better-sqlite3 (~0.8 s, ~70 MiB).
 */
const COMMAND_MODULES: Array<{ commands: string[]; load: () => Register }> = [
  { commands: ['inspect', 'flame', 'heap'], load: () => require('./commands/formats').registerFormatCommands },
  { commands: ['serve', 'token', 'store', 'demo'], load: () => require('./commands/server').registerServerCommands },
  { commands: ['push', 'agent'], load: () => require('./commands/collect').registerCollectCommands },
];

/** Builds the `ghcprof` command line. Each command is a thin call into pkg/; only `serve` and `demo` listen. */
export function buildCli(only?: string): Command {
  const program = new Command('ghcprof')
    .description('GHC profiles, heap profiles, eventlogs and RTS metrics for Grafana')
    .version(require('../../../package.json').version)
    .showHelpAfterError();
  const wanted = COMMAND_MODULES.find((m) => only !== undefined && m.commands.includes(only));
  for (const m of wanted ? [wanted] : COMMAND_MODULES) {
    m.load()(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildCli(argv[2]).parseAsync(argv);
}
