import type { ProfileKind } from '../model/types';

/**
 * "My format, but broken": thrown by a reader that recognised its format and then found bytes it cannot read.
 * The server maps it to 422, the CLI to one line on stderr. Always names where (line for text, byte offset for
 * binary) and what was expected.
 */
export class FormatError extends Error {
  readonly format: ProfileKind;
  readonly file: string;
  readonly line?: number;
  readonly offset?: number;

  constructor(opts: { format: ProfileKind; file?: string; line?: number; offset?: number; message: string }) {
    const where =
      opts.line !== undefined ? `line ${opts.line}` : opts.offset !== undefined ? `byte offset ${opts.offset}` : '';
    const file = opts.file ?? '<input>';
    super(`${file}: ${opts.format}${where ? ` at ${where}` : ''}: ${opts.message}`);
    this.name = 'FormatError';
    this.format = opts.format;
    this.file = file;
    this.line = opts.line;
    this.offset = opts.offset;
  }
}

/** No reader recognises the input (server: 415). */
export class UnknownFormatError extends Error {
  readonly file: string;
  constructor(file = '<input>', detail = '') {
    super(
      `${file}: not a GHC profiling artefact (expected a .prof report, -pj JSON, a .hp heap profile, a binary .eventlog or a benchmark result)${detail ? `: ${detail}` : ''}`
    );
    this.name = 'UnknownFormatError';
    this.file = file;
  }
}
