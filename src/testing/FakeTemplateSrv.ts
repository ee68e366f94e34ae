import { escapeRegex, type ScopedVars, type TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

export interface FakeVariable {
  name: string;
  /** Selected values; `['$__all']` for All. */
  current: string[];
  options: string[];
  multi?: boolean;
  allValue?: string;
}

const REFERENCE = /\$(\w+)|\$\{(\w+)(?::([^}]*))?\}|\[\[(\w+)(?::([^\]]*))?\]\]/g;

/**
 * Grafana's TemplateSrv replace() semantics as far as the data source relies on them (core's TemplateSrv is not
 * in @grafana/runtime): a format function receives a string for one value and an array for several; All without
 * a custom all value passes every option; a custom all value is inserted verbatim without calling the formatter;
 * the `csv` format joins with commas, `regex` escapes and alternates `(a|b)`, no format makes a glob `{a,b}`;
 * unknown variables stay as written.
 */
export class FakeTemplateSrv implements TemplateSrv {
  constructor(private readonly variables: FakeVariable[] = []) {}

  getVariables(): TypedVariableModel[] {
    return this.variables.map(
      (v) =>
        ({
          name: v.name,
          type: 'query',
          multi: v.multi ?? false,
          includeAll: v.current.includes('$__all'),
          allValue: v.allValue ?? null,
          current: { value: v.current.length === 1 ? v.current[0] : v.current, text: v.current.join(' + ') },
        }) as unknown as TypedVariableModel
    );
  }

  containsTemplate(target?: string): boolean {
    return target !== undefined && new RegExp(REFERENCE.source).test(target);
  }

  updateTimeRange(): void {}

  replace(target?: string, scopedVars?: ScopedVars, format?: string | Function): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(REFERENCE, (whole, n1, n2, f2, n3, f3) => {
      const name: string = n1 ?? n2 ?? n3;
      const fmt = f2 ?? f3 ?? format;
      const scoped = scopedVars?.[name];
      if (scoped) {
        return applyFormat(String(scoped.value), fmt);
      }
      const variable = this.variables.find((v) => v.name === name);
      if (!variable) {
        return whole;
      }
      if (variable.current.includes('$__all')) {
        if (variable.allValue) {
          return variable.allValue;
        }
        return applyFormat(variable.options, fmt);
      }
      return applyFormat(variable.current.length === 1 ? variable.current[0] : variable.current, fmt);
    });
  }
}

function applyFormat(value: string | string[], format: string | Function | undefined): string {
  if (typeof format === 'function') {
    return format(value);
  }
  if (format === 'csv') {
    return Array.isArray(value) ? value.join(',') : value;
  }
  if (format === undefined) {
    return Array.isArray(value) ? `{${value.join(',')}}` : value;
  }
  if (format === 'regex') {
    // Grafana's formatRegistry: each value regex-escaped, several as one alternation
    const escaped = (Array.isArray(value) ? value : [value]).map(escapeRegex);
    return escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`;
  }
  throw new Error(`FakeTemplateSrv: format ${format} not modelled`);
}
