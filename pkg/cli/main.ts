import { Command } from 'commander';
import { COMMAND_SUMMARIES, type CommandName } from './commands/summaries';

type Register = (program: Command) => void;

/**
 * Command modules by the commands they define. Each is loaded only when one of its commands runs (or for its own
 * help): `ghcprof heap big.eventlog` should not pay for loading fastify, pg and better-sqlite3 (~0.8 s, ~70 MiB),
 * and `ghcprof --version` or `ghcprof --help` loads none of them (the list comes from COMMAND_SUMMARIES).
 */
const COMMAND_MODULES: Array<{ commands: CommandName[]; load: () => Register }> = [
  { commands: ['inspect', 'flame', 'heap'], load: () => require('./commands/formats').registerFormatCommands },
  { commands: ['bench'], load: () => require('./commands/bench').registerBenchCommands },
  { commands: ['serve', 'token', 'store', 'demo'], load: () => require('./commands/server').registerServerCommands },
  { commands: ['push', 'agent'], load: () => require('./commands/collect').registerCollectCommands },
];

/**
 * Builds the `ghcprof` command line for `argv` (the process's, node and script first). Only the module of the
 * command named (also `help <command>`) is loaded; without one, every command is listed by its summary.
 */
export function buildCli(argv: string[] = []): Command {
  const program = new Command('ghcprof')
    .description('GHC profiles, heap profiles, eventlogs and RTS metrics for Grafana')
    .version(require('../../../package.json').version)
    .showHelpAfterError();
  const named = argv[2] === 'help' ? argv[3] : argv[2];
  const wanted = COMMAND_MODULES.find((m) => (m.commands as string[]).includes(named ?? ''));
  if (wanted) {
    wanted.load()(program);
    return program;
  }
  for (const m of COMMAND_MODULES) {
    for (const name of m.commands) {
      // Listed only: a command that is named on the command line is the real one, loaded above.
      program.command(name).description(COMMAND_SUMMARIES[name]);
    }
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildCli(argv).parseAsync(argv);
}
