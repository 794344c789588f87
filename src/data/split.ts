/**
 * From a parsed dataset to train/validation arrays, one SplitData per fold.
 *
 * Which rows go where:
 *  - holdout: a seeded shuffle (seed mixed with the repeat), the last `validationSplit` fraction is
 *    validation; for classification per class (largest-remainder quotas), so class ratios hold.
 *  - kfold: shuffled k folds, stratified for classification (each class dealt round-robin).
 *  - forecast: time order, never training on the future. holdout: the last fraction of windows (by
 *    target time) validates; kfold: expanding windows like sklearn's TimeSeriesSplit (fold i trains on
 *    everything before its validation block). Repeats do not change forecast splits, only the seed.
 *
 * What is learned, always on the split's training rows only:
 *  - mean and (population) standard deviation of every numeric feature; a constant column gets std 1;
 *  - regression and forecast targets are standardised the same way, and `targetScale` is the training
 *    std per target, so errors can be reported in original units;
 *  - one-hot presence. The one-hot *width* is fixed per dataset — one column per category of the whole
 *    data — so every fold has the same inputShape; a category never seen in a fold's training rows
 *    encodes as all zeros (its column stays 0 in train and validation alike).
 *  - forecast: the statistics come from the training period, the rows up to the last training target.
 *  - images: nothing (uint8 pixels were scaled to [0, 1] when parsed).
 */
import { DataError } from '../errors.js';
import { rng, shuffle } from '../random.js';
import type { EvaluationSpec } from '../spec/schema.js';
import type { ArraySet, SplitData } from './types.js';
import type { ArrayDataset, ParsedDataset, SeriesDataset, TabularDataset } from './parse.js';

/** Indices of the samples (rows, or forecast windows) of one fold. */
export interface FoldIndices {
  train: Int32Array;
  val: Int32Array;
}

/** The seed of a repeat's shuffle: the same (seed, repeat) always gives the same splits. */
export function splitSeed(seed: number, repeat: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x01000193) + Math.imul(repeat + 1, 0x9e3779b9)) >>> 0;
}

const range = (from: number, to: number) => Int32Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

function sampleCount(parsed: ParsedDataset): number {
  return parsed.kind === 'series' ? parsed.windows : parsed.rows;
}

function isClassification(parsed: ParsedDataset): boolean {
  return parsed.task === 'binary' || parsed.task === 'multiclass';
}

/** The sample indices of every fold (holdout: one). */
export function foldIndices(parsed: ParsedDataset, evaluation: EvaluationSpec, seed: number, repeat: number): FoldIndices[] {
  const n = sampleCount(parsed);
  const what = parsed.kind === 'series' ? 'windows' : 'rows';
  if (evaluation.strategy === 'holdout') {
    if (n < 2) throw new DataError(`${parsed.source}: ${n} ${what}; a holdout split needs at least 2`);
    const nVal = Math.min(n - 1, Math.max(1, Math.round(n * evaluation.validationSplit)));
    if (parsed.kind === 'series') return [{ train: range(0, n - nVal), val: range(n - nVal, n) }];
    const random = rng(splitSeed(seed, repeat));
    if (!isClassification(parsed)) {
      const order = shuffle(Array.from({ length: n }, (_, i) => i), random);
      return [{ train: Int32Array.from(order.slice(0, n - nVal)), val: Int32Array.from(order.slice(n - nVal)) }];
    }
    const groups = classGroups(parsed.y, parsed.classes!.length).map((g) => shuffle(g, random));
    const quotas = largestRemainder(
      groups.map((g) => g.length * evaluation.validationSplit),
      nVal,
    );
    const train: number[] = [];
    const val: number[] = [];
    groups.forEach((g, c) => {
      const k = Math.min(quotas[c]!, g.length);
      train.push(...g.slice(0, g.length - k));
      val.push(...g.slice(g.length - k));
    });
    return [{ train: Int32Array.from(shuffle(train, random)), val: Int32Array.from(shuffle(val, random)) }];
  }

  const k = evaluation.folds;
  if (parsed.kind === 'series') {
    const block = Math.floor(n / (k + 1));
    if (block < 1) throw new DataError(`${parsed.source}: ${n} windows are too few for evaluation.folds ${k} (time-ordered folds need at least ${k + 1})`);
    return Array.from({ length: k }, (_, i) => {
      const start = n - (k - i) * block;
      return { train: range(0, start), val: range(start, start + block) };
    });
  }
  if (n < k) throw new DataError(`${parsed.source}: ${n} ${what} are fewer than evaluation.folds (${k})`);
  const random = rng(splitSeed(seed, repeat));
  // Stratified: each class shuffled, classes laid end to end, then dealt round-robin into the folds.
  const order = isClassification(parsed)
    ? classGroups(parsed.y, parsed.classes!.length).flatMap((g) => shuffle(g, random))
    : shuffle(Array.from({ length: n }, (_, i) => i), random);
  const folds: number[][] = Array.from({ length: k }, () => []);
  order.forEach((idx, j) => folds[j % k]!.push(idx));
  return folds.map((val, f) => {
    const train = folds.flatMap((other, g) => (g === f ? [] : other));
    return { train: Int32Array.from(shuffle(train, random)), val: Int32Array.from(shuffle([...val], random)) };
  });
}

function classGroups(y: Float64Array, classes: number): number[][] {
  const groups: number[][] = Array.from({ length: classes }, () => []);
  y.forEach((c, i) => groups[c]!.push(i));
  return groups;
}

