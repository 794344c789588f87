/**
 * Intervals that stay inside the metric's range and count every source of error they claim to.
 *
 * **Scales.** Accuracy is a proportion in [0, 1]; losses and errors (rmse, mse, mae, loss) are
 * positive. A proportion's interval is Wilson's score interval (Brown, Cai & DasGupta, Statistical
 * Science 2001) at an *effective* number of rows — n_eff = p(1 − p) / Var — the design-effect form
 * Korn & Graubard use for proportions from clustered or resampled data (Survey Methodology 1998),
 * with Student's t in place of z; at p = 0 or 1 (no spread to measure) n_eff is the rows scored, so
 * 55 rows all right still give a lower bound near 0.93 rather than "1.000–1.000". A positive quantity's
 * interval is taken on the log scale (the delta method: se(log x) ≈ se(x) / x), so it never reaches
 * below 0, and it widens upward as errors do.
 *
 * **A candidate's validation score** (the mean over its trials) estimates what its training procedure
 * achieves on new rows. For errors and losses its variance is the Nadeau–Bengio corrected one,
 * s² · (1/J + n_val/n_train), J − 1 degrees of freedom: trials share training rows, so s²/J alone
 * understates it. For accuracy the validation rows' part of that variance is known from the design and
 * need not be estimated from a few trials: with w_i row i's weight in the mean (validationOverlap —
 * folds of one repeat are disjoint, repeated holdouts overlap at random, repeats that keep their split
 * reuse the same rows), the rows contribute p(1 − p) Σ w_i² to the mean's variance and
 * p(1 − p)(Σ_j 1/n_j − J Σ w_i²)/(J − 1) to the trials' spread s². The variance is that binomial part
 * plus the spread beyond it, corrected as above — a random-effects split into a known within part and
 * a between part estimated by moments, truncated at 0 (DerSimonian & Laird, Controlled Clinical Trials
 * 1986) — with Satterthwaite's degrees of freedom (Biometrics Bulletin 1946) for a sum of a known and
 * an estimated part. For repeated holdouts it is Nadeau–Bengio's variance with s² kept from falling
 * below what the rows alone give; for k disjoint folds it drops the 1 + k/(k − 1)-fold count of the
 * folds' row noise that the plain correction makes (simulated: 100 % coverage before, 95–97 % after;
 * benchmarks/coverage.ts).
 *
 * **Scores on the test split.** The test split is one sample of rows; its score has sampling error that
 * no number of retrained copies averages away — every trial model is scored on the same rows. Each
 * model's per-row results are kept as sums over blocks of rows (trials[].test.blocks): every row (small
 * splits), or up to 128 blocks — interleaved for exchangeable rows, consecutive for rows in time order,
 * which are then merged to at least ∛n rows so that neighbouring, correlated errors stay together (a
 * non-overlapping block bootstrap's blocks, Carlstein 1986; Hall, Horowitz & Jing 1995). The variance of a
 * mean over blocks is the between-block one (the bootstrap's variance, without resampling noise):
 *
 *     Var(m) = B / (B − 1) · Σ_b (S_b − m · n_b)² / n²,
 *
 * with B − 1 degrees of freedom for accuracy (Wilson's interval has the binomial's shape) and, for
 * errors and losses, B − 1 for normal-looking blocks and fewer for heavy-tailed ones (blockMean):
 * squared errors are skewed, and a small split that missed the rare large ones understates both the
 * error and its variance (simulated rmse intervals on 50 test rows: 88–94 % with B − 1, 90.5–95.5 %
 * with the kurtosis-matched degrees of freedom; benchmarks/coverage.ts).
 *
 * - The final model handed over: that variance alone — its interval is about *that* model's score on
 *   new rows like the test rows.
 * - A candidate's trial models: the variance of their per-block average plus the retraining variance
 *   of their scores, s² · (1/J + n_val/n_train), with Welch–Satterthwaite degrees of freedom — an
 *   interval about what the candidate's training procedure scores on new rows.
 */
import { blockMean, blockRows, mergeForTime, type RowBlocks } from './blocks.js';
import { rowRatio, type TrialPoint } from './trials.js';
import { tQuantile } from './distributions.js';
import { mean, variance } from './summary.js';

