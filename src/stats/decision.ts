/**
 * The one decision rule: which candidate to use, and what kind of answer that is. Every surface that
 * marks "≈ best" or names a recommendation — leaderboard, terminal, report, model card, history,
 * halving's summary — reads the result of `decide`; nothing else decides.
 *
 * **The rule.** Rank the candidates by their mean validation score (ties: fewer parameters, then the
 * id). Compare each with the best on the trials they share (paired, Nadeau–Bengio corrected; see
 * compare.ts). A candidate is **"≈ best"** when that comparison does not find it worse at the 5 %
 * level (one-sided) *and* its mean is within one standard error of the best's (the best's corrected
 * standard error, the "±" shown beside it). Among the candidates that **beat the baseline** (one-sided
 * paired test, 5 %), the recommendation is **the smallest (fewest parameters) that is ≈ best**; ties
 * go to the better mean. This is the one-standard-error rule (Breiman et al. 1984; ESL §7.10) — the
 * simplest model as good as the best — with the paired test on the shared folds added so that a
 * candidate that trails the best in every trial is not "as good" however small the gap. The second
 * condition keeps a test with little power (two or three trials) from declaring a clearly weaker
 * network as good as the best: a candidate the test cannot call worse but that trails by more than a
 * standard error is *undecided*, and the answer says how many trials would decide it. Each comparison
 * is made at 5 % without adjusting for the number of candidates: among many truly equal candidates
 * some are called worse by chance, which errs toward the larger, better-scoring network; read the
 * rule as a heuristic for choosing, not a family-wise claim.
 *
 * **Outcomes.**
 *  - `recommend`: the rule's choice.
 *  - `undecided`: a candidate smaller than the choice trails the best by more than a standard error,
 *    yet the test cannot call it worse — too few trials or rows to tell whether it would do; the
 *    rule's choice stands, with how many trials would decide.
 *  - `all-equivalent`: every candidate beats the baseline and is ≈ best: the data cannot rank them,
 *    so the smallest.
 *  - `baseline`: no candidate beats the baseline: no network is recommended.
 *  - `single-draw`: one trial per candidate: nothing can be tested; the best beating the baseline
 *    on its single draw is named, with the advice to repeat.
 *  - `none`: no candidate produced a score.
 * Beside the outcome, `edges` say when the choice sits at the end of a grid axis: at the largest
 * depth or width tried (a larger network may do better — extend the axis) or at the smallest
 * (a smaller one may do as well).
 */
import { compareTrials, pBetter, pWorse, pairedTest, pairTrials, SIGNIFICANCE, type Comparison, type PairedTest } from './compare.js';
import type { TrialPoint } from './trials.js';
import { critical } from './intervals.js';
import { byValue } from './summary.js';
import { tQuantile } from './distributions.js';

/** What the rule needs to know of a candidate. */
export interface Contender {
  id: string;
  depth: number;
  width: number;
  params: number | null;
  /** Mean validation score over its trials. */
  mean: number;
  /** Standard error of that mean (corrected); null with one trial. */
  se: number | null;
  points: readonly TrialPoint[];
}

export type BaselineVerdict =
  /** Better on the same trials, significantly (one-sided paired test, p < 0.05). */
  | 'beats'
  /** Better on average, but the test cannot rule out chance. */
  | 'not-clearly-better'
  /** Better on average; one trial, so no test. */
  | 'better-untested'
  /** Not better on average (scoring exactly the baseline is not better). */
  | 'does-not-beat';

export interface BaselineComparison {
  verdict: BaselineVerdict;
  /** Candidate minus baseline, mean over the shared trials (over all trials when none are shared). */
  difference: number;
  /** 95 % interval of that difference (paired, corrected); null without a test. */
  interval: { lo: number; hi: number } | null;
  /** The paired test; null with fewer than two shared trials. */
  test: PairedTest | null;
  /** One-sided p-value of "better than the baseline"; null without a test. */
  p: number | null;
}

export interface Judged<C extends Contender> {
  contender: C;
  /** 1 = best. */
  rank: number;
  /** Against the best (paired when possible); null for the best itself or when untestable. */
  vsBest: Comparison | null;
  /** One-sided p-value of "worse than the best"; null for the best or when untestable. */
  pWorse: number | null;
  /** "≈ best": not significantly worse than the best and within one standard error of it. True for the best; null when untestable. */
  approxBest: boolean | null;
  /** Not significantly worse, but trailing by more than a standard error: the data cannot tell. */
  undecided: boolean;
  vsBaseline: BaselineComparison | null;
}

