/**
 * The arrays of a dataset given as NPY or NPZ: samples as a flat Float32Array (uint8 scaled to
 * [0, 1]), labels as class indices or values. Samples with a non-finite value are missing: dropped,
 * or an error under dataset.missing "error".
 */
import { DataError } from '../errors.js';
import type { DatasetSpec } from '../sweep/schema.js';
import { sortLabels } from './columns.js';
import type { NpyArray, NpyDtype } from './npy.js';
import type { ArrayDataset, ParseReport } from './dataset.js';

/** The factor array inputs are multiplied by when read: uint8 pixels to [0, 1], everything else as it is. */
export function arrayScale(dtype: NpyDtype): number {
  return dtype === 'u1' ? 1 / 255 : 1;
}

/** The samples `keep` of an array, every value multiplied by `scale`, as float32 (training and prediction alike). */
export function scaledSamples(xa: NpyArray, keep: ArrayLike<number>, size: number, scale: number): Float32Array {
  const x = new Float32Array(keep.length * size);
  for (let dst = 0; dst < keep.length; dst++) {
    const src = keep[dst]!;
    for (let j = 0; j < size; j++) x[dst * size + j] = xa.data[src * size + j]! * scale;
  }
  return x;
}

/** Shape of one sample of an inputs array: N×H×W gets a channel axis of 1. */
export function sampleShapeOf(shape: number[], name: string): number[] {
  if (shape.length < 2 || shape.length > 4) {
    throw new DataError(`${name}: inputs must be N×features, N×H×W or N×H×W×C; got shape (${shape.join(', ')})`);
  }
  return shape.length === 3 ? [...shape.slice(1), 1] : shape.slice(1);
}

interface ArrayNames {
  x: string;
  y: string;
  arrayName: string;
  targetName: string;
}

export function parseArrays(ds: DatasetSpec, xa: NpyArray, ya: NpyArray, names: ArrayNames): ArrayDataset {
  const { x: xName, y: yName } = names;
  if (ds.task === 'forecast') throw new DataError('dataset.format: must be csv for forecast');
  const n = xa.shape[0]!;
  if (n === 0) throw new DataError(`${xName}: has no samples (shape (${xa.shape.join(', ')}))`);
  const sampleShape = sampleShapeOf(xa.shape, xName);
  const size = sampleShape.reduce((a, b) => a * b, 1);
  if (size === 0) throw new DataError(`${xName}: a sample has no values (shape (${xa.shape.join(', ')}))`);
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
  // Samples with a non-finite value are missing: dropped, or an error under dataset.missing "error".
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    let ok = Number.isFinite(rawY[i]!);
    for (let j = 0; ok && j < size; j++) ok = Number.isFinite(xa.data[i * size + j]!);
    if (ok) keep.push(i);
    else if (ds.missing === 'error') throw new DataError(`${xName}: sample ${i} has a NaN or infinite value and dataset.missing is "error"`);
  }
  if (keep.length === 0) throw new DataError(`${xName}: every sample has a NaN or infinite value`);
  const report: ParseReport = { rowsRead: n, dropped: { rows: 0, byColumn: {} }, missingCells: {}, excluded: [], warnings: [] };
  if (keep.length < n) {
    report.dropped = { rows: n - keep.length, byColumn: { [names.arrayName]: n - keep.length } };
    report.warnings.push(`${n - keep.length} of ${n} samples were dropped for a NaN or infinite value.`);
  }
  const scale = arrayScale(xa.dtype);
  const x = scaledSamples(xa, keep, size, scale);
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
    format: ds.format,
    missing: ds.missing,
    rows: keep.length,
    droppedRows: n - keep.length,
    targetNames: [names.targetName],
    ...(classes ? { classes, labels: 'index' as const } : {}),
    ...(ds.unit ? { unit: ds.unit } : {}),
    report,
    arrayName: names.arrayName,
    dtype: xa.dtype,
    scale,
    sampleShape,
    x,
    y,
    standardise: tabular,
    featureNames: tabular ? Array.from({ length: size }, (_, j) => `${ds.inputs}[${j}]`) : undefined,
  };
}
