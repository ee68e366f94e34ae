/** What the bench readers share: their registry entry, error, options and number checks. */
import type { BenchData, BenchFormat } from '../../model/bench';
import type { ProfileData } from '../../model/types';
import { FormatError } from '../errors';
import { type FormatReader, readCollected } from '../reader';
import { stripBom } from '../text-lines';
import { programOf } from './rts-command';

export interface BenchReadOptions {
  /** File name for messages. */
  file?: string;
}

/** The names the messages use for each format. */
export const FORMAT_NAMES: Record<BenchFormat, string> = {
  'criterion-json': 'criterion JSON',
  'criterion-csv': 'criterion CSV',
  'tasty-bench-csv': 'tasty-bench CSV',
  'rts-machine': 'RTS summary (-t --machine-readable)',
  'rts-text': 'RTS summary (-s)',
};

/** "My format, but broken", naming the format, and the line (text) or byte offset (criterion's one-line JSON). */
export function benchError(
  format: BenchFormat,
  opts: BenchReadOptions,
  where: { line?: number; offset?: number },
  message: string
): FormatError {
  return new FormatError({
    format: 'bench',
    file: opts.file,
    ...where,
    message: `${FORMAT_NAMES[format]}: ${message}`,
  });
}

/** A finite, non-negative decimal number (`1.45e-4`, `48453`), else null. */
export function parseNonNegative(text: string): number | null {
  if (!/^\s*[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) {
    return null;
  }
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/**
 * The registry entry (pkg/formats/index.ts) of one bench format: detection by its own check of the first bytes,
 * the whole text read at once (benchmark results are small), the result wrapped as a `bench` artefact.
 */
export function benchFormatReader(
  format: BenchFormat,
  extension: string,
  looksLike: (head: string) => boolean,
  read: (text: string, opts: BenchReadOptions) => BenchData | null
): FormatReader<'bench'> {
  const readWhole = (bytes: Buffer, opts: BenchReadOptions): ProfileData | null => {
    const data = read(stripBom(bytes.toString('utf8')), opts);
    return data && benchArtefact(data);
  };
  return {
    kind: 'bench',
    description: 'a benchmark result',
    extension,
    detect: (head) => looksLike(head.text),
    readWhole,
    readStream: readCollected(readWhole),
  };
}

/** A bench result as an artefact: no run facts but the program of an RTS summary's command line. */
export function benchArtefact(bench: BenchData): ProfileData {
  const command = bench.command ?? [];
  const rtsAt = command.indexOf('+RTS');
  return {
    kind: 'bench',
    program: programOf(command),
    arguments: command.slice(1, rtsAt === -1 ? undefined : rtsAt),
    rtsArguments: rtsAt === -1 ? [] : command.slice(rtsAt + 1).filter((a) => a !== '-RTS'),
    startTimeMs: null,
    endTimeMs: null,
    totals: {},
    bench,
    warnings: [],
    truncated: false,
  };
}