export const OUTCOMES = ['recommend', 'all-equivalent', 'undecided', 'baseline', 'single-draw', 'none'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Edge {
  axis: 'depth' | 'width';
  /** upper: the choice is the largest tried; lower: the smallest tried (and more than 1). */
  side: 'upper' | 'lower';
  /** Values worth trying next on that axis. */
  values: number[];
}

/** For `undecided`: what it would take for the test to tell the smallest undecided candidate from the best. */
export interface TrialsNeeded {
  candidateId: string;
  /** The observed gap (that candidate − best, in the metric's units). */
  gap: number;
  /** Trials (repeats × folds) at which that gap would be significant, at the spread seen; null when no number of trials would do (the n_val/n_train term dominates: more rows are needed). */
  trials: number | null;
}

export interface Decision<C extends Contender> {
  /** Best first. */
  ranked: Judged<C>[];
  best: Judged<C> | null;
  chosen: Judged<C> | null;
  outcome: Outcome;
  edges: Edge[];
  needed: TrialsNeeded | null;
}

/** A candidate against the baseline on the trials they share. */
export function compareWithBaseline(points: readonly TrialPoint[], mean: number, baseline: { points: readonly TrialPoint[]; mean: number }, higherIsBetter: boolean): BaselineComparison {
  const pairs = pairTrials(points, baseline.points);
  const difference = pairs.length > 0 ? pairs.reduce((s, [x, y]) => s + x.value - y.value, 0) / pairs.length : mean - baseline.mean;
  const test = pairedTest(points, baseline.points);
  const isBetter = higherIsBetter ? difference > 0 : difference < 0;
  const p = test ? pBetter(test, higherIsBetter) : null;
  const verdict: BaselineVerdict = !isBetter ? 'does-not-beat' : p === null ? 'better-untested' : p < SIGNIFICANCE ? 'beats' : 'not-clearly-better';
  const q = test ? critical(test.df) : 0;
  return { verdict, difference, interval: test ? { lo: test.meanDiff - q * test.se, hi: test.meanDiff + q * test.se } : null, test, p };
}

/** Sort: better mean first; ties to fewer parameters, then the id, so the order is total. */
export function rankContenders<C extends Contender>(contenders: readonly C[], higherIsBetter: boolean): C[] {
  return [...contenders].sort((a, b) => byValue(a.mean, b.mean, higherIsBetter) || (a.params ?? Infinity) - (b.params ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface DecideOptions {
  higherIsBetter: boolean;
  /** The metric, so that trials sharing a split count their shared rows' sampling error (shared-rows.ts). */
  metric?: string;
  /** The baseline's trials on the same splits; null without a baseline. */
  baseline?: { points: readonly TrialPoint[]; mean: number } | null;
  /** The grid's axes (every planned depth and width), for the edges. */
  axes?: { depth: readonly number[]; width: readonly number[] };
}

/** Apply the rule (see the module comment). */
export function decide<C extends Contender>(contenders: readonly C[], options: DecideOptions): Decision<C> {
  const hib = options.higherIsBetter;
  const order = rankContenders(contenders, hib);
  const top = order[0];
  const ranked: Judged<C>[] = order.map((c, i) => {
    const vsBest = i === 0 ? null : compareTrials(c.points, top!.points, options.metric);
    const p = vsBest ? pWorse(vsBest, hib) : null;
    // The yardstick of "close": the best's standard error; where its trials agree exactly (0), the difference's.
    const yardstick = top!.se === null ? null : top!.se > 0 ? top!.se : vsBest?.kind === 'paired' ? vsBest.se : 0;
    const close = yardstick === null ? null : Math.abs(c.mean - top!.mean) <= yardstick * (1 + 1e-12);
    const notWorse = p === null ? null : p >= SIGNIFICANCE;
    return {
      contender: c,
      rank: i + 1,
      vsBest,
      pWorse: p,
      approxBest: i === 0 ? true : notWorse === null || close === null ? null : notWorse && close,
      undecided: i > 0 && notWorse === true && close === false,
      vsBaseline: options.baseline ? compareWithBaseline(c.points, c.mean, options.baseline, hib) : null,
    };
  });
  const best = ranked[0] ?? null;
  if (!best) return { ranked, best: null, chosen: null, outcome: 'none', edges: [], needed: null };

  const singleDraw = best.contender.points.length < 2;
  const eligible = (j: Judged<C>) => !j.vsBaseline || j.vsBaseline.verdict === 'beats' || (singleDraw && j.vsBaseline.verdict === 'better-untested');
  const pool = ranked.filter(eligible);
  if (pool.length === 0) return { ranked, best, chosen: null, outcome: 'baseline', edges: [], needed: null };

  if (singleDraw) {
    const chosen = pool[0]!;
    return { ranked, best, chosen, outcome: 'single-draw', edges: edgesOf(chosen.contender, contenders, options.axes), needed: null };
  }
  const bySize = (a: Judged<C>, b: Judged<C>) => a.contender.params! - b.contender.params! || byValue(a.contender.mean, b.contender.mean, hib) || a.rank - b.rank;
  const chosen = pool.filter((j) => j.approxBest === true && j.contender.params !== null).sort(bySize)[0] ?? pool[0]!;
  // Smaller than the choice, not found worse, yet not close: what more trials could still decide.
  const open = pool.filter((j) => j.undecided && j.contender.params !== null && chosen.contender.params !== null && j.contender.params < chosen.contender.params).sort(bySize)[0];
  const allEquivalent = ranked.every((j) => eligible(j) && j.approxBest === true);
  const outcome: Outcome = open ? 'undecided' : allEquivalent ? 'all-equivalent' : 'recommend';
  return {
    ranked,
    best,
    chosen,
    outcome,
    edges: edgesOf(chosen.contender, contenders, options.axes),
    needed: open ? { candidateId: open.contender.id, gap: open.contender.mean - best.contender.mean, trials: trialsToResolve(open.vsBest) } : null,
  };
}

/**
 * The trials J at which the paired test would find an observed mean difference significant (one-sided,
 * 5 %), if the differences kept their spread: the smallest J with t(0.95, J − 1) · s_d · √(1/J + r) ≤ |d|.
 * Null when none up to 1,000 does (the n_val/n_train term alone is too large: more rows are needed).
 */
export function trialsToResolve(c: Comparison | null): number | null {
  if (c?.kind !== 'paired') return null;
  const d = Math.abs(c.meanDiff);
  if (d === 0) return null;
  for (let J = Math.max(2, c.pairs + 1); J <= 1000; J++) {
    if (tQuantile(1 - SIGNIFICANCE, J - 1) * c.sdDiff * Math.sqrt(1 / J + c.rowRatio) <= d) return J;
  }
  return null;
}

/**
 * The choice at the end of an axis. Upper: the largest depth or width tried — every smaller value on
 * that axis was worse, so a larger one may be better still. Lower: the smallest tried, and the smallest
 * network of the sweep — nothing smaller was tried, so a smaller one may do as well.
 */
function edgesOf(c: Contender, all: readonly Contender[], axes: DecideOptions['axes']): Edge[] {
  if (!axes) return [];
  const smallest = c.params !== null && all.every((o) => o.params === null || o.params >= c.params!);
  const out: Edge[] = [];
  const depths = [...new Set(axes.depth)].sort((a, b) => a - b);
  const widths = [...new Set(axes.width)].sort((a, b) => a - b);
  if (depths.length > 1 && c.depth === depths.at(-1)) out.push({ axis: 'depth', side: 'upper', values: [c.depth + 1, c.depth + 2] });
  if (widths.length > 1 && c.width === widths.at(-1)) out.push({ axis: 'width', side: 'upper', values: [c.width * 2, c.width * 4] });
  if (smallest && depths.length > 1 && c.depth === depths[0] && c.depth > 1) out.push({ axis: 'depth', side: 'lower', values: [...new Set([c.depth - 1, Math.max(1, c.depth - 2)])] });
  if (smallest && widths.length > 1 && c.width === widths[0] && c.width > 1) {
    out.push({ axis: 'width', side: 'lower', values: [...new Set([Math.max(1, Math.ceil(c.width / 2)), Math.max(1, Math.ceil(c.width / 4))])] });
  }
  return out;
}

/**
 * The Pareto front over (parameters, fewer is better) × (score, in its direction): the candidates no
 * other beats on one axis while matching or beating it on the other. Fewest parameters first; those
 * without a parameter count cannot be placed and are left out.
 */
export function paretoFront<T extends { params: number | null; mean: number }>(items: readonly T[], higherIsBetter: boolean): T[] {
  const placed = items.filter((c) => c.params !== null).sort((a, b) => a.params! - b.params! || byValue(a.mean, b.mean, higherIsBetter));
  // Fewest parameters first: a point is on the front when it beats every point with fewer parameters.
  const front: T[] = [];
  let bestSoFar: number | null = null;
  for (const c of placed) {
    if (bestSoFar === null || byValue(c.mean, bestSoFar, higherIsBetter) < 0) {
      front.push(c);
      bestSoFar = c.mean;
    }
  }
  return front;
}
