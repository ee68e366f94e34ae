/** Helpers for the deployment tests: YAML documents of the repository's deploy files, and the CLI's agent flags. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { registerCollectCommands } from '../../pkg/cli/commands/collect';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = Record<string, any>;

/** Every document of a (multi-document) YAML file; a YAML error fails with the file name and its message. */
export function yamlDocs(path: string): Doc[] {
  // merge: YAML 1.1 merge keys (`<<: *anchor`), which docker compose resolves too.
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { merge: true });
  return docs.map((d, i) => {
    if (d.errors.length > 0) throw new Error(`${path}: document ${i + 1}: ${d.errors[0].message}`);
    return d.toJS() as Doc;
  });
}

export function yamlDoc(path: string): Doc {
  const docs = yamlDocs(path);
  if (docs.length !== 1) throw new Error(`${path}: expected one YAML document, found ${docs.length}`);
  return docs[0];
}

export function jsonFile(path: string): Doc {
  return JSON.parse(readFileSync(path, 'utf8')) as Doc;
}

/** Long option names (`--watch`) of a `ghcprof` subcommand (push, agent), as the real CLI declares them. */
export function cliFlags(command: 'push' | 'agent'): Set<string> {
  const program = new Command('ghcprof');
  registerCollectCommands(program);
  const sub = program.commands.find((c) => c.name() === command);
  if (!sub) throw new Error(`no ghcprof ${command} command`);
  return new Set(sub.options.map((o) => o.long).filter((l): l is string => Boolean(l)));
}

/** `--name=value` / `--name` arguments as a map (flags without a value map to ''). */
export function flagValues(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const m = /^(--[a-z-]+)(?:=(.*))?$/.exec(arg);
    if (m) flags.set(m[1], m[2] ?? '');
  }
  return flags;
}
