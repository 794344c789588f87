/**
 * Reading a CSV file into columns of cells. A header row is required; every record must have as many
 * cells as the header. Rows are numbered as lines of the file with the header as row 1, so the first
 * data row is row 2 (a cell spanning several lines is numbered by its last line).
 *
 * The dialects spreadsheets write are read as they mean it, so that prediction (which reads its file
 * here too) sees what training saw:
 *  - text in UTF-8, or else in Windows-1252 (Excel's "CSV" on Windows; Latin-1 with a few more
 *    letters), with a note;
 *  - the delimiter is the one the header uses most outside quotes: `,` (ties), `;` (Excel in locales
 *    with a decimal comma), a tab or `|`;
 *  - a header cell left empty is named as pandas names it, `Unnamed: <column index from 0>` (a trailing
 *    delimiter, or the index column `DataFrame.to_csv` writes);
 *  - a column whose every cell is a number, some written with thousands separators (`"12,345.67"`), a
 *    decimal comma (`0,25`, `1.234,5`) or one unit (`$12.50`, `12.5%`), holds those numbers, and a
 *    note says so (`notes`); a lone dash among numbers (`-`, `--`, `–`, `—`) is a missing cell. A comma
 *    between groups of three digits is a thousands separator in a comma-separated file and a decimal
 *    comma in any other, as those files' locales write them.
 */
import { parse } from 'csv-parse/sync';
import { DataError } from '../errors.js';
import { count } from '../format.js';
import { isMissing, parseNumber } from './cells.js';

