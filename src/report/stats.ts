/**
 * The statistics behind the layer-choice report, as pure functions:
 *  - per candidate: mean, sample standard deviation, standard error and a 95 % confidence interval
 *    over its trials (folds × repeats), with Student's t quantile for n − 1 degrees of freedom;
 *  - a ranking by mean in the metric's direction, marking the candidates that are statistically
 *    indistinguishable from the best (Welch's t-test, two-sided, p ≥ 0.05);
 *  - the recommendation by the one-standard-error rule: the smallest candidate (parameter count)
 *    whose mean lies within one standard error of the best's mean (the best's standard error);
 *  - the Pareto front over (parameters, lower is better) × (metric, in its direction).
 *
 * Why Welch rather than overlapping intervals: two 95 % intervals can overlap while the difference of
 * the means is significant at 5 %, so "overlap" is a conservative test of unknown level. Welch's test
 * answers the question actually asked (could the two means be equal?) without assuming equal variances.
 */
import { higherIsBetter as metricHigherIsBetter, rankingMetric, type SweepSpec } from '../spec/schema.js';
import type { CandidateDoc } from '../results/document.js';
import { fmt, fmtInt, fmtRatio } from './format.js';

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
// Per-candidate summary and Welch's test.
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
  /** 1 = best. Ties in the mean go to the smaller network. */
  rank: number;
  /** Welch's test against the best; null for the best itself or when a test is impossible (n < 2). */
  welch: WelchResult | null;
  /**
   * Statistically indistinguishable from the best: Welch p ≥ 0.05. True for the best itself;
   * null when untestable (either side has one trial).
   */
  indistinguishable: boolean | null;
  /** Mean within one standard error (the best's) of the best mean; null when the best has n < 2. */
  withinOneSe: boolean | null;
  pareto: boolean;
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
  /** Succeeded candidates with at least one metric value, best first. */
  ranked: RankedCandidate[];
  /** Failed candidates, and succeeded ones without a metric value. */
  failed: CandidateDoc[];
  best: RankedCandidate | null;
  recommended: Recommendation | null;
  /** The Pareto front, fewest parameters first. */
  pareto: RankedCandidate[];
  /** Trials per candidate (the most common n). */
  trialsPerCandidate: number;
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
  const v = doc.metric.values.length > 0 ? doc.metric.values : doc.trials.map((t) => t.valMetric);
  return v.filter((x) => Number.isFinite(x));
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

function describe(c: RankedCandidate, metric: string, withMetric: boolean): string {
  const params = c.params === null ? 'unknown parameter count' : `${fmtInt(c.params)} params`;
  if (!withMetric) return `${c.label} (${params})`;
  const se = c.summary.se === null ? '' : ` ± ${fmt(c.summary.se)}`;
  return `${c.label} (${params}, ${metric} ${fmt(c.summary.mean)}${se})`;
}

/**
 * The one-standard-error rule: among candidates whose mean is within one standard error of the best
 * mean (the best's standard error, as in Breiman et al. and ESL §7.10), pick the smallest by parameter
 * count; ties go to the better mean. With one trial per candidate there is no standard error, so the
 * best is recommended and the reason says why.
 */
export function recommend(ranked: readonly RankedCandidate[], metric: string, higherIsBetter: boolean): Recommendation | null {
  const best = ranked[0];
  if (!best) return null;
  const se = best.summary.se;
  if (se === null) {
    return {
      candidate: best,
      rule: 'best-only',
      reason:
        `${describe(best, metric, true)} has the best mean ${metric}; with one trial per candidate there is no ` +
        'standard error, so the report cannot tell which smaller networks are as good — run repeats or k-fold ' +
        'cross-validation (evaluation.repeats / evaluation.strategy) to let it.',
    };
  }
  const within = ranked.filter((c) => c.withinOneSe === true && c.params !== null);
  const chosen =
    [...within].sort((a, b) => a.params! - b.params! || byMean(a.summary.mean, b.summary.mean, higherIsBetter) || a.rank - b.rank)[0] ??
    best;
  if (chosen === best) {
    const smaller = ranked.filter((c) => c !== best && c.params !== null && best.params !== null && c.params < best.params).length;
    return {
      candidate: best,
      rule: 'one-standard-error',
      reason:
        smaller === 0
          ? `${describe(best, metric, true)} is both the best and the smallest network in the sweep; choose it.`
          : `${describe(best, metric, true)} is the best, and none of the ${smaller} smaller candidate${smaller === 1 ? '' : 's'} ` +
            `comes within one standard error (${fmt(se)}) of it; choose it.`,
    };
  }
  const ratio = best.params !== null && chosen.params ? best.params / chosen.params : null;
  const gain = ratio === null ? 'a smaller network' : `${fmtRatio(ratio)} fewer parameters`;
  return {
    candidate: chosen,
    rule: 'one-standard-error',
    reason:
      `${describe(chosen, metric, false)} is within one standard error (${fmt(se)}) of the best, ` +
      `${describe(best, metric, true)}; choose it: ${gain} for a difference the data cannot resolve.`,
  };
}

