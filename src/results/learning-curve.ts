/**
 * The learning curve: "would more data help more than a bigger network?" (spec `learningCurve`).
 *
 * After the search, the recommended candidate (the best, when none is recommended) and the best larger
 * and best smaller ones are trained again on fractions of each split's training rows — the same
 * repeats, folds, validation rows and seeds — and each such training is a candidate document of its own
 * (`runs/<runId>/curve/<candidateId>/<fraction>.json`). The full-data point is the candidate's own
 * result. Two documents: the curve's plan (`curve-plan.json`, layerbench.curve-plan.v1: which
 * candidates, which fractions; written once, when the curve round opens) and its analysis
 * (`learning-curve.json`, layerbench.learning-curve.v1: what the report and `--json` show).
 *
 * **Points.** Per candidate and fraction: the training rows (per trial), the validation score with its
 * interval (analysis.ts scoreSummary — the same interval as the leaderboard's).
 *
 * **The verdict** is the one decision rule (src/stats/decision.ts) applied to training rows instead of
 * parameters: the full-data point and the largest fraction below it (half the rows, by default) are two
 * contenders sized by their training rows, compared on the trials they share (same repeat and fold: the
 * same validation rows; paired, Nadeau–Bengio corrected). If the half-data point is significantly worse
 * than the full one (one-sided, 5 %), **more data is likely to help**. If the rule picks the smaller
 * training set — "≈ best": not significantly worse and within a standard error, exactly as a smaller
 * network is "as good" — the curve has **flattened** (by the rule: the words quote the trend's gain at 2×
 * and the paired interval, so a reader sees how large a gain the data still allow). Otherwise (not found
 * worse yet trailing by more than a standard error, or one trial per point) it is **too noisy to say**,
 * with the trials that would decide (stats trialsToResolve). A stricter "flat" — an equivalence test
 * ruling out a gain beyond one standard error — was tried and almost never holds with 3–10 trials
 * (the Nadeau–Bengio term keeps the paired interval wide), so it would be a second rule that never
 * answers.
 *
 * **The trend** is a power law of the error in the rows (src/stats/power-law.ts), weighted by the
 * points' standard errors, and its extrapolation to twice the rows: how much, not whether.
 */
import { z } from 'zod';
import { count, fmtInt, fmtPercent, fmtUncertainty, fmtValue, pEquals, withUnit } from '../format.js';
import { critical, decide, fitPowerLaw, powerLawAt, SIGNIFICANCE, trialsToResolve, pBetter, type PowerLawFit, type TrialPoint } from '../stats/index.js';
import { candidateLabel, scoreSummary, trialPoints, type CandidateDigest } from './analysis.js';
import type { CandidateDoc } from './document.js';
import { trialsPerCandidate, type SweepSpec } from '../sweep/schema.js';
import { keys } from '../store/keys.js';
import { getJson, type Store } from '../store/store.js';

export const CURVE_PLAN_SCHEMA = 'layerbench.curve-plan.v1';
export const LEARNING_CURVE_SCHEMA = 'layerbench.learning-curve.v1';

export const CURVE_ROLES = ['recommended', 'best', 'larger', 'smaller'] as const;

/** Which candidates the curve trains, on which fractions (written when the curve round opens). */
export const curvePlanSchema = z.object({
  schema: z.literal(CURVE_PLAN_SCHEMA),
  runId: z.string(),
  /** Ascending; the last is 1 (the candidate's own result, not trained again). */
  fractions: z.array(z.number().gt(0).max(1)).min(2),
  /** The anchor first (recommended, or the best when none is), then the best larger and the best smaller. */
  candidates: z.array(z.object({ candidateId: z.string(), role: z.enum(CURVE_ROLES) })),
  createdAt: z.string(),
});
export type CurvePlan = z.infer<typeof curvePlanSchema>;

const interval = z.object({ lo: z.number(), hi: z.number() }).nullable();

export const VERDICTS = ['helps', 'flat', 'noisy', 'unknown'] as const;

const curvePointSchema = z.object({
  fraction: z.number(),
  /** Training rows per trial (their mean over the trials). */
  trainRows: z.number(),
  status: z.enum(['succeeded', 'failed', 'missing']),
  /** Why there is no score (failed, missing). */
  reason: z.string().nullable(),
  trials: z.number().int(),
  mean: z.number().nullable(),
  se: z.number().nullable(),
  ci95: interval,
});
export type CurvePointResult = z.infer<typeof curvePointSchema>;

