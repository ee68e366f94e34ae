import { dateTime, rangeUtil, type TimeRange } from '@grafana/data';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { TimeWindow } from '../../datasource/domain/buildRequest';

export interface Selection {
  selector: string;
  range: TimeRange;
}

/** Selection kept in the URL (`selector`, `from`, `to` with an optional prefix), so every view is a link. */
export function useSelection(prefix = '', defaults: { from: string; to: string } = { from: 'now-7d', to: 'now' }) {
  const [params, setParams] = useSearchParams();
  const from = params.get(`${prefix}from`) ?? defaults.from;
  const to = params.get(`${prefix}to`) ?? defaults.to;
  const selector = params.get(`${prefix}selector`) ?? '{}';
  // Resolve `now-7d` once per URL change: a range re-resolved on every render would move with the clock and make
  // every query keyed on it run again and again.
  const range = useMemo(() => rangeUtil.convertRawToRange({ from: parseTime(from), to: parseTime(to) }), [from, to]);
  const selection: Selection = useMemo(() => ({ selector, range }), [selector, range]);
  const setSelection = (next: Selection) => {
    setParams((current) => {
      const updated = new URLSearchParams(current);
      updated.set(`${prefix}selector`, next.selector);
      updated.set(`${prefix}from`, rawOf(next.range.raw.from));
      updated.set(`${prefix}to`, rawOf(next.range.raw.to));
      return updated;
    });
  };
  return { data: { selection }, actions: { setSelection } };
}

export function windowOf(range: TimeRange): TimeWindow {
  return { from: range.from.valueOf(), to: range.to.valueOf() };
}

/** Epoch milliseconds in the URL stay numbers; `now-7d` stays relative. */
function parseTime(value: string) {
  return /^\d+$/.test(value) ? dateTime(Number(value)) : value;
}

function rawOf(value: TimeRange['raw']['from']): string {
  return typeof value === 'string' ? value : String(value.valueOf());
}