/** Rank a run's candidate documents and recommend one. The spec gives the metric and its direction. */
export function analyzeRun(docs: readonly CandidateDoc[], spec?: Pick<SweepSpec, 'dataset' | 'evaluation'>): RunAnalysis {
  const metric = spec ? rankingMetric(spec) : (docs[0]?.metric.name ?? 'metric');
  const hib = spec ? metricHigherIsBetter(rankingMetric(spec)) : (docs[0]?.metric.higherIsBetter ?? true);
  const ok: Omit<RankedCandidate, 'rank' | 'welch' | 'indistinguishable' | 'withinOneSe' | 'pareto'>[] = [];
  const failed: CandidateDoc[] = [];
  for (const doc of docs) {
    const values = metricValues(doc);
    if (doc.status !== 'succeeded' || values.length === 0) {
      failed.push(doc);
      continue;
    }
    ok.push({
      doc,
      id: doc.candidate.id,
      label: candidateLabel(doc),
      depth: doc.candidate.depth,
      width: doc.candidate.width,
      params: parameterCount(doc),
      summary: summarize(values),
    });
  }
  ok.sort(
    (a, b) =>
      byMean(a.summary.mean, b.summary.mean, hib) ||
      (a.params ?? Infinity) - (b.params ?? Infinity) ||
      a.id.localeCompare(b.id),
  );
  const best = ok[0];
  const ranked: RankedCandidate[] = ok.map((c, i) => {
    const isBest = i === 0;
    const welch = isBest || !best ? null : welchTest(c.summary, best.summary);
    const se = best?.summary.se ?? null;
    const withinOneSe = se === null ? (isBest ? true : null) : Math.abs(best!.summary.mean - c.summary.mean) <= se * (1 + 1e-12);
    return {
      ...c,
      rank: i + 1,
      welch,
      indistinguishable: isBest ? true : welch === null ? null : welch.p >= SIGNIFICANCE,
      withinOneSe,
      pareto: false,
    };
  });
  const pareto = paretoFront(ranked, hib);
  for (const c of pareto) c.pareto = true;
  const ns = ranked.map((c) => c.summary.n);
  const trialsPerCandidate = ns.length === 0 ? 0 : mode(ns);
  return {
    metric,
    higherIsBetter: hib,
    ranked,
    failed,
    best: ranked[0] ?? null,
    recommended: recommend(ranked, metric, hib),
    pareto,
    trialsPerCandidate,
  };
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
    return `Each candidate was trained once, so the report has no measure of noise: treat the ranking as a single draw.`;
  }
  const indist = a.ranked.filter((c) => c !== best && c.indistinguishable === true).length;
  const untestable = a.ranked.filter((c) => c !== best && c.indistinguishable === null).length;
  const others = a.ranked.length - 1;
  const ci = best.summary.ci!;
  const parts = [
    `The best mean ${a.metric} is ${fmt(best.summary.mean)} (95 % CI ${fmt(ci.lo)} – ${fmt(ci.hi)}, n = ${n} trials).`,
    others === 0
      ? 'It was the only candidate with a result.'
      : indist === 0
        ? `Every other candidate is significantly ${a.higherIsBetter ? 'lower' : 'higher'} (Welch's t-test, p < ${SIGNIFICANCE}).`
        : `${indist} of the other ${others} candidate${others === 1 ? '' : 's'} ${indist === 1 ? 'is' : 'are'} statistically indistinguishable from it (Welch's t-test, p ≥ ${SIGNIFICANCE}).`,
  ];
  if (untestable > 0) parts.push(`${untestable} could not be tested (one trial).`);
  return parts.join(' ');
}
