/**
 * The statistics behind the layer-choice report, as pure functions:
 *  - per candidate: mean, sample standard deviation, standard error (s / √n) and a 95 % confidence
 *    interval over its trials (folds × repeats), with Student's t quantile for n − 1 degrees of
 *    freedom. The standard error is what "±" means everywhere (src/report/format.ts);
 *  - a ranking by mean in the metric's direction, marking the candidates that are statistically
 *    indistinguishable from the best ("≈ best": two-sided p ≥ 0.05, see below);
 *  - the recommendation by the one-standard-error rule: the smallest candidate (parameter count)
 *    whose mean lies within one standard error of the best's mean — the best's standard error, the
 *    very number shown as "±" beside it — and that the paired test does not find worse than the
 *    best, among the candidates that beat the baseline;
 *  - each candidate against the baseline (runs/<id>/baseline.json) on the same trials;
 *  - the test scores (trials[].test, model/final.json), which are shown and never used to choose;
 *  - the Pareto front over (parameters, lower is better) × (metric, in its direction).
 *
 * **Paired comparisons.** Every candidate of a run is trained on the same splits: the split of
 * (repeat r, fold f) depends only on the sweep's seed, r and f (src/data/split.ts), never on the
 * candidate, and each trial records a fingerprint of its samples (trials[].split) that pairing
 * checks. So the trials of two candidates pair up by (repeat, fold), and what varies between
 * splits (an easy validation fold, a lucky shuffle) cancels in the per-trial differences. Comparisons
 * use those J paired differences d_j (candidate − best, or candidate − baseline) with the
 * Nadeau–Bengio corrected resampled t-test (Nadeau & Bengio, "Inference for the Generalization
 * Error", Machine Learning 52, 2003):
 *
 *     t = mean(d) / √( s_d² · (1/J + n_val/n_train) ),   J − 1 degrees of freedom,
 *
 * with n_val / n_train the validation-to-training row ratio of the paired trials (their valRows and
 * trainRows). The plain paired t-test uses 1/J alone and is far too confident on resampled data: the
 * training sets of different trials overlap, so the differences are positively correlated and s_d²/J
 * underestimates the variance; the n_val/n_train term is their correction (Bouckaert & Frank 2004
 * apply the same correction to repeated k-fold cross-validation, where n_val/n_train = 1/(k − 1)).
 * Welch's unpaired test is kept only where pairs cannot be formed (fewer than two shared
 * (repeat, fold) trials, e.g. documents of different runs); a comparison says which test it used.
 *
 * Why a test rather than overlapping intervals: two 95 % intervals can overlap while the difference
 * of the means is significant at 5 %, so "overlap" is a conservative test of unknown level.
 *
 * The one-standard-error rule and the intervals use the plain standard error s / √n over trials, the
 * conventional cross-validation standard error (Hastie, Tibshirani & Friedman, ESL §7.10); like the
 * uncorrected paired test it understates the uncertainty of resampled estimates, which is why "≈ best"
 * is decided by the corrected test and not by the intervals.
 */
import { higherIsBetter as metricHigherIsBetter, rankingMetric, type SweepSpec } from '../sweep/schema.js';
import type { BaselineDoc } from '../results/baseline.js';
import type { CandidateDoc } from '../results/document.js';
import type { FinalModelDoc } from '../results/final-model.js';
import { count, fmtInt, fmtInterval, fmtMeanSe, fmtRatio, fmtUncertainty, fmtValue, metricUnit, pEquals, withUnit } from './format.js';

