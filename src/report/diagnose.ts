/**
 * A diagnosis per candidate from its trials' epoch curves, the reasoning the seed article asks users
 * to do by eye ("watch training and validation curves"). Every finding is a sentence in the ranking
 * metric (with the data's unit), never in the standardised training loss, and carries the numbers
 * behind it; the report plots the loss and metric curves beside it so a reader can check it.
 *
 * Definitions. The cap is `training.epochs`. A trial *ran to the cap* when it trained every epoch
 * (no early stop). It *was still improving* when it ran to the cap, its lowest validation loss came
 * within the last max(1, ⌈10 % of the cap⌉) epochs, and its mean validation metric over the last
 * three epochs is more than 0.5 % (relative) better than over the three before. Curves are compared
 * through means over windows of up to three epochs, so one noisy epoch is never a trend.
 *
 * - **unfinished** — more than half of the candidate's trials were still improving at the cap: its
 *   score is not what the network can do; raise `training.epochs`.
 * - **overfitting** — per trial, on centred three-epoch means (so a single dip of a noisy validation
 *   curve is no minimum and a single bump no rise), with b the epoch where the smoothed validation
 *   loss is lowest and "the end" the mean of the last three epochs: at least two epochs lie between
 *   b and the end's centre; the validation loss at the end is at least 10 % above its value at b (a
 *   real rise, not 0.0070 → 0.0071) and the epochs after b rise as a trend (least-squares slope of
 *   validation loss on epoch, one-sided p < 0.05: bumps of a noisy plateau are no trend); the
 *   train–validation loss gap grew by more than 10 % of the
 *   validation loss at b; and the validation metric at the end is worse than at b. Flagged when more
 *   than half of the trials show it.
 * - **underfitting**, two ways:
 *   - *at chance* (classification): mean training accuracy within 0.05 of 1 / classes, in a
 *     candidate whose training finished — it learns nothing;
 *   - *too little capacity*, only when all of these hold, so noise never earns a verdict:
 *     (1) capacity can be judged in this run — at most half of all its trials were still improving
 *     at the cap (after a handful of epochs, with every network still learning, the ranking says
 *     nothing about capacity); (2) the candidate's own training finished; (3) it has fewer
 *     parameters than the best candidate (a larger network that fits worse lacks epochs or a better
 *     optimiser, not capacity); (4) its validation metric is significantly worse than the best's
 *     (paired test, p < 0.05; one trial: no test, no verdict); (5) its mean training metric is worse
 *     than the best's mean validation metric by more than the noise — the larger of the two
 *     candidates' standard errors and, for accuracy, one validation row (1 / valRows), so a standard
 *     error of 0 (every fold perfect) is never a tolerance of 0.
 * - **at-baseline** — not better on average than the run's baseline on the same trials (the decision
 *   rule's verdict "does-not-beat"): the network learned nothing a model without one does not know.
 *   Named the same way wherever the candidate appears (the leaderboard's "at or below baseline").
 * - **healthy** — none of the above.
 */
import type { SweepSpec } from '../sweep/schema.js';
import type { CandidateDoc, Trial } from '../results/document.js';
import { count, fmtMeanSe, fmtPair, fmtValue, pEquals, withUnit } from '../format.js';
import { better, SIGNIFICANCE } from '../stats/index.js';
import { candidateLabel, type RankedCandidate, type RunAnalysis } from '../results/analysis.js';
import { ranToCap, trialOverfits, trialStillImproving, type OverfitEvidence } from './trial-curves.js';

export type DiagnosisKind = 'at-baseline' | 'underfitting' | 'overfitting' | 'unfinished' | 'healthy';

export interface Finding {
  kind: DiagnosisKind;
  /** One line: what is wrong, the numbers, and what to do. */
  message: string;
  /** The numbers behind the message. */
  numbers: Record<string, number>;
}

export interface CandidateDiagnosis {
  candidateId: string;
  label: string;
  /** Never empty: `healthy` alone when nothing is wrong. */
  findings: Finding[];
}

