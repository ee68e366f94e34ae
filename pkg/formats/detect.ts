/**
 * Facts about an input that belong to no one format: gzip wrapping (unwrapped by index.ts before detection), and
 * why no reader of the registry recognised it. Each format's own check is its reader's `detect`.
 */
import { REPORT_TITLE } from './prof-text';

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Why detection failed, for UnknownFormatError's detail. */
export function describeUnknown(head: Buffer): string {
  if (head.length === 0) {
    return 'empty file (0 bytes)';
  }
  const sample = head.subarray(0, 512);
  const binary = sample.some((b) => b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d));
  if (binary) {
    return `binary data that is not an eventlog (no "hdrb" magic at byte 0; starts with ${sample.subarray(0, 4).toString('hex')})`;
  }
  return `text without a GHC header (expected "${REPORT_TITLE}" on the first line, a JSON object with "rts_arguments", a first line JOB "...", or a benchmark result: criterion --json or --csv, tasty-bench --csv, a GHC RTS summary from +RTS -s or -t --machine-readable)`;
}
