/**
 * What mattered, depth or width: the marginal mean of the ranking metric at each depth (averaged over
 * widths) and at each width (averaged over depths), with intervals, and the effect of each factor —
 * its best level against its worst — tested, then said in one sentence.
 *
 * **Balanced.** A depth's marginal mean averages over the widths that were trained at every depth
 * (and vice versa), so no level is flattered by having been tried only with good partners. When no
 * width was trained at every depth (a sparse random search, failures) the levels average over what
 * they have, and the effect says it is unbalanced.
 *
 * **Paired where the design allows.** Every candidate trains on the same (repeat, fold) splits
 * (src/report/stats.ts), so the marginal mean of a level can be taken trial by trial: m_{level, j} is
 * the mean over the level's candidates of their trial-j scores. Its summary (mean, standard error,
 * 95 % interval) is over the J trials, and two levels compare with the Nadeau–Bengio corrected paired
 * t-test on m_{best, j} − m_{worst, j} — what varies between splits cancels, as it does between
 * candidates. Without shared trials the levels are summarised over their candidates' means and
 * compared with Welch's test.
 *
 * **The effect** of a factor is the difference between its best and its worst level. Picking the two
 * extremes out of k levels is k(k − 1)/2 comparisons, so the p-value is Bonferroni-adjusted by that
 * number (capped at 1): a factor "mattered" when the adjusted p < 0.05.
 */
import { fmtRounded, fmtValue, pEquals, withUnit } from '../format.js';
import { better, compareTrials, SIGNIFICANCE, summarize, type Comparison, type Summary, type TrialPoint, welchTest } from '../stats/index.js';
import type { RankedCandidate, RunAnalysis } from '../results/analysis.js';

export type Factor = 'depth' | 'width';

export interface LevelMean {
  /** The depth or width. */
  level: number;
  /** Over trials (paired) or over the level's candidates' means (unpaired). */
  summary: Summary;
  /** Candidates averaged at this level. */
  candidates: number;
  /** The per-trial marginal means (paired), for the test. */
  points: TrialPoint[];
}

export interface FactorEffect {
  factor: Factor;
  /** Every level, in increasing order. */
  levels: LevelMean[];
  /** The other factor's values each level averages over (the balanced set; every value when unbalanced). */
  over: number[];
  /** Every level averages over the same values of the other factor. */
  balanced: boolean;
  /** Level means taken trial by trial over shared (repeat, fold) splits. */
  paired: boolean;
  best: LevelMean;
  worst: LevelMean;
  /** |best − worst| in the metric's units; 0 with one level. */
  difference: number;
  /** Best level against worst; null with one level or nothing to test (one trial). */
  test: Comparison | null;
  /** The test's p × k(k − 1)/2, capped at 1; null without a test. */
  pAdjusted: number | null;
  /** pAdjusted < 0.05; null without a test. */
  significant: boolean | null;
}

export interface Effects {
  depth: FactorEffect | null;
  width: FactorEffect | null;
  /** One sentence; null when nothing was ranked. */
  sentence: string | null;
}

const other = (f: Factor): Factor => (f === 'depth' ? 'width' : 'depth');
const key = (p: Pick<TrialPoint, 'repeat' | 'fold'>) => `${p.repeat}/${p.fold}`;
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The (repeat, fold) splits every candidate has, with matching split fingerprints where recorded. */
function sharedTrials(cands: readonly RankedCandidate[]): string[] {
  if (cands.length === 0) return [];
  const first = cands[0]!;
  const shared: string[] = [];
  for (const p of first.points) {
    const k = key(p);
    const ok = cands.every((c) => c.points.some((q) => key(q) === k && (p.split === undefined || q.split === undefined || p.split === q.split)));
    if (ok) shared.push(k);
  }
  return shared;
}

/** The effect of one factor over the ranked candidates; null when there are none. */
export function factorEffect(ranked: readonly RankedCandidate[], factor: Factor, higherIsBetter: boolean): FactorEffect | null {
  if (ranked.length === 0) return null;
  const o = other(factor);
  const levels = [...new Set(ranked.map((c) => c[factor]))].sort((a, b) => a - b);
  const otherValues = [...new Set(ranked.map((c) => c[o]))].sort((a, b) => a - b);
  // The other factor's values trained at every level of this one (one pass: linear in the candidates).
  const cells = new Set(ranked.map((c) => `${c[factor]}/${c[o]}`));
  const complete = otherValues.filter((v) => levels.every((l) => cells.has(`${l}/${v}`)));
  const balanced = complete.length > 0;
  const over = balanced ? complete : otherValues;
  const overSet = new Set(over);
  const used = ranked.filter((c) => overSet.has(c[o]));
  const trials = sharedTrials(used);
  const paired = trials.length > 0;
  const byLevel = new Map<number, RankedCandidate[]>();
  for (const c of used) {
    const list = byLevel.get(c[factor]);
    if (list) list.push(c);
    else byLevel.set(c[factor], [c]);
  }
  const means: LevelMean[] = levels.map((level) => {
    const members = byLevel.get(level) ?? [];
    if (!paired) {
      return { level, summary: summarize(members.map((c) => c.summary.mean)), candidates: members.length, points: [] };
    }
    const points: TrialPoint[] = trials.map((k) => {
      const at = members.map((c) => c.points.find((p) => key(p) === k)!);
      const p0 = at[0]!;
      return {
        repeat: p0.repeat,
        fold: p0.fold,
        value: mean(at.map((p) => p.value)),
        ...(p0.trainRows !== undefined ? { trainRows: p0.trainRows } : {}),
        ...(p0.valRows !== undefined ? { valRows: p0.valRows } : {}),
        ...(p0.split !== undefined ? { split: p0.split } : {}),
      };
    });
    return { level, summary: summarize(points.map((p) => p.value)), candidates: members.length, points };
  });
  const byMean = [...means].sort((a, b) => (a.summary.mean === b.summary.mean ? a.level - b.level : better(a.summary.mean, b.summary.mean, higherIsBetter) ? -1 : 1));
  const best = byMean[0]!;
  const worst = byMean.at(-1)!;
  let test: Comparison | null = null;
  if (best !== worst) {
    if (paired) test = compareTrials(best.points, worst.points);
    else {
      // Candidates of different levels share no trials to pair by: Welch's test on their means.
      const w = welchTest(best.summary, worst.summary);
      test = w && { kind: 'welch', ...w };
    }
  }
  const pairs = (levels.length * (levels.length - 1)) / 2;
  const pAdjusted = test ? Math.min(1, test.p * pairs) : null;
  return {
    factor,
    levels: means,
    over,
    balanced,
    paired,
    best,
    worst,
    difference: Math.abs(best.summary.mean - worst.summary.mean),
    test,
    pAdjusted,
    significant: pAdjusted === null ? null : pAdjusted < SIGNIFICANCE,
  };
}