// The formatting helpers lived here before src/report/format.ts; kept importable from here.
export { fmt, fmtInt, fmtP, fmtRatio, fmtSeconds } from './format.js';
// ---------------------------------------------------------------------------------------------
// Special functions: log-gamma, the regularised incomplete beta, Student's t and the normal.
// ---------------------------------------------------------------------------------------------

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Above this many degrees of freedom Student's t is the normal distribution to better than 1e-5. */
const NORMAL_DF = 1e6;

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be Infinity). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (df > NORMAL_DF) return normalCdf(t);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Two-sided tail probability P(|T| ≥ |t|), computed directly so tiny p-values keep their precision. */
export function studentTTwoSided(t: number, df: number): number {
  if (df > NORMAL_DF) return 2 * normalCdf(-Math.abs(t));
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The standard normal CDF, via erfc (fractional error below 1.2e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes' erfcc (Chebyshev fit, fractional error < 1.2e-7 everywhere). Only used for
  // df beyond NORMAL_DF; every finite-df probability goes through the incomplete beta.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** The standard normal quantile (Acklam's algorithm, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`probability must be in (0, 1), got ${p}`);
  }
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * The p-quantile of Student's t with `df` degrees of freedom: the t with P(T ≤ t) = p. Solved by
 * bisection on the exact CDF (the regularised incomplete beta), so it is right for every df, small
 * or fractional (Welch–Satterthwaite df are fractional); df = Infinity gives the normal quantile.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (df > NORMAL_DF) return normalQuantile(p);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  // Upper tail: find t ≥ 0 with P(T > t) = 1 − p, i.e. 0.5 · I_{df/(df+t²)}(df/2, 1/2) = 1 − p.
  const target = 1 - p;
  const tail = (t: number) => 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  let lo = 0;
  let hi = Math.max(1, normalQuantile(p));
  while (tail(hi) > target) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------------------------------------
// Per-candidate summary; the paired (Nadeau–Bengio) and unpaired (Welch) tests.
// ---------------------------------------------------------------------------------------------

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); null when n < 2. */
  std: number | null;
  /** Standard error of the mean, std / √n; null when n < 2. */
  se: number | null;
  /** The t quantile used for the interval (t(0.975, n − 1)); null when n < 2. */
  tCritical: number | null;
  /** 95 % confidence interval of the mean; null when n < 2 (one trial says nothing about spread). */
  ci: { lo: number; hi: number } | null;
}

/** Mean, standard deviation, standard error and the 95 % Student-t interval of a sample. */
export function summarize(values: readonly number[], level = 0.95): Summary {
  const n = values.length;
  if (n === 0) throw new RangeError('cannot summarise an empty sample');
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { n, mean, std: null, se: null, tCritical: null, ci: null };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  const std = Math.sqrt(ss / (n - 1));
  const se = std / Math.sqrt(n);
  const tCritical = tQuantile(1 - (1 - level) / 2, n - 1);
  return { n, mean, std, se, tCritical, ci: { lo: mean - tCritical * se, hi: mean + tCritical * se } };
}

export interface WelchResult {
  t: number;
  /** Welch–Satterthwaite degrees of freedom (Infinity when both samples have zero spread). */
  df: number;
  /** Two-sided p-value of "the means are equal". */
  p: number;
}

/**
 * Welch's two-sample t-test from two summaries. Null when either sample has fewer than two values
 * (no variance estimate, so no test). Two zero-spread samples: p = 1 if the means are equal, else 0.
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

/** One trial's validation score and where it came from: (repeat, fold) identifies its split. */
export interface TrialPoint {
  repeat: number;
  fold: number;
  value: number;
  /** Rows of the split; absent for a baseline's trials. */
  trainRows?: number;
  valRows?: number;
  /** Fingerprint of the split's samples (trials[].split); absent in older documents. */
  split?: string;
}

/** A document's trials as points (finite validation scores only). */
export function trialPoints(doc: Pick<CandidateDoc, 'trials'>): TrialPoint[] {
  return doc.trials
    .filter((t) => Number.isFinite(t.valMetric))
    .map((t) => ({ repeat: t.repeat, fold: t.fold, value: t.valMetric, trainRows: t.trainRows, valRows: t.valRows, ...(t.split ? { split: t.split } : {}) }));
}

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

/** Welch's test, for when the trials of the two sides cannot be paired. */
export interface UnpairedTest extends WelchResult {
  kind: 'welch';
}

export type Comparison = PairedTest | UnpairedTest;

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
 * The Nadeau–Bengio corrected resampled t-test of a − b over the trials the two share (see the module
 * comment). The row ratio comes from the paired trials' valRows / trainRows (either side's; they are
 * the same splits). Null with fewer than two pairs. Zero spread in the differences: p = 1 when they
 * are all 0, else p = 0.
 */
