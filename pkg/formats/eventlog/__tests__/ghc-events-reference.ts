import { readFileSync } from 'node:fs';

/**
 * `ghc-events show` output (the corpus' `.reference` files): an `Event Types:` table (`ID: Description (size N)`),
 * then `Events:` with one line per event, `TIME: [cap N: ]TEXT`. A line is attributed to its event type by the text
 * ghc-events prints for that type; user and log messages print their raw text and land in `messages`.
 */
export interface Reference {
  /** Type id -> description, from the event-type table. */
  types: Map<number, string>;
  /** Events per type id, for every line whose text identifies its type. */
  counts: Map<number, number>;
  /** Lines printing a message's own text (Log message 16, User message 19). */
  messages: string[];
  /** All event lines as [time, text without the cap prefix]. */
  lines: Array<[number, string]>;
}

/** What `ghc-events show` prints per event type (GHC.RTS.Events' showEventInfo), as patterns over the line text. */
const SHOW_PATTERNS: ReadonlyArray<[number, RegExp]> = [
  [0, /^creating thread \d+$/],
  [1, /^running thread \d+$/],
  [2, /^stopping thread \d+ \(/],
  [3, /^thread \d+ is runnable$/],
  [4, /^migrating thread \d+ to cap \d+$/],
  [8, /^waking up thread \d+ on cap \d+$/],
  [9, /^starting GC$/],
  [10, /^finished GC$/],
  [11, /^requesting sequential GC$/],
  [12, /^requesting parallel GC$/],
  [15, /^creating spark thread \d+$/],
  [17, /^startup: \d+ capabilities$/],
  [18, /^event block: cap \d+, end time: \d+$/],
  [20, /^GC idle$/],
  [21, /^GC working$/],
  [22, /^GC done$/],
  [23, /^compiler version is /],
  [24, /^program invocation: /],
  [25, /^created capset \d+ of type \w+$/],
  [26, /^deleted capset \d+$/],
  [27, /^assigned cap \d+ to capset \d+$/],
  [28, /^removed cap \d+ from capset \d+$/],
  [29, /^capset \d+: RTS version "/],
  [30, /^capset \d+: args: \[/],
  [31, /^capset \d+: env: \[/],
  [32, /^capset \d+: pid \d+$/],
  [33, /^capset \d+: parent pid \d+$/],
  [34, /^spark stats: /],
  [43, /^capset \d+: wall clock time \d+s \d+ns \(unix epoch\)$/],
  [44, /^thread \d+ has label "/],
  [45, /^created cap \d+$/],
  [46, /^deleted cap \d+$/],
  [47, /^disabled cap \d+$/],
  [48, /^enabled cap \d+$/],
  [49, /^allocated on heap capset \d+: \d+ total bytes till now$/],
  [50, /^size of heap capset \d+: \d+ bytes$/],
  [51, /^live data in heap capset \d+: \d+ bytes$/],
  [52, /^heap stats for heap capset \d+: generations /],
  [53, /^GC stats for heap capset \d+: generation \d+, /],
  [54, /^all caps stopped for GC$/],
  [55, /^task 0x[0-9a-f]+ created on cap \d+ with OS kernel thread \d+$/],
  [56, /^task 0x[0-9a-f]+ migrated from cap \d+ to cap \d+$/],
  [57, /^task 0x[0-9a-f]+ deleted$/],
  [60, /^starting to receive$/],
  [61, /^stop receiving$/],
  [62, /^creating process \d+$/],
  [63, /^killing process \d+$/],
  [64, /^assigning thread \d+ to process \d+$/],
  [65, /^creating machine \d+ at \d+$/],
  [66, /^killing machine \d+$/],
  [67, /^sending message with tag /],
  [68, /^receiving message with tag /],
  [90, /^memory returned \(mblocks\): /],
  [91, /^blocks size of heap capset \d+: \d+ bytes$/],
  [160, /^start heap profiling \d+ at sampling period \d+ broken down by /],
  [161, /^cost centre \d+ .* in .* at /],
  [162, /^start heap prof sample \d+$/],
  [163, /^heap prof sample \d+, residency \d+, cost centre stack /],
  [164, /^heap prof sample \d+, residency \d+, label /],
  [165, /^end prof sample \d+$/],
  [166, /^start heap prof sample \d+ at time \d+$/],
  [167, /^cap no \d+, prof sample \d+, cost centre stack /],
  [168, /^start time profiling, tick interval \d+ \(ns\)$/],
  [169, /^Info Table: /],
  [181, /^binary message /],
  [200, /^concurrent mark began$/],
  [201, /^concurrent mark ended: marked \d+ objects$/],
  [202, /^post-mark synchronization began$/],
  [203, /^post-mark synchronization ended$/],
  [204, /^concurrent sweep began$/],
  [205, /^concurrent sweep ended$/],
  [206, /^update remembered set flushed by \d+$/],
  [207, /^nonmoving heap census \d+: /],
  [208, /^nonmoving segments pruned: /],
  [210, /^ticky counter definition \d+, /],
  [211, /^ticky counter sample \d+: /],
  [212, /^ticky begin counter sample$/],
];

export function parseReference(path: string): Reference {
  const text = readFileSync(path, 'utf8');
  const types = new Map<number, string>();
  const counts = new Map<number, number>();
  const messages: string[] = [];
  const lines: Array<[number, string]> = [];
  let section: 'none' | 'types' | 'events' = 'none';
  for (const line of text.split('\n')) {
    if (line === 'Event Types:') {
      section = 'types';
    } else if (line === 'Events:') {
      section = 'events';
    } else if (section === 'types') {
      const m = /^(\d+): (.*) \(size (?:\d+|variable)\)$/.exec(line);
      if (m) {
        types.set(Number(m[1]), m[2]);
      }
    } else if (section === 'events') {
      // Continuation lines of multi-line messages carry no `TIME: ` prefix.
      const m = /^(\d+): (?:cap \d+: )?(.*)$/.exec(line);
      if (!m) {
        continue;
      }
      lines.push([Number(m[1]), m[2]]);
      const type = SHOW_PATTERNS.find(([, re]) => re.test(m[2]))?.[0];
      if (type === undefined) {
        messages.push(m[2]);
      } else {
        counts.set(type, (counts.get(type) ?? 0) + 1);
      }
    }
  }
  return { types, counts, messages, lines };
}