/** Depth's and width's effects over a run's ranked candidates, and the sentence that tells them. */
export function runEffects(a: Pick<RunAnalysis, 'ranked' | 'higherIsBetter' | 'metric' | 'unit'>): Effects {
  const depth = factorEffect(a.ranked, 'depth', a.higherIsBetter);
  const width = factorEffect(a.ranked, 'width', a.higherIsBetter);
  return { depth, width, sentence: effectsSentence(depth, width, a.metric, a.unit) };
}

/** A level's mean as the sentence writes it: rounded to its standard error. */
function levelValue(l: LevelMean, unit: string | null): string {
  return withUnit(l.summary.se === null ? fmtValue(l.summary.mean) : fmtRounded(l.summary.mean, l.summary.se), unit);
}

function differenceText(e: FactorEffect, unit: string | null): string {
  // Rounded to the test's standard error; one of (numerically) zero — differences identical in every trial — rounds nothing.
  const se = e.test?.kind === 'paired' && e.test.se > 1e-9 * Math.abs(e.difference) ? e.test.se : null;
  return withUnit(se ? fmtRounded(e.difference, se) : fmtValue(e.difference), unit);
}

/** `averaged over widths 16–64, accuracy is best at depth 2 (0.839) and worst at depth 1 (0.815), 0.024 apart (p < 0.001)`. */
function clause(e: FactorEffect, metric: string, unit: string | null): string {
  const o = other(e.factor);
  const overText = e.balanced ? `averaged over ${valueList(o, e.over)}` : `averaged over whichever ${o}s each ${e.factor} was trained with (unbalanced)`;
  const p = e.pAdjusted === null ? 'untested' : `${pEquals(e.pAdjusted)}${e.significant ? '' : ': within noise'}`;
  return (
    `${overText}, ${metric} is best at ${e.factor} ${e.best.level} (${levelValue(e.best, unit)}) and worst at ${e.factor} ${e.worst.level} ` +
    `(${levelValue(e.worst, unit)}), ${differenceText(e, unit)} apart (${p})`
  );
}

/** `width 8`, `depths 1 and 2`, `widths 16, 32 and 64`, `12 widths from 1 to 50`. */
function valueList(noun: string, values: readonly number[]): string {
  if (values.length === 1) return `${noun} ${values[0]}`;
  if (values.length > 5) return `${values.length} ${noun}s from ${values[0]} to ${values.at(-1)}`;
  return `${noun}s ${values.slice(0, -1).join(', ')} and ${values.at(-1)}`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * One sentence on which of depth and width mattered: "Width mattered, depth did not: …". Its p-values
 * are the Bonferroni-adjusted ones of the best-against-worst level comparison.
 */
export function effectsSentence(depth: FactorEffect | null, width: FactorEffect | null, metric: string, unit: string | null): string | null {
  if (!depth || !width) return null;
  const single = [depth, width].filter((e) => e.levels.length === 1);
  if (single.length === 2) return `Only one depth (${depth.levels[0]!.level}) and one width (${width.levels[0]!.level}) were trained, so the sweep says nothing about either.`;
  if (single.length === 1) {
    const one = single[0]!;
    const varied = one === depth ? width : depth;
    const verdict = varied.significant === null ? 'cannot be tested with one trial per candidate' : varied.significant ? 'mattered' : 'made no difference the data can resolve';
    return `Only one ${one.factor} (${one.levels[0]!.level}) was trained, so the sweep says nothing about ${one.factor}; ${varied.factor} ${verdict}: ${clause(varied, metric, unit)}.`;
  }
  const [d, w] = [clause(depth, metric, unit), clause(width, metric, unit)];
  if (depth.significant === null || width.significant === null) {
    return `With one trial per candidate neither effect can be tested: ${w}; ${d}.`;
  }
  if (depth.significant && width.significant) {
    const [first, second] = width.difference >= depth.difference ? [width, depth] : [depth, width];
    return `Both mattered, ${first.factor} more: ${clause(first, metric, unit)}; ${clause(second, metric, unit)}.`;
  }
  if (depth.significant || width.significant) {
    const [yes, no] = depth.significant ? [depth, width] : [width, depth];
    return `${cap(yes.factor)} mattered, ${no.factor} did not: ${clause(yes, metric, unit)}; ${clause(no, metric, unit)}.`;
  }
  return `Neither depth nor width made a difference the data can resolve: ${w}; ${d}.`;
}
