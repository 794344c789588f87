/**
 * What one trimmed CSV cell is, before any column is looked at: "missing", a finite number, or
 * neither. Reading a file (csv.ts) and reading its columns (columns.ts) both ask, so it sits below both.
 *
 * Missing cells: a cell equal, ignoring case, to one of MISSING_MARKERS — pandas' default `na_values`
 * plus "." (SAS, Stata) and "?" (many UCI files); a lone dash among numbers is missing too, decided
 * per column when the file is read (csv.ts), since "-" can be a class. A number must be finite:
 * "Infinity", "1e999" and "abc" are not numbers.
 */

export const MISSING_MARKERS = ['', 'NA', 'N/A', '#N/A', '#N/A N/A', '#NA', '<NA>', 'NaN', '-NaN', 'nan', '-nan', 'NULL', 'null', 'None', '.', '?'] as const;

const MISSING = new Set(MISSING_MARKERS.map((m) => m.toLowerCase()));
const LONGEST_MARKER = Math.max(...MISSING_MARKERS.map((m) => m.length));

/** Whether a (trimmed) cell is one of MISSING_MARKERS, ignoring case. */
export function isMissing(cell: string): boolean {
  if (cell.length > LONGEST_MARKER) return false;
  const first = cell.charCodeAt(0);
  if (first >= 48 && first <= 57) return false; // a digit: no marker starts with one
  return MISSING.has(cell.toLowerCase());
}

/** The number a cell holds, or NaN when it is not a finite number. */
export function parseNumber(cell: string): number {
  if (cell === '') return Number.NaN;
  const v = Number(cell);
  return Number.isFinite(v) ? v : Number.NaN;
}

/** Whether a cell is true or false, in any case (TRUE as Excel writes it, True as Python does). */
export function isBooleanWord(cell: string): boolean {
  return (cell.length === 4 || cell.length === 5) && /^(true|false)$/i.test(cell);
}

/** Whether a cell writes an infinite number: "Infinity", "-inf", "1e999". */
export function isInfinite(cell: string): boolean {
  return /^[+-]?inf(inity)?$/i.test(cell) || Math.abs(Number(cell)) === Number.POSITIVE_INFINITY;
}
