/**
 * Parsing a dataset once into plain data (typed arrays, no tensors), so a worker can reuse it for
 * every candidate, fold and repeat. Nothing here is fitted: standardisation and one-hot presence are
 * learned per split, on training rows only (see split.ts).
 *
 *  - CSV, binary/multiclass/regression → `tabular`: one column of values per feature and encoded targets.
 *  - CSV, forecast → `series`: the time-ordered feature matrix; samples are windows over it.
 *  - NPY/NPZ → `array`: samples as a flat Float32Array (uint8 scaled to [0, 1]).
 */
import { DataError } from '../errors.js';
import type { DatasetSpec, Task } from '../spec/schema.js';
import { isMissing, parseNumber, readCsv, type CsvTable } from './csv.js';
import { decodeNpy, decodeNpz, type NpyArray } from './npy.js';

/** One-hot encoding refuses string feature columns with more distinct values than this. */
export const MAX_CATEGORIES = 256;

interface DatasetBase {
  task: Task;
  /** The dataset key, for messages. */
  source: string;
  /** Rows (samples for arrays) kept after dropping those with missing values. */
  rows: number;
  droppedRows: number;
  /** Classification: labels in class-index order. */
  classes?: string[];
}

export type FeatureColumn =
  | { name: string; type: 'numeric'; values: Float64Array }
  | {
      name: string;
      type: 'categorical';
      /** Every category in the whole (kept) data, sorted: fixes the one-hot width for every split. */
      categories: string[];
      /** Index into `categories` per row. */
      codes: Int32Array;
    };

export interface TabularDataset extends DatasetBase {
  kind: 'tabular';
  columns: FeatureColumn[];
  /** Per row: 0/1 (binary), the class index (multiclass) or the raw value (regression). */
  y: Float64Array;
}

export interface SeriesDataset extends DatasetBase {
  kind: 'series';
  featureNames: string[];
  /** rows × featureNames.length values, sorted by time, row-major. */
  values: Float64Array;
  /** Time of each row (ms since the epoch for dates, else the number), ascending. */
  time: Float64Array;
  /** Indices into featureNames of the target column(s). */
  targets: number[];
  lookback: number;
  horizon: number;
  /** Number of samples: window w reads rows [w, w + lookback) and predicts row w + lookback - 1 + horizon. */
  windows: number;
}

export interface ArrayDataset extends DatasetBase {
  kind: 'array';
  /** Shape of one sample: [features] for 2-D inputs, [h, w, c] for images. */
  sampleShape: number[];
  x: Float32Array;
  /** Per sample: class index, 0/1, or the raw value (regression). */
  y: Float64Array;
  /** 2-D inputs are standardised per feature like CSV columns; images are not. */
  standardise: boolean;
  featureNames?: string[];
}

export type ParsedDataset = TabularDataset | SeriesDataset | ArrayDataset;

const q = JSON.stringify;