export function pairedTest(a: readonly TrialPoint[], b: readonly TrialPoint[]): PairedTest | null {
  const pairs = pairTrials(a, b);
  const J = pairs.length;
  if (J < 2) return null;
  const d = pairs.map(([x, y]) => x.value - y.value);
  const meanDiff = d.reduce((s, x) => s + x, 0) / J;
  const sdDiff = Math.sqrt(d.reduce((s, x) => s + (x - meanDiff) ** 2, 0) / (J - 1));
  let val = 0;
  let train = 0;
  for (const [x, y] of pairs) {
    val += x.valRows ?? y.valRows ?? 0;
    train += x.trainRows ?? y.trainRows ?? 0;
  }
  const rowRatio = train > 0 ? val / train : 0;
  const se = sdDiff * Math.sqrt(1 / J + rowRatio);
  const df = J - 1;
  if (se === 0) {
    return meanDiff === 0
      ? { kind: 'paired', pairs: J, meanDiff, sdDiff, rowRatio, se, t: 0, df, p: 1 }
      : { kind: 'paired', pairs: J, meanDiff, sdDiff, rowRatio, se, t: meanDiff > 0 ? Infinity : -Infinity, df, p: 0 };
  }
  const t = meanDiff / se;
  return { kind: 'paired', pairs: J, meanDiff, sdDiff, rowRatio, se, t, df, p: studentTTwoSided(t, df) };
}

/** a against b: paired when at least two trials pair up, else Welch's test, else null (n < 2). */
export function compareTrials(a: readonly TrialPoint[], b: readonly TrialPoint[]): Comparison | null {
  const paired = pairedTest(a, b);
  if (paired) return paired;
  if (a.length < 2 || b.length < 2) return null;
  const w = welchTest(
    summarize(a.map((p) => p.value)),
    summarize(b.map((p) => p.value)),
  );
  return w && { kind: 'welch', ...w };
}

/** How a comparison was made, for a note or a tooltip. */
export function comparisonName(c: Pick<Comparison, 'kind'>): string {
  return c.kind === 'paired' ? 'paired t-test, Nadeau–Bengio corrected' : "Welch's t-test (trials could not be paired)";
}

// ---------------------------------------------------------------------------------------------
// The baseline and the test scores.
// ---------------------------------------------------------------------------------------------

export type BaselineVerdict =
  /** Better on the same trials, significantly (paired test, p < 0.05). */
  | 'beats'
  /** Better on average, but the paired test cannot rule out chance (p ≥ 0.05). */
  | 'not-clearly-better'
  /** Better on average; one trial, so no test. */
  | 'better-untested'
  /** Not better on average: the network does not beat a model without one. */
  | 'does-not-beat';

export interface BaselineComparison {
  verdict: BaselineVerdict;
  /** Candidate minus baseline, mean over the shared trials (over all trials when none are shared). */
  difference: number;
  /** The paired test; null with fewer than two shared trials. */
  test: PairedTest | null;
}

export interface BaselineSummary {
  name: BaselineDoc['name'];
  description: string;
  /** Over its trials (the candidates' splits). */
  summary: Summary;
  points: TrialPoint[];
  /** Fitted on all non-test rows, scored on the test split; null without a test split. */
  test: BaselineDoc['test'];
}

/** The baseline document as the analysis uses it; null when it has no finite trial. */
export function baselineSummary(doc: BaselineDoc): BaselineSummary | null {
  const points = doc.trials
    .filter((t) => Number.isFinite(t.valMetric))
    .map((t) => {
      // Baselines written with split fingerprints carry them per trial, like the candidates.
      const split = (t as { split?: unknown }).split;
      return { repeat: t.repeat, fold: t.fold, value: t.valMetric, ...(typeof split === 'string' ? { split } : {}) };
    });
  const values = points.length > 0 ? points.map((p) => p.value) : Number.isFinite(doc.mean) ? [doc.mean] : [];
  if (values.length === 0) return null;
  return { name: doc.name, description: doc.description, summary: summarize(values), points, test: doc.test };
}

/** A candidate against the baseline on the trials they share. */
export function compareWithBaseline(points: readonly TrialPoint[], mean: number, baseline: BaselineSummary, higherIsBetter: boolean): BaselineComparison {
  const pairs = pairTrials(points, baseline.points);
  const difference =
    pairs.length > 0 ? pairs.reduce((s, [x, y]) => s + x.value - y.value, 0) / pairs.length : mean - baseline.summary.mean;
  const test = pairedTest(points, baseline.points);
  const isBetter = higherIsBetter ? difference > 0 : difference < 0;
  const verdict: BaselineVerdict = !isBetter ? 'does-not-beat' : test === null ? 'better-untested' : test.p < SIGNIFICANCE ? 'beats' : 'not-clearly-better';
  return { verdict, difference, test };
}

