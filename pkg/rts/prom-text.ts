/**
 * Prometheus text exposition format (0.0.4), for direct scrapes of a service's /metrics without a Prometheus.
 * Accepts what Prometheus itself accepts and real GHC exporters print: missing `# HELP`, any run of blanks or tabs
 * between tokens (one exporter prints two spaces), floats like `2.7373448e7`, `NaN`/`+Inf`/`-Inf`, optional
 * millisecond timestamps, `# TYPE` lines that call a timestamp a counter (ekg), `\r\n` line ends, a trailing comma
 * in label sets and OpenMetrics' `# EOF`. Anything else is an error naming the source, the line and what was
 * expected.
 */
import { setOwn } from '../api/records';
import { rtsError } from './errors';

export interface TextSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface ParsedText {
  samples: TextSample[];
  /** `# TYPE` declarations by metric family name (informational: rates do not depend on them). */
  types: Map<string, string>;
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_VALUES: Record<string, number> = { NaN: NaN, '+Inf': Infinity, Inf: Infinity, '-Inf': -Infinity };

export function parsePrometheusText(text: string, source = '<scrape>'): ParsedText {
  const samples: TextSample[] = [];
  const types = new Map<string, string>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, '').trim();
    if (line === '') {
      continue;
    }
    if (line.startsWith('#')) {
      if (/^#\s*EOF\s*$/.test(line)) {
        break;
      }
      const type = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (type) {
        types.set(type[1], type[2]);
      }
      continue;
    }
    samples.push(new SampleLine(line, source, n + 1).parse());
  }
  return { samples, types };
}

/** One sample line: `name{label="value",...} value [timestamp]`. */
class SampleLine {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
    private readonly lineNo: number
  ) {}

  parse(): TextSample {
    const name = this.token(NAME_RE, 'a metric name');
    const labels = this.text[this.pos] === '{' ? this.labelSet() : {};
    const rest = this.text
      .slice(this.pos)
      .trim()
      .split(/[ \t]+/);
    if (rest.length < 1 || rest[0] === '' || rest.length > 2) {
      this.fail(`expected a value and an optional timestamp after ${name}, found ${JSON.stringify(rest.join(' '))}`);
    }
    const value = this.number(rest[0]);
    const sample: TextSample = { name, labels, value };
    if (rest.length === 2) {
      if (!/^-?\d+$/.test(rest[1])) {
        this.fail(`expected a timestamp in integer milliseconds, found ${JSON.stringify(rest[1])}`);
      }
      sample.timestampMs = Number(rest[1]);
    }
    return sample;
  }

  private labelSet(): Record<string, string> {
    const labels: Record<string, string> = {};
    this.pos++; // '{'
    for (;;) {
      this.skipBlanks();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return labels;
      }
      const name = this.token(LABEL_NAME_RE, "a label name or '}'");
      this.skipBlanks();
      this.expect('=');
      this.skipBlanks();
      setOwn(labels, name, this.quoted());
      this.skipBlanks();
      if (this.text[this.pos] === ',') {
        this.pos++;
      } else if (this.text[this.pos] !== '}') {
        this.fail(`expected ',' or '}' after label ${name}`);
      }
    }
  }

  private quoted(): string {
    this.expect('"');
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++];
      if (c === '"') {
        return out;
      }
      if (c === '\\') {
        const e = this.text[this.pos++];
        out += e === 'n' ? '\n' : e === '\\' || e === '"' ? e : `\\${e ?? ''}`;
      } else {
        out += c;
      }
    }
    this.fail('unterminated label value (missing closing ")');
  }

  private number(text: string): number {
    if (text in SPECIAL_VALUES) {
      return SPECIAL_VALUES[text];
    }
    if (!FLOAT_RE.test(text)) {
      this.fail(`expected a number (e.g. 42, 2.7373448e7, NaN, +Inf), found ${JSON.stringify(text)}`);
    }
    return Number(text);
  }

  private token(re: RegExp, what: string): string {
    const m = re.exec(this.text.slice(this.pos));
    if (!m) {
      this.fail(`expected ${what}, found ${JSON.stringify(this.text.slice(this.pos, this.pos + 16))}`);
    }
    this.pos += m[0].length;
    return m[0];
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) {
      this.fail(`expected '${c}', found ${JSON.stringify(this.text.slice(this.pos, this.pos + 16))}`);
    }
    this.pos++;
  }

  private skipBlanks(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') {
      this.pos++;
    }
  }

  private fail(message: string): never {
    throw rtsError('upstream_error', `${this.source}: line ${this.lineNo}: ${message}`);
  }
}
