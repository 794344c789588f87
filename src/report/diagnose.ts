/**
 * A diagnosis per candidate from its trials' epoch curves, the reasoning the seed article asks users
 * to do by eye ("watch training and validation curves"). Each finding carries a one-line explanation
 * and the numbers behind it. The definitions:
 *
 * - **underfitting** — the training metric is poor. "Poor" has two tests, either suffices:
 *   (1) classification only: mean training accuracy within 0.05 of chance (1 / classes); or
 *   (2) the mean training metric (at the kept weights) is worse than the *best candidate's mean
 *   validation metric* by more than the best's standard error (or 0.1 % of its magnitude when the best
 *   has one trial). A network that fits the data it trains on worse than another network predicts
 *   data it never saw lacks capacity (or epochs). Scale-free, so it works for accuracy and rmse alike.
 * - **overfitting** — the train–validation gap grows after the best epoch. Per trial, with
 *   gap(e) = valLoss(e) − loss(e) (loss is lower-is-better for every task): at least two epochs follow
 *   the best epoch, the gap at the last epoch exceeds the gap at the best epoch by more than 10 % of
 *   the best validation loss, and the validation loss at the last epoch is worse than at the best.
 *   Flagged when more than half of the trials show it. When early stopping restored the best
 *   weights the kept model is the one from before the divergence; the message says so.
 * - **still-improving** — the validation metric was still improving when training ended: the trial
 *   did not stop early, its best epoch is one of the last two, and over the last min(3, epochs − 1)
 *   epochs the validation metric improved by more than 0.5 % (relative). Flagged when more than half
 *   of the trials show it; more epochs would help.
 * - **healthy** — none of the above.
 */
import type { CandidateDoc, EpochRecord, Trial } from '../results/document.js';
import { better, candidateLabel, fmt, metricValues, type RunAnalysis } from './stats.js';

export type DiagnosisKind = 'underfitting' | 'overfitting' | 'still-improving' | 'healthy';

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

export const CHANCE_MARGIN = 0.05;
export const OVERFIT_GAP_GROWTH = 0.1;
export const STILL_IMPROVING_MIN_GAIN = 0.005;

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Trains-on-data metric of a candidate: mean of its trials' trainMetric. */
function trainMean(doc: CandidateDoc): number | null {
  const v = doc.trials.map((t) => t.trainMetric).filter((x) => Number.isFinite(x));
  return v.length ? mean(v) : null;
}

function chanceAccuracy(doc: CandidateDoc, task?: string): number | null {
  if (doc.metric.name !== 'accuracy') return null;
  const k = doc.data?.classes?.length ?? (task === 'binary' ? 2 : doc.data?.targetDim && doc.data.targetDim > 1 ? doc.data.targetDim : null);
  return k && k >= 2 ? 1 / k : null;
}

export interface OverfitEvidence {
  bestEpoch: number;
  lastEpoch: number;
  gapAtBest: number;
  gapAtLast: number;
  valLossAtBest: number;
  valLossAtLast: number;
}

/** The overfitting test on one trial's curve; null when the trial does not show it. */
export function trialOverfits(trial: Pick<Trial, 'epochs' | 'bestEpoch'>): OverfitEvidence | null {
  const epochs = trial.epochs;
  const bestIdx = epochs.findIndex((e) => e.epoch === trial.bestEpoch);
  const b = bestIdx >= 0 ? bestIdx : Math.min(Math.max(trial.bestEpoch - 1, 0), epochs.length - 1);
  if (epochs.length - 1 - b < 2) return null;
  const atBest = epochs[b]!;
  const last = epochs[epochs.length - 1]!;
  const gapAtBest = atBest.valLoss - atBest.loss;
  const gapAtLast = last.valLoss - last.loss;
  const growth = gapAtLast - gapAtBest;
  const scale = Math.max(Math.abs(atBest.valLoss), 1e-12);
  if (!(growth > OVERFIT_GAP_GROWTH * scale) || !(last.valLoss > atBest.valLoss)) return null;
  return {
    bestEpoch: atBest.epoch,
    lastEpoch: last.epoch,
    gapAtBest,
    gapAtLast,
    valLossAtBest: atBest.valLoss,
    valLossAtLast: last.valLoss,
  };
}

export interface ImprovingEvidence {
  lastEpoch: number;
  window: number;
  from: number;
  to: number;
  relativeGain: number;
}

/** The still-improving test on one trial's curve; null when the trial does not show it. */
export function trialStillImproving(trial: Pick<Trial, 'epochs' | 'bestEpoch' | 'stoppedEarly'>, higherIsBetter: boolean): ImprovingEvidence | null {
  const epochs = trial.epochs;
  if (trial.stoppedEarly || epochs.length < 2) return null;
  const last = epochs[epochs.length - 1]!;
  if (trial.bestEpoch < last.epoch - 1) return null;
  const window = Math.min(3, epochs.length - 1);
  const from = epochs[epochs.length - 1 - window]!.valMetric;
  const to = last.valMetric;
  if (!better(to, from, higherIsBetter)) return null;
  const relativeGain = Math.abs(to - from) / Math.max(Math.abs(from), 1e-12);
  if (relativeGain <= STILL_IMPROVING_MIN_GAIN) return null;
  return { lastEpoch: last.epoch, window, from, to, relativeGain };
}

function majority<T>(trials: readonly Trial[], test: (t: Trial) => T | null): T[] | null {
  if (trials.length === 0) return null;
  const hits = trials.map(test).filter((x): x is T => x !== null);
  return hits.length * 2 > trials.length ? hits : null;
}

