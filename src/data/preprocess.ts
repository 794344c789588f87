/**
 * Preparing rows for the model — the one module that does it, for training and for prediction alike,
 * so the two cannot drift. A preprocessing is *fitted* on training rows only and *applied* to any rows;
 * it serialises to a versioned `layerbench.preprocessing.v1` document saved beside every model.
 *
 *   fit:    fitPreprocessing(parsed, trainRows[, layout]) → Preprocessing   (statistics of those rows only)
 *   apply:  encode(prep, source, samples) → { x, y?, n, unknown }           (the model's input tensors' values)
 *   raw:    readCsvRows(prep, csvTable, name) / readArrayRows(prep, x, y?, name) → a source for encode,
 *           read from raw cells with the same functions parsing uses (columns.ts)
 *   JSON:   preprocessingSchema.parse(json) / parsePreprocessing(json, name)
 *   output: outputToOriginal(prep, values) (regression, forecast) and prep.target.classes (classification)
 *
 * What encoding does:
 *  - tabular: per feature in `input.features` order — numeric: (value − mean) / std, a missing cell
 *    first replaced by `impute` (the training median), then a 0/1 was-missing input when `indicator`;
 *    categorical: one input per category in `categories` order, 1 for the row's category. A missing cell
 *    is the category "(missing)" when listed. A category the model does not know — never seen in its
 *    training rows, or listed in `inactive` — encodes as all zeros and is counted in `unknown` (the
 *    caller decides whether to warn). Columns are found by name: their order in a file does not matter.
 *  - series: rows sorted by time; window w is rows [w, w + lookback) with every feature standardised
 *    (and imputed, with an indicator channel, like a numeric column); its target is the target columns'
 *    values at row w + lookback − 1 + horizon, standardised with the same statistics.
 *  - arrays: each value multiplied by `scale` (1/255 for uint8 pixels) when read; 2-D inputs then
 *    standardised per feature; images not.
 *  - targets: class index (classification; binary 0/1 where classes[1] is 1); regression and forecast
 *    standardised, so outputs × std + mean are in original units.
 *
 * With `layout` (a preprocessing fitted on a larger set of rows: the development rows of a run), the fit
 * keeps the layout's encoding — its categories, indicator inputs, input shape — and learns only the
 * statistics, marking categories its rows never show as `inactive`. So every fold of a run has the same
 * input shape, and the layout itself is what a final model trained on all development rows uses.
 */
import { z } from 'zod';
import { DataError } from '../errors.js';
import { TASKS, MISSING_POLICIES } from '../sweep/schema.js';
import {
  classLabel,
  columnIndex,
  isMissing,
  MISSING_MARKERS,
  readCategorical,
  readNumeric,
  readTime,
  timeOrder,
  type FeatureColumn,
} from './columns.js';
import type { CsvTable } from './csv.js';
import type { NpyArray } from './npy.js';
import { sampleShapeOf, scaledSamples, type ArrayDataset, type ParsedDataset, type SeriesDataset, type TabularDataset } from './parse.js';

export const PREPROCESSING_SCHEMA = 'layerbench.preprocessing.v1' as const;

/** The category a missing categorical cell becomes under dataset.missing "impute". */
export const MISSING_CATEGORY = '(missing)';

export const numericFeatureSchema = z.object({
  kind: z.literal('numeric'),
  name: z.string(),
  /** Mean and population std of the training values (after imputation); a constant column has std 1. */
  mean: z.number(),
  std: z.number().positive(),
  /** The value a missing cell gets (the training median); null when missing cells were not imputed (dataset.missing drop or error). */
  impute: z.number().nullable(),
  /** A 0/1 input follows this one: 1 where the cell was missing. */
  indicator: z.boolean(),
});
export type NumericFeature = z.infer<typeof numericFeatureSchema>;

export const categoricalFeatureSchema = z.object({
  kind: z.literal('categorical'),
  name: z.string(),
  /** One input per category, in this order ("(missing)" is one when missing cells were imputed). */
  categories: z.array(z.string()),
  /** Categories of the encoding this fit's training rows never showed: they encode as all zeros, like an unknown category. */
  inactive: z.array(z.string()).default([]),
});
export type CategoricalFeature = z.infer<typeof categoricalFeatureSchema>;

