/**
 * What the data layer hands to training. A dataset is parsed once (per worker) into a ParsedDataset;
 * each fold × repeat is then materialised into train/validation/test arrays by its preprocessing, with
 * every statistic (means, deviations, medians, categories present) learned on that split's training rows only.
 */
import type { Task } from '../sweep/schema.js';
import type { Preprocessing } from './preprocess.js';

/** Samples as flat typed arrays, row-major. */
export interface ArraySet {
  n: number;
  /** n × prod(inputShape) values. */
  x: Float32Array;
  /** n × targetDim values: 0/1 for binary, the class index for multiclass, the (standardised) value otherwise. */
  y: Float32Array;
}

export interface DataInfo {
  task: Task;
  /** Shape of one sample: [features] for dense, [h, w, c] for cnn, [lookback, features] for forecast. */
  inputShape: number[];
  /** Output units: 1 for binary/regression, classes for multiclass, horizon targets for forecast. */
  targetDim: number;
  /** Class labels in index order (classification only). */
  classes?: string[];
  /** Input feature names after encoding (tabular and forecast only). */
  featureNames?: string[];
  rows: number;
  droppedRows: number;
}

export interface SplitData {
  fold: number;
  repeat: number;
  train: ArraySet;
  val: ArraySet;
  /** The held-out test samples, encoded with this split's preprocessing; absent when evaluation.test is 0. */
  test?: ArraySet;
  /** The preprocessing fitted on this split's training samples (what a model trained on them takes). */
  preprocessing?: Preprocessing;
  /** A fingerprint of the split's train/validation/test samples: equal for every candidate at the same (repeat, fold). */
  splitId?: string;
  /** The test samples are in time order (forecast windows, time-ordered tables): their per-row results are kept in consecutive blocks. */
  testInTime?: boolean;
  /**
   * For regression/forecast the targets are standardised with training statistics; metrics are
   * reported in the original units by multiplying errors by `targetScale` (per target, length targetDim).
   */
  targetScale?: number[];
}
