/**
 * The baseline: what a model with no network scores on the very splits the candidates train and
 * validate on — so "does the network beat doing nothing clever?" is answered pair by pair.
 *
 *  - binary, multiclass: the majority class of the training rows (ties: the class listed first). For the
 *    metric "loss" it predicts the training class frequencies (cross-entropy, probabilities clipped to
 *    [1e-7, 1 − 1e-7] as Keras does).
 *  - regression: the training mean.
 *  - forecast: persistence, "no change" — each target's value at the window's last row (a target that
 *    holds a change, `dataset.targetIs` "change", is predicted as 0: no change in the level); with
 *    `dataset.season` m, seasonal naive — the value m·⌈horizon/m⌉ rows before the target row (a window
 *    whose seasonal row would fall before the data uses persistence).
 *
 * Scores are computed as training computes the candidates' (src/train/train.ts): accuracy, mse, rmse
 * and mae in original units averaged over rows × targets; "loss" as the candidates' data loss (binary or
 * categorical cross-entropy; mean squared error of targets standardised with the training statistics).
 * Everything is fitted on the training samples of each split only, with the same preprocessing fit.
 */
import { BASELINE_SCHEMA, type BaselineDoc } from '../results/baseline.js';
import type { MetricName, SweepSpec } from '../sweep/schema.js';
import { higherIsBetter, rankingMetric } from '../sweep/schema.js';
import type { ParsedDataset, SeriesDataset } from './dataset.js';
import { fitPreprocessing, targetRow } from './preprocess.js';
import { dataLayout, foldIndices, splitId, splitOrder } from './split.js';
import { fromRowMean, toBlocks } from '../stats/index.js';

export type BaselineName = BaselineDoc['name'];

const EPSILON = 1e-7;
const q = JSON.stringify;

/** The baseline a dataset gets. */
export function baselineName(parsed: ParsedDataset, season?: number): BaselineName {
  if (parsed.task === 'binary' || parsed.task === 'multiclass') return 'majority class';
  if (parsed.task === 'regression') return 'training mean';
  return season === undefined ? 'persistence' : 'seasonal naive';
}

export interface BaselineScore {
  metric: number;
  /** One sentence: what it predicts, from its training samples. */
  description: string;
}

const format = (v: number) => (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : v.toPrecision(4));

/** Fit the baseline on `train` samples and score it on `evaluate` samples with `metric`. */
export function baselineScore(parsed: ParsedDataset, train: ArrayLike<number>, evaluate: ArrayLike<number>, metric: MetricName, season?: number): BaselineScore {
  const { rows, description } = baselineRows(parsed, train, evaluate, metric, season);
  let sum = 0;
  for (const r of rows) sum += r;
  return { metric: fromRowMean(metric, sum / rows.length), description };
}

/**
 * The baseline fitted on `train` samples, row by row on `evaluate` samples: each row's contribution to
 * the metric's mean, as the candidates' scoring keeps it (src/train/objective.ts rows) — 1 if right
 * (accuracy), the cross-entropy (loss), the squared error (mse, rmse: the metric is the root of their
 * mean), the absolute error (mae), each averaged over the targets.
 */
function baselineRows(parsed: ParsedDataset, train: ArrayLike<number>, evaluate: ArrayLike<number>, metric: MetricName, season?: number): { rows: number[]; description: string } {
  if (parsed.kind === 'series') return seriesRows(parsed, train, evaluate, metric, season);
  if (parsed.task === 'binary' || parsed.task === 'multiclass') {
    const k = parsed.classes!.length;
    const counts = new Array<number>(k).fill(0);
    for (let j = 0; j < train.length; j++) counts[parsed.y[train[j]!]!]!++;
    let majority = 0;
    for (let c = 1; c < k; c++) if (counts[c]! > counts[majority]!) majority = c;
    const freq = counts.map((n) => n / train.length);
    const rows = Array.from(evaluate, (i) => {
      const y = parsed.y[i]!;
      if (metric === 'accuracy') return y === majority ? 1 : 0;
      if (parsed.task === 'binary') {
        const p = Math.min(1 - EPSILON, Math.max(EPSILON, freq[1]!));
        return y === 1 ? -Math.log(p) : -Math.log(1 - p);
      }
      return -Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, freq[y]!)));
    });
    const share = (100 * freq[majority]!).toFixed(1);
    return {
      rows,
      description:
        metric === 'accuracy'
          ? `always ${q(parsed.classes![majority])} (${share} % of training rows)`
          : `the training class frequencies (${parsed.classes!.map((c, i) => `${q(c)} ${(100 * freq[i]!).toFixed(1)} %`).join(', ')})`,
    };
  }
  // Regression: the training mean, errors in original units; loss on the standardised target.
  const prep = fitPreprocessing(parsed, train);
  if (prep.target.kind !== 'numeric') throw new Error('baseline: regression needs a numeric target');
  const [mean, std] = [prep.target.mean[0]!, prep.target.std[0]!];
  const errors = Array.from(evaluate, (i) => mean - parsed.y[i]!);
  const unit = parsed.unit ? ` ${parsed.unit}` : '';
  return { rows: rowErrors(errors, metric, [std]), description: `always ${format(mean)}${unit}, the mean of the training rows` };
}

