/**
 * Dates in CSV cells: whether a column holds dates, how a cell reads as one, and the cyclic features
 * a date gives a network.
 *
 * A column holds dates when every non-missing cell fits one format:
 *  - `ymd`: 2012-01-31, 2012/01/31 or 2012.01.31;
 *  - `ym`: 2012-01 (a month);
 *  - `dmy`, `mdy`: 31.01.2012, 31/01/2012, 01/31/2012 — day first when some first field exceeds 12 or
 *    the separator is ".", month first when some second field exceeds 12, else month first (as pandas);
 *  - `mon`: Jan 31 2012, Jan 31, 2012, 31 Jan 2012, January 31, 2012;
 * each (but `ym`) optionally followed by a time (after "T" or a space: 10:30, 10:30:15, 10:30:15.250)
 * and a zone ("Z", +01:00, -0500).
 *
 * A cell is read as its wall clock — the date and time as written — so the same file gives the same
 * features on every machine, whatever its time zone: the cyclic parts come from the wall clock, and
 * the instant that orders rows is the wall clock in UTC minus the zone offset when one is written.
 *
 * Parts (sin and cos of an angle, so December is next to January and 23:00 next to midnight):
 *  - `year_sin`, `year_cos`: the position within the year (day of the year and time of day);
 *  - `week_sin`, `week_cos`: the day of the week (and time of day);
 *  - `day_sin`, `day_cos`: the time of day.
 * A column gets the cycles its dates show (`dateCycles`): the year cycle when they span a year at
 * least twice as finely as half a year, the week cycle when they are daily or finer over two weeks
 * or more, the day cycle when they hold times of day that differ, over two days or more. No plain
 * year or "days since the start": with time-ordered evaluation such a feature is only ever seen
 * outside the range it was trained on.
 */