/** Parse a dataset's bytes (and, for npy, the labels file's bytes). */
export function parseDataset(ds: DatasetSpec, bytes: Uint8Array, extra?: { labels?: Uint8Array }): ParsedDataset {
  switch (ds.format) {
    case 'csv':
      return ds.task === 'forecast' ? parseSeries(ds, readCsv(bytes, ds.key)) : parseTabular(ds, readCsv(bytes, ds.key));
    case 'npy': {
      if (!extra?.labels) throw new DataError(`dataset.labelsKey: npy data needs a labels .npy file`);
      const x = decodeNpy(bytes, ds.key);
      const y = decodeNpy(extra.labels, ds.labelsKey ?? 'labels');
      return parseArrays(ds, x, y, ds.key, ds.labelsKey ?? 'labels');
    }
    case 'npz': {
      const arrays = decodeNpz(bytes, ds.key);
      const names = Object.keys(arrays).join(', ');
      const yName = typeof ds.target === 'string' ? ds.target : 'y';
      const x = arrays[ds.inputs];
      const y = arrays[yName];
      if (!x) throw new DataError(`dataset.inputs: array ${q(ds.inputs)} is not in ${ds.key} (arrays: ${names})`);
      if (!y) throw new DataError(`dataset.target: array ${q(yName)} is not in ${ds.key} (arrays: ${names})`);
      return parseArrays(ds, x, y, `${ds.key}: ${ds.inputs}`, `${ds.key}: ${yName}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------- CSV

function targetNames(ds: DatasetSpec): string[] {
  if (ds.target === undefined) throw new DataError('dataset.target: is required for CSV data');
  const names = Array.isArray(ds.target) ? ds.target : [ds.target];
  if (names.length > 1 && ds.task !== 'forecast') throw new DataError('dataset.target: must be one column unless task is forecast');
  return names;
}

function columnIndex(table: CsvTable, name: string, field: string): number {
  const i = table.header.indexOf(name);
  if (i < 0) throw new DataError(`${field}: column ${q(name)} is not in the header (columns: ${table.header.join(', ')})`);
  return i;
}

/** Rows without a missing value in any used column; the others are dropped (or are an error). */
function keptRows(ds: DatasetSpec, table: CsvTable, used: number[]): { keep: number[]; dropped: number } {
  const keep: number[] = [];
  const n = table.rowNumbers.length;
  for (let r = 0; r < n; r++) {
    let missing = -1;
    for (const c of used) {
      if (isMissing(table.columns[c]![r]!)) {
        missing = c;
        break;
      }
    }
    if (missing < 0) keep.push(r);
    else if (!ds.dropMissing) {
      const cell = table.columns[missing]![r]!;
      throw new DataError(
        `${ds.key}: row ${table.rowNumbers[r]}, column ${q(table.header[missing])}: missing value${cell ? ` (${q(cell)})` : ''} and dataset.dropMissing is false`,
      );
    }
  }
  if (keep.length === 0) throw new DataError(`${ds.key}: every row has a missing value in a used column`);
  return { keep, dropped: n - keep.length };
}

/** The first non-missing cell of column c that is not a number, or undefined when the column is numeric. */
function firstNonNumber(table: CsvTable, c: number): number | undefined {
  const col = table.columns[c]!;
  for (let r = 0; r < col.length; r++) {
    const cell = col[r]!;
    if (!isMissing(cell) && Number.isNaN(parseNumber(cell))) return r;
  }
  return undefined;
}

function notANumber(ds: DatasetSpec, table: CsvTable, c: number, r: number, why = ''): DataError {
  return new DataError(
    `${ds.key}: row ${table.rowNumbers[r]}, column ${q(table.header[c])}: ${q(table.columns[c]![r])} is not a number${why}`,
  );
}

function numericValues(ds: DatasetSpec, table: CsvTable, c: number, keep: number[], why = ''): Float64Array {
  const bad = firstNonNumber(table, c);
  if (bad !== undefined) throw notANumber(ds, table, c, bad, why);
  const col = table.columns[c]!;
  return Float64Array.from(keep, (r) => parseNumber(col[r]!));
}

const collator = new Intl.Collator('en', { numeric: true });

/** Sort labels: numerically when all are numbers, else by string with digit runs compared as numbers. */
export function sortLabels(labels: Iterable<string>): string[] {
  const xs = [...new Set(labels)];
  const numeric = xs.every((x) => !Number.isNaN(parseNumber(x)));
  return numeric ? xs.sort((a, b) => parseNumber(a) - parseNumber(b)) : xs.sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Encode a classification target column: labels → class indices. */
function classTarget(ds: DatasetSpec, table: CsvTable, c: number, keep: number[]): { y: Float64Array; classes: string[] } {
  const col = table.columns[c]!;
  const numeric = firstNonNumber(table, c) === undefined;
  const bool = !numeric && keep.every((r) => /^(true|false)$/i.test(col[r]!));
  const label = (cell: string) => (numeric ? String(parseNumber(cell)) : bool ? cell.toLowerCase() : cell);
  const labels = keep.map((r) => label(col[r]!));
  const classes = sortLabels(labels);
  const name = table.header[c];
  const shown = () => `${classes.slice(0, 5).join(', ')}${classes.length > 5 ? ', …' : ''}`;
  if (ds.task === 'binary' && classes.length !== 2) {
    throw new DataError(`dataset.target: column ${q(name)} has ${classes.length} distinct value${classes.length === 1 ? '' : 's'} (${shown()}); binary needs exactly two`);
  }
  if (ds.task === 'multiclass' && classes.length < 2) {
    throw new DataError(`dataset.target: column ${q(name)} has only one distinct value (${shown()}); multiclass needs at least two`);
  }
  const index = new Map(classes.map((k, i) => [k, i]));
  return { y: Float64Array.from(labels, (l) => index.get(l)!), classes };
}

function parseTabular(ds: DatasetSpec, table: CsvTable): TabularDataset {
  const [targetName] = targetNames(ds);
  const t = columnIndex(table, targetName!, 'dataset.target');
  const features = (ds.features ?? table.header.filter((h) => h !== targetName)).map((f) => {
    const i = columnIndex(table, f, 'dataset.features');
    if (i === t) throw new DataError(`dataset.features: column ${q(f)} is the target`);
    return i;
  });
  if (features.length === 0) throw new DataError(`dataset.features: ${ds.key} has no column besides the target`);
  const { keep, dropped } = keptRows(ds, table, [t, ...features]);

  let y: Float64Array;
  let classes: string[] | undefined;
  if (ds.task === 'regression') y = numericValues(ds, table, t, keep, ' (a regression target must be numeric)');
  else ({ y, classes } = classTarget(ds, table, t, keep));

  const columns = features.map((c): FeatureColumn => {
    const name = table.header[c]!;
    const bad = firstNonNumber(table, c);
    if (bad === undefined) return { name, type: 'numeric', values: numericValues(ds, table, c, keep) };
    const col = table.columns[c]!;
    const categories = sortLabels(keep.map((r) => col[r]!));
    if (categories.length > MAX_CATEGORIES) {
      throw new DataError(
        `${ds.key}: row ${table.rowNumbers[bad]}, column ${q(name)}: ${q(col[bad])} is not a number, and as a string column it has ${categories.length} distinct values (one-hot encoding stops at ${MAX_CATEGORIES}); fix the cell or leave the column out of dataset.features`,
      );
    }
    const index = new Map(categories.map((k, i) => [k, i]));
    return { name, type: 'categorical', categories, codes: Int32Array.from(keep, (r) => index.get(col[r]!)!) };
  });
  return { kind: 'tabular', task: ds.task, source: ds.key, rows: keep.length, droppedRows: dropped, classes, columns, y };
}

function timeValues(ds: DatasetSpec, table: CsvTable, c: number, keep: number[]): Float64Array {
  if (firstNonNumber(table, c) === undefined) return numericValues(ds, table, c, keep);
  const col = table.columns[c]!;
  return Float64Array.from(keep, (r) => {
    const v = Date.parse(col[r]!);
    if (Number.isNaN(v)) {
      throw new DataError(`${ds.key}: row ${table.rowNumbers[r]}, column ${q(table.header[c])}: ${q(col[r])} is not a date or a number`);
    }
    return v;
  });
}

function parseSeries(ds: DatasetSpec, table: CsvTable): SeriesDataset {
  if (ds.time === undefined) throw new DataError('dataset.time: is required for forecast');
  if (ds.lookback === undefined) throw new DataError('dataset.lookback: is required for forecast');
  const tc = columnIndex(table, ds.time, 'dataset.time');
  const targetCols = targetNames(ds).map((name) => {
    const i = columnIndex(table, name, 'dataset.target');
    if (i === tc) throw new DataError(`dataset.target: column ${q(name)} is the time column`);
    return i;
  });
  // Inputs: the listed features, or every numeric column but time; the targets are always inputs too
  // (autoregressive forecasting).
  let featureCols: number[];
  if (ds.features) {
    featureCols = ds.features.map((f) => {
      const i = columnIndex(table, f, 'dataset.features');
      if (i === tc) throw new DataError(`dataset.features: column ${q(f)} is the time column`);
      return i;
    });
  } else {
    featureCols = table.header.map((_, i) => i).filter((i) => i !== tc && (targetCols.includes(i) || firstNonNumber(table, i) === undefined));
  }
  for (const t of targetCols) if (!featureCols.includes(t)) featureCols.push(t);
  const { keep, dropped } = keptRows(ds, table, [tc, ...featureCols]);

  const columns = featureCols.map((c) =>
    numericValues(ds, table, c, keep, targetCols.includes(c) ? ' (a forecast target must be numeric)' : ' (forecast inputs must be numeric)'),
  );
  const rawTime = timeValues(ds, table, tc, keep);
  const order = Array.from(keep, (_, i) => i).sort((a, b) => rawTime[a]! - rawTime[b]! || a - b);
  const rows = keep.length;
  const nf = featureCols.length;
  const values = new Float64Array(rows * nf);
  const time = new Float64Array(rows);
  order.forEach((src, dst) => {
    time[dst] = rawTime[src]!;
    for (let f = 0; f < nf; f++) values[dst * nf + f] = columns[f]![src]!;
  });
  const lookback = ds.lookback;
  const horizon = ds.horizon;
  const windows = rows - lookback - horizon + 1;
  if (windows < 2) {
    throw new DataError(
      `${ds.key}: ${rows} rows make ${Math.max(0, windows)} windows of dataset.lookback ${lookback} + dataset.horizon ${horizon}; at least 2 are needed`,
    );
  }
  return {
    kind: 'series',
    task: 'forecast',
    source: ds.key,
    rows,
    droppedRows: dropped,
    featureNames: featureCols.map((c) => table.header[c]!),
    values,
    time,
    targets: targetCols.map((c) => featureCols.indexOf(c)),
    lookback,
    horizon,
    windows,
  };
}

// ------------------------------------------------------------------------------------------- arrays

function parseArrays(ds: DatasetSpec, xa: NpyArray, ya: NpyArray, xName: string, yName: string): ArrayDataset {
  if (ds.task === 'forecast') throw new DataError('dataset.format: must be csv for forecast');
  if (xa.shape.length < 2 || xa.shape.length > 4) {
    throw new DataError(`${xName}: inputs must be N×features, N×H×W or N×H×W×C; got shape (${xa.shape.join(', ')})`);
  }
  const n = xa.shape[0]!;
  const sampleShape = xa.shape.length === 3 ? [...xa.shape.slice(1), 1] : xa.shape.slice(1);
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const yShape = ya.shape;
  if (yShape[0] !== n) throw new DataError(`${yName}: has ${yShape[0] ?? 0} rows, the inputs have ${n}`);
  const yWidth = yShape.slice(1).reduce((a, b) => a * b, 1);
  const oneHot = yWidth > 1;
  if (yShape.length > 2 || (oneHot && ds.task !== 'multiclass')) {
    throw new DataError(`${yName}: labels must have shape (N,) or (N, 1)${ds.task === 'multiclass' ? ' or be one-hot (N, classes)' : ''}; got (${yShape.join(', ')})`);
  }
  // Labels per sample: one-hot rows become their argmax.
  const rawY = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!oneHot) rawY[i] = ya.data[i]!;
    else {
      let best = 0;
      for (let k = 1; k < yWidth; k++) if (ya.data[i * yWidth + k]! > ya.data[i * yWidth + best]!) best = k;
      rawY[i] = best;
    }
  }
  // Samples with a non-finite value are missing.
  const scale = xa.dtype === 'u1' ? 1 / 255 : 1;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    let ok = Number.isFinite(rawY[i]!);
    for (let j = 0; ok && j < size; j++) ok = Number.isFinite(xa.data[i * size + j]!);
    if (ok) keep.push(i);
    else if (!ds.dropMissing) throw new DataError(`${xName}: sample ${i} has a NaN or infinite value and dataset.dropMissing is false`);
  }
  if (keep.length === 0) throw new DataError(`${xName}: every sample has a NaN or infinite value`);
  const x = new Float32Array(keep.length * size);
  keep.forEach((src, dst) => {
    for (let j = 0; j < size; j++) x[dst * size + j] = xa.data[src * size + j]! * scale;
  });
  let y = Float64Array.from(keep, (i) => rawY[i]!);
  let classes: string[] | undefined;
  if (ds.task === 'binary' || ds.task === 'multiclass') {
    classes = oneHot ? Array.from({ length: yWidth }, (_, k) => String(k)) : sortLabels(Array.from(y, String));
    if (ds.task === 'binary' && classes.length !== 2) {
      throw new DataError(`${yName}: labels have ${classes.length} distinct value${classes.length === 1 ? '' : 's'}; binary needs exactly two`);
    }
    if (classes.length < 2) throw new DataError(`${yName}: labels have only one distinct value; multiclass needs at least two`);
    if (!oneHot) {
      const index = new Map(classes.map((k, i) => [k, i]));
      y = Float64Array.from(y, (v) => index.get(String(v))!);
    }
  }
  const tabular = sampleShape.length === 1;
  return {
    kind: 'array',
    task: ds.task,
    source: ds.key,
    rows: keep.length,
    droppedRows: n - keep.length,
    classes,
    sampleShape,
    x,
    y,
    standardise: tabular,
    featureNames: tabular ? Array.from({ length: size }, (_, j) => `${ds.inputs}[${j}]`) : undefined,
  };
}
