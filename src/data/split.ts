/**
 * From a parsed dataset to the samples each trial trains, validates and is tested on.
 *
 * First the order (`splitOrder`): splits follow time when evaluation.order is "time", or "auto" and
 * the data has an order — a forecast (windows are in time), dataset.time, or a column of dates
 * (parse.ts) — else they are random. Time order with no order column is the rows' order in the file.
 *
 * The test split comes first (`holdOutTest`), the same for every candidate, repeat and fold, never used
 * for early stopping, ranking or the recommendation:
 *  - time: the latest samples (rows by their time, equal times in file order; forecast windows by
 *    their target time) — not stratified, since time comes first;
 *  - random, classification: stratified (largest-remainder quotas per class; a class keeps at least
 *    one row outside the test split); regression: a seeded random share. Its seed depends on the
 *    training seed alone, not on the repeat, the fold or the candidate;
 *  - evaluation.test 0: no test split.
 *
 * The rest, the development samples, are split per repeat (`foldIndices`):
 *  - time, never training on the future: holdout — the latest `validationSplit` of them validate, the
 *    earlier ones train; kfold — forward-chaining folds like scikit-learn's TimeSeriesSplit (k + 1
 *    blocks in time; fold i validates on block i + 1 and trains on every block before it). Repeats do
 *    not change time-ordered splits, only the seed.
 *  - random holdout: a seeded shuffle (seed mixed with the repeat), the last `validationSplit` fraction
 *    is validation; for classification per class (largest-remainder quotas), so class ratios hold.
 *  - random kfold: shuffled k folds, stratified for classification (each class dealt round-robin).
 *
 * The splits depend only on (data, evaluation spec, training seed, repeat): every candidate of a run
 * sees exactly the same train/validation/test samples for the same (repeat, fold), so candidates (and
 * the baseline) can be compared pair by pair. `splitId` fingerprints a trial's samples so documents can
 * show it.
 *
 * What is learned — always on the split's training samples only, so under time order on the past
 * only — is the preprocessing (preprocess.ts): means, standard deviations and medians, the categories
 * present, a capped column's most frequent values, target scaling. The encoding (which categories and
 * indicator inputs exist, so the input shape) is the layout fitted on all development samples, the same
 * for every fold; categories a fold's training rows lack encode as zeros in that fold. Forecast
 * statistics come from the training period, the rows up to the last training target. Images: nothing
 * (uint8 pixels were scaled to [0, 1] when read).
 *
 * Too little data is a DataError naming the numbers, raised by these functions — at plan time, since
 * Plan computes every split before it writes anything.
 */
import { createHash } from 'node:crypto';
import { DataError } from '../errors.js';
import { rng, shuffle } from '../random.js';
import type { EvaluationSpec } from '../sweep/schema.js';
import type { ArraySet, DataInfo, SplitData } from './types.js';
import { timeOrder } from './columns.js';
import type { ParsedDataset } from './dataset.js';
import { fitPreprocessing, type Preprocessing } from './preprocess.js';
import { encode } from './encode.js';

export { targetRow } from './preprocess.js';

/** Indices of the samples (rows, or forecast windows) of one fold. */
export interface FoldIndices {
  train: Int32Array;
  val: Int32Array;
}

/** The held-out test samples (ascending, or in time order when split in time) and the development samples (ascending). */
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
const ascending = (xs: ArrayLike<number>) => Int32Array.from(xs).sort();

function sampleCount(parsed: ParsedDataset): number {
  return parsed.kind === 'series' ? parsed.windows : parsed.rows;
}

function isClassification(parsed: ParsedDataset): parsed is Exclude<ParsedDataset, { kind: 'series' }> {
  return parsed.task === 'binary' || parsed.task === 'multiclass';
}

const what = (parsed: ParsedDataset) => (parsed.kind === 'series' ? 'windows' : 'rows');
const percent = (f: number) => `${Number((f * 100).toFixed(1))} %`;

/** How a run's samples are split: in time (by a column, or the file's row order) or at random, and why. */
export interface SplitOrder {
  kind: 'time' | 'random';
  /** The column rows are ordered by (null: the file's row order); absent for random splits. */
  column?: string | null;
  /** Why, in words: "dataset.time", "column \"date\" holds dates", "evaluation.order \"random\"". */
  reason: string;
}

