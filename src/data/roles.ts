/**
 * Column roles of a table, decided from the data when the file is read (and overridden by the spec):
 * which columns become inputs and how, which are left out and why, which one orders the rows in time.
 * One pass over each column (`profile`), so deciding is linear in the cells.
 *
 * For a column that is not the target, in this order:
 *  - every cell missing → `empty`, left out;
 *  - `dataset.exclude` lists it → `excluded`; `dataset.features` is given and does not → `unused`
 *    (either way it can still order the rows);
 *  - `dataset.categorical` lists it → `categorical`; `dataset.dates` lists it → `date` (a cell that
 *    is not a date is an error);
 *  - every non-missing cell a number → `numeric`, unless it is an identifier: a different integer in
 *    every row from a run of about that many (a row number), or an id-like name (`id`, `*_id`,
 *    `userId`, `uuid`, …) with more distinct integers than `maxCategories`;
 *  - half or more numbers but not all → an error naming the first row that is not (a typo in a
 *    numeric column; `dataset.categorical` takes it as categories);
 *  - every non-missing cell a date in one format (dates.ts) → `date`;
 *  - a value of its own in most rows (a different one in every row, or at least
 *    IDENTIFIER_MIN_DISTINCT making up half the rows) → `text` when the cells are prose (on average at
 *    least TEXT_MIN_WORDS words and TEXT_MIN_CHARS characters), else `identifier`; an id-like name with
 *    more distinct values than `maxCategories` is an `identifier` too. Both are left out. (Airport
 *    names — a few words, 50 of them in 10,000 rows — are a categorical, capped.)
 *  - otherwise `categorical`: one-hot; with more distinct values than `maxCategories` it is capped to
 *    the most frequent ones (learned on each split's training rows) and an "(other)" level.
 * A column `dataset.features` lists is never left out: one that looks like an identifier or text is
 * encoded as a capped categorical (or used as its numbers) with a warning.
 *
 * The order column: `dataset.time`, else the first column of dates without a missing cell.
 */
import { DataError } from '../errors.js';
import { isBooleanWord, isMissing, parseNumber } from './cells.js';
import { notANumber } from './columns.js';
import type { CsvTable } from './csv.js';
import { dateFormatOf, instant, isoDate, readDate, scanDates, type DateFormat, type DatePart, type WallClock } from './dates.js';

/** A string column with a different value in each of at least this many rows is an identifier. */
export const IDENTIFIER_MIN_ROWS = 3;
/** A column with at least this many distinct values, making up half its rows or more, is an identifier (or text). */
export const IDENTIFIER_MIN_DISTINCT = 20;
export const IDENTIFIER_SHARE = 0.5;
/** Free text: on average at least this many words and characters per cell. */
export const TEXT_MIN_WORDS = 3;
export const TEXT_MIN_CHARS = 20;
/** The default of `dataset.maxCategories`: a categorical with more distinct values keeps the most frequent ones and "(other)". */
export const DEFAULT_MAX_CATEGORIES = 20;

export const ROLES = ['target', 'order', 'numeric', 'categorical', 'date', 'identifier', 'text', 'empty', 'excluded', 'unused'] as const;
export type Role = (typeof ROLES)[number];

/** What was decided for one column of the file, and why. */
export interface ColumnRole {
  name: string;
  /** The column's index in the header. */
  c: number;
  role: Role;
  /** Why, in words: "206 distinct values in 253 rows", "listed in dataset.exclude". */
  reason: string;
  /** This column orders the rows in time (dataset.time, or the first complete date column). */
  order?: boolean;
  /** Categorical with more distinct values than this: capped to this many and "(other)". */
  cap?: number;
  /** Date: how cells read and the cyclic parts it gives (none: it only orders the rows). */
  date?: { format: DateFormat; parts: DatePart[]; first: string; last: string; complete: boolean };
  /** A numeric column that only rises or only falls down the file (a sign of time order). */
  monotone?: string;
  /** Something the user should read (a listed feature that looks like an identifier). */
  warning?: string;
}

/** One pass over a column's cells. */
export interface Profile {
  present: number;
  numbers: number;
  /** Row index of the first non-missing cell that is not a number. */
  firstNonNumber?: number;
  /** Distinct values: cells that are not numbers by their text, numbers by their value ("1.0" is "1"). */
  distinct: number;
  /** Numeric cells only: all integers, their range, and whether they never fall / never rise in file order. */
  integers: boolean;
  min: number;
  max: number;
  rising: boolean;
  falling: boolean;
  /** Mean characters and whitespace-separated words per non-missing cell that is not a number. */
  chars: number;
  words: number;
}

