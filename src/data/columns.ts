/**
 * Where a CSV cell becomes a number, a category, a class label, a time or "missing": the one place,
 * used by parsing a dataset for training (parse.ts) and by reading rows for a saved preprocessing
 * (preprocess.ts `readCsvRows`, the prediction path), so the two read every cell alike.
 *
 * Missing cells and numbers are cells.ts's: the same for a whole file (csv.ts) and for one column.
 */
import { DataError } from '../errors.js';
import { isBooleanWord, isInfinite, isMissing, parseNumber } from './cells.js';
import type { CsvTable } from './csv.js';
import { datePart, instant, readDate, type DateFormat, type DatePart } from './dates.js';

const q = JSON.stringify;

/** A numeric input derived from a column of dates: one cyclic part (dates.ts) of each cell. */
export interface DateSource {
  column: string;
  part: DatePart;
  format: DateFormat;
}

/**
 * A feature column of kept rows, as read from the cells (nothing fitted).
 *  - numeric: the values, NaN where the cell was missing; `from` when they are a part of a date column;
 *  - categorical: the distinct non-missing cells, sorted (sortLabels), and per row an index into them,
 *    -1 where the cell was missing; `cap` when only that many of the most frequent are encoded, the
 *    rest as "(other)".
 */
export type FeatureColumn = { name: string; type: 'numeric'; values: Float64Array; from?: DateSource } | { name: string; type: 'categorical'; categories: string[]; codes: Int32Array; cap?: number };

/** The error for a cell that should hold a number. */
export function notANumber(source: string, table: CsvTable, c: number, r: number, why = ''): DataError {
  const cell = table.columns[c]![r]!;
  // "Infinity" is a number to JavaScript and to a spreadsheet, but nothing a network can learn from.
  const what = isInfinite(cell) ? 'is not a finite number; leave the cell empty if its value is unknown' : `is not a number${why}`;
  return new DataError(`${source}: row ${table.rowNumbers[r]}, column ${q(table.header[c])}: ${q(cell)} ${what}`);
}

/** Column c's values in `rows` (indices into the table's records): NaN where missing, a DataError where not a number. */
export function readNumeric(source: string, table: CsvTable, c: number, rows: ArrayLike<number>, why = ''): Float64Array {
  const col = table.columns[c]!;
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const cell = col[r]!;
    if (isMissing(cell)) {
      out[i] = Number.NaN;
      continue;
    }
    const v = parseNumber(cell);
    if (Number.isNaN(v)) throw notANumber(source, table, c, r, why);
    out[i] = v;
  }
  return out;
}

/** The name of the input a part of a date column becomes: `date.year_sin`. */
export function datePartName(column: string, part: DatePart): string {
  return `${column}.${part}`;
}

/**
 * Column c's cells in `rows` as parts of a date column, each cell read once: one array per part (NaN
 * where the cell is missing) and the instants (ms); a DataError names a cell that is not a date.
 */
export function readDateParts(source: string, table: CsvTable, c: number, rows: ArrayLike<number>, format: DateFormat, parts: readonly DatePart[]): { parts: Float64Array[]; instants: Float64Array } {
  const col = table.columns[c]!;
  const out = parts.map(() => new Float64Array(rows.length));
  const instants = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const cell = col[r]!;
    const w = isMissing(cell) ? null : readDate(cell, format);
    if (w === null && !isMissing(cell)) {
      throw new DataError(`${source}: row ${table.rowNumbers[r]}, column ${q(table.header[c])}: ${q(cell)} is not a date like the column's others (${format})`);
    }
    instants[i] = w === null ? Number.NaN : instant(w);
    parts.forEach((part, k) => (out[k]![i] = w === null ? Number.NaN : datePart(w, part)));
  }
  return { parts: out, instants };
}

/**
 * Column c's cells in `rows` as a categorical column (categories sorted, -1 where missing). A column
 * of true/false in any case (Excel writes TRUE, Python True) has the two categories "false" and "true",
 * as a class column of them has (labelKind).
 */