export interface CsvTable {
  header: string[];
  /** columns[c][r]: the trimmed cell of column c in data record r. */
  columns: string[][];
  /** The file row number of each data record (header = row 1). */
  rowNumbers: number[];
  /** What reading changed that a reader should know: the encoding when not UTF-8, numbers written with thousands separators or decimal commas. */
  notes?: string[];
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** The delimiter the header line uses most outside quotes (a comma on a tie or when it uses none). */
function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/** The file's text: UTF-8, or else Windows-1252 (what Excel writes on Windows, Latin-1's superset), with a note. */
function decode(bytes: Uint8Array, notes: string[]): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    notes.push('The file is not UTF-8: it was read as Windows-1252 (Latin-1); save it as UTF-8 if its accents look wrong.');
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

export function readCsv(bytes: Uint8Array, name: string): CsvTable {
  const notes: string[] = [];
  const text = decode(bytes, notes);
  if (text.trim() === '') throw new DataError(`${name}: the file is empty`);
  const delimiter = sniffDelimiter(text);
  let records: CsvRecord[];
  try {
    records = parse(text, { bom: true, delimiter, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as CsvRecord[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new DataError(`${name}: ${err.lines ? `row ${err.lines}: ` : ''}${err.message.replace(/\s+/g, ' ')}`, e);
  }
  const [head, ...rows] = records;
  if (!head) throw new DataError(`${name}: the file is empty`);
  const header = head.record.map((h, i) => (h === '' ? `Unnamed: ${i}` : h));
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    const prev = seen.get(h);
    if (prev !== undefined) throw new DataError(`${name}: row 1: column ${JSON.stringify(h)} appears twice (columns ${prev + 1} and ${i + 1})`);
    seen.set(h, i);
  });
  if (rows.length === 0) throw new DataError(`${name}: the file has a header but no data rows`);
  const columns: string[][] = header.map(() => new Array<string>(rows.length));
  const rowNumbers = new Array<number>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const { record, info } = rows[r]!;
    if (record.length !== header.length) {
      throw new DataError(`${name}: row ${info.lines}: has ${record.length} cells, the header has ${header.length}`);
    }
    rowNumbers[r] = info.lines;
    for (let c = 0; c < record.length; c++) columns[c]![r] = record[c]!;
  }
  header.forEach((h, c) => {
    const note = readNumberFormat(columns[c]!, delimiter);
    if (note) notes.push(`Column ${JSON.stringify(h)}: ${note}.`);
  });
  return { header, columns, rowNumbers, ...(notes.length > 0 ? { notes } : {}) };
}

/** 12,345.67 — groups of three digits separated by commas, an optional decimal point. */
const THOUSANDS = /^[+-]?(\d+|[1-9]\d{0,2}(,\d{3})+)(\.\d+)?$/;
/** 0,25 and 1.234,5 — a decimal comma, optionally groups of three digits separated by points. */
const DECIMAL_COMMA = /^[+-]?(\d+|[1-9]\d{0,2}(\.\d{3})+)(,\d+)?$/;
/** A unit written around a number: a currency sign before it (after a minus sign or not), a percent sign after it. */
const UNIT = /^([+-]?)\s*([$€£¥])\s*([+-]?\d.*)$|^(.*\d)\s*(%)$/;

/** A cell without its unit (`-$1,234.5` → `-1,234.5`, `12 %` → `12`), and which unit it was; null when it has none. */
function withoutUnit(cell: string): { unit: string; core: string } | null {
  const m = UNIT.exec(cell);
  if (!m) return null;
  return m[2] ? { unit: m[2], core: `${m[1]}${m[3]}` } : { unit: m[5]!, core: m[4]! };
}

/** A dash standing for "no value" in printed tables and spreadsheets. */
const DASH = /^(-{1,2}|–|—)$/;

/**
 * Rewrites, in place, a column whose every non-missing cell is a number — some written with
 * thousands separators or a decimal comma, or all that are not plain numbers with the same unit
 * ("$", "€", "£", "¥" before, "%" after), or some a lone dash — as plain numbers (a dash as an empty,
 * missing cell), and says what it read; null (nothing changed) for any other column. A dash is read
 * as missing only among numbers: "+" and "-" can be classes (UCI's credit-approval data). Most
 * columns cost one pass that finds no such cell.
 */
function readNumberFormat(col: string[], delimiter: string): string | null {
  const blank = (cell: string) => isMissing(cell) || DASH.test(cell);
  // The unit, from the first cell that is neither missing, a dash nor a plain number.
  const odd = col.find((cell) => !blank(cell) && Number.isNaN(parseNumber(cell)));
  const dashes = col.filter((cell) => DASH.test(cell)).length;
  if (odd === undefined) {
    if (dashes === 0 || !col.some((cell) => !blank(cell))) return null;
    const dash = col.find((cell) => DASH.test(cell))!;
    for (let r = 0; r < col.length; r++) if (DASH.test(col[r]!)) col[r] = '';
    return `${count(dashes, 'cell')} of ${JSON.stringify(dash)} read as missing`;
  }
  const unit = withoutUnit(odd)?.unit;
  const core = (cell: string) => {
    const u = unit === undefined ? null : withoutUnit(cell);
    return u && u.unit === unit ? u.core : cell;
  };
  let thousands = true;
  let decimalComma = true;
  let written = 0;
  let example: string | undefined;
  for (const cell of col) {
    if (blank(cell)) continue;
    const c = core(cell);
    if (c !== cell || c.includes(',')) {
      written++;
      example ??= cell;
    }
    if (c.includes(',')) {
      if (thousands && !THOUSANDS.test(c)) thousands = false;
      if (decimalComma && !DECIMAL_COMMA.test(c)) decimalComma = false;
    } else if (Number.isNaN(parseNumber(c))) {
      // Not a plain number: only points grouping digits (1.234.567), which a decimal comma allows.
      thousands = false;
      if (!DECIMAL_COMMA.test(c)) decimalComma = false;
    }
    if (!thousands && !decimalComma) return null;
  }
  if (example === undefined) return null;
  // Both fit only when every comma sits before three digits and no cell has a point: the file's locale decides.
  const asThousands = thousands && (!decimalComma || delimiter === ',');
  const commas = col.some((cell) => core(cell).includes(','));
  const plain = (cell: string) => {
    const c = core(cell);
    if (!commas) return c;
    // With a decimal comma a point groups digits, in 1.234 as in 1.234,5.
    return asThousands ? c.replaceAll(',', '') : DECIMAL_COMMA.test(c) ? c.replaceAll('.', '').replace(',', '.') : c;
  };
  for (let r = 0; r < col.length; r++) {
    const cell = col[r]!;
    if (DASH.test(cell)) col[r] = '';
    else if (!isMissing(cell)) col[r] = plain(cell);
  }
  const how = [...(unit ? [JSON.stringify(unit)] : []), ...(commas ? [asThousands ? 'thousands separators' : 'a decimal comma'] : [])].join(' and ');
  const dashNote = dashes > 0 ? `; ${count(dashes, 'cell')} of a dash read as missing` : '';
  return `${count(written, 'number')} written with ${how} (${JSON.stringify(example)} read as ${plain(example)})${dashNote}`;
}