/** A candidate's test scores over its trials (trials[].test); null when none has one. */
export function testSummary(doc: Pick<CandidateDoc, 'trials'>): (Summary & { rows: number }) | null {
  const tests = doc.trials.map((t) => t.test).filter((t): t is NonNullable<typeof t> => t !== undefined && Number.isFinite(t.metric));
  if (tests.length === 0) return null;
  return { ...summarize(tests.map((t) => t.metric)), rows: Math.round(tests.reduce((s, t) => s + t.rows, 0) / tests.length) };
}

// ---------------------------------------------------------------------------------------------
// Ranking, the one-standard-error recommendation, the Pareto front.
// ---------------------------------------------------------------------------------------------

export const SIGNIFICANCE = 0.05;

export interface RankedCandidate {
  doc: CandidateDoc;
  id: string;
  /** `dense d3 w64`: the family, depth and width as the report names them. */
  label: string;
  depth: number;
  width: number;
  /** Parameter count; null when the document has neither a count nor layer summaries. */
  params: number | null;
  summary: Summary;
  /** The validation score of every trial, with its (repeat, fold). */
  points: TrialPoint[];
  /** 1 = best. Ties in the mean go to the smaller network. */
  rank: number;
  /** The candidate against the best (paired when possible); null for the best itself or when n < 2. */
  vsBest: Comparison | null;
  /**
   * Statistically indistinguishable from the best: p ≥ 0.05 in `vsBest`. True for the best itself;
   * null when untestable (one trial).
   */
  indistinguishable: boolean | null;
  /** Mean within one standard error (the best's) of the best mean; null when the best has n < 2. */
  withinOneSe: boolean | null;
  pareto: boolean;
  /** Against the run's baseline; null when the run has none. */
  vsBaseline: BaselineComparison | null;
  /** Scores on the held-out test split over the trials — shown, never used for choosing. */
  test: (Summary & { rows: number }) | null;
}

export interface Recommendation {
  candidate: RankedCandidate;
  /** Which rule chose it. */
  rule: 'one-standard-error' | 'best-only';
  /** The reason, written out as a sentence. */
  reason: string;
}

export interface RunAnalysis {
  metric: string;
  higherIsBetter: boolean;
  /** The metric's unit (dataset.unit for errors, squared for mse); null for accuracy or when none was given. */
  unit: string | null;
  /** Succeeded candidates with finite metric values, best first. */
  ranked: RankedCandidate[];
  /** Failed candidates, and succeeded ones without a finite metric value. */
  failed: CandidateDoc[];
  best: RankedCandidate | null;
  recommended: Recommendation | null;
  /** Why there is no recommendation although candidates were ranked (none beats the baseline). */
  noRecommendation: string | null;
  /** The Pareto front, fewest parameters first. */
  pareto: RankedCandidate[];
  /** Trials per candidate (the most common n). */
  trialsPerCandidate: number;
  /** The run's baseline on the same splits; null for runs without baseline.json. */
  baseline: BaselineSummary | null;
  /** The refit recommended model's document (model/final.json); null until Finalize wrote it. */
  final: FinalModelDoc | null;
}

/** Parameter count of a document: the recorded count, or the sum over its layer summaries. */
export function parameterCount(doc: CandidateDoc): number | null {
  if (doc.parameterCount !== null) return doc.parameterCount;
  return doc.layers.length > 0 ? doc.layers.reduce((s, l) => s + l.params, 0) : null;
}

export function candidateLabel(doc: Pick<CandidateDoc, 'candidate'>): string {
  const c = doc.candidate;
  return `${c.family} d${c.depth} w${c.width}`;
}

/** The per-trial metric values of a document (the recorded list, else each trial's valMetric). */
export function metricValues(doc: CandidateDoc): number[] {
  return doc.metric.values.length > 0 ? doc.metric.values : doc.trials.map((t) => t.valMetric);
}

/** "a is better than b" in the metric's direction. */
export function better(a: number, b: number, higherIsBetter: boolean): boolean {
  return higherIsBetter ? a > b : a < b;
}