export function profile(table: CsvTable, c: number): Profile {
  const col = table.columns[c]!;
  // Distinct values: strings in a set; numbers (most cells of most tables) sorted once at the end.
  const seen = new Set<string>();
  const values = new Float64Array(col.length);
  let present = 0;
  let numbers = 0;
  let firstNonNumber: number | undefined;
  let integers = true;
  let [min, max] = [Infinity, -Infinity];
  let [rising, falling] = [true, true];
  let prev = Number.NaN;
  let chars = 0;
  let words = 0;
  for (let r = 0; r < col.length; r++) {
    const cell = col[r]!;
    if (isMissing(cell)) continue;
    present++;
    const v = parseNumber(cell);
    if (Number.isNaN(v)) {
      // true/false are one value each in any case, as readCategorical encodes them.
      seen.add(isBooleanWord(cell) ? cell.toLowerCase() : cell);
      firstNonNumber ??= r;
      chars += cell.length;
      words += wordCount(cell);
      continue;
    }
    values[numbers++] = v;
    if (!Number.isInteger(v)) integers = false;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v < prev) rising = false;
    if (v > prev) falling = false;
    prev = v;
  }
  return {
    present,
    numbers,
    ...(firstNonNumber !== undefined ? { firstNonNumber } : {}),
    distinct: seen.size + distinctCount(values.subarray(0, numbers)),
    integers,
    min,
    max,
    rising,
    falling,
    chars: present > numbers ? chars / (present - numbers) : 0,
    words: present > numbers ? words / (present - numbers) : 0,
  };
}

/** How many distinct values (sorts them in place). */
function distinctCount(xs: Float64Array): number {
  xs.sort();
  let k = xs.length > 0 ? 1 : 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] !== xs[i - 1]) k++;
  return k;
}

/** Whitespace-separated words in a (trimmed) cell, counted without allocating. */
function wordCount(cell: string): number {
  let words = cell.length > 0 ? 1 : 0;
  let space = false;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    const isSpace = c === 32 || c === 9 || c === 10 || c === 13;
    if (isSpace && !space) words++;
    space = isSpace;
  }
  return words;
}

/** `id`, `uuid`, `key`, `name`, `index`, `*_id`, `* id`, `userId`, `*_uuid`, pandas' `Unnamed: 0`. */
export function idLikeName(name: string): boolean {
  return /^(id|uuid|guid|key|name|index|row ?(id|no|num|number)?|unnamed: ?\d+)$/i.test(name.trim()) || /[_\s.-](id|uuid|guid)$/i.test(name) || /[a-z0-9](Id|ID|Uuid|UUID)$/.test(name);
}

const q = JSON.stringify;
const share = (k: number, n: number) => `${Math.round((100 * k) / n)} %`;

export interface RoleOptions {
  source: string;
  targets: Set<number>;
  /** dataset.time's column. */
  time?: number;
  /** dataset.features' columns, when given. */
  features?: Set<number>;
  exclude: Set<number>;
  categorical: Set<number>;
  dates: Set<number>;
  maxCategories: number;
}

/** The cells of column c that are not missing. */
function presentCells(table: CsvTable, c: number): string[] {
  return table.columns[c]!.filter((cell) => !isMissing(cell));
}

/** The error for a column dataset.dates lists whose cell r is not a date. */
function notADate(source: string, table: CsvTable, c: number): DataError {
  const col = table.columns[c]!;
  const cells = presentCells(table, c);
  // The format the most cells fit names the first that does not.
  const formats = (['ymd', 'ym', 'dmy', 'mdy', 'mon'] as const).map((f) => ({ f, n: cells.filter((x) => readDate(x, f)).length })).sort((a, b) => b.n - a.n);
  const best = formats[0]!.f;
  const r = col.findIndex((cell) => !isMissing(cell) && readDate(cell, best) === null);
  const at = Math.max(r, 0);
  return new DataError(
    `${source}: row ${table.rowNumbers[at]}, column ${q(table.header[c])}: ${q(col[at])} is not a date (dataset.dates lists the column; dates read like 2012-01-31, 31.01.2012, 01/31/2012 or Jan 31 2012, optionally with a time)`,
  );
}

/** A column of dates: its format, cyclic parts and range, or null when its cells are not all dates. */
function dateColumn(table: CsvTable, c: number): ColumnRole['date'] | null {
  // Most string columns are not dates: their first cell says so without copying the column.
  const first = table.columns[c]!.find((cell) => !isMissing(cell));
  if (first === undefined || dateFormatOf([first]) === null) return null;
  const cells = presentCells(table, c);
  const scan = scanDates(cells);
  if (scan === null) return null;
  return { format: scan.format, parts: scan.parts, first: isoDate(scan.first), last: isoDate(scan.last), complete: cells.length === table.rowNumbers.length };
}

const CYCLE_WORDS: Record<string, string> = { year: 'the year', week: 'the week', day: 'the day' };

