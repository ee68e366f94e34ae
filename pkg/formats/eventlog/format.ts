/**
 * The eventlog's entry in the format registry. Detection is a magic check here; the decoder itself is loaded when
 * an eventlog is first read, so uses that only read text formats never pay for it.
 */
import type { FormatReader } from '../reader';

const EVENTLOG_MAGIC = Buffer.from('hdrb', 'latin1');
const EVENT_TYPES_MARKER = Buffer.from('hetb', 'latin1');

/**
 * `hdrb` at byte 0, or `hetb` (start of the event-type table) right after a damaged magic: such a file is an
 * eventlog with a broken header, and the eventlog reader names the damage better than "unknown format" would.
 */
export function isEventlogMagic(head: Buffer): boolean {
  return (
    head.length >= 4 &&
    (head.subarray(0, 4).equals(EVENTLOG_MAGIC) || (head.length >= 8 && head.subarray(4, 8).equals(EVENT_TYPES_MARKER)))
  );
}

function decoderModule(): typeof import('./index') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./index') as typeof import('./index');
}

export const eventlogReader: FormatReader<'eventlog'> = {
  kind: 'eventlog',
  description: 'an eventlog',
  extension: 'eventlog',
  detect: (head) => isEventlogMagic(head.bytes),
  readWhole: (bytes, opts) => decoderModule().readEventlog(bytes, { file: opts.file }),
  readStream: (chunks, opts) => decoderModule().readEventlog(chunks, { file: opts.file }),
};