const candidateCurveSchema = z.object({
  candidateId: z.string(),
  label: z.string(),
  role: z.enum(CURVE_ROLES),
  params: z.number().int().nullable(),
  points: z.array(curvePointSchema),
  /** err(n) = a + b·(n/n0)^−c on the error scale (`error`: 1 − accuracy, or the metric itself); null with fewer than 3 points. */
  fit: z.object({ a: z.number(), b: z.number(), c: z.number(), n0: z.number(), error: z.string() }).nullable(),
  /** The fitted trend at twice the full data's rows: the score there, and the change from the full data (in the metric's direction: + is better). */
  extrapolation: z.object({ rows: z.number(), score: z.number(), gain: z.number() }).nullable(),
  verdict: z.object({
    kind: z.enum(VERDICTS),
    /** The fraction the full data is compared with (the largest below 1). */
    against: z.number().nullable(),
    /** Full − that fraction, mean over the shared trials, with the 95 % interval (paired, corrected). */
    difference: z.number().nullable(),
    ci95: interval,
    /** One-sided p of "the smaller training set is worse"; null without a test. */
    pWorse: z.number().nullable(),
    /** Too noisy: the trials (repeats × folds) at which the gap seen would be significant; null when none would. */
    trialsNeeded: z.number().int().nullable(),
    sentence: z.string(),
  }),
});
export type CandidateCurve = z.infer<typeof candidateCurveSchema>;

export const learningCurveDocSchema = z.object({
  schema: z.literal(LEARNING_CURVE_SCHEMA),
  runId: z.string(),
  metric: z.string(),
  higherIsBetter: z.boolean(),
  unit: z.string().nullable(),
  fractions: z.array(z.number()),
  candidates: z.array(candidateCurveSchema),
  /** The answer in one line, from the anchor's curve (and the larger candidate's). */
  verdict: z.object({ kind: z.enum(VERDICTS), headline: z.string() }),
  generatedAt: z.string(),
});
export type LearningCurveDoc = z.infer<typeof learningCurveDocSchema>;

/** A ranked candidate as the choice needs it (leaderboard rows, best first). */
export interface CurveRankedRow {
  candidateId: string;
  params: number | null;
}

/**
 * The curve's candidates: the recommended one (else the best), the best of those with more parameters
 * and the best of those with fewer. `rows` are ranked, best first. Empty when nothing was ranked.
 */
export function chooseCurveCandidates(rows: readonly CurveRankedRow[], recommendedId: string | null): CurvePlan['candidates'] {
  const anchor = rows.find((r) => r.candidateId === recommendedId) ?? rows[0];
  if (!anchor) return [];
  const out: CurvePlan['candidates'] = [{ candidateId: anchor.candidateId, role: anchor.candidateId === recommendedId ? 'recommended' : 'best' }];
  if (anchor.params === null) return out;
  const larger = rows.find((r) => r.params !== null && r.params > anchor.params!);
  const smaller = rows.find((r) => r.params !== null && r.params < anchor.params!);
  if (larger) out.push({ candidateId: larger.candidateId, role: 'larger' });
  if (smaller) out.push({ candidateId: smaller.candidateId, role: 'smaller' });
  return out;
}

/** What the curve's training costs next to one candidate's: the sum of the fractions trained (1 is reused). */
export function curveCost(fractions: readonly number[], candidates: number): { trainings: number; candidateEquivalents: number } {
  const trained = fractions.filter((f) => f < 1);
  return { trainings: trained.length * candidates, candidateEquivalents: trained.reduce((s, f) => s + f, 0) * candidates };
}

/**
 * What `layerbench plan` says of the curve before anything trains: which candidates, how many more
 * trainings on which fractions, and what that comes to next to the sweep; null without a curve.
 */