function dateReason(d: NonNullable<ColumnRole['date']>, listed: boolean): string {
  const cycles = [...new Set(d.parts.map((p) => p.split('_')[0]!))].map((k) => CYCLE_WORDS[k]);
  const what = cycles.length ? `the cycles of ${cycles.join(', ')} as sin/cos inputs` : 'no cycle to encode';
  return `dates ${d.first} … ${d.last}${listed ? ' (dataset.dates)' : ''}: ${what}`;
}

/** Decide every column's role (see the module comment). */
export function columnRoles(table: CsvTable, opts: RoleOptions): ColumnRole[] {
  const roles = table.header.map((_name, c) => decide(table, c, opts));
  // The order: dataset.time, else the first column of dates with no missing cell.
  const orderAt = opts.time ?? roles.find((r) => r.date?.complete)?.c;
  if (orderAt !== undefined) {
    const r = roles[orderAt]!;
    r.order = true;
    // The order column is a feature only as dates (their cycles) or when dataset.features lists it.
    if (r.role === 'numeric' && opts.features?.has(orderAt) !== true) Object.assign(r, { role: 'order', reason: 'dataset.time: it orders the rows' });
    if (r.role === 'identifier' || r.role === 'text' || r.role === 'categorical') Object.assign(r, { role: 'order', reason: 'dataset.time: it orders the rows', cap: undefined });
  }
  return roles;
}

function decide(table: CsvTable, c: number, opts: RoleOptions): ColumnRole {
  const name = table.header[c]!;
  const role = (role: Role, reason: string, more: Partial<ColumnRole> = {}): ColumnRole => ({ name, c, role, reason, ...more });
  if (opts.targets.has(c)) return role('target', 'dataset.target');
  const p = profile(table, c);
  const n = p.present;
  const listed = opts.features?.has(c) === true;
  const isTime = opts.time === c;
  if (n === 0) return role('empty', 'every cell is missing', listed ? { warning: `Column ${q(name)} was left out: every cell is missing.` } : {});
  const monotone: Partial<ColumnRole> =
    p.numbers === n && n >= IDENTIFIER_MIN_DISTINCT && p.distinct >= 0.9 * n && (p.rising || p.falling)
      ? { monotone: p.rising ? `rises from row to row (${p.min} … ${p.max})` : `falls from row to row (${p.max} … ${p.min})` }
      : {};
  const asDates = opts.dates.has(c) || p.numbers === 0 ? dateColumn(table, c) : null;
  if (opts.dates.has(c) && !asDates) throw notADate(opts.source, table, c);
  const date = asDates ? { date: asDates } : {};
  if (opts.exclude.has(c)) return role('excluded', 'listed in dataset.exclude', { ...date, ...monotone });
  if (opts.features && !listed) return role('unused', 'not in dataset.features', { ...date, ...monotone });
  if (asDates) {
    const none = listed && asDates.parts.length === 0;
    return role('date', dateReason(asDates, opts.dates.has(c)), {
      ...date,
      ...(none
        ? {
            warning: `Column ${q(name)} is listed in dataset.features, but its dates show no cycle to encode (${asDates.first} … ${asDates.last}), so it gives no input; dataset.categorical encodes its values instead.`,
          }
        : {}),
    });
  }
  const cap = opts.maxCategories;
  if (opts.categorical.has(c)) {
    return p.distinct > cap
      ? role('categorical', `listed in dataset.categorical; ${p.distinct} distinct values: the ${cap} most frequent and "(other)"`, { cap })
      : role('categorical', 'listed in dataset.categorical');
  }
  const idName = idLikeName(name);
  if (p.numbers === n) {
    const rowNumber = p.integers && p.distinct === n && n >= IDENTIFIER_MIN_DISTINCT && p.max - p.min + 1 <= 1.5 * n;
    const why = rowNumber
      ? `a different integer in every row, ${p.min} … ${p.max} (a row number)`
      : idName && p.integers && p.distinct > cap
        ? `an id-like name and ${p.distinct} distinct integers`
        : null;
    if (why === null || isTime) return role('numeric', 'every cell a number', monotone);
    if (!listed) return role('identifier', `an identifier: ${why}`, monotone);
    return role('numeric', `listed in dataset.features, though it looks like an identifier (${why})`, {
      ...monotone,
      warning: `Column ${q(name)} looks like an identifier (${why}), but dataset.features lists it: used as a number.`,
    });
  }
  if (p.numbers * 2 >= n) {
    throw notANumber(opts.source, table, c, p.firstNonNumber!, ` (${n - p.numbers} of the column's ${n} cells are not numbers; list it in dataset.categorical if it holds categories)`);
  }
  const unique = p.distinct === n && n >= IDENTIFIER_MIN_ROWS;
  const most = p.distinct >= IDENTIFIER_MIN_DISTINCT && p.distinct >= IDENTIFIER_SHARE * n;
  const distinctWords = unique ? `a different string in each of its ${n} rows` : `${p.distinct} distinct values in ${n} rows (${share(p.distinct, n)})`;
  let left: { role: 'text' | 'identifier'; why: string } | null = null;
  if ((unique || most) && p.words >= TEXT_MIN_WORDS && p.chars >= TEXT_MIN_CHARS) {
    left = { role: 'text', why: `${distinctWords}, ${p.words.toFixed(1)} words per cell on average` };
  } else if (unique || most) left = { role: 'identifier', why: distinctWords };
  else if (idName && p.distinct > cap) left = { role: 'identifier', why: `an id-like name and ${distinctWords}` };
  const capped = p.distinct > cap ? { cap } : {};
  const cappedWords = p.distinct > cap ? `, capped to its ${cap} most frequent values and "(other)"` : '';
  if (left && !isTime) {
    const what = left.role === 'text' ? 'free text' : 'an identifier';
    if (!listed) return role(left.role, `${what}: ${left.why}`);
    return role('categorical', `listed in dataset.features, though it looks like ${what} (${left.why})${cappedWords}`, {
      ...capped,
      warning: `Column ${q(name)} looks like ${what} (${left.why}), but dataset.features lists it: one-hot encoded${cappedWords}.`,
    });
  }
  if (p.distinct > cap) return role('categorical', `${p.distinct} distinct values: the ${cap} most frequent and "(other)"`, capped);
  return role('categorical', `${p.distinct} distinct value${p.distinct === 1 ? '' : 's'}`);
}

