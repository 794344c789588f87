/**
 * Two models scored on the very same test rows — the final model and the baseline fitted on the same
 * development rows — compared row by row. Each row's difference d_i = a_i − b_i of the two models'
 * contributions to the metric's mean (1/0 for a correct answer, the squared error for mse and rmse,
 * the absolute error for mae, the loss for loss) is what varies between samples of rows: rows both get
 * right, or both get wrong, cancel, which is what makes McNemar's test for paired proportions sharper
 * than comparing two intervals (McNemar, Psychometrika 1947; Dietterich, Neural Computation 1998, who
 * recommends it for one test set and two classifiers).
 *
 * The mean difference's variance is the between-block variance of the per-block differences — the
 * paired bootstrap's variance over the rows, computed without resampling noise (Efron & Tibshirani
 * 1993; the blocks of blocks.ts, merged into runs of ∛n rows for rows in time order so that correlated
 * neighbours move together) — and the test is a one-sided t on it with the blocks' degrees of freedom
 * (B − 1 for accuracy, where each row its own block makes this the large-sample McNemar z test with a
 * t quantile; kurtosis-matched for errors and losses, which are skewed). For rmse the difference is
 * taken on the squared errors: rmse is the root of their mean, so "a's rmse is lower" and "a's mean
 * squared error is lower" are the same claim.
 */
import { blockMean, blockRows, mergeForTime, type RowBlocks } from './blocks.js';
import { studentTTwoSided } from './distributions.js';
import { metricScale } from './intervals.js';

/** a − b on the same test rows (see the module comment); its `t` and `df` are what pWorse / pBetter read. */
export interface RowsComparison {
  kind: 'rows';
  /** Rows both models were scored on. */
  rows: number;
  /** Blocks the variance was estimated from (after merging rows in time order). */
  blocks: number;
  /** Mean per-row difference a − b of the metric's row contributions (squared errors for rmse). */
  meanDiff: number;
  /** Its standard error. */
  se: number;
  t: number;
  df: number;
  /** Two-sided p-value of "no difference". */
  p: number;
}

/**
 * Compare two models' per-row results on the same `n` test rows. Null when the blocks do not line up
 * (another layout, another number of rows) or there are fewer than two blocks. No spread in the
 * differences: p = 1 when they are all 0, else 0.
 */
export function compareOnRows(metric: string, a: RowBlocks, b: RowBlocks, n: number): RowsComparison | null {
  if (a.order !== b.order || a.size !== b.size || a.sums.length !== b.sums.length || n < 2) return null;
  let sums = a.sums.map((s, i) => s - b.sums[i]!);
  let rows = blockRows(a, n);
  if (a.order === 'time') ({ sums, rows } = mergeForTime(sums, rows, n));
  const m = blockMean(sums, rows);
  if (m.blocks < 2 || !Number.isFinite(m.mean)) return null;
  const df = metricScale(metric) === 'proportion' ? m.blocks - 1 : m.df;
  const se = Math.sqrt(m.variance);
  const base = { kind: 'rows' as const, rows: n, blocks: m.blocks, meanDiff: m.mean, se, df };
  if (se === 0) return m.mean === 0 ? { ...base, t: 0, p: 1 } : { ...base, t: m.mean > 0 ? Infinity : -Infinity, p: 0 };
  const t = m.mean / se;
  return { ...base, t, p: studentTTwoSided(t, df) };
}