export function readCategorical(table: CsvTable, c: number, rows: ArrayLike<number>): FeatureColumn & { type: 'categorical' } {
  const col = table.columns[c]!;
  let cells = Array.from(rows, (r) => col[r]!);
  if (cells.some((cell) => !isMissing(cell)) && cells.every((cell) => isMissing(cell) || isBooleanWord(cell))) {
    cells = cells.map((cell) => (isMissing(cell) ? cell : cell.toLowerCase()));
  }
  const categories = sortLabels(cells.filter((cell) => !isMissing(cell)));
  const index = new Map(categories.map((k, i) => [k, i]));
  const codes = Int32Array.from(cells, (cell) => (isMissing(cell) ? -1 : index.get(cell)!));
  return { name: table.header[c]!, type: 'categorical', categories, codes };
}

/** What a column's non-missing cells are: how many numbers, how many other strings, how many distinct values. */
export interface ColumnCensus {
  present: number;
  numbers: number;
  /** Row index of the first non-missing cell that is not a number, if any. */
  firstNonNumber?: number;
  distinct: number;
}

export function census(table: CsvTable, c: number, rows: ArrayLike<number>): ColumnCensus {
  const col = table.columns[c]!;
  const seen = new Set<string>();
  let present = 0;
  let numbers = 0;
  let firstNonNumber: number | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const cell = col[r]!;
    if (isMissing(cell)) continue;
    present++;
    seen.add(cell);
    if (!Number.isNaN(parseNumber(cell))) numbers++;
    else firstNonNumber ??= r;
  }
  return { present, numbers, distinct: seen.size, ...(firstNonNumber !== undefined ? { firstNonNumber } : {}) };
}

const collator = new Intl.Collator('en', { numeric: true });

/** Sort labels: numerically when all are numbers, else by string with digit runs compared as numbers. */
export function sortLabels(labels: Iterable<string>): string[] {
  const xs = [...new Set(labels)];
  const numeric = xs.every((x) => !Number.isNaN(parseNumber(x)));
  return numeric ? xs.sort((a, b) => parseNumber(a) - parseNumber(b)) : xs.sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * How a class column's cells become labels: 'number' when every cell is a number ("1.0" and "1" are
 * the label "1"), 'boolean' when every cell is true/false in any case (labels in lower case),
 * 'string' otherwise (the cell as written, trimmed).
 */
export type LabelKind = 'number' | 'boolean' | 'string';

export function labelKind(cells: Iterable<string>): LabelKind {
  let numbers = true;
  let bools = true;
  for (const cell of cells) {
    if (numbers && Number.isNaN(parseNumber(cell))) numbers = false;
    if (bools && !isBooleanWord(cell)) bools = false;
    if (!numbers && !bools) break;
  }
  return numbers ? 'number' : bools ? 'boolean' : 'string';
}

export function classLabel(cell: string, kind: LabelKind): string {
  return kind === 'number' ? String(parseNumber(cell)) : kind === 'boolean' ? cell.toLowerCase() : cell;
}

/** Column c as times (ms since the epoch for dates, else the number); a DataError names a cell that is neither. */
export function readTime(source: string, table: CsvTable, c: number, rows: ArrayLike<number>): Float64Array {
  const col = table.columns[c]!;
  const numeric = Array.from(rows).every((r) => !Number.isNaN(parseNumber(col[r]!)));
  return Float64Array.from(rows, (r) => {
    const v = numeric ? parseNumber(col[r]!) : Date.parse(col[r]!);
    if (Number.isNaN(v)) throw new DataError(`${source}: row ${table.rowNumbers[r]}, column ${q(table.header[c])}: ${q(col[r])} is not a date or a number`);
    return v;
  });
}

/** Positions 0..n-1 sorted by time; equal times keep file order. */
export function timeOrder(time: Float64Array): number[] {
  return Array.from(time, (_, i) => i).sort((a, b) => time[a]! - time[b]! || a - b);
}

/** The index of a named column, or a DataError naming the field and listing the header. */
export function columnIndex(table: CsvTable, name: string, field: string): number {
  const i = table.header.indexOf(name);
  if (i < 0) throw new DataError(`${field}: column ${q(name)} is not in the header (columns: ${table.header.join(', ')})`);
  return i;
}
