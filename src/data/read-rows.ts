/**
 * Raw rows as a source for `encode` (preprocess.ts): a CSV file's cells or NPY/NPZ arrays, read with
 * the same functions parsing a dataset for training uses (columns.ts, arrays.ts), so prediction reads
 * every cell as training did.
 */
import { DataError } from '../errors.js';
import { sampleShapeOf, scaledSamples } from './arrays.js';
import { isMissing } from './cells.js';
import { classLabel, columnIndex, readCategorical, readDateParts, readNumeric, readTime, timeOrder, type FeatureColumn } from './columns.js';
import type { CsvTable } from './csv.js';
import type { NpyArray } from './npy.js';
import type { ArraySource, SeriesSource, TabularSource } from './encode.js';
import type { Preprocessing } from './preprocessing-schema.js';

const q = JSON.stringify;

/** The file column an input reads: its own, or for a part of a date the date column. */
function sourceColumn(f: Extract<Preprocessing['input'], { kind: 'tabular' | 'series' }>['features'][number]): string {
  return f.kind === 'numeric' && f.from ? f.from.column : f.name;
}

/**
 * Rows of a CSV file (read with readCsv) as a source for `encode`: the training columns found by name
 * (their order in the file does not matter, extra columns are ignored), every cell read as parsing reads
 * it. The target column is read when present (y: NaN where its cell is missing). No row is dropped: a
 * missing cell is imputed by `encode`, or an error when the model was trained without imputation.
 *
 * Forecast files: rows are sorted by the time column, and windows are 0 … rows − lookback (the last
 * ones predict beyond the file; their y is NaN).
 */
export function readCsvRows(prep: Preprocessing, table: CsvTable, name: string): TabularSource | SeriesSource {
  const input = prep.input;
  if (input.kind === 'array') throw new DataError(`${name}: a CSV file, but the model takes ${input.array} arrays (.npy or .npz)`);
  const needed = [...new Set([...(input.kind === 'series' ? [input.time] : []), ...input.features.map(sourceColumn)])];
  const absent = needed.filter((c) => !table.header.includes(c));
  if (absent.length > 0) {
    throw new DataError(
      `${name}: the training column${absent.length > 1 ? 's' : ''} ${absent.map((c) => q(c)).join(', ')} ${absent.length > 1 ? 'are' : 'is'} missing (the header has ${table.header.join(', ')})`,
    );
  }
  const all = Array.from(table.rowNumbers, (_, r) => r);
  if (input.kind === 'series') {
    const tc = columnIndex(table, input.time, 'time');
    for (const r of all) {
      if (isMissing(table.columns[tc]![r]!)) throw new DataError(`${name}: row ${table.rowNumbers[r]}, column ${q(input.time)}: missing time`);
    }
    const rawTime = readTime(name, table, tc, all);
    const order = timeOrder(rawTime);
    const sorted = order.map((i) => all[i]!);
    const nf = input.features.length;
    const values = new Float64Array(sorted.length * nf);
    input.features.forEach((f, k) => {
      const col = readNumeric(name, table, columnIndex(table, f.name, 'features'), sorted);
      col.forEach((v, r) => (values[r * nf + k] = v));
    });
    if (sorted.length < input.lookback) {
      throw new DataError(`${name}: ${sorted.length} rows are fewer than the model's lookback of ${input.lookback}`);
    }
    return {
      kind: 'series',
      source: name,
      featureNames: input.features.map((f) => f.name),
      values,
      rows: sorted.length,
      lookback: input.lookback,
      horizon: input.horizon,
      rowNumbers: sorted.map((r) => table.rowNumbers[r]!),
      times: sorted.map((r) => table.columns[tc]![r]!),
    };
  }
  // A date column's parts are read together, each cell once.
  const dates = new Map<string, Map<string, Float64Array>>();
  const datePart = (c: number, from: NonNullable<Extract<(typeof input.features)[number], { kind: 'numeric' }>['from']>): Float64Array => {
    if (!dates.has(from.column)) {
      const parts = input.features.flatMap((g) => (g.kind === 'numeric' && g.from?.column === from.column ? [g.from.part] : []));
      const read = readDateParts(name, table, c, all, from.format, parts);
      dates.set(from.column, new Map(parts.map((p, k) => [p, read.parts[k]!])));
    }
    return dates.get(from.column)!.get(from.part)!;
  };
  const columns = input.features.map((f): FeatureColumn => {
    const c = columnIndex(table, sourceColumn(f), 'features');
    if (f.kind === 'categorical') return readCategorical(table, c, all);
    return { name: f.name, type: 'numeric', values: f.from ? datePart(c, f.from) : readNumeric(name, table, c, all) };
  });
  const t = prep.target;
  const tName = t.kind === 'classes' ? t.name : t.names[0]!;
  const tc = table.header.indexOf(tName);
  let y: Float64Array | undefined;
  if (tc >= 0) {
    if (t.kind === 'numeric') y = readNumeric(name, table, tc, all);
    else {
      const index = new Map(t.classes.map((k, i) => [k, i]));
      y = Float64Array.from(all, (r) => {
        const cell = table.columns[tc]![r]!;
        if (isMissing(cell)) return Number.NaN;
        const k = index.get(classLabel(cell, t.labels === 'index' ? 'string' : t.labels));
        if (k === undefined) {
          throw new DataError(`${name}: row ${table.rowNumbers[r]}, column ${q(tName)}: ${q(cell)} is not one of the model's classes (${t.classes.join(', ')})`);
        }
        return k;
      });
    }
  }
  return { kind: 'tabular', source: name, columns, ...(y ? { y } : {}), rowNumbers: [...table.rowNumbers] };
}

/**
 * Array samples (a decoded .npy, or an .npz entry) as a source for `encode`: the sample shape must be
 * the model's; values are multiplied by the training `scale`. `labels`, when given, become class
 * indices (classification) or values (regression).
 */
export function readArrayRows(prep: Preprocessing, x: NpyArray, labels: NpyArray | undefined, name: string): ArraySource {
  const input = prep.input;
  if (input.kind !== 'array') throw new DataError(`${name}: arrays, but the model takes a CSV ${input.kind === 'series' ? 'time series' : 'table'}`);
  const shape = sampleShapeOf(x.shape, name);
  if (shape.join('×') !== input.shape.join('×')) {
    throw new DataError(`${name}: samples of shape (${shape.join(', ')}), the model takes (${input.shape.join(', ')})`);
  }
  const n = x.shape[0]!;
  const size = shape.reduce((a, b) => a * b, 1);
  const out: ArraySource = {
    kind: 'array',
    source: name,
    sampleShape: shape,
    x: scaledSamples(
      x,
      Array.from({ length: n }, (_, i) => i),
      size,
      input.scale,
    ),
  };
  if (!labels) return out;
  if (labels.shape[0] !== n) throw new DataError(`${name}: ${labels.shape[0] ?? 0} labels for ${n} samples`);
  const width = labels.shape.slice(1).reduce((a, b) => a * b, 1);
  const t = prep.target;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (t.kind === 'numeric') y[i] = labels.data[i]!;
    else if (width > 1) {
      let best = 0;
      for (let k = 1; k < width; k++) if (labels.data[i * width + k]! > labels.data[i * width + best]!) best = k;
      y[i] = best;
    } else {
      const k = t.classes.indexOf(String(labels.data[i]));
      if (k < 0) throw new DataError(`${name}: label ${labels.data[i]} of sample ${i} is not one of the model's classes (${t.classes.join(', ')})`);
      y[i] = k;
    }
  }
  return { ...out, y };
}