export interface RunDiagnosis {
  /** One per ranked candidate, in ranking order. */
  candidates: CandidateDiagnosis[];
  /** The epoch cap (training.epochs). */
  cap: number;
  trials: number;
  /** Trials that trained every epoch up to the cap. */
  ranToCap: number;
  /** Of those, the ones still improving at the end. */
  stillImproving: number;
  /** False when most trials were still improving: no capacity verdict anywhere. */
  capacityJudged: boolean;
  /** Sentences for the top of the Diagnoses section: the findings counted, the trials counted. */
  summary: string[];
}

export const CHANCE_MARGIN = 0.05;

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** What the diagnoses need of the sweep: the task and the training settings. */
export type DiagnoseSpec = Pick<SweepSpec, 'dataset' | 'training'>;

interface Context {
  hib: boolean;
  metric: string;
  unit: string | null;
  cap: number;
  task: string | undefined;
}

function chanceAccuracy(doc: CandidateDoc, task?: string): number | null {
  if (doc.metric.name !== 'accuracy') return null;
  const k = doc.data?.classes?.length ?? (task === 'binary' ? 2 : doc.data?.targetDim && doc.data.targetDim > 1 ? doc.data.targetDim : null);
  return k && k >= 2 ? 1 / k : null;
}

function majority<T>(trials: readonly Trial[], test: (t: Trial) => T | null): T[] | null {
  if (trials.length === 0) return null;
  const hits = trials.map(test).filter((x): x is T => x !== null);
  return hits.length * 2 > trials.length ? hits : null;
}

const trialWord = (n: number) => (n === 1 ? 'trial' : 'trials');

