import type { ProfileData } from '../../model/types';
import { EventlogDecoder } from './decoder';
import { MARKER } from './event-types';

export { EventlogDecoder, type EventlogState } from './decoder';

/** True when the input starts with the eventlog header marker `hdrb`. */
export function isEventlogHeader(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32BE(0) === MARKER.HEADER_BEGIN;
}

/**
 * Reads a binary GHC eventlog (a whole buffer or a stream of chunks) into the profile model. A cut-off log gives
 * what was complete plus `truncated` and a warning; damage inside the data is skipped with a warning naming the
 * byte offsets; a bad header throws FormatError.
 */
export async function readEventlog(
  input: Buffer | Iterable<Buffer> | AsyncIterable<Buffer>,
  opts: { file?: string } = {}
): Promise<ProfileData> {
  const decoder = new EventlogDecoder(opts);
  if (Buffer.isBuffer(input)) {
    decoder.push(input);
  } else if (Symbol.asyncIterator in input) {
    for await (const chunk of input) {
      decoder.push(chunk);
    }
  } else {
    for (const chunk of input) {
      decoder.push(chunk);
    }
  }
  return decoder.end();
}