/** Whether (and by what) a dataset is split in time under an evaluation spec (see the module comment). */
export function splitOrder(parsed: ParsedDataset, evaluation: Pick<EvaluationSpec, 'order'>): SplitOrder {
  const order = evaluation.order ?? 'auto';
  if (parsed.kind === 'series') return { kind: 'time', column: parsed.timeName, reason: 'a forecast: its windows are in time order' };
  const by = parsed.kind === 'tabular' ? parsed.order : undefined;
  if (order === 'random') return { kind: 'random', reason: 'evaluation.order "random"' };
  if (order === 'time') {
    return by
      ? { kind: 'time', column: by.column, reason: `evaluation.order "time", by ${q(by.column)}` }
      : { kind: 'time', column: null, reason: 'evaluation.order "time", in the order of the rows in the file (no dataset.time and no column of dates)' };
  }
  if (!by) return { kind: 'random', reason: parsed.kind === 'tabular' ? 'evaluation.order "auto": no dataset.time and no column of dates' : 'evaluation.order "auto": arrays have no time' };
  return { kind: 'time', column: by.column, reason: by.from === 'dataset.time' ? `dataset.time names ${q(by.column)}` : `evaluation.order "auto": column ${q(by.column)} holds dates` };
}

const sequences = new WeakMap<ParsedDataset, Int32Array>();

/** The samples in time order (equal times keep file order; sorted once per dataset), or null for random splits. */
function timeSequence(parsed: ParsedDataset, evaluation: Pick<EvaluationSpec, 'order'>): Int32Array | null {
  const order = splitOrder(parsed, evaluation);
  if (order.kind !== 'time') return null;
  if (parsed.kind !== 'tabular' || !parsed.order) return range(0, sampleCount(parsed));
  let sequence = sequences.get(parsed);
  if (!sequence) sequences.set(parsed, (sequence = Int32Array.from(timeOrder(parsed.order.time))));
  return sequence;
}

const q = JSON.stringify;

