/**
 * Reading a CSV file into columns of cells. A header row is required; every record must have as many
 * cells as the header. Rows are numbered as lines of the file with the header as row 1, so the first
 * data row is row 2 (a cell spanning several lines is numbered by its last line).
 */
import { parse } from 'csv-parse/sync';
import { DataError } from '../errors.js';

export interface CsvTable {
  header: string[];
  /** columns[c][r]: the trimmed cell of column c in data record r. */
  columns: string[][];
  /** The file row number of each data record (header = row 1). */
  rowNumbers: number[];
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

export function readCsv(bytes: Uint8Array, name: string): CsvTable {
  const text = new TextDecoder('utf-8').decode(bytes);
  if (text.trim() === '') throw new DataError(`${name}: the file is empty`);
  let records: CsvRecord[];
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as CsvRecord[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new DataError(`${name}: ${err.lines ? `row ${err.lines}: ` : ''}${err.message.replace(/\s+/g, ' ')}`, e);
  }
  const [head, ...rows] = records;
  if (!head) throw new DataError(`${name}: the file is empty`);
  const header = head.record;
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
  return { header, columns, rowNumbers };
}
