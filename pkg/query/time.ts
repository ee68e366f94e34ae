/**
 * Time range parameters: ms since the epoch, or Grafana's relative strings (`now`, `now-1h`, `now-7d/d`, `now/w`).
 * Rounding follows Grafana's dateMath: as a range start `/d` goes to the start of the day, as a range end to its
 * last millisecond. Calendar units are UTC.
 */
import type { TimeParam } from '../api/query';
import { badQuery } from '../api/errors';

type Unit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'M' | 'y';
const FIXED_MS: Partial<Record<Unit, number>> = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 7 * 864e5 };

function addUnits(t: Date, n: number, unit: Unit): Date {
  const d = new Date(t.getTime());
  if (unit === 'M') {
    d.setUTCMonth(d.getUTCMonth() + n);
  } else if (unit === 'y') {
    d.setUTCFullYear(d.getUTCFullYear() + n);
  } else {
    d.setTime(d.getTime() + n * FIXED_MS[unit]!);
  }
  return d;
}

function startOf(t: Date, unit: Unit): Date {
  const d = new Date(t.getTime());
  switch (unit) {
    case 'y':
      d.setUTCMonth(0, 1);
      d.setUTCHours(0, 0, 0, 0);
      break;
    case 'M':
      d.setUTCDate(1);
      d.setUTCHours(0, 0, 0, 0);
      break;
    case 'w':
      // Grafana's default week starts on Monday (ISO).
      d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
      d.setUTCHours(0, 0, 0, 0);
      break;
    case 'd':
      d.setUTCHours(0, 0, 0, 0);
      break;
    case 'h':
      d.setUTCMinutes(0, 0, 0);
      break;
    case 'm':
      d.setUTCSeconds(0, 0);
      break;
    case 's':
      d.setUTCMilliseconds(0);
      break;
    default:
      break;
  }
  return d;
}

const STEP = /^([+-])(\d+)(ms|s|m|h|d|w|M|y)|^\/(ms|s|m|h|d|w|M|y)/;

function relative(text: string, now: number, roundUp: boolean): number {
  let t = new Date(now);
  let rest = text.slice(3);
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) {
      throw badQuery(`invalid time "${text}": expected now, now-1h, now-7d/d, ms since epoch or an ISO date`);
    }
    if (m[4]) {
      const unit = m[4] as Unit;
      t = startOf(t, unit);
      if (roundUp) {
        t = new Date(addUnits(t, 1, unit).getTime() - 1);
      }
    } else {
      t = addUnits(t, (m[1] === '-' ? -1 : 1) * Number(m[2]), m[3] as Unit);
    }
    rest = rest.slice(m[0].length);
  }
  return t.getTime();
}

/** Largest distance from the epoch a JavaScript Date can hold, in ms (±100,000,000 days). */
export const MAX_TIME_MS = 8.64e15;

/** ms epoch of a time parameter; `roundUp` for range ends. 400 for a time no Date can hold. */
export function resolveTime(param: TimeParam, now: number, roundUp = false): number {
  const t = timeOf(param, now, roundUp);
  if (!Number.isFinite(t) || Math.abs(t) > MAX_TIME_MS) {
    throw badQuery(
      `invalid time "${String(param).slice(0, 64)}": beyond the range of dates (at most ${MAX_TIME_MS} ms from the epoch)`
    );
  }
  return t;
}

function timeOf(param: TimeParam, now: number, roundUp: boolean): number {
  if (typeof param === 'number') {
    return param;
  }
  const text = param.trim();
  if (/^-?\d+$/.test(text)) {
    return Number(text);
  }
  if (text.startsWith('now')) {
    return relative(text, now, roundUp);
  }
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) {
    throw badQuery(`invalid time "${text}": expected now, now-1h, now-7d/d, ms since epoch or an ISO date`);
  }
  return parsed;
}

export interface TimeRange {
  from?: number;
  to?: number;
}

export function resolveRange(from: TimeParam | undefined, to: TimeParam | undefined, now = Date.now()): TimeRange {
  const range: TimeRange = {
    from: from === undefined ? undefined : resolveTime(from, now, false),
    to: to === undefined ? undefined : resolveTime(to, now, true),
  };
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    throw badQuery(
      `time range is empty: from (${new Date(range.from).toISOString()}) is after to (${new Date(range.to).toISOString()})`
    );
  }
  return range;
}
