/**
 * From a parsed dataset to the samples each trial trains, validates and is tested on.
 *
 * The test split comes first (`holdOutTest`), with a seed that depends on the training seed alone —
 * not on the repeat, the fold or the candidate — so every candidate and every repeat sees the same test
 * rows, and none of them is ever used for early stopping, ranking or the recommendation:
 *  - classification: stratified (largest-remainder quotas per class; a class keeps at least one row
 *    outside the test split); regression: a seeded random share; forecast: the last windows in time.
 *  - evaluation.test 0: no test split.
 *
 * The rest, the development samples, are split per repeat (`foldIndices`):
 *  - holdout: a seeded shuffle (seed mixed with the repeat), the last `validationSplit` fraction is
 *    validation; for classification per class (largest-remainder quotas), so class ratios hold.
 *  - kfold: shuffled k folds, stratified for classification (each class dealt round-robin).
 *  - forecast: time order, never training on the future. holdout: the last fraction of windows (by
 *    target time) validates; kfold: expanding windows like sklearn's TimeSeriesSplit (fold i trains on
 *    everything before its validation block). Repeats do not change forecast splits, only the seed.
 *
 * The splits depend only on (data, evaluation spec, training seed, repeat): every candidate of a run
 * sees exactly the same train/validation/test samples for the same (repeat, fold), so candidates (and
 * the baseline) can be compared pair by pair. `splitId` fingerprints a trial's samples so documents can
 * show it.
 *
 * What is learned — always on the split's training samples only — is the preprocessing
 * (preprocess.ts): means, standard deviations and medians, the categories present, target scaling. The
 * encoding (which categories and indicator inputs exist, so the input shape) is the layout fitted on
 * all development samples, the same for every fold; categories a fold's training rows lack encode as
 * zeros in that fold. Forecast statistics come from the training period, the rows up to the last
 * training target. Images: nothing (uint8 pixels were scaled to [0, 1] when read).
 *
 * Too little data is a DataError naming the numbers, raised by these functions — at plan time, since
 * Plan computes every split before it writes anything.
 */
import { createHash } from 'node:crypto';
import { DataError } from '../errors.js';
import { rng, shuffle } from '../random.js';
import type { EvaluationSpec } from '../sweep/schema.js';
import type { ArraySet, DataInfo, SplitData } from './types.js';
import type { ParsedDataset } from './parse.js';
import { encode, fitPreprocessing, type Preprocessing } from './preprocess.js';

export { targetRow } from './preprocess.js';

/** Indices of the samples (rows, or forecast windows) of one fold. */
export interface FoldIndices {
  train: Int32Array;
  val: Int32Array;
}

/** The held-out test samples and the development samples (everything else), both ascending. */
export interface TestSplit {
  test: Int32Array;
  dev: Int32Array;
  /** How the test samples were chosen, e.g. "stratified random 20 %", "last 20 % of windows in time", "none". */
  rule: string;
}

/** The seed of a repeat's shuffle: the same (seed, repeat) always gives the same splits. */
export function splitSeed(seed: number, repeat: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x01000193) + Math.imul(repeat + 1, 0x9e3779b9)) >>> 0;
}

/** The seed of the test split: the training seed only, never the repeat. */
export function testSeed(seed: number): number {
  return (Math.imul(seed ^ 0x7e57c0de, 0x85ebca6b) ^ 0x27d4eb2f) >>> 0;
}

const range = (from: number, to: number) => Int32Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
const ascending = (xs: number[]) => Int32Array.from(xs).sort();

function sampleCount(parsed: ParsedDataset): number {
  return parsed.kind === 'series' ? parsed.windows : parsed.rows;
}

function isClassification(parsed: ParsedDataset): boolean {
  return parsed.task === 'binary' || parsed.task === 'multiclass';
}

const what = (parsed: ParsedDataset) => (parsed.kind === 'series' ? 'windows' : 'rows');
const percent = (f: number) => `${Number((f * 100).toFixed(1))} %`;

