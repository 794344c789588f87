/**
 * Preparing rows for the model — the one module that does it, for training and for prediction alike,
 * so the two cannot drift. A preprocessing is *fitted* on training rows only and *applied* to any rows;
 * it serialises to a versioned `layerbench.preprocessing.v2` document (preprocessing-schema.ts) saved
 * beside every model.
 *
 *   fit:    fitPreprocessing(parsed, trainRows[, layout]) → Preprocessing   (statistics of those rows only)
 *   apply:  encode(prep, source, samples) → { x, y?, n, unknown }           (the model's input tensors' values)
 *   raw:    readCsvRows / readArrayRows (read-rows.ts) → a source for encode, read from raw cells
 *   output: outputToOriginal(prep, values) (regression, forecast) and prep.target.classes (classification)
 *
 * What encoding does:
 *  - tabular: per feature in `input.features` order — numeric: (value − mean) / std, a missing cell
 *    first replaced by `impute` (the training median), then a 0/1 was-missing input when `indicator`;
 *    a part of a date column (`from`) is computed from the date cell first (the indicator goes with the
 *    date's first part only); categorical: one input per category in `categories` order, 1 for the row's
 *    category. A missing cell is the category "(missing)" when listed. A category the model does not
 *    know — never seen in its training rows, or listed in `inactive` — encodes as all zeros and is
 *    counted in `unknown` (the caller decides whether to warn); in a capped column (`other`) it is
 *    "(other)" instead, and not counted. Columns are found by name: their order in a file does not matter.
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
 * statistics, marking categories its rows never show as `inactive`. A capped column keeps the layout's
 * width but learns which values it keeps from its own rows (padding with the layout's, inactive, when
 * its rows show fewer). So every fold of a run has the same input shape, and the layout itself is what
 * a final model trained on all development rows uses.
 */
import type { z } from 'zod';
import { populationMeanStd } from '../stats/summary.js';
import { MISSING_MARKERS } from './cells.js';
import type { FeatureColumn } from './columns.js';
import type { ArrayDataset, ParsedDataset, SeriesDataset, TabularDataset } from './dataset.js';
import {
  MISSING_CATEGORY,
  OTHER_CATEGORY,
  PREPROCESSING_SCHEMA,
  type CategoricalFeature,
  type NumericFeature,
  type Preprocessing,
  type seriesInputSchema,
  type tabularInputSchema,
} from './preprocessing-schema.js';

export type { Preprocessing } from './preprocessing-schema.js';

// ---------------------------------------------------------------------------------------------- fit

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
  // The missing values count as the median (their imputed value): `missing` of them, then the observed.
  const { mean, std } = populationMeanStd(count, (j) => (j < missing ? median : observed[j - missing]!));
  return { mean, std: std > 1e-12 * Math.abs(mean) && std > 0 && Number.isFinite(std) ? std : 1, median, missing };
}

function numericFeature(name: string, s: Stats, impute: boolean, indicator: boolean, from?: NumericFeature['from']): NumericFeature {
  return { kind: 'numeric', name, mean: s.mean, std: s.std, impute: impute ? s.median : null, indicator, ...(from ? { from } : {}) };
}

/**
 * A capped categorical fitted on `rows`: its most frequent values there (ties in category order), as
 * many as the layout keeps when there is one (padded with the layout's values, inactive), then
 * "(missing)" and "(other)".
 */
function cappedFeature(col: FeatureColumn & { type: 'categorical' }, cap: number, rows: ArrayLike<number>, impute: boolean, laid?: CategoricalFeature): CategoricalFeature {
  const counts = new Int32Array(col.categories.length);
  let missing = false;
  for (let j = 0; j < rows.length; j++) {
    const c = col.codes[rows[j]!]!;
    if (c < 0) missing = true;
    else counts[c]!++;
  }
  const ranked: number[] = [];
  counts.forEach((k, c) => k > 0 && ranked.push(c));
  ranked.sort((a, b) => counts[b]! - counts[a]! || a - b);
  const kept = ranked.slice(0, cap).map((c) => col.categories[c]!);
  const inactive: string[] = [];
  const laidLevels = laid?.other ? laid.categories.filter((k) => k !== MISSING_CATEGORY && k !== OTHER_CATEGORY) : undefined;
  if (laidLevels) {
    kept.splice(laidLevels.length);
    const have = new Set(kept);
    for (const k of laidLevels) {
      if (kept.length >= laidLevels.length) break;
      if (!have.has(k)) kept.push(k), inactive.push(k);
    }
  }
  const hasMissing = laid ? laid.categories.includes(MISSING_CATEGORY) : impute && missing;
  if (hasMissing && !(impute && missing)) inactive.push(MISSING_CATEGORY);
  return { kind: 'categorical', name: col.name, categories: [...kept, ...(hasMissing ? [MISSING_CATEGORY] : []), OTHER_CATEGORY], inactive, other: true };
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
      const dated = new Set<string>();
      const features = data.columns.map((col, i): NumericFeature | CategoricalFeature => {
        const laid = lay?.[i];
        if (laid && laid.name !== col.name) throw new Error(`fitPreprocessing: layout feature ${laid.name} for column ${col.name}`);
        if (col.type === 'numeric') {
          const s = stats(rows.length, (j) => col.values[rows[j]!]!);
          // A date's parts are missing together: one was-missing input, after its first part.
          const firstPart = col.from === undefined || !dated.has(col.from.column);
          if (col.from) dated.add(col.from.column);
          return numericFeature(col.name, s, impute, laid?.kind === 'numeric' ? laid.indicator : impute && s.missing > 0 && firstPart, col.from);
        }
        if (col.cap !== undefined) return cappedFeature(col, col.cap, rows, impute, laid?.kind === 'categorical' ? laid : undefined);
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
        return { kind: 'categorical', name: col.name, categories, inactive: categories.filter((k) => !known.has(k)), other: false };
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
        ...(layout?.order ? { order: { ...layout.order } } : {}),
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
        ...(layout?.order ? { order: { ...layout.order } } : {}),
      };
    }
  }
}

function outputsOf(data: TabularDataset | ArrayDataset): number {
  return data.task === 'multiclass' ? data.classes!.length : 1;
}

/** The target's description: its classes, or a regression target's mean and std over the training rows. */
function fittedTarget(data: TabularDataset | ArrayDataset, rows: ArrayLike<number>): Preprocessing['target'] {
  return data.task === 'regression'
    ? regressionTarget(
        data,
        stats(rows.length, (j) => data.y[rows[j]!]!),
      )
    : classesTarget(data);
}

function classesTarget(data: TabularDataset | ArrayDataset): Preprocessing['target'] {
  return { kind: 'classes', name: data.targetNames[0]!, classes: [...data.classes!], labels: data.labels ?? 'index' };
}

function regressionTarget(data: TabularDataset | ArrayDataset, s: Stats): Preprocessing['target'] {
  return { kind: 'numeric', names: [data.targetNames[0]!], mean: [s.mean], std: [s.std], ...(data.unit ? { unit: data.unit } : {}) };
}

function tabularNames(input: z.infer<typeof tabularInputSchema>): string[] {
  return input.features.flatMap((f) => (f.kind === 'numeric' ? (f.indicator ? [f.name, `${f.name} (missing)`] : [f.name]) : f.categories.map((k) => `${f.name}=${k}`)));
}

function seriesChannels(input: z.infer<typeof seriesInputSchema>): string[] {
  return input.features.flatMap((f) => (f.indicator ? [f.name, `${f.name} (missing)`] : [f.name]));
}