export function learningCurvePlanLine(spec: Pick<SweepSpec, 'learningCurve' | 'training' | 'evaluation'>, candidates: number): string | null {
  const curve = spec.learningCurve;
  if (!curve) return null;
  const k = Math.min(3, candidates);
  const trained = curve.fractions.filter((f) => f < 1);
  const cost = curveCost(curve.fractions, k);
  const epochs = cost.trainings * trialsPerCandidate(spec) * spec.training.epochs;
  return (
    `learning curve: up to ${count(k, 'candidate')} (the recommended, the best larger and the best smaller) × ` +
    `${count(trained.length, 'fraction')} of the training rows (${trained.map(fmtPercent).join(', ')}; 100 % is each candidate's own result) = ` +
    `${count(cost.trainings, 'more training')}, at most ${fmtInt(epochs)} epochs on those fractions: about ` +
    `${Number(cost.candidateEquivalents.toFixed(1))} candidates' worth of training, +${Math.round((100 * cost.candidateEquivalents) / Math.max(1, candidates))} % on the sweep's ${fmtInt(candidates)} (before early stopping)`
  );
}

/** A fraction as a key segment: `0.125`. */
export function fractionKey(fraction: number): string {
  return String(Number(fraction.toPrecision(6)));
}

export interface CurveInput {
  runId: string;
  metric: string;
  higherIsBetter: boolean;
  unit: string | null;
  plan: CurvePlan;
  /** The candidates' own documents (the full-data points). */
  full: ReadonlyMap<string, CandidateDigest>;
  /** The curve's documents by `${candidateId}@${fractionKey(f)}`; absent: not written (yet). */
  points: ReadonlyMap<string, CandidateDoc>;
  now: Date;
}

interface Measured {
  result: CurvePointResult;
  points: TrialPoint[];
}

function measure(metric: string, fraction: number, doc: CandidateDigest | undefined): Measured {
  const empty = (status: 'failed' | 'missing', reason: string): Measured => ({
    result: { fraction, trainRows: 0, status, reason, trials: 0, mean: null, se: null, ci95: null },
    points: [],
  });
  if (!doc) return empty('missing', 'no document: its training did not report');
  const points = trialPoints(doc);
  if (doc.status !== 'succeeded' || points.length === 0 || points.length !== doc.trials.length) {
    return empty('failed', doc.error?.message ?? 'no finite validation score');
  }
  const s = scoreSummary(metric, points);
  const trainRows = points.reduce((sum, p) => sum + (p.trainRows ?? 0), 0) / points.length;
  return { result: { fraction, trainRows, status: 'succeeded', reason: null, trials: s.n, mean: s.mean, se: s.se, ci95: s.ci }, points };
}

/** On the error scale (lower is better, ≥ 0): 1 − accuracy, or the error itself. */
const toError = (higherIsBetter: boolean, score: number): number => (higherIsBetter ? 1 - score : score);

function fitOf(higherIsBetter: boolean, measured: readonly Measured[]): PowerLawFit | null {
  const ok = measured.filter((m) => m.result.status === 'succeeded');
  return fitPowerLaw(ok.map((m) => ({ n: m.result.trainRows, err: toError(higherIsBetter, m.result.mean!), weight: m.result.se ? 1 / m.result.se ** 2 : 1 })));
}

/** The rule on (the largest fraction below 1, the full data), sized by training rows (see the module comment). */
function judge(input: CurveInput, measured: readonly Measured[]): Omit<CandidateCurve['verdict'], 'sentence'> {
  const full = measured.at(-1)!;
  const half = measured.length > 1 ? measured.at(-2)! : undefined;
  const none = { against: half?.result.fraction ?? null, difference: null, ci95: null, pWorse: null, trialsNeeded: null };
  if (!half || full.result.status !== 'succeeded' || half.result.status !== 'succeeded') return { kind: 'unknown', ...none };
  const contender = (m: Measured) => ({ id: fractionKey(m.result.fraction), depth: 0, width: 0, params: m.result.trainRows, mean: m.result.mean!, se: m.result.se, points: m.points });
  const decision = decide([contender(half), contender(full)], { higherIsBetter: input.higherIsBetter, metric: input.metric });
  const halfJudged = decision.ranked.find((j) => j.contender.id === fractionKey(half.result.fraction))!;
  const fullJudged = decision.ranked.find((j) => j.contender.id === fractionKey(full.result.fraction))!;
  // The comparison is with whichever scored better; written here as full − half.
  const versus = halfJudged.vsBest ?? fullJudged.vsBest;
  const sign = halfJudged.vsBest ? -1 : 1;
  const paired = versus?.kind === 'paired' ? versus : null;
  const q = paired ? critical(paired.df) : 0;
  const difference = paired ? sign * paired.meanDiff : full.result.mean! - half.result.mean!;
  const ci95 = paired ? { lo: difference - q * paired.se, hi: difference + q * paired.se } : null;
  // One-sided p of "the smaller training set is worse" (full better), whichever side the rule compared with the best.
  const pGain = halfJudged.vsBest ? halfJudged.pWorse : fullJudged.vsBest ? pBetter(fullJudged.vsBest, input.higherIsBetter) : null;
  const base = { against: half.result.fraction, difference, ci95, pWorse: pGain };
  if (decision.outcome === 'single-draw' || decision.outcome === 'none') return { kind: 'noisy', ...base, trialsNeeded: null };
  if (decision.chosen?.contender.id === halfJudged.contender.id) return { kind: 'flat', ...base, trialsNeeded: null };
  if (halfJudged.pWorse !== null && halfJudged.pWorse < SIGNIFICANCE) return { kind: 'helps', ...base, trialsNeeded: null };
  return { kind: 'noisy', ...base, trialsNeeded: trialsToResolve(halfJudged.vsBest) };
}

