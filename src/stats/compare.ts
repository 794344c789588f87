/**
 * Comparing two candidates (or a candidate and the baseline) on the trials they share.
 *
 * Every candidate of a run is trained on the same splits: the split of (repeat r, fold f) depends only
 * on the sweep's seed, r and f (src/data/split.ts), never on the candidate, and each trial records a
 * fingerprint of its samples (trials[].split) that pairing checks. So the trials of two candidates pair
 * up by (repeat, fold), and what varies between splits (an easy validation fold, a lucky shuffle)
 * cancels in the per-trial differences d_j. Those J differences are tested with the Nadeau–Bengio
 * corrected resampled t-test (Nadeau & Bengio, "Inference for the Generalization Error", Machine
 * Learning 52, 2003):
 *
 *     t = mean(d) / √( s_d² · (1/J + n_val/n_train) ),   J − 1 degrees of freedom.
 *
 * The plain paired t-test uses 1/J alone and is far too confident on resampled data: the training sets
 * of different trials overlap, so the differences are positively correlated and s_d²/J understates the
 * variance; the n_val/n_train term is the correction (Bouckaert & Frank, PAKDD 2004, apply it to
 * repeated k-fold cross-validation, where n_val/n_train = 1/(k − 1)). Welch's unpaired test is kept
 * only where pairs cannot be formed (fewer than two shared trials, e.g. documents of different runs);
 * a comparison says which test it used.
 */
import { studentTCdf, studentTTwoSided } from './distributions.js';
import { sharedRowsDifferenceVariance } from './shared-rows.js';
import { summarize, type Summary } from './summary.js';
import { rowRatio, type TrialPoint } from './trials.js';

/** The level of every test layerbench states: p < 0.05 is "significant". */
export const SIGNIFICANCE = 0.05;

export interface PairedTest {
  kind: 'paired';
  /** J: trials of both sides with the same (repeat, fold). */
  pairs: number;
  /** Mean of the per-trial differences a − b. */
  meanDiff: number;
  /** Sample standard deviation of the differences. */
  sdDiff: number;
  /** n_val / n_train of the paired trials: the Nadeau–Bengio correction term (0 when unknown). */
  rowRatio: number;
  /** Corrected standard error of the mean difference, s_d · √(1/J + n_val/n_train). */
  se: number;
  t: number;
  /** J − 1. */
  df: number;
  /** Two-sided p-value of "no difference". */
  p: number;
}

export interface WelchResult {
  t: number;
  /** Welch–Satterthwaite degrees of freedom (Infinity when both samples have zero spread). */
  df: number;
  /** Two-sided p-value of "the means are equal". */
  p: number;
}

/** Welch's test, for when the trials of the two sides cannot be paired. */
export interface UnpairedTest extends WelchResult {
  kind: 'welch';
}

export type Comparison = PairedTest | UnpairedTest;

/**
 * Welch's two-sample t-test from two summaries. Null when either sample has fewer than two values.
 * Two zero-spread samples: p = 1 if the means are equal, else 0.
 */
export function welchTest(a: Summary, b: Summary): WelchResult | null {
  if (a.std === null || b.std === null || a.n < 2 || b.n < 2) return null;
  const va = a.std ** 2 / a.n;
  const vb = b.std ** 2 / b.n;
  const diff = a.mean - b.mean;
  const v = va + vb;
  if (v === 0) return diff === 0 ? { t: 0, df: Infinity, p: 1 } : { t: diff > 0 ? Infinity : -Infinity, df: Infinity, p: 0 };
  const t = diff / Math.sqrt(v);
  const df = (v * v) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  return { t, df, p: studentTTwoSided(t, df) };
}

const pairKey = (p: Pick<TrialPoint, 'repeat' | 'fold'>) => `${p.repeat}/${p.fold}`;

/**
 * The trials of `a` and `b` that share a (repeat, fold), in `a`'s order. Where both carry a split
 * fingerprint they must agree: the same (repeat, fold) over different samples is no pair.
 */