export type Interval = { lo: number; hi: number };

/** How a metric's values are bounded: accuracy a proportion, the rest positive errors or losses. */
export type MetricScale = 'proportion' | 'positive';

export function metricScale(metric: string): MetricScale {
  return metric === 'accuracy' ? 'proportion' : 'positive';
}

/** The two-sided quantile for a 95 % (or `level`) interval with `df` degrees of freedom. */
export function critical(df: number, level = 0.95): number {
  return tQuantile(1 - (1 - level) / 2, Math.max(df, 1e-9));
}

/** Wilson's score interval for a proportion p over n trials at quantile z. */
export function wilson(p: number, n: number, z: number): Interval {
  if (!(n > 0)) return { lo: 0, hi: 1 };
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At p = 0 (or 1) the end is exactly 0 (or 1); computed, it misses by rounding noise (6.9e-18).
  return { lo: p <= 0 ? 0 : Math.max(0, centre - half), hi: p >= 1 ? 1 : Math.min(1, centre + half) };
}

/**
 * An interval for an estimate with a variance, on the metric's scale:
 *  - proportion: Wilson at n_eff = p(1 − p) / variance, at most `rows` (the rows behind the estimate);
 *    at p = 0 or 1, or with no variance, n_eff = rows;
 *  - positive: on the log scale, estimate · exp(± q · √variance / estimate).
 */
export function scaledInterval(scale: MetricScale, estimate: number, variance: number, q: number, rows: number): Interval {
  if (scale === 'proportion') {
    const p = Math.min(1, Math.max(0, estimate));
    const spread = p * (1 - p);
    const nEff = spread > 0 && variance > 0 ? Math.min(rows, spread / variance) : rows;
    return wilson(p, nEff, q);
  }
  if (!(estimate > 0)) return { lo: 0, hi: Math.max(0, estimate) };
  const f = Math.exp((q * Math.sqrt(Math.max(0, variance))) / estimate);
  return { lo: estimate / f, hi: estimate * f };
}

/**
 * The variance an interval stands on: a proportion's is at least the binomial p(1 − p) / rows of the
 * rows behind it (the n_eff cap of scaledInterval) — trials that agree more than their rows allow do
 * not make the estimate surer than those rows can.
 */
export function effectiveVariance(scale: MetricScale, estimate: number, variance: number, rows: number): number {
  if (scale !== 'proportion') return variance;
  const p = Math.min(1, Math.max(0, estimate));
  return Number.isFinite(rows) && rows > 0 ? Math.max(variance, (p * (1 - p)) / rows) : variance;
}

/** An estimate with its interval and standard error (the "±" written beside it, consistent with the interval). */
export interface ScoreInterval extends Interval {
  estimate: number;
  /** Standard error of the estimate (the square root of the variance the interval used). */
  se: number;
  /** Degrees of freedom of its t quantile. */
  df: number;
}

/** A variance the trials' spread cannot show, with the degrees of freedom it was estimated from. */
export interface ExtraVariance {
  variance: number;
  df: number;
}

const NO_EXTRA: ExtraVariance = { variance: 0, df: Number.POSITIVE_INFINITY };

/**
 * The 95 % interval of an expected score from J trial scores: Nadeau–Bengio corrected variance
 * s² · (1/J + ratio), J − 1 degrees of freedom, on the metric's scale. `rows` bounds a proportion's
 * effective rows (the distinct rows the trials were scored on). `extra` adds what the trials'
 * spread cannot show (shared-rows.ts: the sampling error of rows several trials share). Null with one
 * trial.
 */
export function trialInterval(metric: string, values: readonly number[], ratio: number, rows: number, level = 0.95, extra: ExtraVariance = NO_EXTRA): ScoreInterval | null {
  const J = values.length;
  if (J < 2) return null;
  const m = mean(values);
  const scale = metricScale(metric);
  const spread = variance(values) * (1 / J + ratio);
  const v = spread + extra.variance;
  // Satterthwaite: the spread is estimated from J − 1 degrees of freedom, the extra part from its own
  // (the rows' blocks: many more) — t(J − 1) on both would multiply a well-known sampling error by 4.3.
  const denominator = spread ** 2 / (J - 1) + (extra.variance > 0 ? extra.variance ** 2 / extra.df : 0);
  const df = denominator > 0 ? Math.max(J - 1, v ** 2 / denominator) : J - 1;
  return { estimate: m, se: Math.sqrt(effectiveVariance(scale, m, v, rows)), df, ...scaledInterval(scale, m, v, critical(df, level), rows) };
}