/** Hold out the test samples (see the module comment). */
export function holdOutTest(parsed: ParsedDataset, evaluation: Pick<EvaluationSpec, 'test'>, seed: number): TestSplit {
  const n = sampleCount(parsed);
  if (evaluation.test === 0) return { test: new Int32Array(0), dev: range(0, n), rule: 'none' };
  const nTest = Math.max(1, Math.round(n * evaluation.test));
  if (n - nTest < 2) {
    throw new DataError(
      `${parsed.source}: ${n} ${what(parsed)} are too few: the test split (evaluation.test ${evaluation.test}) holds out ${nTest}, leaving ${n - nTest} for training and validation (at least 2 are needed)`,
    );
  }
  if (parsed.kind === 'series') {
    return { test: range(n - nTest, n), dev: range(0, n - nTest), rule: `the last ${percent(evaluation.test)} of windows in time` };
  }
  const random = rng(testSeed(seed));
  if (!isClassification(parsed)) {
    const order = shuffle(Array.from({ length: n }, (_, i) => i), random);
    return { test: ascending(order.slice(0, nTest)), dev: ascending(order.slice(nTest)), rule: `random ${percent(evaluation.test)}` };
  }
  const groups = classGroups(parsed.y, range(0, n), parsed.classes!.length).map((g) => shuffle(g, random));
  const quotas = largestRemainder(
    groups.map((g) => g.length * evaluation.test),
    nTest,
  );
  const test: number[] = [];
  const dev: number[] = [];
  groups.forEach((g, c) => {
    const k = Math.min(quotas[c]!, Math.max(0, g.length - 1));
    test.push(...g.slice(0, k));
    dev.push(...g.slice(k));
  });
  return { test: ascending(test), dev: ascending(dev), rule: `stratified random ${percent(evaluation.test)}` };
}

/** The sample indices of every fold (holdout: one) of a repeat, drawn from the development samples. */
export function foldIndices(parsed: ParsedDataset, evaluation: EvaluationSpec, seed: number, repeat: number): FoldIndices[] {
  const { test, dev } = holdOutTest(parsed, evaluation, seed);
  const n = dev.length;
  const w = what(parsed);
  const count = `${n} ${w}${test.length > 0 ? ` (after holding out ${test.length} for the test split)` : ''}`;
  if (evaluation.strategy === 'holdout') {
    if (n < 2) throw new DataError(`${parsed.source}: ${count}; a holdout split needs at least 2`);
    const nVal = Math.min(n - 1, Math.max(1, Math.round(n * evaluation.validationSplit)));
    if (n - nVal < 2) throw tooFewToTrain(parsed, count, n - nVal, `evaluation.validationSplit ${evaluation.validationSplit} takes ${nVal} to validate`);
    if (parsed.kind === 'series') return [{ train: dev.slice(0, n - nVal), val: dev.slice(n - nVal) }];
    const random = rng(splitSeed(seed, repeat));
    if (!isClassification(parsed)) {
      const order = shuffle(Array.from(dev), random);
      return [{ train: Int32Array.from(order.slice(0, n - nVal)), val: Int32Array.from(order.slice(n - nVal)) }];
    }
    const groups = classGroups(parsed.y, dev, parsed.classes!.length).map((g) => shuffle(g, random));
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
    if (block < 1) throw new DataError(`${parsed.source}: ${count} are too few for evaluation.folds ${k} (time-ordered folds need at least ${k + 1})`);
    if (n - k * block < 2) throw tooFewToTrain(parsed, count, n - k * block, `in the first of evaluation.folds ${k} time-ordered folds`);
    return Array.from({ length: k }, (_, i) => {
      const start = n - (k - i) * block;
      return { train: dev.slice(0, start), val: dev.slice(start, start + block) };
    });
  }
  if (n < k) throw new DataError(`${parsed.source}: ${count} are fewer than evaluation.folds (${k})`);
  if (n - Math.ceil(n / k) < 2) throw tooFewToTrain(parsed, count, n - Math.ceil(n / k), `in each of evaluation.folds ${k}`);
  const random = rng(splitSeed(seed, repeat));
  let order: number[];
  if (isClassification(parsed)) {
    // Stratified: each class shuffled, classes laid end to end, then dealt round-robin into the folds.
    const groups = classGroups(parsed.y, dev, parsed.classes!.length);
    groups.forEach((g, c) => {
      if (g.length > 0 && g.length < k) {
        throw new DataError(
          `${parsed.source}: class ${JSON.stringify(parsed.classes![c])} has ${g.length} ${w}${test.length > 0 ? ' after the test split' : ''}, fewer than evaluation.folds (${k}); use fewer folds or a holdout split`,
        );
      }
    });
    order = groups.flatMap((g) => shuffle(g, random));
  } else order = shuffle(Array.from(dev), random);
  const folds: number[][] = Array.from({ length: k }, () => []);
  order.forEach((idx, j) => folds[j % k]!.push(idx));
  return folds.map((val, f) => {
    const train = folds.flatMap((other, g) => (g === f ? [] : other));
    return { train: Int32Array.from(shuffle(train, random)), val: Int32Array.from(shuffle([...val], random)) };
  });
}

/** A split that would train a network on fewer than 2 samples (one row teaches nothing to compare). */
function tooFewToTrain(parsed: ParsedDataset, count: string, left: number, how: string): DataError {
  return new DataError(`${parsed.source}: ${count} leave ${left} to train on (${how}); at least 2 are needed (add data, lower evaluation.test or validationSplit, or use fewer folds)`);
}

