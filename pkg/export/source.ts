/** GHC source spans as the profiles print them, split into what other tools' formats can hold. */

export interface SourceLocation {
  /** File path (`src/Search.hs`), absent for `<entire-module>`, `<built-in>`, `<no location info>`. */
  file?: string;
  /** First line of the span. */
  line?: number;
  /** First column of the span. */
  column?: number;
}

// `src/X.hs:70:1-91`, `src/X.hs:70:1`, `src/X.hs:(65,1)-(67,99)`: file, then line and column in either form.
const SPAN_RE = /^(.*?):(?:(\d+):(\d+)(?:-\d+)?|\((\d+),(\d+)\)-\(\d+,\d+\))$/;

export function sourceLocation(src: string): SourceLocation {
  if (src === '' || src.startsWith('<')) {
    return {};
  }
  const m = SPAN_RE.exec(src);
  if (m === null) {
    return { file: src };
  }
  return { file: m[1], line: Number(m[2] ?? m[4]), column: Number(m[3] ?? m[5]) };
}
