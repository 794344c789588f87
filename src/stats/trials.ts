/** A trial's score as the statistics read it, and the Nadeau–Bengio row ratio of a set of trials. */
import type { RowBlocks } from './blocks.js';

/** One trial's score and where it came from: (repeat, fold) identifies its split. */
export interface TrialPoint {
  repeat: number;
  fold: number;
  value: number;
  /** Rows of the split; absent for a baseline's trials. */
  trainRows?: number;
  valRows?: number;
  /** Fingerprint of the split's samples; absent in older documents. */
  split?: string;
  /** The trial's per-row validation results as block sums; absent in older documents and for baselines. */
  blocks?: RowBlocks;
}

/** n_val / n_train over trials (0 when the row counts are unknown): the Nadeau–Bengio correction term. */
export function rowRatio(points: readonly Pick<TrialPoint, 'trainRows' | 'valRows'>[]): number {
  let val = 0;
  let train = 0;
  for (const p of points) {
    val += p.valRows ?? 0;
    train += p.trainRows ?? 0;
  }
  return train > 0 ? val / train : 0;
}
