/**
 * `ghcprof inspect | flame | heap`: read one artefact with pkg/formats and print it in another form. Each action is a
 * thin call into pkg/export and pkg/frames. Errors are thrown, never printed here: bin/ghcprof.js prints the message
 * as one `ghcprof: ...` line and exits 1 (the readers' FormatError/UnknownFormatError name the file and where).
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { formatReader, readProfileFile } from '../../formats';
import type { CallTree, HeapProfile, Metric, ProfileData } from '../../model/types';
import { functionTable, totalValue } from '../../model/tree';
import { flamegraphFrame } from '../../frames/flamegraph';
import { foldedStacks } from '../../export/folded';
import { heapTableText } from '../../export/heap-table';
import { toPprof } from '../../export/pprof';
import { toSpeedscope } from '../../export/speedscope';
import { formatSummary, profileSummary } from '../../export/summary';
import { COMMAND_SUMMARIES } from './summaries';

export const FLAME_FORMATS = ['folded', 'frame', 'pprof', 'speedscope'] as const;
export type FlameFormat = (typeof FLAME_FORMATS)[number];
export const HEAP_FORMATS = ['json', 'csv'] as const;
export type HeapFormat = (typeof HEAP_FORMATS)[number];

/** The call tree, or an error saying what kind of input would have one. */
export function requireTree(data: ProfileData, file: string): CallTree {
  if (data.tree === undefined) {
    throw new Error(
      `${file}: ${formatReader(data.kind).description} without cost-centre data: flame needs a .prof (+RTS -p), -pj JSON (+RTS -pj) or an eventlog with cost-centre samples (+RTS -p -l)`
    );
  }
  return data.tree;
}

/** The heap profile, or an error saying what kind of input would have one. */
export function requireHeap(data: ProfileData, file: string): HeapProfile {
  if (data.heap === undefined) {
    throw new Error(
      `${file}: ${formatReader(data.kind).description} without heap samples: heap needs a .hp (+RTS -h*) or an eventlog with heap samples (+RTS -h* -l)`
    );
  }
  return data.heap;
}

/** The bytes `flame` writes for one tree in one format. */
export function renderFlame(
  data: ProfileData,
  tree: CallTree,
  metric: Metric,
  format: FlameFormat
): string | Uint8Array {
  switch (format) {
    case 'folded':
      return foldedStacks(tree, metric);
    case 'frame':
      return `${JSON.stringify(flamegraphFrame(tree, metric, { functionTable: functionTable(tree, metric) }))}\n`;
    case 'pprof':
      return toPprof(tree, {
        startTimeMs: data.startTimeMs,
        durationNs: data.totals.timeSeconds !== undefined ? data.totals.timeSeconds * 1e9 : undefined,
        comments: [[data.program, ...data.arguments].join(' '), `+RTS ${data.rtsArguments.join(' ')} -RTS`],
      });
    case 'speedscope':
      return `${JSON.stringify(toSpeedscope(tree, { name: data.program || 'ghcprof' }))}\n`;
  }
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got "${text}"`);
  }
  return n;
}

/**
 * A reader that closes the pipe early (`ghcprof flame x | head`) ends the output; that is not an error. Node reports
 * it as an 'error' event on stdout, which would otherwise crash with a stack trace.
 */
function tolerateClosedStdout(): void {
  if (process.stdout.listenerCount('error') > 0) {
    return;
  }
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') {
      process.stderr.write(`ghcprof: writing the output failed: ${err.message}\n`);
      process.exitCode = 1;
    }
  });
}

/** Writes to `-o OUT`, or to stdout (resolving once the data is handed to the OS, so large outputs are complete). */
async function emit(content: string | Uint8Array, out?: string): Promise<void> {
  if (out !== undefined) {
    await writeFile(out, content);
    return;
  }
  tolerateClosedStdout();
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(content, (err) =>
      err && (err as NodeJS.ErrnoException).code !== 'EPIPE' ? reject(err) : resolve()
    );
  });
}

/** Writes pieces in turn (waiting for the stream to drain), so a large output is never held whole. */
async function emitPieces(pieces: Iterable<Uint8Array>, out?: string): Promise<void> {
  if (out === undefined) {
    tolerateClosedStdout();
  }
  const target = out === undefined ? process.stdout : createWriteStream(out);
  try {
    await pipeline(Readable.from(pieces), target, { end: out !== undefined });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE') {
      throw err;
    }
  }
}

/** Reads a file; a file that cannot be opened is one clear line (`FILE: no such file`), not a raw errno message. */
export async function readInput(file: string): Promise<ProfileData> {
  try {
    return await readProfileFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(`${file}: no such file`);
    }
    if (code === 'EISDIR') {
      throw new Error(`${file}: is a directory, not a profile`);
    }
    if (code === 'EACCES') {
      throw new Error(`${file}: permission denied`);
    }
    throw err;
  }
}

/** Reader warnings go to stderr, one line each, so stdout stays clean for pipes. */
function reportWarnings(data: ProfileData, file: string): void {
  for (const w of data.warnings) {
    process.stderr.write(`ghcprof: warning: ${file}: ${w.replace(/\s*\n\s*/g, ' ')}\n`);
  }
}

export function registerFormatCommands(program: Command): void {
  program
    .command('inspect')
    .description(COMMAND_SUMMARIES.inspect)
    .argument('<file>', 'the artefact (gzip-compressed is fine)')
    .option('--json', 'print JSON (eventlogs add eventTypeCounts: event type id -> count)')
    .action(async (file: string, opts: { json?: boolean }) => {
      const summary = profileSummary(await readInput(file), file);
      await emit(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    });

  program
    .command('flame')
    .description(COMMAND_SUMMARIES.flame)
    .argument('<file>', 'a .prof, -pj JSON or eventlog with cost-centre samples')
    .addOption(
      new Option('--metric <metric>', 'time: self ticks (eventlog: samples), alloc: self bytes, entries: calls')
        .choices(['time', 'alloc', 'entries'])
        .default('time')
    )
    .addOption(new Option('--format <format>', 'output format').choices([...FLAME_FORMATS]).default('folded'))
    .option('-o, --output <out>', 'write to this file instead of stdout')
    .action(async (file: string, opts: { metric: Metric; format: FlameFormat; output?: string }) => {
      const data = await readInput(file);
      const tree = requireTree(data, file);
      reportWarnings(data, file);
      if (totalValue(tree, opts.metric) === 0) {
        // Eventlog cost-centre samples carry time only; say so rather than print an empty result without a word.
        const why = data.kind === 'eventlog' ? ' (eventlog cost-centre samples record time only)' : '';
        process.stderr.write(`ghcprof: warning: ${file}: no ${opts.metric} values in this profile${why}\n`);
      }
      await emit(renderFlame(data, tree, opts.metric, opts.format), opts.output);
    });

  program
    .command('heap')
    .description(COMMAND_SUMMARIES.heap)
    .argument('<file>', 'a .hp or an eventlog with heap samples')
    .option('--top <n>', 'keep the N bands with the largest integrated size, sum the rest as `other`', positiveInt)
    .addOption(new Option('--format <format>', 'output format').choices([...HEAP_FORMATS]).default('json'))
    .option('-o, --output <out>', 'write to this file instead of stdout')
    .action(async (file: string, opts: { top?: number; format: HeapFormat; output?: string }) => {
      const data = await readInput(file);
      const heap = requireHeap(data, file);
      reportWarnings(data, file);
      await emitPieces(heapTableText(heap, data.startTimeMs, opts.format, opts.top), opts.output);
    });
}
