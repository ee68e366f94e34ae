/** What the bench readers share: their error, options and number checks. */
import type { BenchFormat } from '../../model/bench';
import { FormatError } from '../errors';

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
  return new FormatError({ format: 'bench' as never, file: opts.file, ...where, message: `${FORMAT_NAMES[format]}: ${message}` });
}

/** A finite, non-negative decimal number (`1.45e-4`, `48453`), else null. */
export function parseNonNegative(text: string): number | null {
  if (!/^\s*[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) {
    return null;
  }
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