/**
 * How much the validation rows of J trials overlap, from what documents record of them: Σ_i w_i², where
 * w_i is row i's weight in the mean over trials ((1/J) Σ_{j ∋ i} 1/n_j). Two trials with the same split
 * fingerprint validated on the same rows; two folds of one repeat on disjoint rows; trials of different
 * repeats on random subsets of the development rows (expected overlap n_j n_k / n_dev) — unless the
 * repeats keep the same folds (time-ordered splits: every fold's fingerprint is the same in each
 * repeat), and then different folds are disjoint too. Null when the rows are not recorded.
 */
export function validationOverlap(points: readonly TrialPoint[]): number | null {
  const J = points.length;
  if (J === 0 || points.some((p) => !(p.valRows! > 0) || !(p.trainRows! >= 0))) return null;
  const dev = Math.max(...points.map((p) => p.trainRows! + p.valRows!));
  const byFold = new Map<number, Set<string | undefined>>();
  for (const p of points) byFold.set(p.fold, (byFold.get(p.fold) ?? new Set()).add(p.split));
  const repeats = new Set(points.map((p) => p.repeat)).size;
  const sameLayout = repeats > 1 && [...byFold.values()].every((ids) => ids.size === 1 && !ids.has(undefined));
  let sum = 0;
  for (const a of points) {
    for (const b of points) {
      const shared = a === b || (a.split !== undefined && a.split === b.split) ? a.valRows! : a.repeat === b.repeat || sameLayout ? 0 : (a.valRows! * b.valRows!) / dev;
      sum += shared / (a.valRows! * b.valRows!);
    }
  }
  return sum / (J * J);
}

/**
 * A candidate's validation interval: the 95 % interval of its expected score from its trials (see the
 * module comment). Accuracy with its rows known: the rows' binomial variance, known from the design,
 * plus the trials' spread beyond it, Nadeau–Bengio corrected. Anything else: the Nadeau–Bengio
 * corrected variance of the trial scores, J − 1 degrees of freedom. Null with one trial.
 */
export function validationInterval(metric: string, points: readonly TrialPoint[], level = 0.95, extra: ExtraVariance = NO_EXTRA): ScoreInterval | null {
  const J = points.length;
  if (J < 2) return null;
  const values = points.map((p) => p.value);
  const ratio = rowRatio(points);
  const overlap = metricScale(metric) === 'proportion' ? validationOverlap(points) : null;
  if (overlap === null) {
    // Rows known for some trials only: a proportion's effective rows are at most theirs, each split's once.
    const splits = new Map(points.map((p, i) => [p.split ?? `#${i}`, p.valRows ?? 0]));
    const pooled = [...splits.values()].reduce((s, r) => s + r, 0);
    return trialInterval(metric, values, ratio, pooled > 0 ? pooled : Infinity, level, extra);
  }
  const m = Math.min(1, Math.max(0, mean(values)));
  const pq = m * (1 - m);
  const c = 1 / J + ratio;
  // The rows' part: Var = pq · Σ w_i²; what it adds to the trials' spread: E[s²] = pq (Σ_j 1/n_j − J Σ w_i²) / (J − 1).
  const binomial = pq * overlap;
  const inverseRows = points.reduce((s, p) => s + 1 / p.valRows!, 0);
  const spreadFromRows = (pq * Math.max(0, inverseRows - J * overlap)) / (J - 1);
  const excess = Math.max(0, variance(values) - spreadFromRows) * c;
  const v = binomial + excess;
  // Satterthwaite: the binomial part is known; only the excess is estimated, from J − 1 degrees of freedom.
  const df = excess > 0 ? (J - 1) * (v / excess) ** 2 : Infinity;
  const rows = 1 / overlap;
  const nEff = pq > 0 && v > 0 ? Math.min(rows, pq / v) : rows;
  return { estimate: m, se: Math.sqrt(v), df, ...wilson(m, nEff, critical(df, level)) };
}