/** The order column's cells over `rows` as times: numbers as they are, dates as instants (ms); a DataError names a cell that is neither. */
export function orderTimes(source: string, table: CsvTable, c: number, rows: ArrayLike<number>, format: DateFormat | undefined): Float64Array {
  const col = table.columns[c]!;
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const cell = col[rows[i]!]!;
    let v = format === undefined ? parseNumber(cell) : Number.NaN;
    if (format !== undefined) {
      const w: WallClock | null = readDate(cell, format);
      if (w) v = instant(w);
    } else if (Number.isNaN(v) && !isMissing(cell)) v = Date.parse(cell); // another way of writing dates, read as forecasts read them
    if (Number.isNaN(v)) throw new DataError(`${source}: row ${table.rowNumbers[rows[i]!]}, column ${q(table.header[c])}: ${q(cell)} is not a date or a number (dataset.time orders the rows by it)`);
    out[i] = v;
  }
  return out;
}

/**
 * Signs that rows are in time order, for a table that will be split at random: columns of dates,
 * numeric columns that only rise or only fall down the file, and a target whose neighbouring rows
 * agree far more than chance (lag-1 autocorrelation ≥ 0.5 over at least 30 rows; a target sorted or
 * grouped down the file is not a sign of time).
 */
export function orderSigns(roles: readonly ColumnRole[], target: { y: Float64Array; classes?: number }): string[] {
  const signs: string[] = [];
  for (const r of roles) {
    if (r.role === 'target') continue;
    if (r.date) signs.push(`column ${q(r.name)} holds dates (${r.date.first} … ${r.date.last})`);
    else if (r.monotone) signs.push(`column ${q(r.name)} ${r.monotone}`);
  }
  const r = lagOne(target.y, target.classes);
  if (r !== null && r >= 0.5) signs.push(`neighbouring rows' targets agree far more than chance (lag-1 autocorrelation ${r.toFixed(2)})`);
  return signs;
}

/** Lag-1 autocorrelation of a target in file order (classes: Cohen's kappa of each row's class against the next); null when not meaningful. */
export function lagOne(y: Float64Array, classes?: number): number | null {
  const n = y.length;
  if (n < 30) return null;
  if (classes !== undefined) {
    let runs = 1;
    let same = 0;
    const counts = new Array<number>(classes).fill(0);
    for (let i = 0; i < n; i++) {
      counts[y[i]!]!++;
      if (i > 0) {
        if (y[i] === y[i - 1]) same++;
        else runs++;
      }
    }
    if (runs <= classes) return null; // grouped by class: sorted, not a time series
    const expected = counts.reduce((s, k) => s + (k / n) ** 2, 0);
    return expected >= 1 ? null : (same / (n - 1) - expected) / (1 - expected);
  }
  let [rising, falling] = [true, true];
  let mean = 0;
  for (let i = 0; i < n; i++) {
    mean += y[i]!;
    if (i > 0 && y[i]! < y[i - 1]!) rising = false;
    if (i > 0 && y[i]! > y[i - 1]!) falling = false;
  }
  if (rising || falling) return null; // sorted by the target
  mean /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i]! - mean;
    den += d * d;
    if (i > 0) num += d * (y[i - 1]! - mean);
  }
  return den === 0 ? null : num / den;
}