function classGroups(y: Float64Array, samples: Int32Array, classes: number): number[][] {
  const groups: number[][] = Array.from({ length: classes }, () => []);
  for (const i of samples) groups[y[i]!]!.push(i);
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

/** A short fingerprint of a trial's samples: equal for every candidate trained on the same (repeat, fold). */
export function splitId(fold: FoldIndices, test: Int32Array): string {
  const h = createHash('sha256');
  for (const part of [fold.train, fold.val, test]) {
    h.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    h.update('|');
  }
  return h.digest('hex').slice(0, 12);
}

/** What a run's data looks like before any fold: the test split, the layout fitted on the development samples, and the shapes. */
export interface DataLayout {
  split: TestSplit;
  /** Fitted on all development samples: the encoding every fold shares, and the preprocessing of a model trained on them all. */
  layout: Preprocessing;
  info: DataInfo;
}

const layouts = new WeakMap<ParsedDataset, Map<string, DataLayout>>();

/** The test split and layout of a parsed dataset under an evaluation spec and seed (computed once per process). */
export function dataLayout(parsed: ParsedDataset, evaluation: Pick<EvaluationSpec, 'test'>, seed: number): DataLayout {
  let byKey = layouts.get(parsed);
  if (!byKey) layouts.set(parsed, (byKey = new Map()));
  const key = `${evaluation.test}:${seed}`;
  const hit = byKey.get(key);
  if (hit) return hit;
  const split = holdOutTest(parsed, evaluation, seed);
  const layout = fitPreprocessing(parsed, split.dev);
  const made = { split, layout, info: infoOf(layout, parsed) };
  byKey.set(key, made);
  return made;
}

/** Shapes and names of the encoded data a preprocessing produces. */
export function infoOf(prep: Preprocessing, parsed: Pick<ParsedDataset, 'rows' | 'droppedRows'>): DataInfo {
  return {
    task: prep.task,
    inputShape: [...prep.inputShape],
    targetDim: prep.outputs,
    ...(prep.target.kind === 'classes' ? { classes: [...prep.target.classes] } : {}),
    ...(prep.encodedNames ? { featureNames: [...prep.encodedNames] } : {}),
    rows: parsed.rows,
    droppedRows: parsed.droppedRows,
  };
}

/** One SplitData per fold of the given repeat, each with the shared test samples encoded by its own preprocessing. */
export function splitDataset(parsed: ParsedDataset, evaluation: EvaluationSpec, seed: number, repeat: number): SplitData[] {
  const { split, layout } = dataLayout(parsed, evaluation, seed);
  return foldIndices(parsed, evaluation, seed, repeat).map((fold, i) => ({
    fold: i,
    repeat,
    splitId: splitId(fold, split.test),
    ...materialise(parsed, fold, { layout, test: split.test }),
  }));
}

/**
 * The data of a model refit on every development sample (the final model): its preprocessing is the
 * run's layout — fitted on exactly those samples — and the test samples are encoded with it.
 */
export function refitData(parsed: ParsedDataset, evaluation: Pick<EvaluationSpec, 'test'>, seed: number): Omit<Materialised, 'val'> {
  const { split, layout } = dataLayout(parsed, evaluation, seed);
  const set = (idx: Int32Array): ArraySet => {
    const e = encode(layout, parsed, idx);
    return { n: e.n, x: e.x, y: e.y! };
  };
  return {
    train: set(split.dev),
    ...(split.test.length > 0 ? { test: set(split.test) } : {}),
    targetScale: layout.target.kind === 'numeric' ? [...layout.target.std] : undefined,
    preprocessing: layout,
  };
}

export type Materialised = Pick<SplitData, 'train' | 'val' | 'test' | 'targetScale'> & { preprocessing: Preprocessing };

/**
 * Materialise one fold: fit the preprocessing on its training samples, encode training, validation and
 * (when given) test samples with it. Without a layout the encoding is fitted on every sample.
 */
export function materialise(parsed: ParsedDataset, fold: FoldIndices, opts: { layout?: Preprocessing; test?: Int32Array } = {}): Materialised {
  const layout = opts.layout ?? fitPreprocessing(parsed, range(0, sampleCount(parsed)));
  const prep = fitPreprocessing(parsed, fold.train, layout);
  const set = (idx: Int32Array): ArraySet => {
    const e = encode(prep, parsed, idx);
    return { n: e.n, x: e.x, y: e.y! };
  };
  return {
    train: set(fold.train),
    val: set(fold.val),
    ...(opts.test && opts.test.length > 0 ? { test: set(opts.test) } : {}),
    targetScale: prep.target.kind === 'numeric' ? [...prep.target.std] : undefined,
    preprocessing: prep,
  };
}