export function pairTrials(a: readonly TrialPoint[], b: readonly TrialPoint[]): [TrialPoint, TrialPoint][] {
  const byKey = new Map(b.map((p) => [pairKey(p), p]));
  const pairs: [TrialPoint, TrialPoint][] = [];
  for (const p of a) {
    const q = byKey.get(pairKey(p));
    if (q && (p.split === undefined || q.split === undefined || p.split === q.split)) pairs.push([p, q]);
  }
  return pairs;
}

/**
 * The Nadeau–Bengio corrected resampled t-test of a − b over the trials the two share. The row ratio
 * comes from the paired trials (either side's; they are the same splits). With the metric named, trials
 * that share a split add the sampling error of their shared rows (shared-rows.ts). Null with fewer than
 * two pairs. Zero spread in the differences: p = 1 when they are all 0, else p = 0.
 */
export function pairedTest(a: readonly TrialPoint[], b: readonly TrialPoint[], metric?: string): PairedTest | null {
  const pairs = pairTrials(a, b);
  const J = pairs.length;
  if (J < 2) return null;
  const d = pairs.map(([x, y]) => x.value - y.value);
  const meanDiff = d.reduce((s, x) => s + x, 0) / J;
  const sdDiff = Math.sqrt(d.reduce((s, x) => s + (x - meanDiff) ** 2, 0) / (J - 1));
  const ratio = rowRatio(pairs.map(([x, y]) => ({ trainRows: x.trainRows ?? y.trainRows, valRows: x.valRows ?? y.valRows })));
  const shared = metric ? sharedRowsDifferenceVariance(metric, pairs) : 0;
  const se = Math.sqrt(sdDiff * sdDiff * (1 / J + ratio) + shared);
  const df = J - 1;
  if (se === 0) {
    return meanDiff === 0
      ? { kind: 'paired', pairs: J, meanDiff, sdDiff, rowRatio: ratio, se, t: 0, df, p: 1 }
      : { kind: 'paired', pairs: J, meanDiff, sdDiff, rowRatio: ratio, se, t: meanDiff > 0 ? Infinity : -Infinity, df, p: 0 };
  }
  const t = meanDiff / se;
  return { kind: 'paired', pairs: J, meanDiff, sdDiff, rowRatio: ratio, se, t, df, p: studentTTwoSided(t, df) };
}

/** a against b: paired when at least two trials pair up, else Welch's test, else null (n < 2). */
export function compareTrials(a: readonly TrialPoint[], b: readonly TrialPoint[], metric?: string): Comparison | null {
  const paired = pairedTest(a, b, metric);
  if (paired) return paired;
  if (a.length < 2 || b.length < 2) return null;
  const w = welchTest(summarize(a.map((p) => p.value)), summarize(b.map((p) => p.value)));
  return w && { kind: 'welch', ...w };
}

/**
 * One-sided p-value that a is *worse* than b, from a comparison of a − b: the evidence for "a is worse"
 * (small p) against "a is at least as good". Exactly equal sides give 1. Any t statistic of a − b
 * with its degrees of freedom will do (test-rows.ts compares two models on the same test rows).
 */
export function pWorse(c: Pick<Comparison, 't' | 'df'>, higherIsBetter: boolean): number {
  if (c.t === 0) return 1;
  // Higher is better: a worse means a − b < 0, i.e. the lower tail.
  return higherIsBetter ? studentTCdf(c.t, c.df) : studentTCdf(-c.t, c.df);
}

/** One-sided p-value that a is *better* than b (the mirror of pWorse). */
export function pBetter(c: Pick<Comparison, 't' | 'df'>, higherIsBetter: boolean): number {
  return pWorse(c, !higherIsBetter);
}

/** How a comparison was made, for a note or a tooltip. */
export function comparisonName(c: Pick<Comparison, 'kind'>): string {
  return c.kind === 'paired' ? 'paired t-test, Nadeau–Bengio corrected' : "Welch's t-test (trials could not be paired)";
}