/** Diagnose one candidate against the run's analysis (for the underfitting comparison). */
export function diagnoseCandidate(doc: CandidateDoc, analysis: Pick<RunAnalysis, 'best' | 'higherIsBetter' | 'metric'>, task?: string): CandidateDiagnosis {
  const hib = analysis.higherIsBetter;
  const metric = analysis.metric;
  const findings: Finding[] = [];
  const trials = doc.trials;
  const n = trials.length;

  // Underfitting.
  const train = trainMean(doc);
  if (train !== null) {
    const chance = chanceAccuracy(doc, task);
    const best = analysis.best;
    if (chance !== null && train <= chance + CHANCE_MARGIN) {
      findings.push({
        kind: 'underfitting',
        message: `training ${metric} ${fmt(train)} is at chance level (${fmt(chance)}): the network learns nothing — more capacity, more epochs or a higher learning rate.`,
        numbers: { trainMetric: train, chance },
      });
    } else if (best && best.doc !== doc) {
      const bestVal = best.summary.mean;
      const tol = best.summary.se ?? 1e-3 * Math.max(Math.abs(bestVal), 1e-12);
      if (better(bestVal, train, hib) && Math.abs(bestVal - train) > tol) {
        findings.push({
          kind: 'underfitting',
          message:
            `training ${metric} ${fmt(train)} is worse than the best candidate's validation ${metric} ${fmt(bestVal)} (${best.label}): ` +
            'it cannot fit even its training data as well as a larger network predicts unseen data — too little capacity.',
          numbers: { trainMetric: train, bestValMetric: bestVal, tolerance: tol },
        });
      }
    }
  }

  // Overfitting.
  const over = majority(trials, trialOverfits);
  if (over) {
    const restored = trials.some((t) => t.stoppedEarly) ? ' Early stopping kept the weights of the best epoch.' : ' No early stop: use early stopping, dropout or L2, or a smaller network.';
    const avg = (f: (e: OverfitEvidence) => number) => mean(over.map(f));
    const numbers = {
      trials: n,
      trialsOverfitting: over.length,
      bestEpoch: avg((e) => e.bestEpoch),
      lastEpoch: avg((e) => e.lastEpoch),
      gapAtBest: avg((e) => e.gapAtBest),
      gapAtLast: avg((e) => e.gapAtLast),
      valLossAtBest: avg((e) => e.valLossAtBest),
      valLossAtLast: avg((e) => e.valLossAtLast),
    };
    findings.push({
      kind: 'overfitting',
      message:
        `after the best epoch (${fmt1(numbers.bestEpoch)}) the train–validation loss gap grew from ${fmt(numbers.gapAtBest)} to ${fmt(numbers.gapAtLast)} ` +
        `by epoch ${fmt1(numbers.lastEpoch)} and validation loss rose ${fmt(numbers.valLossAtBest)} → ${fmt(numbers.valLossAtLast)} ` +
        `(${over.length} of ${n} trial${n === 1 ? '' : 's'}).${restored}`,
      numbers,
    });
  }

  // Still improving.
  const imp = majority(trials, (t) => trialStillImproving(t, hib));
  if (imp) {
    const numbers = {
      trials: n,
      trialsImproving: imp.length,
      lastEpoch: mean(imp.map((e) => e.lastEpoch)),
      window: imp[0]!.window,
      from: mean(imp.map((e) => e.from)),
      to: mean(imp.map((e) => e.to)),
      relativeGain: mean(imp.map((e) => e.relativeGain)),
    };
    findings.push({
      kind: 'still-improving',
      message:
        `validation ${metric} was still improving at the last epoch (${fmt1(numbers.lastEpoch)}): ${fmt(numbers.from)} → ${fmt(numbers.to)} ` +
        `over the last ${numbers.window} epochs, no early stop (${imp.length} of ${n} trial${n === 1 ? '' : 's'}) — more epochs would help (training.epochs).`,
      numbers,
    });
  }

  if (findings.length === 0) {
    const val = metricValues(doc);
    findings.push({
      kind: 'healthy',
      message:
        train === null || val.length === 0
          ? 'no sign of underfitting, overfitting or unfinished training.'
          : `training ${metric} ${fmt(train)}, validation ${fmt(mean(val))}; no sign of underfitting, overfitting or unfinished training.`,
      numbers: train === null || val.length === 0 ? {} : { trainMetric: train, valMetric: mean(val) },
    });
  }
  return { candidateId: doc.candidate.id, label: candidateLabel(doc), findings };
}

/** Diagnose every ranked candidate of a run, in ranking order. */
export function diagnoseRun(analysis: RunAnalysis, task?: string): CandidateDiagnosis[] {
  return analysis.ranked.map((c) => diagnoseCandidate(c.doc, analysis, task));
}

function fmt1(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** Mean curve over trials, epoch by epoch, over the trials that reached each epoch. */
export function meanCurve(trials: readonly Pick<Trial, 'epochs'>[]): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord[]>();
  for (const t of trials) for (const e of t.epochs) byEpoch.set(e.epoch, [...(byEpoch.get(e.epoch) ?? []), e]);
  return [...byEpoch.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([epoch, es]) => ({
      epoch,
      loss: mean(es.map((e) => e.loss)),
      metric: mean(es.map((e) => e.metric)),
      valLoss: mean(es.map((e) => e.valLoss)),
      valMetric: mean(es.map((e) => e.valMetric)),
    }));
}