/** Each row's contribution from its errors (prediction − truth, original units; several targets interleaved, averaged per row). */
function rowErrors(errors: number[], metric: MetricName, std: number[]): number[] {
  const k = std.length;
  const rows = new Array<number>(errors.length / k).fill(0);
  errors.forEach((e, i) => {
    const v = metric === 'mae' ? Math.abs(e) : metric === 'loss' ? (e / std[i % k]!) ** 2 : e * e;
    rows[Math.floor(i / k)]! += v / k;
  });
  return rows;
}

function seriesRows(parsed: SeriesDataset, train: ArrayLike<number>, evaluate: ArrayLike<number>, metric: MetricName, season?: number): { rows: number[]; description: string } {
  const nf = parsed.featureNames.length;
  const errors: number[] = [];
  for (let j = 0; j < evaluate.length; j++) {
    const w = evaluate[j]!;
    const target = targetRow(parsed, w);
    const last = w + parsed.lookback - 1;
    const lagged = season === undefined ? -1 : target - season * Math.ceil(parsed.horizon / season);
    const from = lagged >= 0 ? lagged : last;
    const change = season === undefined && parsed.targetIs === 'change';
    for (const f of parsed.targets) errors.push((change ? 0 : parsed.values[from * nf + f]!) - parsed.values[target * nf + f]!);
  }
  let std = parsed.targets.map(() => 1);
  if (metric === 'loss') {
    const prep = fitPreprocessing(parsed, train);
    if (prep.target.kind === 'numeric') std = prep.target.std;
  }
  return {
    rows: rowErrors(errors, metric, std),
    description:
      season !== undefined
        ? `the value one season (${season} rows) before the target row`
        : parsed.targetIs === 'change'
          ? 'no change: a change of 0'
          : `no change: each target's value at the window's last row, ${parsed.horizon} row${parsed.horizon === 1 ? '' : 's'} before the target`,
  };
}

/**
 * The run's baseline document (runs/<runId>/baseline.json): one score per (repeat, fold) on the
 * candidates' own splits, and the test score of the baseline fitted on all development samples.
 */
export function baselineDoc(runId: string, parsed: ParsedDataset, spec: Pick<SweepSpec, 'dataset' | 'evaluation' | 'training'>): BaselineDoc {
  const metric = rankingMetric(spec);
  const season = spec.dataset.season;
  const seed = spec.training.seed;
  const { split } = dataLayout(parsed, spec.evaluation, seed);
  const trials: BaselineDoc['trials'] = [];
  for (let repeat = 0; repeat < spec.evaluation.repeats; repeat++) {
    foldIndices(parsed, spec.evaluation, seed, repeat).forEach((fold, f) => {
      const s = baselineScore(parsed, fold.train, fold.val, metric, season);
      trials.push({ repeat, fold: f, valMetric: s.metric, split: splitId(fold, split.test) });
    });
  }
  const onDev = split.test.length > 0 ? baselineRows(parsed, split.dev, split.test, metric, season) : undefined;
  // The test rows' results in the blocks the candidates' and the final model's scoring keeps (same rows,
  // same order, same layout), so the final model can be compared with the baseline row by row.
  const order = splitOrder(parsed, spec.evaluation).kind === 'time' ? 'time' : 'random';
  return {
    schema: BASELINE_SCHEMA,
    runId,
    name: baselineName(parsed, season),
    description: (onDev ?? baselineRows(parsed, split.dev, split.dev, metric, season)).description,
    metric: { name: metric, higherIsBetter: higherIsBetter(metric) },
    trials,
    mean: trials.reduce((a, t) => a + t.valMetric, 0) / trials.length,
    test: onDev ? { metric: fromRowMean(metric, onDev.rows.reduce((a, r) => a + r, 0) / onDev.rows.length), rows: split.test.length, blocks: toBlocks(onDev.rows, order) } : null,
  };
}
