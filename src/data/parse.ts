/**
 * Parsing a dataset once into plain data (typed arrays, no tensors), so a worker can reuse it for
 * every candidate, fold and repeat. Nothing here is fitted — standardisation, imputation values, the
 * categories a model encodes and which of a capped column's values it keeps are learned per split, on
 * training rows only (preprocess.ts) — but everything about the file is decided here, at plan time,
 * before anything is written:
 *
 *  - CSV, binary/multiclass/regression → `tabular`: one column per feature and the encoded target,
 *    each column's role decided from its cells (roles.ts: numeric, categorical, dates, identifier,
 *    free text, …), the column that orders rows in time when there is one, and the signs of time order.
 *  - CSV, forecast → `series`: the time-ordered feature matrix; samples are windows over it.
 *  - NPY/NPZ → `array` (arrays.ts): samples as a flat Float32Array (uint8 scaled to [0, 1]).
 *
 * Missing cells (`dataset.missing`): impute keeps the row (the cell is filled when a split is encoded),
 * except that a row without its target (or its time, when dataset.time names one) is dropped; drop
 * drops any row with a missing cell in a used column; error refuses the file. What was dropped and
 * kept is counted in `report`.
 */
import { DataError } from '../errors.js';
import type { DatasetSpec } from '../sweep/schema.js';
import { parseArrays } from './arrays.js';
import { isMissing } from './cells.js';
import {
  census,
  classLabel,
  columnIndex,
  datePartName,
  labelKind,
  notANumber,
  readCategorical,
  readDateParts,
  readNumeric,
  readTime,
  sortLabels,
  timeOrder,
  type FeatureColumn,
  type LabelKind,
} from './columns.js';
import { readCsv, type CsvTable } from './csv.js';
import type { ParseReport, ParsedDataset, RowOrder, SeriesDataset, TabularDataset } from './dataset.js';
import { decodeNpy, decodeNpz } from './npy.js';
import { columnRoles, DEFAULT_MAX_CATEGORIES, orderSigns, orderTimes, type ColumnRole } from './roles.js';

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
      return parseArrays(ds, x, y, { x: ds.key, y: ds.labelsKey ?? 'labels', arrayName: ds.key, targetName: ds.labelsKey ?? 'labels' });
    }
    case 'npz': {
      const arrays = decodeNpz(bytes, ds.key);
      const names = Object.keys(arrays).join(', ');
      const yName = typeof ds.target === 'string' ? ds.target : 'y';
      const x = arrays[ds.inputs];
      const y = arrays[yName];
      if (!x) throw new DataError(`dataset.inputs: array ${q(ds.inputs)} is not in ${ds.key} (arrays: ${names})`);
      if (!y) throw new DataError(`dataset.target: array ${q(yName)} is not in ${ds.key} (arrays: ${names})`);
      return parseArrays(ds, x, y, { x: `${ds.key}: ${ds.inputs}`, y: `${ds.key}: ${yName}`, arrayName: ds.inputs, targetName: yName });
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

/** A report with nothing dropped yet; what reading the file changed (csv.ts `notes`) starts its warnings. */
function emptyReport(table: CsvTable): ParseReport {
  return { rowsRead: table.rowNumbers.length, dropped: { rows: 0, byColumn: {} }, missingCells: {}, excluded: [], warnings: [...(table.notes ?? [])] };
}

const allRows = (table: CsvTable) => Array.from(table.rowNumbers, (_, r) => r);

/** Columns named by a list field (`dataset.exclude`, `dataset.categorical`, `dataset.dates`): each must exist and be neither target nor time. */
function namedColumns(table: CsvTable, names: string[] | undefined, field: string, reserved: Map<number, string>): Set<number> {
  const out = new Set<number>();
  for (const name of names ?? []) {
    const i = columnIndex(table, name, field);
    const role = reserved.get(i);
    if (role) throw new DataError(`${field}: column ${q(name)} is the ${role}`);
    out.add(i);
  }
  return out;
}

/**
 * Which rows to keep under `ds.missing`. A row missing a cell of a `required` column (target, time)
 * is always dropped (an error under "error"); a row missing another used cell is dropped under "drop"
 * and kept under "impute". Counts go into the report.
 */
function keptRows(ds: DatasetSpec, table: CsvTable, used: number[], required: Set<number>, report: ParseReport): number[] {
  const keep: number[] = [];
  const n = table.rowNumbers.length;
  const name = (c: number) => table.header[c]!;
  const bump = (counts: Record<string, number>, c: number) => void (counts[name(c)] = (counts[name(c)] ?? 0) + 1);
  for (let r = 0; r < n; r++) {
    const missing = used.filter((c) => isMissing(table.columns[c]![r]!));
    if (missing.length === 0) {
      keep.push(r);
      continue;
    }
    if (ds.missing === 'error') {
      const c = missing[0]!;
      const cell = table.columns[c]![r]!;
      throw new DataError(`${ds.key}: row ${table.rowNumbers[r]}, column ${q(name(c))}: missing value${cell ? ` (${q(cell)})` : ''} and dataset.missing is "error"`);
    }
    if (ds.missing === 'drop' || missing.some((c) => required.has(c))) {
      for (const c of missing) bump(report.dropped.byColumn, c);
      report.dropped.rows++;
    } else {
      for (const c of missing) bump(report.missingCells, c);
      keep.push(r);
    }
  }
  if (keep.length === 0) {
    throw new DataError(
      ds.missing === 'drop'
        ? `${ds.key}: every row has a missing value in a used column (dataset.missing "drop")`
        : `${ds.key}: every row is missing its ${[...required]
            .map(name)
            .map((c) => q(c))
            .join(' or ')} value`,
    );
  }
  if (report.dropped.rows > 0) {
    const cols = Object.entries(report.dropped.byColumn)
      .sort((a, b) => b[1] - a[1])
      .map(([c, k]) => `${c}: ${k}`)
      .join(', ');
    const share = ((100 * report.dropped.rows) / n).toFixed(report.dropped.rows * 1000 < n ? 2 : 1);
    report.warnings.push(`${report.dropped.rows} of ${n} rows (${share} %) were dropped for missing cells (${cols}).`);
  }
  return keep;
}

/** Encode a classification target column: labels → class indices. */
function classTarget(ds: DatasetSpec, table: CsvTable, c: number, keep: number[]): { y: Float64Array; classes: string[]; labels: LabelKind } {
  const col = table.columns[c]!;
  const cells = keep.map((r) => col[r]!);
  const kind = labelKind(cells);
  const labels = cells.map((cell) => classLabel(cell, kind));
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
  return { y: Float64Array.from(labels, (l) => index.get(l)!), classes, labels: kind };
}

/**
 * A numeric target whose squared errors a double cannot hold — beyond 1e150 they overflow to Infinity
 * (an RMSE of Infinity), below 1e-150 they vanish (an RMSE of 0) — is refused with the scale to use.
 * Inputs of any magnitude are fine: they are standardised.
 */
function checkMagnitude(name: string, values: Float64Array): void {
  let largest = 0;
  for (const v of values) if (Math.abs(v) > largest) largest = Math.abs(v);
  if (largest <= 1e150 && (largest === 0 || largest >= 1e-150)) return;
  const power = Math.floor(Math.log10(largest));
  throw new DataError(
    `dataset.target: column ${q(name)} reaches ${largest.toExponential(1)}, too ${power > 0 ? 'large' : 'small'} for its squared errors in double precision; divide the column by 1e${power} (and say so in dataset.unit)`,
  );
}

/** Roles that leave a column out of the inputs, with a note in the data summary. */
const LEFT_OUT = new Set<ColumnRole['role']>(['empty', 'excluded', 'identifier', 'text']);

function parseTabular(ds: DatasetSpec, table: CsvTable): TabularDataset {
  const [targetName] = targetNames(ds);
  const t = columnIndex(table, targetName!, 'dataset.target');
  const report = emptyReport(table);
  const reserved = new Map([[t, 'target']]);
  const time = ds.time === undefined ? undefined : columnIndex(table, ds.time, 'dataset.time');
  if (time === t) throw new DataError(`dataset.time: column ${q(ds.time)} is the target`);
  const listed = ds.features?.map((f) => {
    const i = columnIndex(table, f, 'dataset.features');
    if (i === t) throw new DataError(`dataset.features: column ${q(f)} is the target`);
    return i;
  });
  const roles = columnRoles(table, {
    source: ds.key,
    targets: new Set([t]),
    ...(time !== undefined ? { time } : {}),
    ...(listed ? { features: new Set(listed) } : {}),
    exclude: namedColumns(table, ds.exclude, 'dataset.exclude', reserved),
    categorical: namedColumns(table, ds.categorical, 'dataset.categorical', reserved),
    dates: namedColumns(table, ds.dates, 'dataset.dates', reserved),
    maxCategories: ds.maxCategories ?? DEFAULT_MAX_CATEGORIES,
  });
  const isInput = (r: ColumnRole) => r.role === 'numeric' || r.role === 'categorical' || (r.role === 'date' && r.date!.parts.length > 0);
  for (const r of roles) {
    if (LEFT_OUT.has(r.role) || (r.role === 'date' && !isInput(r) && !r.order)) report.excluded.push({ column: r.name, reason: r.reason });
    if (r.warning) report.warnings.push(r.warning);
  }
  // Inputs in the order dataset.features lists them, else in the file's.
  const features = (listed ?? roles.map((r) => r.c)).map((c) => roles[c]!).filter(isInput);
  if (features.length === 0) {
    const left = report.excluded.map((e) => `${e.column}: ${e.reason}`).join('; ');
    throw new DataError(`dataset.features: ${ds.key} has no usable column besides the target${left ? ` (left out: ${left}; dataset.features uses a column anyway)` : ''}`);
  }
  const keep = keptRows(ds, table, [t, ...features.map((f) => f.c), ...(time !== undefined ? [time] : [])], new Set(time !== undefined ? [t, time] : [t]), report);

  let y: Float64Array;
  let classes: string[] | undefined;
  let labels: LabelKind | undefined;
  if (ds.task === 'regression') {
    y = readNumeric(ds.key, table, t, keep, ' (a regression target must be numeric)');
    // As a binary target with one class: nothing to learn, and the baseline (the training mean) would be exact.
    if (y.length > 1 && y.every((v) => v === y[0])) throw new DataError(`dataset.target: column ${q(targetName)} is ${y[0]} in every row; regression needs a target that varies`);
    checkMagnitude(targetName!, y);
  } else ({ y, classes, labels } = classTarget(ds, table, t, keep));

  const instants = new Map<number, Float64Array>();
  const columns = features.flatMap((r): FeatureColumn[] => {
    if (r.role === 'numeric') return [{ name: r.name, type: 'numeric', values: readNumeric(ds.key, table, r.c, keep) }];
    if (r.role === 'categorical') return [{ ...readCategorical(table, r.c, keep), ...(r.cap !== undefined ? { cap: r.cap } : {}) }];
    const { format, parts } = r.date!;
    const read = readDateParts(ds.key, table, r.c, keep, format, parts);
    instants.set(r.c, read.instants);
    return parts.map((part, k) => ({ name: datePartName(r.name, part), type: 'numeric', values: read.parts[k]!, from: { column: r.name, part, format } }));
  });
  const orderRole = roles.find((r) => r.order);
  const order: RowOrder | undefined = orderRole && {
    column: orderRole.name,
    from: time !== undefined ? 'dataset.time' : 'dates',
    ...(orderRole.date ? { format: orderRole.date.format } : {}),
    time: instants.get(orderRole.c) ?? orderTimes(ds.key, table, orderRole.c, keep, orderRole.date?.format),
  };
  return {
    kind: 'tabular',
    task: ds.task,
    source: ds.key,
    format: 'csv',
    missing: ds.missing,
    rows: keep.length,
    droppedRows: report.dropped.rows,
    targetNames: [targetName!],
    ...(classes ? { classes, labels } : {}),
    ...(ds.unit ? { unit: ds.unit } : {}),
    report,
    columns,
    y,
    rowNumbers: keep.map((r) => table.rowNumbers[r]!),
    roles,
    ...(order ? { order } : {}),
    signs: orderSigns(roles, { y, ...(classes ? { classes: classes.length } : {}) }),
  };
}

function parseSeries(ds: DatasetSpec, table: CsvTable): SeriesDataset {
  if (ds.time === undefined) throw new DataError('dataset.time: is required for forecast');
  if (ds.lookback === undefined) throw new DataError('dataset.lookback: is required for forecast');
  const tc = columnIndex(table, ds.time, 'dataset.time');
  const report = emptyReport(table);
  const targetCols = targetNames(ds).map((name) => {
    const i = columnIndex(table, name, 'dataset.target');
    if (i === tc) throw new DataError(`dataset.target: column ${q(name)} is the time column`);
    return i;
  });
  const reserved = new Map<number, string>([[tc, 'time column'], ...targetCols.map((c) => [c, 'target'] as [number, string])]);
  const exclude = namedColumns(table, ds.exclude, 'dataset.exclude', reserved);
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
    featureCols = [];
    for (const [i, name] of table.header.entries()) {
      if (i === tc) continue;
      if (targetCols.includes(i)) {
        featureCols.push(i);
        continue;
      }
      if (exclude.has(i)) {
        report.excluded.push({ column: name, reason: 'listed in dataset.exclude' });
        continue;
      }
      const k = census(table, i, allRows(table));
      if (k.present === 0) {
        report.excluded.push({ column: name, reason: 'every cell is missing' });
      } else if (k.firstNonNumber === undefined) featureCols.push(i);
      else if (k.numbers * 2 >= k.present) {
        throw notANumber(ds.key, table, i, k.firstNonNumber, ` (forecast inputs must be numeric; leave the column out with dataset.exclude)`);
      } else report.excluded.push({ column: name, reason: 'not numeric (forecast inputs are numeric)' });
    }
  }
  for (const t of targetCols) if (!featureCols.includes(t)) featureCols.push(t);
  const keep = keptRows(ds, table, [tc, ...featureCols], new Set([tc, ...targetCols]), report);

  const columns = featureCols.map((c) => readNumeric(ds.key, table, c, keep, targetCols.includes(c) ? ' (a forecast target must be numeric)' : ' (forecast inputs must be numeric)'));
  for (const t of targetCols) checkMagnitude(table.header[t]!, columns[featureCols.indexOf(t)]!);
  const rawTime = readTime(ds.key, table, tc, keep);
  const order = timeOrder(rawTime);
  const rows = keep.length;
  const nf = featureCols.length;
  const values = new Float64Array(rows * nf);
  const time = new Float64Array(rows);
  order.forEach((src, dst) => {
    time[dst] = rawTime[src]!;
    for (let f = 0; f < nf; f++) values[dst * nf + f] = columns[f]![src]!;
  });
  // A repeated time (a duplicated row, two sources merged) becomes two steps of every window it is in.
  const repeats = order.filter((_, i) => i > 0 && time[i] === time[i - 1]);
  if (repeats.length > 0) {
    const r = keep[repeats[0]!]!;
    report.warnings.push(
      `Column ${q(ds.time)}: ${repeats.length} row${repeats.length === 1 ? ' repeats' : 's repeat'} an earlier time (first row ${table.rowNumbers[r]}, ${q(table.columns[tc]![r])}); windows take each row as one step.`,
    );
  }
  const lookback = ds.lookback;
  const horizon = ds.horizon;
  const windows = rows - lookback - horizon + 1;
  if (windows < 2) {
    throw new DataError(`${ds.key}: ${rows} rows make ${Math.max(0, windows)} windows of dataset.lookback ${lookback} + dataset.horizon ${horizon}; at least 2 are needed`);
  }
  return {
    kind: 'series',
    task: 'forecast',
    source: ds.key,
    format: 'csv',
    missing: ds.missing,
    rows,
    droppedRows: report.dropped.rows,
    targetNames: targetCols.map((c) => table.header[c]!),
    ...(ds.unit ? { unit: ds.unit } : {}),
    report,
    timeName: ds.time,
    featureNames: featureCols.map((c) => table.header[c]!),
    values,
    time,
    targets: targetCols.map((c) => featureCols.indexOf(c)),
    lookback,
    horizon,
    targetIs: ds.targetIs ?? 'level',
    windows,
  };
}
