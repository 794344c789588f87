/**
 * What one trial's epoch curves show, in numbers: where validation loss was lowest and whether it rose
 * as a trend afterwards (overfitting), whether training ran to the epoch cap still improving
 * (unfinished), and the mean curve over trials. diagnose.ts turns this evidence into findings.
 */
import type { EpochRecord, Trial } from '../results/document.js';
import { better, studentTCdf } from '../stats/index.js';

export const OVERFIT_GAP_GROWTH = 0.1;
export const OVERFIT_MIN_RISE = 0.1;
/** After its lowest point the validation loss must rise as a trend at this one-sided level. */
export const RISING_SIGNIFICANCE = 0.05;
export const STILL_IMPROVING_MIN_GAIN = 0.005;
export const NEAR_CAP_FRACTION = 0.1;

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Index of the lowest validation loss (the first one on ties). */
function lowestValLoss(epochs: readonly EpochRecord[]): number {
  let b = 0;
  for (let i = 1; i < epochs.length; i++) if (epochs[i]!.valLoss < epochs[b]!.valLoss) b = i;
  return b;
}

/** Window length for smoothing a curve: 3 epochs, fewer when the span is shorter. */
export const SMOOTHING_WINDOW = 3;

/** Mean of a field over epochs[from, to). */
function span(epochs: readonly EpochRecord[], from: number, to: number, f: (e: EpochRecord) => number): number {
  return mean(epochs.slice(from, to).map(f));
}

export interface OverfitEvidence {
  bestEpoch: number;
  lastEpoch: number;
  /** Epochs per smoothing window (centred on the best epoch, and the last ones). */
  window: number;
  gapAtBest: number;
  gapAtLast: number;
  valLossAtBest: number;
  valLossAtLast: number;
  /** The ranking metric around the best and over the last epochs, validation and training. */
  valMetricAtBest: number;
  valMetricAtLast: number;
  trainMetricAtBest: number;
  trainMetricAtLast: number;
}

/**
 * Whether the validation loss rises as a trend over epochs [from, end): the least-squares slope of
 * validation loss on epoch is positive with a one-sided p < 0.05 (t-test on the slope, m − 2 degrees
 * of freedom, at least three epochs). Noise around a plateau has no such trend however large its bumps.
 */
export function valLossRising(epochs: readonly EpochRecord[], from: number): boolean {
  const pts = epochs.slice(Math.max(0, from));
  const m = pts.length;
  if (m < 3) return false;
  const mx = mean(pts.map((e) => e.epoch));
  const my = mean(pts.map((e) => e.valLoss));
  const sxx = pts.reduce((s, e) => s + (e.epoch - mx) ** 2, 0);
  const slope = pts.reduce((s, e) => s + (e.epoch - mx) * (e.valLoss - my), 0) / sxx;
  const ssr = pts.reduce((s, e) => s + (e.valLoss - my - slope * (e.epoch - mx)) ** 2, 0);
  const se = Math.sqrt(ssr / (m - 2) / sxx);
  if (!(se > 1e-12 * Math.abs(my))) return slope > 0;
  return 1 - studentTCdf(slope / se, m - 2) < RISING_SIGNIFICANCE;
}

/**
 * The overfitting test on one trial's curve (see the module comment); null when it does not show it.
 * Every value is a centred three-epoch mean: the lowest point is that of the smoothed validation loss
 * and the end is the mean of the last three epochs, so a noisy validation curve that merely dips once
 * and fluctuates back is not read as a rise.
 */
export function trialOverfits(trial: Pick<Trial, 'epochs'>, higherIsBetter: boolean): OverfitEvidence | null {
  const epochs = trial.epochs;
  const n = epochs.length;
  const w = SMOOTHING_WINDOW;
  if (n < w + 2) return null;
  // Centred means over epochs [i − 1, i + 1], for i = 1 … n − 2.
  const around = (i: number, f: (e: EpochRecord) => number) => span(epochs, i - 1, i + 2, f);
  let b = 1;
  for (let i = 2; i <= n - 2; i++) if (around(i, (e) => e.valLoss) < around(b, (e) => e.valLoss)) b = i;
  const end = n - 2;
  if (end - b < 2) return null;
  const valLossAtBest = around(b, (e) => e.valLoss);
  const valLossAtLast = around(end, (e) => e.valLoss);
  const gapAtBest = valLossAtBest - around(b, (e) => e.loss);
  const gapAtLast = valLossAtLast - around(end, (e) => e.loss);
  const valMetricAtBest = around(b, (e) => e.valMetric);
  const valMetricAtLast = around(end, (e) => e.valMetric);
  const scale = Math.max(Math.abs(valLossAtBest), 1e-12);
  const rise = valLossAtLast - valLossAtBest;
  const rose = rise > OVERFIT_MIN_RISE * scale && valLossRising(epochs, b + 1);
  const gapGrew = gapAtLast - gapAtBest > OVERFIT_GAP_GROWTH * scale;
  const metricWorse = better(valMetricAtBest, valMetricAtLast, higherIsBetter);
  if (!rose || !gapGrew || !metricWorse) return null;
  return {
    bestEpoch: epochs[b]!.epoch,
    lastEpoch: epochs[n - 1]!.epoch,
    window: w,
    gapAtBest,
    gapAtLast,
    valLossAtBest,
    valLossAtLast,
    valMetricAtBest,
    valMetricAtLast,
    trainMetricAtBest: around(b, (e) => e.metric),
    trainMetricAtLast: around(end, (e) => e.metric),
  };
}

/** The trial trained every epoch up to the cap. */
export function ranToCap(trial: Pick<Trial, 'epochs' | 'stoppedEarly'>, cap: number): boolean {
  return !trial.stoppedEarly && trial.epochs.length >= cap;
}

export interface ImprovingEvidence {
  lastEpoch: number;
  /** Epochs per window: `from` is the mean over the window before the last one, `to` over the last. */
  window: number;
  from: number;
  to: number;
  relativeGain: number;
}

/**
 * The still-improving test on one trial's curve (see the module comment); null when it does not show
 * it. The gain compares the mean validation metric of the last window of up to three epochs with the
 * window before it, so one lucky epoch at the end is not read as a trend.
 */
export function trialStillImproving(trial: Pick<Trial, 'epochs' | 'stoppedEarly'>, higherIsBetter: boolean, cap: number): ImprovingEvidence | null {
  const epochs = trial.epochs;
  const n = epochs.length;
  if (!ranToCap(trial, cap) || n < 2) return null;
  const near = Math.max(1, Math.ceil(NEAR_CAP_FRACTION * cap));
  if (lowestValLoss(epochs) < n - near) return null;
  const window = Math.min(SMOOTHING_WINDOW, Math.floor(n / 2));
  const from = span(epochs, n - 2 * window, n - window, (e) => e.valMetric);
  const to = span(epochs, n - window, n, (e) => e.valMetric);
  if (!better(to, from, higherIsBetter)) return null;
  const relativeGain = Math.abs(to - from) / Math.max(Math.abs(from), 1e-12);
  if (relativeGain <= STILL_IMPROVING_MIN_GAIN) return null;
  return { lastEpoch: epochs[n - 1]!.epoch, window, from, to, relativeGain };
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
