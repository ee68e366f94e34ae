import type { Command } from 'commander';

export function registerCollectCommands(program: Command): void {
  void program;
}
