import { type BenchReadOptions, benchError, parseNonNegative } from './common';

/**
 * The CSV both criterion (cassava) and tasty-bench (`encodeCsv`) write: comma-separated, a field with `,`, `"`,
 * CR or LF quoted and its `"` doubled. Records keep the line they start on, for error messages.
 */

export interface CsvRecord {
  /** 1-based line of the record's first character. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string
  ) {
    super(message);
  }
}

/** Splits CSV text into records; blank lines are skipped. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) {
            throw new CsvSyntaxError(start, 'a quoted field is not closed before the end of the file');
          }
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') {
            line++;
          }
          field += c;
          i++;
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new CsvSyntaxError(
            line,
            `unexpected "${text[i]}" after a closing quote (expected "," or the end of the line)`
          );
        }
      } else {
        const end = fieldEnd(text, i);
        field = text.slice(i, end);
        if (field.includes('"')) {
          throw new CsvSyntaxError(line, `a '"' inside an unquoted field ("${field.slice(0, 60)}")`);
        }
        i = end;
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    if (!(fields.length === 1 && fields[0] === '')) {
      records.push({ line: start, fields });
    }
  }
  return records;
}

function fieldEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
    i++;
  }
  return i;
}

/** The first line of a text (without CR), for header checks during detection. */
export function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return (nl === -1 ? text : text.slice(0, nl)).replace(/\r$/, '');
}

/** Parses the CSV, turning a syntax error into the format's error. */
export function csvRecords(
  text: string,
  format: 'criterion-csv' | 'tasty-bench-csv',
  opts: BenchReadOptions
): CsvRecord[] {
  try {
    return parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) {
      throw benchError(format, opts, { line: err.line }, err.message);
    }
    throw err;
  }
}

const HEADER_NAMES = {
  'criterion-csv': ['Name', 'Mean', 'MeanLB', 'MeanUB', 'Stddev', 'StddevLB', 'StddevUB'],
  'tasty-bench-csv': ['Name', 'Mean (ps)', '2*Stdev (ps)', 'Allocated', 'Copied', 'Peak Memory'],
};

/**
 * A record's name (its first field) and the `count - 1` numbers after it, checked: exactly `count` fields, every
 * number non-negative. Errors name the line and the column.
 */
export function numericFields(
  r: CsvRecord,
  format: 'criterion-csv' | 'tasty-bench-csv',
  opts: BenchReadOptions,
  count: number
): [string, ...number[]] {
  if (r.fields.length !== count) {
    throw benchError(format, opts, { line: r.line }, `expected ${count} fields, found ${r.fields.length}`);
  }
  const values = r.fields.slice(1).map((cell, i) => {
    const v = parseNonNegative(cell);
    if (v === null) {
      const column = HEADER_NAMES[format][1 + i];
      throw benchError(
        format,
        opts,
        { line: r.line },
        `${column}: "${cell.slice(0, 40)}" is not a non-negative number`
      );
    }
    return v;
  });
  return [r.fields[0], ...values];
}