/** Sort comparator: better means first, equal means 0. */
function byMean(a: number, b: number, higherIsBetter: boolean): number {
  return a === b ? 0 : better(a, b, higherIsBetter) ? -1 : 1;
}

/**
 * The Pareto front over (parameters, fewer is better) × (metric, in its direction): the candidates no
 * other candidate beats on one axis while matching or beating it on the other. Fewest parameters first.
 * Candidates without a parameter count cannot be placed and are left out.
 */
export function paretoFront<T extends { params: number | null; summary: { mean: number } }>(items: readonly T[], higherIsBetter: boolean): T[] {
  const placed = items.filter((c) => c.params !== null);
  const front = placed.filter((c) =>
    !placed.some((o) => {
      if (o === c) return false;
      const noWorseParams = o.params! <= c.params!;
      const noWorseMetric = o.summary.mean === c.summary.mean || better(o.summary.mean, c.summary.mean, higherIsBetter);
      const strictlyBetter = o.params! < c.params! || better(o.summary.mean, c.summary.mean, higherIsBetter);
      return noWorseParams && noWorseMetric && strictlyBetter;
    }),
  );
  // Exact duplicates (same params, same mean) are both on the front; keep one of each point.
  const seen = new Set<string>();
  return front
    .sort((a, b) => a.params! - b.params! || byMean(a.summary.mean, b.summary.mean, higherIsBetter))
    .filter((c) => {
      const k = `${c.params}|${c.summary.mean}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/** `dense d1 w16 (193 params)`, or with the metric: `dense d3 w64 (9,089 params, accuracy 0.8420 ± 0.0035)`. */
export function describeCandidate(c: RankedCandidate, metric: string, unit: string | null, withMetric: boolean): string {
  const params = c.params === null ? 'unknown parameter count' : `${fmtInt(c.params)} params`;
  if (!withMetric) return `${c.label} (${params})`;
  return `${c.label} (${params}, ${metric} ${fmtMeanSe(c.summary.mean, c.summary.se, unit)})`;
}

/** Whether a candidate may be recommended: it does not lose to the baseline (or there is none). */
const eligible = (c: RankedCandidate) => c.vsBaseline?.verdict !== 'does-not-beat';

/**
 * The one-standard-error rule: among candidates whose mean is within one standard error of the best
 * mean (the best's standard error, as in Breiman et al. and ESL §7.10) and that the paired test does
 * not find significantly worse, pick the smallest by parameter count; ties go to the better mean. Candidates that do not beat the baseline are never chosen; when
 * none beats it there is no recommendation. With one trial per candidate there is no standard error,
 * so the best is recommended and the reason says why.
 */
export function recommend(ranked: readonly RankedCandidate[], metric: string, higherIsBetter: boolean, unit: string | null = null): Recommendation | null {
  const best = ranked[0];
  const pool = ranked.filter(eligible);
  if (!best || pool.length === 0) return null;
  const lead = pool[0]!;
  const se = best.summary.se;
  if (se === null) {
    return {
      candidate: lead,
      rule: 'best-only',
      reason:
        `${describeCandidate(lead, metric, unit, true)} has the best mean ${metric}; each candidate was trained once, so there is ` +
        'no standard error and no interval, and the report cannot tell which smaller networks are as good — set evaluation.repeats ' +
        'or cross-validate (evaluation.strategy "kfold") to let it.',
    };
  }
  // "As good as the best": within one standard error, and not found worse by the paired test (a
  // candidate whose every trial trails the best's is resolved from it, however small the gap).
  const within = pool.filter((c) => c.withinOneSe === true && c.indistinguishable !== false && c.params !== null);
  const chosen =
    [...within].sort((a, b) => a.params! - b.params! || byMean(a.summary.mean, b.summary.mean, higherIsBetter) || a.rank - b.rank)[0] ??
    lead;
  const seText = withUnit(fmtUncertainty(se), unit);
  if (chosen === best && se === 0) {
    // Trials that agree exactly (granular metrics, few repeats) give a standard error of 0: the rule
    // then admits nothing, which says more about the estimate than about the networks.
    const alike = pool.filter((c) => c !== best && c.indistinguishable === true && c.params !== null && best.params !== null && c.params < best.params);
    const smallest = [...alike].sort((a, b) => a.params! - b.params!)[0];
    return {
      candidate: best,
      rule: 'one-standard-error',
      reason:
        `${describeCandidate(best, metric, unit, true)} is the best; its ${best.summary.n} trials scored exactly the same, so its standard error is 0 ` +
        'and no other candidate is within one standard error of it; choose it' +
        (smallest
          ? `, though the paired test cannot tell the smaller ${describeCandidate(smallest, metric, unit, false)} from it (${pEquals(smallest.vsBest!.p)}) — more repeats (evaluation.repeats) would let the rule weigh it.`
          : '.'),
    };
  }
  if (chosen === best) {
    const smaller = ranked.filter((c) => c !== best && c.params !== null && best.params !== null && c.params < best.params).length;
    return {
      candidate: best,
      rule: 'one-standard-error',
      reason:
        smaller === 0
          ? `${describeCandidate(best, metric, unit, true)} is both the best and the smallest network in the sweep; choose it.`
          : smaller === 1
            ? `${describeCandidate(best, metric, unit, true)} is the best, and the one smaller candidate is not within one standard error (${seText}) of it; choose it.`
            : `${describeCandidate(best, metric, unit, true)} is the best, and none of the ${smaller} smaller candidates is within one standard error (${seText}) of it; choose it.`,
    };
  }
  if (chosen === lead && lead !== best) {
    return {
      candidate: lead,
      rule: 'one-standard-error',
      reason: `${describeCandidate(lead, metric, unit, true)} is the best candidate that beats the baseline; choose it.`,
    };
  }
  const ratio = best.params !== null && chosen.params ? best.params / chosen.params : null;
  const gain = ratio === null ? 'a smaller network' : `${fmtRatio(ratio)} fewer parameters`;
  return {
    candidate: chosen,
    rule: 'one-standard-error',
    reason:
      `${describeCandidate(chosen, metric, unit, false)} is within one standard error (${seText}) of the best, ` +
      `${describeCandidate(best, metric, unit, true)}; choose it: ${gain} for a difference the data cannot resolve.`,
  };
}

export interface AnalyzeExtras {
  /** runs/<id>/baseline.json, when the run has one. */
  baseline?: BaselineDoc | null;
  /** runs/<id>/model/final.json, when Finalize wrote it. */
  final?: FinalModelDoc | null;
}

/** Rank a run's candidate documents and recommend one. The spec gives the metric, its direction and unit. */
export function analyzeRun(docs: readonly CandidateDoc[], spec?: Pick<SweepSpec, 'dataset' | 'evaluation'>, extras: AnalyzeExtras = {}): RunAnalysis {
  const metric = spec ? rankingMetric(spec) : (docs[0]?.metric.name ?? 'metric');
  const hib = spec ? metricHigherIsBetter(rankingMetric(spec)) : (docs[0]?.metric.higherIsBetter ?? true);
  const unit = metricUnit(metric, spec?.dataset.unit);
  const baseline = extras.baseline ? baselineSummary(extras.baseline) : null;
  type Unranked = Omit<RankedCandidate, 'rank' | 'vsBest' | 'indistinguishable' | 'withinOneSe' | 'pareto'>;
  const ok: Unranked[] = [];
  const failed: CandidateDoc[] = [];
  for (const doc of docs) {
    const values = metricValues(doc);
    // A candidate with a non-finite trial is failed as a whole: dropping the trial would bias its mean.
    if (doc.status !== 'succeeded' || values.length === 0 || values.some((v) => !Number.isFinite(v))) {
      failed.push(doc);
      continue;
    }
    const summary = summarize(values);
    const points = trialPoints(doc);
    ok.push({
      doc,
      id: doc.candidate.id,
      label: candidateLabel(doc),
      depth: doc.candidate.depth,
      width: doc.candidate.width,
      params: parameterCount(doc),
      summary,
      points,
      vsBaseline: baseline ? compareWithBaseline(points, summary.mean, baseline, hib) : null,
      test: testSummary(doc),
    });
  }
  ok.sort(
    (a, b) =>
      byMean(a.summary.mean, b.summary.mean, hib) ||
      (a.params ?? Infinity) - (b.params ?? Infinity) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const best = ok[0];
  const ranked: RankedCandidate[] = ok.map((c, i) => {
    const isBest = i === 0;
    const vsBest = isBest || !best ? null : compareTrials(c.points, best.points);
    const se = best?.summary.se ?? null;
    const withinOneSe = se === null ? (isBest ? true : null) : Math.abs(best!.summary.mean - c.summary.mean) <= se * (1 + 1e-12);
    return {
      ...c,
      rank: i + 1,
      vsBest,
      indistinguishable: isBest ? true : vsBest === null ? null : vsBest.p >= SIGNIFICANCE,
      withinOneSe,
      pareto: false,
    };
  });
  const pareto = paretoFront(ranked, hib);
  for (const c of pareto) c.pareto = true;
  const ns = ranked.map((c) => c.summary.n);
  const trialsPerCandidate = ns.length === 0 ? 0 : mode(ns);
  const recommended = recommend(ranked, metric, hib, unit);
  return {
    metric,
    higherIsBetter: hib,
    unit,
    ranked,
    failed,
    best: ranked[0] ?? null,
    recommended,
    noRecommendation: recommended === null && ranked[0] && baseline ? noNetworkBeatsBaseline(ranked[0], baseline, metric, unit) : null,
    pareto,
    trialsPerCandidate,
    baseline,
    final: extras.final ?? null,
  };
}

function noNetworkBeatsBaseline(best: RankedCandidate, baseline: BaselineSummary, metric: string, unit: string | null): string {
  return (
    `No network beats the baseline: "${baseline.name}" — ${baseline.description} — scores ${metric} ` +
    `${fmtMeanSe(baseline.summary.mean, baseline.summary.se, unit)} on the same splits, and even the best network, ` +
    `${describeCandidate(best, metric, unit, true)}, does no better. Use the baseline, or revisit the features, the target or the training settings.`
  );
}

function mode(xs: number[]): number {
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
}

/** One sentence on how sure the report is, for the answer up front. */
export function certaintySentence(a: RunAnalysis): string {
  const best = a.best;
  if (!best) return 'No candidate produced a metric, so there is nothing to recommend.';
  const n = best.summary.n;
  if (best.summary.se === null) {
    return 'Each candidate was trained once, so there is no standard error and no interval: treat the ranking as a single draw.';
  }
  const others = a.ranked.filter((c) => c !== best);
  const tested = others.filter((c) => c.indistinguishable !== null);
  const indist = tested.filter((c) => c.indistinguishable === true).length;
  const untestable = others.length - tested.length;
  const welch = others.filter((c) => c.vsBest?.kind === 'welch').length;
  const test = welch === tested.length ? "Welch's t-test; the trials could not be paired" : 'paired t-test on the same folds and repeats, Nadeau–Bengio corrected';
  const lower = `significantly ${a.higherIsBetter ? 'lower' : 'higher'} (${test}, p < ${SIGNIFICANCE})`;
  const same = `statistically indistinguishable from it (${test}, p ≥ ${SIGNIFICANCE})`;
  const parts = [
    `The best mean ${a.metric} is ${fmtMeanSe(best.summary.mean, best.summary.se, a.unit)} (mean ± standard error; 95 % CI ${fmtInterval(best.summary.ci, best.summary.se, a.unit)}, n = ${n} trials).`,
  ];
  if (others.length === 0) parts.push('It was the only candidate with a result.');
  else if (tested.length === 1) parts.push(`The ${others.length === 1 ? 'other' : 'one testable'} candidate is ${indist === 1 ? same : lower}.`);
  else if (tested.length > 1) {
    if (indist === 0) parts.push(`All ${tested.length} ${others.length === tested.length ? 'other' : 'testable'} candidates are ${lower}.`);
    else if (indist === tested.length) parts.push(`All ${tested.length} ${others.length === tested.length ? 'other' : 'testable'} candidates are ${same}.`);
    else parts.push(`${indist} of the other ${tested.length} candidates ${indist === 1 ? 'is' : 'are'} ${same}.`);
  }
  if (welch > 0 && welch < others.length) parts.push(`${count(welch, 'candidate')} could not be paired with it and ${welch === 1 ? 'was' : 'were'} compared with Welch's t-test.`);
  if (untestable > 0) parts.push(`${count(untestable, 'candidate')} could not be tested (one trial).`);
  return parts.join(' ');
}

/** One sentence on the baseline and which candidates beat it; null without a baseline. */
export function baselineSentence(a: RunAnalysis): string | null {
  const b = a.baseline;
  if (!b) return null;
  const score = `${a.metric} ${fmtMeanSe(b.summary.mean, b.summary.se, a.unit)}`;
  const head = `The baseline "${b.name}" — ${b.description} — scores ${score} on the same splits.`;
  if (a.ranked.length === 0) return head;
  const by = (v: BaselineVerdict) => a.ranked.filter((c) => c.vsBaseline?.verdict === v).length;
  const beats = by('beats');
  const unclear = by('not-clearly-better');
  const untested = by('better-untested');
  const loses = by('does-not-beat');
  const total = a.ranked.length;
  const parts: string[] = [head];
  if (loses === total) parts.push(total === 1 ? 'The only candidate does not beat it.' : `None of the ${total} candidates beats it.`);
  else {
    if (beats > 0) parts.push(`${beats === total ? (total === 1 ? 'The only candidate beats' : `All ${total} candidates beat`) : `${beats} of ${count(total, 'candidate')} ${beats === 1 ? 'beats' : 'beat'}`} it significantly (paired test on the same trials, p < ${SIGNIFICANCE}).`);
    if (unclear > 0) parts.push(`${count(unclear, 'candidate')} ${unclear === 1 ? 'is' : 'are'} better on average but not clearly (p ≥ ${SIGNIFICANCE}).`);
    if (untested > 0) parts.push(`${count(untested, 'candidate')} ${untested === 1 ? 'is' : 'are'} better in a single trial (no test possible).`);
    if (loses > 0) parts.push(`${count(loses, 'candidate')} ${loses === 1 ? 'does' : 'do'} not beat it.`);
  }
  return parts.join(' ');
}

/** What a candidate's baseline verdict looks like as a mark; null when it beats the baseline or there is none. */
export function baselineMark(c: Pick<RankedCandidate, 'vsBaseline'>): { short: string; title: string } | null {
  const v = c.vsBaseline;
  if (!v) return null;
  if (v.verdict === 'does-not-beat') return { short: 'below baseline', title: 'not better than the baseline on the same trials' };
  if (v.verdict === 'not-clearly-better') {
    return { short: 'ns vs baseline', title: `better than the baseline on average, but not significantly${v.test ? ` (${pEquals(v.test.p)})` : ''}` };
  }
  return null;
}

/** The test score quoted for the recommendation: the final model's, else the mean over its trials' models. */
export interface RecommendedTest {
  source: 'final model' | 'trial models';
  score: number;
  /** 95 % interval over trials; null for the final model (one model) or one trial. */
  ci: { lo: number; hi: number } | null;
  se: number | null;
  n: number;
  rows: number;
  /** The recommended candidate's validation 95 % interval; null with one trial. */
  validationCi: { lo: number; hi: number } | null;
  /**
   * The test score lies outside the validation interval; null when there is no interval to check: one
   * trial, or trials that agree exactly (a zero-width interval says nothing about unseen data).
   */
  outside: boolean | null;
  /** Worse than the validation mean, in the metric's direction. */
  worse: boolean;
}

/** The recommended candidate's test score and how it relates to its validation interval; null without one. */
export function recommendedTest(a: RunAnalysis): RecommendedTest | null {
  const rec = a.recommended?.candidate;
  if (!rec) return null;
  const fin = a.final && a.final.candidateId === rec.id && a.final.status === 'succeeded' && a.final.test ? a.final.test : null;
  const base = fin
    ? { source: 'final model' as const, score: fin.metric, ci: null, se: null, n: 1, rows: fin.rows }
    : rec.test
      ? { source: 'trial models' as const, score: rec.test.mean, ci: rec.test.ci, se: rec.test.se, n: rec.test.n, rows: rec.test.rows }
      : null;
  if (!base) return null;
  const v = rec.summary.ci;
  return {
    ...base,
    validationCi: v,
    outside: v === null || v.hi === v.lo ? null : base.score < v.lo || base.score > v.hi,
    worse: better(rec.summary.mean, base.score, a.higherIsBetter),
  };
}

/** A test score as written everywhere: the value (± its standard error over trials) and what it is. */
export function fmtTestScore(score: number, se: number | null, unit: string | null): string {
  return se === null ? withUnit(fmtValue(score), unit) : fmtMeanSe(score, se, unit);
}