export const tabularInputSchema = z.object({
  kind: z.literal('tabular'),
  features: z.array(z.discriminatedUnion('kind', [numericFeatureSchema, categoricalFeatureSchema])),
});

export const seriesInputSchema = z.object({
  kind: z.literal('series'),
  /** The column that orders rows in time (dates or numbers); rows are sorted by it. */
  time: z.string(),
  lookback: z.number().int().positive(),
  horizon: z.number().int().positive(),
  /** The columns each time step holds, in channel order (the targets are among them). */
  features: z.array(numericFeatureSchema),
});

export const arrayInputSchema = z.object({
  kind: z.literal('array'),
  /** The inputs array: its name in the .npz, or the .npy file it came from. */
  array: z.string(),
  /** Shape of one sample (N×H×W arrays get a channel axis of 1). */
  shape: z.array(z.number().int().positive()),
  /** The dtype of the training inputs. */
  dtype: z.string(),
  /** Every input value is multiplied by this first (1/255 for uint8 pixels, else 1). */
  scale: z.number(),
  /** 2-D inputs: per feature, (value − mean) / std; images: null. */
  standardise: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
});

export const classesTargetSchema = z.object({
  kind: z.literal('classes'),
  name: z.string(),
  /** Output order: binary's single output is P(classes[1]); multiclass softmax unit k is classes[k]. */
  classes: z.array(z.string()).min(2),
  /**
   * How a target cell becomes a label: 'number' (as a number, "1.0" is "1"), 'boolean' (true/false in
   * lower case), 'string' (as written, trimmed), 'index' (arrays: the label value, or a one-hot row's argmax).
   */
  labels: z.enum(['number', 'boolean', 'string', 'index']),
});

export const numericTargetSchema = z.object({
  kind: z.literal('numeric'),
  /** The target column(s), one per output (forecast may have several). */
  names: z.array(z.string()).min(1),
  /** Outputs are standardised: original = output × std + mean (per output). */
  mean: z.array(z.number()),
  std: z.array(z.number().positive()),
  /**
   * Forecast: an output is the target column's own value `horizon` rows after the window's last row;
   * the column holds a level, or a change from the row before (`dataset.targetIs`; layerbench does not
   * difference a column itself).
   */
  is: z.enum(['level', 'change']).optional(),
  unit: z.string().optional(),
});

