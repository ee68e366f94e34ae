/** Header pieces shared by GHC's text artefacts (.prof report header, .prof JSON `end_time`, .hp `JOB`/`DATE`). */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Parses the RTS's `time_str()`: `Fri Nov 27 13:48 2026` (GHC 9.x, minute precision) or the older ctime-style
 * `Thu Nov 26 12:00:00 2026`. The RTS prints the *local* time of the machine that ran the program and records no
 * zone, so the result treats it as UTC shifted by `utcOffsetMinutes` (the zone of that machine, 0 = UTC).
 * Returns ms since the epoch, or null when the text is not such a date.
 */
export function parseGhcDate(text: string, utcOffsetMinutes = 0): number | null {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) {
    return null;
  }
  const [, monthName, dayText, clock, yearText] = parts;
  const month = MONTHS.indexOf(monthName);
  const day = Number(dayText);
  const year = Number(yearText);
  const hms = clock.split(':').map(Number);
  if (month < 0 || !Number.isInteger(day) || !Number.isInteger(year) || hms.length < 2 || hms.length > 3) {
    return null;
  }
  const [h, m, s = 0] = hms;
  if (![h, m, s].every(Number.isInteger) || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) {
    return null;
  }
  return Date.UTC(year, month, day, h, m, s) - utcOffsetMinutes * 60_000;
}

export interface CommandLine {
  program: string;
  arguments: string[];
  rtsArguments: string[];
}

/**
 * Splits a command line as GHC prints it (words joined by single spaces, no quoting, so arguments containing
 * spaces cannot be told apart): the first word is the program, words between `+RTS` and `-RTS` (or the end) are
 * RTS arguments, the rest are program arguments.
 */
export function splitCommandLine(words: string[]): CommandLine {
  const [program = '', ...rest] = words;
  const args: string[] = [];
  const rts: string[] = [];
  let inRts = false;
  for (const w of rest) {
    if (w === '+RTS') {
      inRts = true;
    } else if (w === '-RTS') {
      inRts = false;
    } else {
      (inRts ? rts : args).push(w);
    }
  }
  return { program, arguments: args, rtsArguments: rts };
}

/** Program name without directories (`./leaky` -> `leaky`), as GHC's `prog_name` is. */
export function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}