function fmtEpoch(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** The capacity test (5 conditions, see the module comment); a finding or null. */
function capacityFinding(c: RankedCandidate, best: RankedCandidate | null, train: number, ctx: Context): Finding | null {
  if (!best || best === c || c.params === null || best.params === null || c.params >= best.params) return null;
  // Only a network the paired test finds worse than the best (not merely one the data cannot decide).
  if (c.pWorse === null || c.pWorse >= SIGNIFICANCE || !c.vsBest) return null;
  const bestVal = best.summary.mean;
  const rows = mean(c.doc.trials.map((t) => t.valRows).filter((r) => r > 0));
  const granularity = c.doc.metric.name === 'accuracy' && rows > 0 ? 1 / rows : 0;
  const tolerance = Math.max(best.summary.se ?? 0, c.summary.se ?? 0, granularity);
  if (!(better(bestVal, train, ctx.hib) && Math.abs(bestVal - train) > tolerance)) return null;
  const [t, v] = fmtPair(train, bestVal, ctx.unit);
  return {
    kind: 'underfitting',
    message:
      `too little capacity: training ${ctx.metric} ${t} is ${ctx.hib ? 'below' : 'above'} the validation ${ctx.metric} ${v} of the best candidate ` +
      `(${best.label}, ${count(best.params, 'parameter')}), and its own validation ${ctx.metric} is significantly ${ctx.hib ? 'lower' : 'higher'} ` +
      `(${pEquals(c.vsBest.p)}): it cannot fit even the data it trains on as well as a larger network predicts data it never saw — use a larger network.`,
    numbers: { trainMetric: train, bestValMetric: bestVal, tolerance, p: c.vsBest.p },
  };
}

/** Diagnose one ranked candidate of a run. */
export function diagnoseCandidate(
  c: RankedCandidate,
  analysis: Pick<RunAnalysis, 'best' | 'higherIsBetter' | 'metric' | 'unit'> & Partial<Pick<RunAnalysis, 'baseline'>>,
  spec: DiagnoseSpec,
  capacityJudged = true,
): CandidateDiagnosis {
  const doc = c.doc;
  const trials = doc.trials;
  const n = trials.length;
  const ctx: Context = { hib: analysis.higherIsBetter, metric: analysis.metric, unit: analysis.unit, cap: spec.training.epochs, task: spec.dataset.task };
  const findings: Finding[] = [];

  // Unfinished.
  const imp = majority(trials, (t) => trialStillImproving(t, ctx.hib, ctx.cap));
  if (imp) {
    const from = mean(imp.map((e) => e.from));
    const to = mean(imp.map((e) => e.to));
    const [f, t] = fmtPair(from, to, ctx.unit);
    const window = imp[0]!.window;
    const last = imp[0]!.lastEpoch;
    const epochSpan = (to: number) => (window === 1 ? `epoch ${to}` : `epochs ${to - window + 1}–${to}`);
    findings.push({
      kind: 'unfinished',
      message:
        `${imp.length} of ${n} ${trialWord(n)} ${imp.length === 1 ? 'was' : 'were'} still improving at the ${ctx.cap}-epoch cap: validation ${ctx.metric} ${f} → ${t} ` +
        `from ${epochSpan(last - window)} to ${epochSpan(last)} (means over those trials) — raise training.epochs.`,
      numbers: { trials: n, trialsImproving: imp.length, cap: ctx.cap, window, from, to, relativeGain: mean(imp.map((e) => e.relativeGain)) },
    });
  }

  // Underfitting: at chance, or too little capacity; only for a candidate whose training finished.
  const trainValues = trials.map((t) => t.trainMetric).filter((x) => Number.isFinite(x));
  const train = trainValues.length ? mean(trainValues) : null;
  if (train !== null && !imp) {
    const chance = chanceAccuracy(doc, ctx.task);
    if (chance !== null && train <= chance + CHANCE_MARGIN) {
      findings.push({
        kind: 'underfitting',
        message: `training ${ctx.metric} ${fmtValue(train)} is at chance level (${fmtValue(chance)}): the network learns nothing — more capacity, more epochs or a higher learning rate.`,
        numbers: { trainMetric: train, chance },
      });
    } else if (capacityJudged) {
      const f = capacityFinding(c, analysis.best, train, ctx);
      if (f) findings.push(f);
    }
  }

  // Overfitting, told in the ranking metric.
  const over = majority(trials, (t) => trialOverfits(t, ctx.hib));
  if (over) {
    const avg = (f: (e: OverfitEvidence) => number) => mean(over.map(f));
    const numbers = {
      trials: n,
      trialsOverfitting: over.length,
      bestEpoch: avg((e) => e.bestEpoch),
      lastEpoch: avg((e) => e.lastEpoch),
      window: Math.min(...over.map((e) => e.window)),
      gapAtBest: avg((e) => e.gapAtBest),
      gapAtLast: avg((e) => e.gapAtLast),
      valLossAtBest: avg((e) => e.valLossAtBest),
      valLossAtLast: avg((e) => e.valLossAtLast),
      valMetricAtBest: avg((e) => e.valMetricAtBest),
      valMetricAtLast: avg((e) => e.valMetricAtLast),
      trainMetricAtBest: avg((e) => e.trainMetricAtBest),
      trainMetricAtLast: avg((e) => e.trainMetricAtLast),
    };
    const [vb, vl] = fmtPair(numbers.valMetricAtBest, numbers.valMetricAtLast, ctx.unit);
    const [tb, tl] = fmtPair(numbers.trainMetricAtBest, numbers.trainMetricAtLast, ctx.unit);
    const kept = trials.some((t) => t.stoppedEarly || t.bestEpoch < t.epochs.length)
      ? ' Early stopping kept the weights of the best epoch, so the scores above are from before the divergence.'
      : ' The kept weights are from the last epoch: use early stopping, dropout or L2, or a smaller network.';
    findings.push({
      kind: 'overfitting',
      message:
        `after its best epoch (${fmtEpoch(numbers.bestEpoch)}) validation ${ctx.metric} worsened ${vb} → ${vl} by epoch ${fmtEpoch(numbers.lastEpoch)} ` +
        `while training ${ctx.metric} went ${tb} → ${tl} (${over.length} of ${n} ${trialWord(n)}; means over ${numbers.window}-epoch windows).${kept}`,
      numbers,
    });
  }

  const vb = c.vsBaseline;
  if (vb?.verdict === 'does-not-beat' && analysis.baseline) {
    findings.unshift({
      kind: 'at-baseline',
      message:
        `no better than the baseline "${analysis.baseline.name}": validation ${ctx.metric} ${fmtMeanSe(c.summary.mean, c.summary.se, ctx.unit)} against its ` +
        `${fmtMeanSe(analysis.baseline.summary.mean, analysis.baseline.summary.se, ctx.unit)} on the same trials — it learned nothing a model without a network does not know.`,
      numbers: { valMetric: c.summary.mean, baseline: analysis.baseline.summary.mean, difference: vb.difference },
    });
  }

  if (findings.length === 0) {
    findings.push({
      kind: 'healthy',
      message:
        train === null
          ? 'no finding: it neither underfits nor overfits, and its training finished.'
          : `no finding: training ${ctx.metric} ${withUnit(fmtValue(train), ctx.unit)}, validation ${fmtMeanSe(c.summary.mean, c.summary.se, ctx.unit)}.`,
      numbers: train === null ? {} : { trainMetric: train, valMetric: c.summary.mean },
    });
  }
  return { candidateId: doc.candidate.id, label: candidateLabel(doc), findings };
}

/** Diagnose every ranked candidate of a run, in ranking order, and count what the trials did. */
export function diagnoseRun(analysis: RunAnalysis, spec: DiagnoseSpec): RunDiagnosis {
  const cap = spec.training.epochs;
  const all = analysis.ranked.flatMap((c) => c.doc.trials);
  const toCap = all.filter((t) => ranToCap(t, cap)).length;
  const improving = all.filter((t) => trialStillImproving(t, analysis.higherIsBetter, cap) !== null).length;
  const capacityJudged = improving * 2 <= all.length;
  const candidates = analysis.ranked.map((c) => diagnoseCandidate(c, analysis, spec, capacityJudged));
  return {
    candidates,
    cap,
    trials: all.length,
    ranToCap: toCap,
    stillImproving: improving,
    capacityJudged,
    summary: summarySentences(candidates, all.length, toCap, improving, cap, spec.training.earlyStopping.enabled, capacityJudged),
  };
}

function summarySentences(candidates: readonly CandidateDiagnosis[], trials: number, toCap: number, improving: number, cap: number, earlyStopping: boolean, capacityJudged: boolean): string[] {
  const total = candidates.length;
  if (total === 0) return ['No candidate produced a result, so there is nothing to diagnose.'];
  const flagged = candidates.filter((d) => d.findings.some((f) => f.kind !== 'healthy')).length;
  const out: string[] = [];
  if (flagged === 0) {
    out.push(
      total === 1
        ? 'The candidate is not flagged for underfitting, overfitting or unfinished training.'
        : `None of the ${total} candidates is flagged for underfitting, overfitting or unfinished training.`,
    );
  } else if (flagged === total) {
    out.push(total === 1 ? 'The candidate has findings (below).' : `All ${total} candidates have findings (below).`);
  } else {
    out.push(`${flagged} of ${total} candidates ${flagged === 1 ? 'has' : 'have'} findings (below); the other ${total - flagged} ${total - flagged === 1 ? 'is' : 'are'} not flagged.`);
  }
  const still =
    improving === 0
      ? 'none was still improving at the end'
      : improving === toCap && toCap > 1
        ? 'all of them were still improving at the end'
        : `${improving} of them ${improving === 1 ? 'was' : 'were'} still improving at the end`;
  if (!earlyStopping) out.push(`Early stopping is off, so all ${count(trials, 'trial')} ran the full ${cap} epochs; ${still}.`);
  else if (toCap === 0) out.push(`Every one of the ${count(trials, 'trial')} stopped early, before the ${cap}-epoch cap.`);
  else out.push(`${toCap === trials ? `All ${trials} trials` : `${toCap} of ${count(trials, 'trial')}`} ran to the ${cap}-epoch cap without stopping early; ${still}.`);
  if (!capacityJudged) {
    out.push(
      `Capacity is not judged: ${improving} of ${count(trials, 'trial')} were still improving when they reached the cap, so the networks have not shown what they can do — raise training.epochs.`,
    );
  }
  return out;
}
