/**
 * What parsing a dataset gives (parse.ts, arrays.ts): plain data — typed arrays, no tensors — that a
 * worker reuses for every candidate, fold and repeat, and the report of what was done to the file.
 */
import type { DatasetSpec, MissingPolicy, Task } from '../sweep/schema.js';
import type { FeatureColumn, LabelKind } from './columns.js';
import type { DateFormat } from './dates.js';
import type { NpyDtype } from './npy.js';
import type { ColumnRole } from './roles.js';

export type { FeatureColumn } from './columns.js';

/** What parsing did to the file, for the data summary. */
export interface ParseReport {
  /** Data rows in the file (samples for arrays). */
  rowsRead: number;
  /** Rows dropped, and per column how many of them had a missing cell there. */
  dropped: { rows: number; byColumn: Record<string, number> };
  /** Missing cells per used column among the kept rows (each is imputed when a split is encoded). */
  missingCells: Record<string, number>;
  /** Columns left out, and why. */
  excluded: { column: string; reason: string }[];
  warnings: string[];
}

interface DatasetBase {
  task: Task;
  /** The dataset key, for messages. */
  source: string;
  format: DatasetSpec['format'];
  missing: MissingPolicy;
  /** Rows (samples for arrays) kept. */
  rows: number;
  droppedRows: number;
  /** The target column(s) (CSV) or label array (NPY/NPZ). */
  targetNames: string[];
  /** Classification: labels in class-index order. */
  classes?: string[];
  /** Classification: how a target cell becomes a label (CSV), or 'index' (arrays: class index or one-hot argmax). */
  labels?: LabelKind | 'index';
  /** `dataset.unit`, for regression and forecast. */
  unit?: string;
  report: ParseReport;
}

/** The column that orders a table's rows in time, and each kept row's time (ms since the epoch for dates, else the number). */
export interface RowOrder {
  column: string;
  /** How it was chosen: named by dataset.time, or the first column of dates. */
  from: 'dataset.time' | 'dates';
  /** How its cells read as dates (absent: numbers). */
  format?: DateFormat;
  time: Float64Array;
}

export interface TabularDataset extends DatasetBase {
  kind: 'tabular';
  columns: FeatureColumn[];
  /** Per row: 0/1 (binary), the class index (multiclass) or the raw value (regression). */
  y: Float64Array;
  /** The file row number of each kept row (header = row 1), for messages. */
  rowNumbers: number[];
  /** Every column of the file and what was decided for it. */
  roles: ColumnRole[];
  /** The order column, when there is one (whether evaluation follows it is evaluation.order's call). */
  order?: RowOrder;
  /** Signs that the rows are in time order (dates, a column that only rises, a target correlated row to row). */
  signs: string[];
}

export interface SeriesDataset extends DatasetBase {
  kind: 'series';
  /** The column that orders rows in time. */
  timeName: string;
  featureNames: string[];
  /** rows × featureNames.length values, sorted by time, row-major; NaN where a (non-target) cell is missing. */
  values: Float64Array;
  /** Time of each row (ms since the epoch for dates, else the number), ascending. */
  time: Float64Array;
  /** Indices into featureNames of the target column(s). */
  targets: number[];
  lookback: number;
  horizon: number;
  /** What the target columns hold: their level, or their change from the row before (`dataset.targetIs`). */
  targetIs: 'level' | 'change';
  /** Number of samples: window w reads rows [w, w + lookback) and predicts row w + lookback - 1 + horizon. */
  windows: number;
}

export interface ArrayDataset extends DatasetBase {
  kind: 'array';
  /** The inputs array: its name in the .npz, or the .npy key. */
  arrayName: string;
  /** The inputs' dtype in the file. */
  dtype: NpyDtype;
  /** Every input value was multiplied by this when read (1/255 for uint8, else 1). */
  scale: number;
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