/**
 * The degrees of freedom of a test split's sampling variance: kurtosis-matched (blockMean) for errors
 * and losses; B − 1 for accuracy, whose Wilson interval already has the binomial's shape (a 0/1 row's
 * kurtosis grows without bound as p nears 0 or 1, and would be counted twice).
 */
function samplingDf(metric: string, s: { blocks: number; df: number }): number {
  return metricScale(metric) === 'proportion' ? s.blocks - 1 : s.df;
}

/** The metric from a mean per row: rmse is the root of the mean squared error, the rest the mean itself. */
export function fromRowMean(metric: string, m: number): number {
  return metric === 'rmse' ? Math.sqrt(Math.max(0, m)) : m;
}

function blocksFor(b: RowBlocks, n: number): { sums: number[]; rows: number[] } {
  const rows = blockRows(b, n);
  return b.order === 'time' ? mergeForTime([...b.sums], rows, n) : { sums: [...b.sums], rows };
}

/**
 * The 95 % interval of one model's score on new rows like the test split: sampling error of the test
 * rows alone (the model is fixed). Null when the split has fewer than two rows.
 */
export function modelTestInterval(metric: string, blocks: RowBlocks, n: number, level = 0.95): ScoreInterval | null {
  const { sums, rows } = blocksFor(blocks, n);
  const sampling = blockMean(sums, rows);
  if (sampling.blocks < 2 || !Number.isFinite(sampling.mean)) return null;
  return finish(metric, sampling.mean, sampling.variance, samplingDf(metric, sampling), n, level);
}

/**
 * The 95 % interval of a candidate's expected score on new rows from its trial models' test results:
 * the sampling error of the shared test rows (the between-block variance of the models' per-block
 * average) plus the retraining variance of the models' scores, Nadeau–Bengio corrected
 * (s² · (1/J + n_val/n_train)), with Welch–Satterthwaite degrees of freedom. With one model it is that
 * model's interval. Null when the blocks do not line up (different splits) or there are none.
 */
export function trialModelsTestInterval(metric: string, models: readonly RowBlocks[], n: number, ratio: number, level = 0.95): ScoreInterval | null {
  const J = models.length;
  if (J === 0) return null;
  const first = models[0]!;
  if (models.some((b) => b.order !== first.order || b.size !== first.size || b.sums.length !== first.sums.length)) return null;
  if (J === 1) return modelTestInterval(metric, first, n, level);
  const averaged: RowBlocks = { ...first, sums: first.sums.map((_, b) => models.reduce((s, x) => s + x.sums[b]!, 0) / J) };
  const { sums, rows } = blocksFor(averaged, n);
  const sampling = blockMean(sums, rows);
  if (sampling.blocks < 2 || !Number.isFinite(sampling.mean)) return null;
  const perModel = models.map((b) => b.sums.reduce((a, x) => a + x, 0) / n);
  const retrain = variance(perModel) * (1 / J + ratio);
  const v = sampling.variance + retrain;
  const df1 = samplingDf(metric, sampling);
  const df2 = J - 1;
  const denominator = sampling.variance ** 2 / df1 + retrain ** 2 / df2;
  const df = denominator > 0 ? (v * v) / denominator : df1;
  return finish(metric, sampling.mean, v, df, n, level);
}

/** From a mean per row and its variance to the metric's interval (rmse through the root of mse). */
function finish(metric: string, m: number, v: number, df: number, n: number, level: number): ScoreInterval {
  const scale = metricScale(metric);
  const { lo, hi } = scaledInterval(scale, m, v, critical(df, level), n);
  const estimate = fromRowMean(metric, m);
  const ve = effectiveVariance(scale, m, v, n);
  // rmse = √mse: se(rmse) ≈ se(mse) / (2 rmse), the delta method.
  const se = metric === 'rmse' ? (estimate > 0 ? Math.sqrt(ve) / (2 * estimate) : 0) : Math.sqrt(ve);
  return { estimate, se, df, lo: fromRowMean(metric, lo), hi: fromRowMean(metric, hi) };
}