/** `+0.021 accuracy` / `−0.31 rmse`: a change in the metric's direction (+ is better). */
function gainWords(input: CurveInput, gain: number): string {
  const shown = input.higherIsBetter ? gain : -gain;
  return `${shown >= 0 ? '+' : '−'}${withUnit(fmtUncertainty(Math.abs(shown)), input.unit)} ${input.metric}`;
}

function sentence(input: CurveInput, c: Omit<CandidateCurve, 'verdict'>, v: Omit<CandidateCurve['verdict'], 'sentence'>): string {
  const vs = v.against === null ? '' : `all the rows against ${fmtPercent(v.against)}`;
  const test = v.pWorse === null ? 'no test' : `one-sided ${pEquals(v.pWorse)}`;
  const diff = v.difference === null ? '' : `${gainWords(input, input.higherIsBetter ? v.difference : -v.difference)}`;
  const ci = v.ci95
    ? `; paired 95 % interval ${gainWords(input, input.higherIsBetter ? v.ci95.lo : -v.ci95.lo).replace(` ${input.metric}`, '')} to ${gainWords(input, input.higherIsBetter ? v.ci95.hi : -v.ci95.hi)}`
    : '';
  const at2x = c.extrapolation ? ` The fitted trend gives ${gainWords(input, c.extrapolation.gain)} at ${fmtInt(Math.round(c.extrapolation.rows))} rows (2×).` : '';
  switch (v.kind) {
    case 'helps':
      return `Still rising: ${vs} is ${diff} (${test}).${at2x}`;
    case 'flat':
      return `Flattened: ${vs} is ${diff} (${test}${ci}): as good by the decision rule (not significantly worse, within a standard error).${at2x}`;
    case 'noisy':
      return `Too noisy to say: ${vs} is ${diff} (${test}${ci}): not significantly worse, yet trailing by more than a standard error${
        v.trialsNeeded ? `; about ${count(v.trialsNeeded, 'trial')} would decide` : ''
      }.${at2x}`;
    case 'unknown': {
      const bad = c.points.filter((p) => p.status !== 'succeeded').map((p) => `${fmtPercent(p.fraction)}: ${p.reason}`);
      return `No verdict: ${bad.length > 0 ? bad.join('; ') : 'too few points'}.`;
    }
  }
}

/** The analysis of a run's curve (see the module comment). */
export function analyzeLearningCurve(input: CurveInput): LearningCurveDoc {
  const candidates: CandidateCurve[] = [];
  for (const { candidateId, role } of input.plan.candidates) {
    const own = input.full.get(candidateId);
    if (!own) continue;
    const measured = input.plan.fractions.map((f) => measure(input.metric, f, f === 1 ? own : input.points.get(`${candidateId}@${fractionKey(f)}`)));
    const fit = fitOf(input.higherIsBetter, measured);
    const full = measured.at(-1)!.result;
    const extrapolation =
      fit && full.status === 'succeeded' && full.trainRows > 0
        ? (() => {
            // The trend's change from the full rows to twice them, added to the measured full-data score.
            const drop = powerLawAt(fit, full.trainRows) - powerLawAt(fit, 2 * full.trainRows);
            const gain = input.higherIsBetter ? drop : -drop;
            return { rows: 2 * full.trainRows, score: full.mean! + gain, gain };
          })()
        : null;
    const c = {
      candidateId,
      label: candidateLabel(own),
      role,
      params: own.parameterCount,
      points: measured.map((m) => m.result),
      fit: fit && { a: fit.a, b: fit.b, c: fit.c, n0: fit.n0, error: input.higherIsBetter ? `1 − ${input.metric}` : input.metric },
      extrapolation,
    };
    const v = judge(input, measured);
    candidates.push({ ...c, verdict: { ...v, sentence: sentence(input, c, v) } });
  }
  return {
    schema: LEARNING_CURVE_SCHEMA,
    runId: input.runId,
    metric: input.metric,
    higherIsBetter: input.higherIsBetter,
    unit: input.unit,
    fractions: [...input.plan.fractions],
    candidates,
    verdict: headline(input, candidates),
    generatedAt: input.now.toISOString(),
  };
}

