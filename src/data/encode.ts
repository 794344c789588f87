import { DataError } from '../errors.js';
import type { ArrayDataset, SeriesDataset, TabularDataset } from './dataset.js';
import { MISSING_CATEGORY, type Preprocessing } from './preprocessing-schema.js';

import { targetRow } from './preprocess.js';

const q = JSON.stringify;

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
    // A capped column's unlisted, inactive and never-seen values are all "(other)", its last category.
    const otherSlot = f.other ? f.categories.length - 1 : -1;
    const slotOf = (category: string) => {
      const k = inactive.has(category) ? -1 : f.categories.indexOf(category);
      return k >= 0 ? k : otherSlot;
    };
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
