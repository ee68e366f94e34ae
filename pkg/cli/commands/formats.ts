import type { Command } from 'commander';

export function registerFormatCommands(program: Command): void {
  void program;
}