/**
 * The one line: from the anchor's curve; "flattened" adds what the larger candidate says — not better
 * (the anchor is the rule's choice or the best), or still gaining from more data where the anchor is not.
 */
function headline(input: CurveInput, cs: readonly CandidateCurve[]): LearningCurveDoc['verdict'] {
  const anchor = cs[0];
  if (!anchor) return { kind: 'unknown', headline: 'No learning curve: no candidate was ranked.' };
  const larger = cs.find((c) => c.role === 'larger');
  const v = anchor.verdict;
  const who = `${anchor.label} (${anchor.role})`;
  switch (v.kind) {
    case 'helps': {
      const how = anchor.extrapolation
        ? `${gainWords(input, anchor.extrapolation.gain)} at 2× rows`
        : `the last doubling gave ${gainWords(input, input.higherIsBetter ? v.difference! : -v.difference!)}`;
      return { kind: 'helps', headline: `More data is likely to help (${how}): ${who} still improves from ${fmtPercent(v.against!)} to all of the training rows.` };
    }
    case 'flat': {
      const bigger = !larger
        ? 'no larger network was tried'
        : larger.verdict.kind === 'helps'
          ? `but the larger ${larger.label} still improves with more rows: with more data a larger network may pay off`
          : anchor.role === 'recommended'
            ? `a larger network is not better either (${larger.label} is no better by the decision rule)`
            : `a larger network is not better either (${larger.label} scores lower)`;
      const trend = anchor.extrapolation ? ` (the fitted trend: ${gainWords(input, anchor.extrapolation.gain)} at 2× rows)` : '';
      return { kind: 'flat', headline: `The curve has flattened: more data is unlikely to help${trend}; ${bigger}.` };
    }
    case 'noisy':
      return {
        kind: 'noisy',
        headline: `Too noisy to say whether more data would help ${anchor.label}${
          v.trialsNeeded ? ` (about ${count(v.trialsNeeded, 'trial')} would decide)` : anchor.points.some((p) => p.trials === 1) ? ': one trial per point cannot be tested' : ''
        }.`,
      };
    case 'unknown':
      return { kind: 'unknown', headline: `No learning-curve verdict for ${anchor.label}: ${anchor.verdict.sentence.replace(/^No verdict: /, '')}` };
  }
}

/** Rows of a point as the report prints them: `1,234 rows (12.5 %)`. */
export function pointRowsWords(p: Pick<CurvePointResult, 'trainRows' | 'fraction'>): string {
  return `${fmtInt(Math.round(p.trainRows))} rows (${fmtPercent(p.fraction)})`;
}

/** A run's learning-curve document (runs/<runId>/learning-curve.json); null when it has none or it is not one. */
export async function readLearningCurve(store: Store, runId: string): Promise<LearningCurveDoc | null> {
  const key = keys.learningCurve(runId);
  if (!(await store.exists(key))) return null;
  const parsed = learningCurveDocSchema.safeParse(await getJson(store, key));
  return parsed.success ? parsed.data : null;
}

/** The scores shown beside a point: `0.842 (0.81 – 0.87)`. */
export function pointScoreWords(input: Pick<LearningCurveDoc, 'unit'>, p: CurvePointResult): string {
  if (p.mean === null) return p.status;
  const ci = p.ci95 ? ` (${fmtValue(p.ci95.lo)} – ${fmtValue(p.ci95.hi)})` : '';
  return `${withUnit(fmtValue(p.mean), input.unit)}${ci}`;
}