/** Integer quotas summing to `total`, as close as possible to the fractional ones. */
function largestRemainder(fractions: number[], total: number): number[] {
  const floors = fractions.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const byRemainder = fractions.map((f, i) => [f - Math.floor(f), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return floors;
}

/** One SplitData per fold of the given repeat. */
export function splitDataset(parsed: ParsedDataset, evaluation: EvaluationSpec, seed: number, repeat: number): SplitData[] {
  return foldIndices(parsed, evaluation, seed, repeat).map((fold, i) => ({
    fold: i,
    repeat,
    ...materialise(parsed, fold),
  }));
}

/** Materialise one fold: fit the statistics on its training samples, encode both sides. */
export function materialise(parsed: ParsedDataset, fold: FoldIndices): Pick<SplitData, 'train' | 'val' | 'targetScale'> {
  switch (parsed.kind) {
    case 'tabular':
      return tabular(parsed, fold);
    case 'array':
      return arrays(parsed, fold);
    case 'series':
      return series(parsed, fold);
  }
}

export interface Moments {
  mean: number;
  std: number;
}

/** Mean and population std of `value(i)` over `indices`; a constant (or empty) column gets std 1. */
export function moments(indices: ArrayLike<number>, value: (i: number) => number): Moments {
  const n = indices.length;
  if (n === 0) return { mean: 0, std: 1 };
  let sum = 0;
  for (let j = 0; j < n; j++) sum += value(indices[j]!);
  const mean = sum / n;
  let ss = 0;
  for (let j = 0; j < n; j++) ss += (value(indices[j]!) - mean) ** 2;
  const std = Math.sqrt(ss / n);
  return { mean, std: std > 1e-12 && Number.isFinite(std) ? std : 1 };
}

function targets(parsed: TabularDataset | ArrayDataset, fold: FoldIndices) {
  const regression = parsed.task === 'regression';
  const m = regression ? moments(fold.train, (i) => parsed.y[i]!) : { mean: 0, std: 1 };
  const encode = (idx: Int32Array) => Float32Array.from(idx, (i) => (parsed.y[i]! - m.mean) / m.std);
  return { encode, targetScale: regression ? [m.std] : undefined };
}

function tabular(parsed: TabularDataset, fold: FoldIndices) {
  // One encoder per column: numeric → standardised value; categorical → one-hot over the fixed
  // category list, with the categories absent from the training rows switched off.
  const encoders = parsed.columns.map((col) => {
    if (col.type === 'numeric') {
      const m = moments(fold.train, (i) => col.values[i]!);
      return { width: 1, write: (out: Float32Array, at: number, i: number) => void (out[at] = (col.values[i]! - m.mean) / m.std) };
    }
    const present = new Uint8Array(col.categories.length);
    for (const i of fold.train) present[col.codes[i]!] = 1;
    return {
      width: col.categories.length,
      write: (out: Float32Array, at: number, i: number) => {
        const c = col.codes[i]!;
        if (present[c]) out[at + c] = 1;
      },
    };
  });
  const width = encoders.reduce((a, e) => a + e.width, 0);
  const { encode, targetScale } = targets(parsed, fold);
  const build = (idx: Int32Array): ArraySet => {
    const x = new Float32Array(idx.length * width);
    idx.forEach((i, r) => {
      let at = r * width;
      for (const e of encoders) {
        e.write(x, at, i);
        at += e.width;
      }
    });
    return { n: idx.length, x, y: encode(idx) };
  };
  return { train: build(fold.train), val: build(fold.val), targetScale };
}

function arrays(parsed: ArrayDataset, fold: FoldIndices) {
  const size = parsed.sampleShape.reduce((a, b) => a * b, 1);
  const stats = parsed.standardise
    ? Array.from({ length: size }, (_, j) => moments(fold.train, (i) => parsed.x[i * size + j]!))
    : undefined;
  const { encode, targetScale } = targets(parsed, fold);
  const build = (idx: Int32Array): ArraySet => {
    const x = new Float32Array(idx.length * size);
    idx.forEach((i, r) => {
      const src = parsed.x.subarray(i * size, (i + 1) * size);
      if (!stats) x.set(src, r * size);
      else for (let j = 0; j < size; j++) x[r * size + j] = (src[j]! - stats[j]!.mean) / stats[j]!.std;
    });
    return { n: idx.length, x, y: encode(idx) };
  };
  return { train: build(fold.train), val: build(fold.val), targetScale };
}

/** The row window w predicts. */
export function targetRow(parsed: SeriesDataset, w: number): number {
  return w + parsed.lookback - 1 + parsed.horizon;
}

function series(parsed: SeriesDataset, fold: FoldIndices) {
  const nf = parsed.featureNames.length;
  const { lookback } = parsed;
  // The training period: every row up to the last target a training window sees.
  let lastRow = 0;
  for (const w of fold.train) lastRow = Math.max(lastRow, targetRow(parsed, w));
  const period = range(0, lastRow + 1);
  const stats = Array.from({ length: nf }, (_, f) => moments(period, (r) => parsed.values[r * nf + f]!));
  const nt = parsed.targets.length;
  const build = (idx: Int32Array): ArraySet => {
    const x = new Float32Array(idx.length * lookback * nf);
    const y = new Float32Array(idx.length * nt);
    idx.forEach((w, s) => {
      for (let t = 0; t < lookback; t++) {
        for (let f = 0; f < nf; f++) {
          x[(s * lookback + t) * nf + f] = (parsed.values[(w + t) * nf + f]! - stats[f]!.mean) / stats[f]!.std;
        }
      }
      const row = targetRow(parsed, w);
      parsed.targets.forEach((f, k) => {
        y[s * nt + k] = (parsed.values[row * nf + f]! - stats[f]!.mean) / stats[f]!.std;
      });
    });
    return { n: idx.length, x, y };
  };
  return { train: build(fold.train), val: build(fold.val), targetScale: parsed.targets.map((f) => stats[f]!.std) };
}