/** Hold out the test samples (see the module comment). */
export function holdOutTest(parsed: ParsedDataset, evaluation: Pick<EvaluationSpec, 'test' | 'order'>, seed: number): TestSplit {
  const n = sampleCount(parsed);
  if (evaluation.test === 0) return { test: new Int32Array(0), dev: range(0, n), rule: 'none' };
  const nTest = Math.max(1, Math.round(n * evaluation.test));
  if (n - nTest < 2) {
    throw new DataError(
      `${parsed.source}: ${n} ${what(parsed)} are too few: the test split (evaluation.test ${evaluation.test}) holds out ${nTest}, leaving ${n - nTest} for training and validation (at least 2 are needed)`,
    );
  }
  const sequence = timeSequence(parsed, evaluation);
  if (sequence) {
    const rule =
      parsed.kind === 'series'
        ? `the last ${percent(evaluation.test)} of windows in time`
        : `the latest ${percent(evaluation.test)} of rows in time${isClassification(parsed) ? ' — not stratified, time comes first' : ''}`;
    // The test samples stay in time order: their per-row results are kept in consecutive blocks (src/stats/intervals.ts).
    return { test: Int32Array.from(sequence.subarray(n - nTest)), dev: ascending(sequence.subarray(0, n - nTest)), rule };
  }
  const random = rng(testSeed(seed));
  if (!isClassification(parsed)) {
    const order = shuffle(
      Array.from({ length: n }, (_, i) => i),
      random,
    );
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

/** How the development samples are split into training and validation, in words (the data summary). */
export function validationRule(parsed: ParsedDataset, evaluation: EvaluationSpec): string {
  const w = what(parsed);
  const timed = timeSequence(parsed, evaluation) !== null;
  if (evaluation.strategy === 'holdout') {
    if (timed) return `the latest ${percent(evaluation.validationSplit)} of the other ${w} in time validate, the earlier ones train`;
    return `${isClassification(parsed) ? 'stratified ' : ''}shuffled holdout: ${percent(evaluation.validationSplit)} of the other ${w} validate`;
  }
  const k = evaluation.folds;
  if (timed) return `${k} forward-chaining folds (as scikit-learn's TimeSeriesSplit): each validates on a block of ${w} later than all it trains on`;
  return `${k} ${isClassification(parsed) ? 'stratified ' : ''}shuffled folds`;
}

/** The sample indices of every fold (holdout: one) of a repeat, drawn from the development samples. */
export function foldIndices(parsed: ParsedDataset, evaluation: EvaluationSpec, seed: number, repeat: number): FoldIndices[] {
  const { test, dev } = holdOutTest(parsed, evaluation, seed);
  const n = dev.length;
  const w = what(parsed);
  const count = `${n} ${w}${test.length > 0 ? ` (after holding out ${test.length} for the test split)` : ''}`;
  // Time order: the development samples are the earliest ones, so the sequence's first n.
  const sequence = timeSequence(parsed, evaluation)?.subarray(0, n);
  if (evaluation.strategy === 'holdout') {
    if (n < 2) throw new DataError(`${parsed.source}: ${count}; a holdout split needs at least 2`);
    const nVal = Math.min(n - 1, Math.max(1, Math.round(n * evaluation.validationSplit)));
    if (n - nVal < 2) throw tooFewToTrain(parsed, count, n - nVal, `evaluation.validationSplit ${evaluation.validationSplit} takes ${nVal} to validate`);
    if (sequence) return [{ train: sequence.slice(0, n - nVal), val: sequence.slice(n - nVal) }];
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
  if (sequence) {
    const block = Math.floor(n / (k + 1));
    if (block < 1) throw new DataError(`${parsed.source}: ${count} are too few for evaluation.folds ${k} (time-ordered folds need at least ${k + 1})`);
    if (n - k * block < 2) throw tooFewToTrain(parsed, count, n - k * block, `in the first of evaluation.folds ${k} time-ordered folds`);
    return Array.from({ length: k }, (_, i) => {
      const start = n - (k - i) * block;
      return { train: sequence.slice(0, start), val: sequence.slice(start, start + block) };
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
          `${parsed.source}: class ${JSON.stringify(parsed.classes![c])} has ${g.length} ${g.length === 1 ? w.slice(0, -1) : w}${test.length > 0 ? ' after the test split' : ''}, fewer than evaluation.folds (${k}); use fewer folds or a holdout split`,
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
export function dataLayout(parsed: ParsedDataset, evaluation: Pick<EvaluationSpec, 'test' | 'order'>, seed: number): DataLayout {
  let byKey = layouts.get(parsed);
  if (!byKey) layouts.set(parsed, (byKey = new Map()));
  const key = `${evaluation.test}:${evaluation.order ?? 'auto'}:${seed}`;
  const hit = byKey.get(key);
  if (hit) return hit;
  const split = holdOutTest(parsed, evaluation, seed);
  const order = splitOrder(parsed, evaluation);
  // A table or arrays evaluated in time order say so in their preprocessing (the Keras script splits the same way).
  const format = parsed.kind === 'tabular' ? parsed.order?.format : undefined;
  const timed = order.kind === 'time' && parsed.kind !== 'series' ? { order: { column: order.column ?? null, ...(format ? { format } : {}) } } : {};
  const layout = { ...fitPreprocessing(parsed, split.dev), ...timed };
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
  const testInTime = splitOrder(parsed, evaluation).kind === 'time';
  return foldIndices(parsed, evaluation, seed, repeat).map((fold, i) => ({
    fold: i,
    repeat,
    splitId: splitId(fold, split.test),
    testInTime,
    ...materialise(parsed, fold, { layout, test: split.test }),
  }));
}

/**
 * The data of a model refit on every development sample (the final model): its preprocessing is the
 * run's layout — fitted on exactly those samples — and the test samples are encoded with it.
 */
export function refitData(parsed: ParsedDataset, evaluation: Pick<EvaluationSpec, 'test' | 'order'>, seed: number): Omit<Materialised, 'val'> {
  const { split, layout } = dataLayout(parsed, evaluation, seed);
  const set = (idx: Int32Array): ArraySet => {
    const e = encode(layout, parsed, idx);
    return { n: e.n, x: e.x, y: e.y! };
  };
  return {
    train: set(split.dev),
    ...(split.test.length > 0 ? { test: set(split.test) } : {}),
    testInTime: splitOrder(parsed, evaluation).kind === 'time',
    targetScale: layout.target.kind === 'numeric' ? [...layout.target.std] : undefined,
    preprocessing: layout,
  };
}

export type Materialised = Pick<SplitData, 'train' | 'val' | 'test' | 'targetScale' | 'testInTime'> & { preprocessing: Preprocessing };

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