export const DATE_FORMATS = ['ymd', 'ym', 'dmy', 'mdy', 'mon'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export const DATE_PARTS = ['year_sin', 'year_cos', 'week_sin', 'week_cos', 'day_sin', 'day_cos'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

/** A date as written: calendar fields, seconds (with their fraction) and the zone offset in minutes (null: none written). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  offset: number | null;
}

const TIME = String.raw`(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?`;
const YMD = new RegExp(String.raw`^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})${TIME}$`);
const YM = /^(\d{4})-(\d{1,2})$/;
const DM = new RegExp(String.raw`^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})${TIME}$`);
const MON_FIRST = new RegExp(String.raw`^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})${TIME}$`);
const DAY_FIRST = new RegExp(String.raw`^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})${TIME}$`);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function monthOf(name: string): number {
  const n = name.toLowerCase();
  const i = n.length === 3 ? MONTHS.indexOf(n) : n === 'sept' ? 8 : MONTH_NAMES.indexOf(n);
  return i + 1;
}

const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The wall clock from its fields (strings from a regex match), or null when a field is out of range. */
function clock(year: number, month: number, day: number, t: (string | undefined)[]): WallClock | null {
  const [h, mi, s, frac, zone] = t;
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = (s === undefined ? 0 : Number(s)) + (frac === undefined ? 0 : Number(`0.${frac}`));
  if (month < 1 || month > 12 || day < 1) return null;
  if (day > (month === 2 && leap(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return null;
  if (hour > 23 || minute > 59 || second >= 61) return null;
  let offset: number | null = null;
  if (zone !== undefined) {
    if (zone === 'Z') offset = 0;
    else {
      const digits = zone.slice(1).replace(':', '');
      offset = (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
    }
  }
  return { year, month, day, hour, minute, second, offset };
}

/** A cell read as a date in `format`, or null when it is not one. */
export function readDate(cell: string, format: DateFormat): WallClock | null {
  let m: RegExpExecArray | null;
  switch (format) {
    case 'ymd':
      m = YMD.exec(cell);
      return m ? clock(Number(m[1]), Number(m[3]), Number(m[4]), m.slice(5)) : null;
    case 'ym':
      m = YM.exec(cell);
      return m ? clock(Number(m[1]), Number(m[2]), 1, []) : null;
    case 'dmy':
    case 'mdy':
      m = DM.exec(cell);
      if (!m) return null;
      return format === 'dmy' ? clock(Number(m[4]), Number(m[3]), Number(m[1]), m.slice(5)) : clock(Number(m[4]), Number(m[1]), Number(m[3]), m.slice(5));
    case 'mon':
      if ((m = MON_FIRST.exec(cell))) return clock(Number(m[3]), monthOf(m[1]!), Number(m[2]), m.slice(4));
      if ((m = DAY_FIRST.exec(cell))) return clock(Number(m[3]), monthOf(m[2]!), Number(m[1]), m.slice(4));
      return null;
  }
}

/** The format the cells are written in, judged from the first cell (and, day or month first, every cell's fields); null when not a date format. */
function formatOf(cells: readonly string[]): DateFormat | null {
  const first = cells[0];
  if (first === undefined) return null;
  if (YMD.test(first)) return 'ymd';
  if (YM.test(first)) return 'ym';
  if (MON_FIRST.test(first) || DAY_FIRST.test(first)) return 'mon';
  if (!DM.test(first)) return null;
  // Day or month first: decided by the fields over the whole column.
  let firstOver12 = false;
  let secondOver12 = false;
  let dots = false;
  for (const cell of cells) {
    const m = DM.exec(cell);
    if (!m) return null;
    if (Number(m[1]) > 12) firstOver12 = true;
    if (Number(m[3]) > 12) secondOver12 = true;
    if (m[2] === '.') dots = true;
  }
  if (firstOver12 && secondOver12) return null;
  return firstOver12 || (!secondOver12 && dots) ? 'dmy' : 'mdy';
}

/** A column of dates, read in one pass: its format, the cycles it shows and its first and last date. */
export interface DateScan {
  format: DateFormat;
  parts: DatePart[];
  first: WallClock;
  last: WallClock;
}

/** Read non-missing cells as dates in the one format they all fit; null when they are not all dates (or there are none). */
export function scanDates(cells: readonly string[]): DateScan | null {
  const format = formatOf(cells);
  if (format === null) return null;
  const instants = new Float64Array(cells.length);
  let timed = false;
  let [first, last]: (WallClock | null)[] = [null, null];
  for (let i = 0; i < cells.length; i++) {
    const w = readDate(cells[i]!, format);
    if (w === null) return null;
    const t = (instants[i] = instant(w));
    if (w.hour !== 0 || w.minute !== 0 || w.second !== 0) timed = true;
    if (first === null || t < instant(first)) first = w;
    if (last === null || t > instant(last)) last = w;
  }
  return { format, parts: cyclesOf(instants, timed), first: first!, last: last! };
}

/** The one format every cell fits, or null when the cells are not all dates. The cells must be non-missing; an empty list is not dates. */
export function dateFormatOf(cells: readonly string[]): DateFormat | null {
  return scanDates(cells)?.format ?? null;
}

/** Milliseconds since the epoch: the wall clock in UTC, minus the zone offset when one was written. */
export function instant(w: WallClock): number {
  const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, 0) + w.second * 1000;
  return ms - (w.offset ?? 0) * 60_000;
}

const DAY_MS = 86_400_000;

/** One cyclic part of a wall clock (see the module comment). */
export function datePart(w: WallClock, part: DatePart): number {
  const midnight = Date.UTC(w.year, w.month - 1, w.day);
  const timeOfDay = (w.hour * 3600 + w.minute * 60 + w.second) / 86_400;
  let turn: number;
  if (part.startsWith('year')) turn = ((midnight - Date.UTC(w.year, 0, 1)) / DAY_MS + timeOfDay) / (leap(w.year) ? 366 : 365);
  else if (part.startsWith('week')) turn = (new Date(midnight).getUTCDay() + timeOfDay) / 7;
  else turn = timeOfDay;
  const angle = 2 * Math.PI * turn;
  return part.endsWith('sin') ? Math.sin(angle) : Math.cos(angle);
}

/** Which cycles a column of dates shows (see the module comment), as parts in DATE_PARTS order. */
export function dateCycles(clocks: readonly WallClock[]): DatePart[] {
  return cyclesOf(
    Float64Array.from(clocks, instant),
    clocks.some((w) => w.hour !== 0 || w.minute !== 0 || w.second !== 0),
  );
}

/** dateCycles from the instants (any order) and whether any date has a time of day. */
function cyclesOf(instants: Float64Array, timed: boolean): DatePart[] {
  const sorted = Float64Array.from(instants).sort();
  const times: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) times.push(sorted[i]!);
  if (times.length < 2) return [];
  const span = times.at(-1)! - times[0]!;
  const gaps = Float64Array.from({ length: times.length - 1 }, (_, i) => times[i + 1]! - times[i]!).sort();
  const gap = gaps[Math.floor((gaps.length - 1) / 2)]!;
  const parts: DatePart[] = [];
  if (span >= 360 * DAY_MS && gap < 180 * DAY_MS) parts.push('year_sin', 'year_cos');
  if (span >= 14 * DAY_MS && gap <= 1.5 * DAY_MS) parts.push('week_sin', 'week_cos');
  if (span >= 2 * DAY_MS && gap < DAY_MS && timed) parts.push('day_sin', 'day_cos');
  return parts;
}

/** A date written back as ISO 8601 (its wall clock), for messages: 2012-01-31 or 2012-01-31 10:30. */
export function isoDate(w: WallClock): string {
  const p = (n: number, k = 2) => String(Math.floor(n)).padStart(k, '0');
  const date = `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}`;
  return w.hour || w.minute || w.second ? `${date} ${p(w.hour)}:${p(w.minute)}` : date;
}