export const preprocessingSchema = z.object({
  schema: z.literal(PREPROCESSING_SCHEMA),
  task: z.enum(TASKS),
  /** The training data's key and format. */
  source: z.object({ key: z.string(), format: z.enum(['csv', 'npy', 'npz']) }),
  /** dataset.missing of the training run. Cells equal to one of `missingMarkers` (ignoring case) are missing. */
  missing: z.enum(MISSING_POLICIES),
  missingMarkers: z.array(z.string()),
  /** What the statistics were learned from: samples (rows; forecast: windows) and data rows (forecast: the training period). */
  fittedOn: z.object({ samples: z.number().int(), rows: z.number().int() }),
  input: z.discriminatedUnion('kind', [tabularInputSchema, seriesInputSchema, arrayInputSchema]),
  target: z.discriminatedUnion('kind', [classesTargetSchema, numericTargetSchema]),
  /** Shape of one encoded sample: the model's input shape. */
  inputShape: z.array(z.number().int().positive()),
  /** Output units: 1 for binary and regression, the classes for multiclass, the targets for forecast. */
  outputs: z.number().int().positive(),
  /** The encoded inputs' names (tabular: `temp`, `temp (missing)`, `weather=rain`; series: one per channel; 2-D arrays: `x[j]`). */
  encodedNames: z.array(z.string()).optional(),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

/** Validate a preprocessing document; a DataError names the path of the first problem. */
export function parsePreprocessing(value: unknown, name = 'preprocessing.json'): Preprocessing {
  const r = preprocessingSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new DataError(`${name}: not a ${PREPROCESSING_SCHEMA} document (${issue.path.join('.') || '(root)'}: ${issue.message})`);
}

// ------------------------------------------------------------------------------------------ sources

/** What `encode` reads: a parsed dataset, or rows read from raw cells by readCsvRows / readArrayRows. */
export type TabularSource = Pick<TabularDataset, 'kind' | 'columns'> & { y?: Float64Array; rowNumbers?: number[]; source: string };
export type SeriesSource = Pick<SeriesDataset, 'kind' | 'featureNames' | 'values' | 'lookback' | 'horizon'> & {
  rows: number;
  source: string;
  /** Read from a file: the file row number of each (time-sorted) row, and its time cell as written. */
  rowNumbers?: number[];
  times?: string[];
};
export type ArraySource = Pick<ArrayDataset, 'kind' | 'x' | 'sampleShape'> & { y?: Float64Array; source: string };
export type Source = TabularSource | SeriesSource | ArraySource;

/** A category the model does not know, met while encoding, and how many rows had it. */
export interface UnknownCategory {
  column: string;
  category: string;
  rows: number;
}

export interface Encoded {
  n: number;
  /** n × prod(inputShape) values. */
  x: Float32Array;
  /** n × (targets) values as training sees them (class index, or standardised); absent without targets, NaN where one is missing. */
  y?: Float32Array;
  unknown: UnknownCategory[];
}

// ---------------------------------------------------------------------------------------------- fit

const q = JSON.stringify;

interface Stats {
  mean: number;
  std: number;
  median: number;
  missing: number;
}

/** Median, then mean and population std of the values with missing ones (NaN) replaced by the median. */
function stats(count: number, value: (j: number) => number): Stats {
  const observed: number[] = [];
  for (let j = 0; j < count; j++) {
    const v = value(j);
    if (!Number.isNaN(v)) observed.push(v);
  }
  observed.sort((a, b) => a - b);
  const m = observed.length;
  const median = m === 0 ? 0 : m % 2 === 1 ? observed[(m - 1) / 2]! : (observed[m / 2 - 1]! + observed[m / 2]!) / 2;
  const missing = count - m;
  if (count === 0) return { mean: 0, std: 1, median, missing };
  let sum = median * missing;
  for (const v of observed) sum += v;
  const mean = sum / count;
  let ss = missing * (median - mean) ** 2;
  for (const v of observed) ss += (v - mean) ** 2;
  const std = Math.sqrt(ss / count);
  return { mean, std: std > 1e-12 && Number.isFinite(std) ? std : 1, median, missing };
}

function numericFeature(name: string, s: Stats, impute: boolean, indicator: boolean): NumericFeature {
  return { kind: 'numeric', name, mean: s.mean, std: s.std, impute: impute ? s.median : null, indicator };
}

/** The row window w predicts. */
export function targetRow(data: Pick<SeriesDataset, 'lookback' | 'horizon'>, w: number): number {
  return w + data.lookback - 1 + data.horizon;
}

/**
 * Fit a preprocessing on `rows` (sample indices: rows, array samples, or forecast windows) of a parsed
 * dataset. With `layout`, keep its encoding and learn only the statistics (see the module comment).
 */
export function fitPreprocessing(data: ParsedDataset, rows: ArrayLike<number>, layout?: Preprocessing): Preprocessing {
  if (layout && layout.input.kind !== data.kind) throw new Error(`fitPreprocessing: a ${layout.input.kind} layout for ${data.kind} data`);
  const impute = data.missing === 'impute';
  const base = {
    schema: PREPROCESSING_SCHEMA,
    task: data.task,
    source: { key: data.source, format: data.format },
    missing: data.missing,
    missingMarkers: [...MISSING_MARKERS],
  };
  switch (data.kind) {
    case 'tabular': {
      const lay = layout?.input.kind === 'tabular' ? layout.input.features : undefined;
      const features = data.columns.map((col, i): NumericFeature | CategoricalFeature => {
        const laid = lay?.[i];
        if (laid && laid.name !== col.name) throw new Error(`fitPreprocessing: layout feature ${laid.name} for column ${col.name}`);
        if (col.type === 'numeric') {
          const s = stats(rows.length, (j) => col.values[rows[j]!]!);
          return numericFeature(col.name, s, impute, laid?.kind === 'numeric' ? laid.indicator : impute && s.missing > 0);
        }
        const seen = new Uint8Array(col.categories.length);
        let missing = false;
        for (let j = 0; j < rows.length; j++) {
          const c = col.codes[rows[j]!]!;
          if (c < 0) missing = true;
          else seen[c] = 1;
        }
        const own = col.categories.filter((_, k) => seen[k]);
        if (impute && missing) own.push(MISSING_CATEGORY);
        const categories = laid?.kind === 'categorical' ? laid.categories : own;
        const known = new Set(own);
        return { kind: 'categorical', name: col.name, categories, inactive: categories.filter((k) => !known.has(k)) };
      });
      const input = { kind: 'tabular' as const, features };
      const encodedNames = tabularNames(input);
      const target = fittedTarget(data, rows);
      return {
        ...base,
        fittedOn: { samples: rows.length, rows: rows.length },
        input,
        target,
        inputShape: [encodedNames.length],
        outputs: outputsOf(data),
        encodedNames,
      };
    }
    case 'series': {
      const lay = layout?.input.kind === 'series' ? layout.input.features : undefined;
      // The training period: every row up to the last target a training window sees.
      let lastRow = -1;
      for (let j = 0; j < rows.length; j++) lastRow = Math.max(lastRow, targetRow(data, rows[j]!));
      const nf = data.featureNames.length;
      const features = data.featureNames.map((name, f) => {
        const s = stats(lastRow + 1, (r) => data.values[r * nf + f]!);
        const indicator = lay ? lay[f]!.indicator : impute && s.missing > 0 && !data.targets.includes(f);
        return numericFeature(name, s, impute, indicator);
      });
      const input = { kind: 'series' as const, time: data.timeName, lookback: data.lookback, horizon: data.horizon, features };
      const encodedNames = seriesChannels(input);
      return {
        ...base,
        fittedOn: { samples: rows.length, rows: lastRow + 1 },
        input,
        target: {
          kind: 'numeric',
          names: data.targets.map((f) => data.featureNames[f]!),
          mean: data.targets.map((f) => features[f]!.mean),
          std: data.targets.map((f) => features[f]!.std),
          is: data.targetIs,
          ...(data.unit ? { unit: data.unit } : {}),
        },
        inputShape: [data.lookback, encodedNames.length],
        outputs: data.targets.length,
        encodedNames,
      };
    }
    case 'array': {
      const size = data.sampleShape.reduce((a, b) => a * b, 1);
      let standardise: { mean: number[]; std: number[] } | null = null;
      if (data.standardise) {
        const s = Array.from({ length: size }, (_, k) => stats(rows.length, (j) => data.x[rows[j]! * size + k]!));
        standardise = { mean: s.map((v) => v.mean), std: s.map((v) => v.std) };
      }
      const target = fittedTarget(data, rows);
      return {
        ...base,
        fittedOn: { samples: rows.length, rows: rows.length },
        input: { kind: 'array', array: data.arrayName, shape: [...data.sampleShape], dtype: data.dtype, scale: data.scale, standardise },
        target,
        inputShape: [...data.sampleShape],
        outputs: outputsOf(data),
        ...(data.featureNames ? { encodedNames: [...data.featureNames] } : {}),
      };
    }
  }
}

function outputsOf(data: TabularDataset | ArrayDataset): number {
  return data.task === 'multiclass' ? data.classes!.length : 1;
}

/** The target's description: its classes, or a regression target's mean and std over the training rows. */
function fittedTarget(data: TabularDataset | ArrayDataset, rows: ArrayLike<number>): Preprocessing['target'] {
  return data.task === 'regression' ? regressionTarget(data, stats(rows.length, (j) => data.y[rows[j]!]!)) : classesTarget(data);
}

function classesTarget(data: TabularDataset | ArrayDataset): Preprocessing['target'] {
  return { kind: 'classes', name: data.targetNames[0]!, classes: [...data.classes!], labels: data.labels ?? 'index' };
}

function regressionTarget(data: TabularDataset | ArrayDataset, s: Stats): Preprocessing['target'] {
  return { kind: 'numeric', names: [data.targetNames[0]!], mean: [s.mean], std: [s.std], ...(data.unit ? { unit: data.unit } : {}) };
}

function tabularNames(input: z.infer<typeof tabularInputSchema>): string[] {
  return input.features.flatMap((f) =>
    f.kind === 'numeric' ? (f.indicator ? [f.name, `${f.name} (missing)`] : [f.name]) : f.categories.map((k) => `${f.name}=${k}`),
  );
}

function seriesChannels(input: z.infer<typeof seriesInputSchema>): string[] {
  return input.features.flatMap((f) => (f.indicator ? [f.name, `${f.name} (missing)`] : [f.name]));
}

// -------------------------------------------------------------------------------------------- apply

function missingError(source: string, row: string, column: string, prep: Preprocessing): DataError {
  return new DataError(`${source}: ${row}, column ${q(column)}: missing value, and the model was trained with dataset.missing ${q(prep.missing)} (nothing to impute)`);
}

/**
 * Encode `samples` (indices into the source: rows, array samples, or windows) as the model's inputs
 * and, where the source has them, targets.
 */
export function encode(prep: Preprocessing, source: Source, samples: ArrayLike<number>): Encoded {
  switch (source.kind) {
    case 'tabular':
      return encodeTabular(prep, source, samples);
    case 'series':
      return encodeSeries(prep, source, samples);
    case 'array':
      return encodeArrays(prep, source, samples);
  }
}

type Writer = (out: Float32Array, at: number, i: number) => void;

function encodeTabular(prep: Preprocessing, source: TabularSource, samples: ArrayLike<number>): Encoded {
  if (prep.input.kind !== 'tabular') throw new DataError(`${source.source}: a table, but the model takes ${prep.input.kind} data`);
  const byName = new Map(source.columns.map((c) => [c.name, c]));
  const unknown = new Map<string, UnknownCategory>();
  const row = (i: number) => (source.rowNumbers ? `row ${source.rowNumbers[i]}` : `row index ${i}`);
  const writers = prep.input.features.map((f): { width: number; write: Writer } => {
    const col = byName.get(f.name);
    if (!col) throw new DataError(`${source.source}: no column ${q(f.name)}, which the model takes`);
    if (f.kind === 'numeric') {
      if (col.type !== 'numeric') throw new Error(`encode: column ${f.name} is categorical, the preprocessing numeric`);
      const { mean, std, impute, indicator } = f;
      return {
        width: indicator ? 2 : 1,
        write: (out, at, i) => {
          let v = col.values[i]!;
          const missing = Number.isNaN(v);
          if (missing) {
            if (impute === null) throw missingError(source.source, row(i), f.name, prep);
            v = impute;
          }
          out[at] = (v - mean) / std;
          if (indicator) out[at + 1] = missing ? 1 : 0;
        },
      };
    }
    if (col.type !== 'categorical') throw new Error(`encode: column ${f.name} is numeric, the preprocessing categorical`);
    const inactive = new Set(f.inactive);
    const slotOf = (category: string) => (inactive.has(category) ? -1 : f.categories.indexOf(category));
    const slots = col.categories.map(slotOf);
    const missingSlot = slotOf(MISSING_CATEGORY);
    const miss = (category: string) => {
      const key = `${f.name}\u0000${category}`;
      const u = unknown.get(key) ?? { column: f.name, category, rows: 0 };
      u.rows++;
      unknown.set(key, u);
    };
    return {
      width: f.categories.length,
      write: (out, at, i) => {
        const code = col.codes[i]!;
        if (code < 0 && prep.missing !== 'impute') throw missingError(source.source, row(i), f.name, prep);
        const slot = code < 0 ? missingSlot : slots[code]!;
        if (slot >= 0) out[at + slot] = 1;
        else miss(code < 0 ? MISSING_CATEGORY : col.categories[code]!);
      },
    };
  });
  const width = writers.reduce((a, w) => a + w.width, 0);
  const n = samples.length;
  const x = new Float32Array(n * width);
  for (let s = 0; s < n; s++) {
    const i = samples[s]!;
    let at = s * width;
    for (const w of writers) {
      w.write(x, at, i);
      at += w.width;
    }
  }
  const y = source.y ? encodeTarget(prep, (s) => source.y![samples[s]!]!, n) : undefined;
  return { n, x, ...(y ? { y } : {}), unknown: [...unknown.values()] };
}

/** Targets as training sees them: class index, or standardised value. */
function encodeTarget(prep: Preprocessing, value: (s: number) => number, n: number): Float32Array {
  const t = prep.target;
  if (t.kind === 'classes') return Float32Array.from({ length: n }, (_, s) => value(s));
  const [mean, std] = [t.mean[0]!, t.std[0]!];
  return Float32Array.from({ length: n }, (_, s) => (value(s) - mean) / std);
}

function encodeSeries(prep: Preprocessing, source: SeriesSource, samples: ArrayLike<number>): Encoded {
  const input = prep.input;
  if (input.kind !== 'series') throw new DataError(`${source.source}: a time series, but the model takes ${input.kind} data`);
  const nf = source.featureNames.length;
  const index = (name: string) => {
    const f = source.featureNames.indexOf(name);
    if (f < 0) throw new DataError(`${source.source}: no column ${q(name)}, which the model takes`);
    return f;
  };
  const cols = input.features.map((f) => ({ ...f, at: index(f.name) }));
  const channels = cols.reduce((a, f) => a + (f.indicator ? 2 : 1), 0);
  const { lookback, horizon } = input;
  const n = samples.length;
  const x = new Float32Array(n * lookback * channels);
  for (let s = 0; s < n; s++) {
    const w = samples[s]!;
    for (let t = 0; t < lookback; t++) {
      const r = w + t;
      let at = (s * lookback + t) * channels;
      for (const f of cols) {
        let v = source.values[r * nf + f.at]!;
        const missing = Number.isNaN(v);
        if (missing) {
          if (f.impute === null) throw missingError(source.source, `time step ${r + 1}`, f.name, prep);
          v = f.impute;
        }
        x[at++] = (v - f.mean) / f.std;
        if (f.indicator) x[at++] = missing ? 1 : 0;
      }
    }
  }
  const t = prep.target;
  if (t.kind !== 'numeric') throw new Error('encode: a forecast needs a numeric target');
  const targets = t.names.map(index);
  const y = new Float32Array(n * targets.length);
  for (let s = 0; s < n; s++) {
    const row = targetRow({ lookback, horizon }, samples[s]!);
    targets.forEach((f, k) => {
      y[s * targets.length + k] = row < source.rows ? (source.values[row * nf + f]! - t.mean[k]!) / t.std[k]! : Number.NaN;
    });
  }
  return { n, x, y, unknown: [] };
}

function encodeArrays(prep: Preprocessing, source: ArraySource, samples: ArrayLike<number>): Encoded {
  const input = prep.input;
  if (input.kind !== 'array') throw new DataError(`${source.source}: arrays, but the model takes ${input.kind} data`);
  const size = input.shape.reduce((a, b) => a * b, 1);
  const n = samples.length;
  const x = new Float32Array(n * size);
  const st = input.standardise;
  for (let s = 0; s < n; s++) {
    const i = samples[s]!;
    const src = source.x.subarray(i * size, (i + 1) * size);
    if (!st) x.set(src, s * size);
    else for (let j = 0; j < size; j++) x[s * size + j] = (src[j]! - st.mean[j]!) / st.std[j]!;
  }
  const y = source.y ? encodeTarget(prep, (s) => source.y![samples[s]!]!, n) : undefined;
  return { n, x, ...(y ? { y } : {}), unknown: [] };
}

/** Model outputs (standardised, n × outputs) in original units: output × std + mean per target. */
export function outputToOriginal(prep: Preprocessing, outputs: ArrayLike<number>): Float64Array {
  const t = prep.target;
  if (t.kind !== 'numeric') throw new Error('outputToOriginal: a classification model outputs probabilities');
  const k = t.mean.length;
  return Float64Array.from(outputs, (v, i) => v * t.std[i % k]! + t.mean[i % k]!);
}

// ------------------------------------------------------------------------------------- raw → source

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
  const needed = [...(input.kind === 'series' ? [input.time] : []), ...input.features.map((f) => f.name)];
  const absent = needed.filter((c) => !table.header.includes(c));
  if (absent.length > 0) {
    throw new DataError(`${name}: the training column${absent.length > 1 ? 's' : ''} ${absent.map((c) => q(c)).join(', ')} ${absent.length > 1 ? 'are' : 'is'} missing (the header has ${table.header.join(', ')})`);
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
  const columns = input.features.map((f): FeatureColumn => {
    const c = columnIndex(table, f.name, 'features');
    return f.kind === 'numeric' ? { name: f.name, type: 'numeric', values: readNumeric(name, table, c, all) } : readCategorical(table, c, all);
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
  const out: ArraySource = { kind: 'array', source: name, sampleShape: shape, x: scaledSamples(x, Array.from({ length: n }, (_, i) => i), size, input.scale) };
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
