/**
 * The command line GHC's RTS writes first in a statistics file (`+RTS -tFILE` / `-sFILE`, rts/Stats.c): each
 * argument in single quotes, `+RTS` unquoted before the RTS ones. Absent when the summary went to stderr.
 */

/** The arguments of a command line like `'./suite' '--time-limit' '1' +RTS '-T'`, or null if the line is not one. */
export function parseCommandLine(line: string): string[] | null {
  const args: string[] = [];
  const re = /\s*(?:'([^']*)'|(\+RTS|-RTS))/y;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(line)) !== null) {
    args.push(m[1] ?? m[2]);
    end = re.lastIndex;
  }
  return args.length > 0 && line.slice(end).trim() === '' ? args : null;
}

/** The program name of a command line (`./suite-v1` -> `suite-v1`). */
export function programOf(args: string[] | undefined): string {
  const first = args?.[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}
