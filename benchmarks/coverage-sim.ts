/**
 * The simulation behind benchmarks/coverage.ts and test/stats.coverage.test.ts: sweeps on synthetic
 * tables whose truth is known, run through layerbench's own code path — parse, split and preprocess
 * (src/data), trainCandidate and refitCandidate (src/train/train.ts), the baseline, analyzeRun and the
 * decision (src/results/analysis.ts) — so that what is checked is what users get, early stopping on the
 * validation rows included.
 *
 * **The truth.** The generator is ours: x1…x4 standard normal, a category c ∈ {a, b, c}, and
 *  - binary: P(y = 1 | x) = σ(f(x)), f = 1.4 x1 − x2 + 0.8 x1 x3 + sin(2 x4) + (0, 0.6, −0.6)[c];
 *  - regression: y = g(x) + N(0, 1), g = x1 + 0.5 x2² − 0.7 x2 x3 + sin(2 x4) + (0, 0.8, −0.8)[c].
 * A model's true score is its expected score on a new row: accuracy E_x[P(y = ŷ(x) | x)], mse
 * E_x[(g(x) − ŷ(x))²] + 1, rmse its root — averaged over a fresh sample of x (TRUTH_ROWS rows, read and
 * encoded with the model's own preprocessing exactly as `layerbench predict` reads a CSV). Taking the
 * conditional expectation given x rather than scoring drawn labels removes the label noise from the
 * truth (Rao–Blackwell), so 20,000 rows pin it to about ±0.001.
 *
 * A candidate's expected score at a table size is the mean true score of models trained by the same
 * procedure — a trial: train on the split's training rows, early stopping on its validation rows — on
 * independent fresh tables of that size (`expectedScore`).
 */
import * as tf from '@tensorflow/tfjs';
import {
  baselineDoc,
  dataLayout,
  encode,
  outputToOriginal,
  parseDataset,
  readCsv,
  readCsvRows,
  refitData,
  splitDataset,
  type CsvTable,
  type ParsedDataset,
  type Preprocessing,
  type SplitData,
} from '../src/data/index.js';
import { rng, type Random } from '../src/random.js';
import { analyzeRun, finalModelTest, scoreSummary, trialModelsTest, trialPoints, type RunAnalysis } from '../src/results/analysis.js';
import type { CandidateDoc, Trial } from '../src/results/document.js';
import type { FinalModelDoc } from '../src/results/final-model.js';
import { expandCandidates } from '../src/search/candidates.js';
import { medianBestEpoch } from '../src/steps/finalize.js';
import { sweepSpecSchema, type SweepSpec } from '../src/sweep/schema.js';
import { refitCandidate } from '../src/train/refit.js';
import { trainCandidate } from '../src/train/train.js';

export type SimTask = 'binary' | 'regression' | 'forecast';

/** One kind of sweep: the task, the table's rows, how the development rows are split. */
export interface Scenario {
  task: SimTask;
  rows: number;
  strategy: 'holdout' | 'kfold';
  /** Widths of the depth-1 dense candidates. */
  widths: number[];
  epochs: number;
}

export const TRUTH_ROWS = 20_000;

const gaussian = (random: Random) => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-300))) * Math.cos(2 * Math.PI * random());
const CATEGORIES = ['a', 'b', 'c'] as const;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Forecast: 12 rows a season, an AR(1) around it, one step ahead from 12 rows back. */
const SEASON = 12;
const PHI = 0.8;
const LOOKBACK = 12;

/**
 * n rows from the generator: the CSV bytes and, per sample, the noise-free signal — tables: the logit
 * (binary) or the conditional mean (regression) of each row; forecasts: the conditional mean of each
 * window's target row given the past, s(t) + φ z_{t−1}, for windows w = 0 … n − LOOKBACK − 1.
 */
function generate(task: SimTask, n: number, random: Random): { bytes: Uint8Array; signal: Float64Array } {
  if (task === 'forecast') {
    const lines = ['t,y'];
    const conditional = new Float64Array(n);
    let z = gaussian(random) / Math.sqrt(1 - PHI * PHI);
    for (let r = 0; r < n; r++) {
      const season = 1.5 * Math.sin((2 * Math.PI * (r + 1)) / SEASON);
      conditional[r] = season + PHI * z;
      z = PHI * z + gaussian(random);
      lines.push(`${r + 1},${(season + z).toFixed(5)}`);
    }
    return { bytes: new TextEncoder().encode(`${lines.join('\n')}\n`), signal: conditional.slice(LOOKBACK) };
  }
  const lines = ['x1,x2,x3,x4,c,y'];
  const signal = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [x1, x2, x3, x4] = [gaussian(random), gaussian(random), gaussian(random), gaussian(random)];
    const c = Math.floor(random() * 3);
    const s = task === 'binary' ? 1.4 * x1 - x2 + 0.8 * x1 * x3 + Math.sin(2 * x4) + [0, 0.6, -0.6][c]! : x1 + 0.5 * x2 * x2 - 0.7 * x2 * x3 + Math.sin(2 * x4) + [0, 0.8, -0.8][c]!;
    signal[i] = s;
    const y = task === 'binary' ? (random() < sigmoid(s) ? '1' : '0') : (s + gaussian(random)).toFixed(5);
    lines.push(`${[x1, x2, x3, x4].map((v) => v.toFixed(5)).join(',')},${CATEGORIES[c]},${y}`);
  }
  return { bytes: new TextEncoder().encode(`${lines.join('\n')}\n`), signal };
}

export function sweepSpec(s: Scenario, seed: number): SweepSpec {
  const dataset =
    s.task === 'forecast'
      ? { key: 'datasets/sim.csv', task: s.task, target: 'y', time: 't', lookback: LOOKBACK, horizon: 1 }
      : { key: 'datasets/sim.csv', task: s.task, target: 'y', categorical: ['c'] };
  return sweepSpecSchema.parse({
    name: `coverage-${s.task}-${s.rows}-${s.strategy}`,
    dataset,
    model: { family: 'dense', depth: [1], width: s.widths },
    training: { epochs: s.epochs, batchSize: 32, learningRate: 0.01, seed },
    evaluation: s.strategy === 'holdout' ? { strategy: 'holdout', validationSplit: 0.2, repeats: 3, test: 0.2 } : { strategy: 'kfold', folds: 5, repeats: 1, test: 0.2 },
  });
}

/** A fresh table of the scenario's size, parsed as layerbench parses it. */
export function simulateTable(s: Scenario, spec: SweepSpec, random: Random): ParsedDataset {
  return parseDataset(spec.dataset, generate(s.task, s.rows, random).bytes);
}

/** Fresh rows from the generator, read as `layerbench predict` reads a CSV file, and each sample's noise-free signal. */
export interface TruthSample {
  task: SimTask;
  table: CsvTable;
  signal: Float64Array;
  /** The table read for a model's input columns (every model of a scenario takes the same ones). */
  sources: Map<string, ReturnType<typeof readCsvRows>>;
}

/** n samples of the truth (a forecast: a series with n windows). */
export function truthSample(task: SimTask, n: number, seed: number): TruthSample {
  const { bytes, signal } = generate(task, task === 'forecast' ? n + LOOKBACK : n, rng(seed));
  return { task, table: readCsv(bytes, 'truth.csv'), signal, sources: new Map() };
}

/** A model's true score (accuracy or rmse) over the truth sample, its rows read with the model's preprocessing. */
export async function trueScore(model: tf.LayersModel, prep: Preprocessing, truth: TruthSample): Promise<number> {
  // What reading depends on: the input columns and their kinds (and a series' window), the classes.
  const input = prep.input;
  const key = JSON.stringify([
    input.kind === 'array' ? null : input.features.map((f) => [f.name, f.kind]),
    input.kind === 'series' ? [input.time, input.lookback, input.horizon] : null,
    prep.target.kind === 'classes' ? prep.target.classes : null,
  ]);
  let source = truth.sources.get(key);
  if (!source) truth.sources.set(key, (source = readCsvRows(prep, truth.table, 'truth.csv')));
  const n = truth.signal.length;
  const encoded = encode(
    prep,
    source,
    Int32Array.from({ length: n }, (_, i) => i),
  );
  const shape = [n, ...model.inputs[0]!.shape.slice(1).map((d) => d!)];
  const out = tf.tidy(() => model.predict(tf.tensor(encoded.x, shape), { batchSize: 4096 }) as tf.Tensor);
  const values = await out.data();
  out.dispose();
  let sum = 0;
  if (truth.task === 'binary') {
    if (prep.target.kind !== 'classes') throw new Error('a binary model without classes');
    const one = prep.target.classes.indexOf('1');
    for (let i = 0; i < n; i++) {
      const p1 = sigmoid(truth.signal[i]!);
      const saysOne = (values[i]! > 0.5 ? 1 : 0) === one;
      sum += saysOne ? p1 : 1 - p1;
    }
    return sum / n;
  }
  const predicted = outputToOriginal(prep, values);
  for (let i = 0; i < n; i++) sum += (truth.signal[i]! - predicted[i]!) ** 2;
  return Math.sqrt(sum / n + 1);
}

/** Trial `fold` of repeat 0 of the candidate's procedure on one table: its model's true score. */
async function oneTrialTruth(spec: SweepSpec, parsed: ParsedDataset, widthIndex: number, fold: number, truth: TruthSample): Promise<number> {
  const { info } = dataLayout(parsed, spec.evaluation, spec.training.seed);
  const candidate = expandCandidates(spec, 'sim')[widthIndex]!;
  const split = splitDataset(parsed, spec.evaluation, spec.training.seed, 0)[fold]!;
  let score = Number.NaN;
  await trainCandidate({
    runId: 'truth',
    spec: { ...spec, evaluation: { ...spec.evaluation, repeats: 1 } },
    candidate,
    info,
    splits: () => [split],
    onFinalModel: async (model: tf.LayersModel, s: SplitData) => {
      score = await trueScore(model, s.preprocessing!, truth);
    },
  });
  return score;
}

export interface Expected {
  /** Per candidate (width): the mean true score over the draws, and its Monte-Carlo standard error. */
  mean: number[];
  mcError: number[];
  draws: number;
}

/** Whether a scenario's splits are in time order (the expected score then depends on the strategy). */
export const inTime = (s: Scenario) => s.task === 'forecast';

/**
 * A candidate's expected score: the mean true score of models its procedure trains on `draws`
 * independent fresh tables of the scenario's size, each with its own seed. Tables: one model per table,
 * from the split of repeat 0, fold 0 (training rows, early stopping on its validation rows) — holdout
 * 0.2 and 5-fold train on the same 80 % / 20 % of the development rows, so one estimate serves both.
 * Time order: a table's value is the mean over every fold of repeat 0, since expanding folds train on
 * different lengths of the past and the validation mean averages over them.
 */
export async function expectedScore(s: Scenario, truth: TruthSample, draws: number, seed: number): Promise<Expected> {
  const scores = s.widths.map(() => [] as number[]);
  const procedure = inTime(s) ? s : { ...s, strategy: 'holdout' as const };
  for (let d = 0; d < draws; d++) {
    const spec = sweepSpec(procedure, seed + d);
    const parsed = simulateTable(s, spec, rng(0x7a11 + seed * 7919 + d));
    const folds = inTime(s) ? splitDataset(parsed, spec.evaluation, spec.training.seed, 0).length : 1;
    for (let w = 0; w < s.widths.length; w++) {
      let sum = 0;
      for (let f = 0; f < folds; f++) sum += await oneTrialTruth(spec, parsed, w, f, truth);
      scores[w]!.push(sum / folds);
    }
  }
  const mean = scores.map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
  const mcError = scores.map((xs, w) => Math.sqrt(xs.reduce((a, x) => a + (x - mean[w]!) ** 2, 0) / (xs.length - 1) / xs.length));
  return { mean, mcError, draws };
}

/** A trial as the intervals read it: the fields of its document's trial that the analysis uses. */
export type TrialRecord = Pick<Trial, 'repeat' | 'fold' | 'trainRows' | 'valRows' | 'valMetric' | 'bestEpoch' | 'split' | 'test' | 'valBlocks'>;

/**
 * What one simulated sweep leaves to check, kept small enough to save (`--save`) and re-score later
 * (`--replay`) with other interval code, without training again.
 */
export interface SweepRecord {
  seed: number;
  outcome: RunAnalysis['outcome'];
  candidates: { width: number; trials: TrialRecord[] }[];
  /** The recommended (else the best-ranked) candidate refit on every development row, and its true score. */
  final: { width: number; test: NonNullable<FinalModelDoc['test']>; truth: number } | null;
}

type Checked = { lo: number; hi: number; estimate: number } | null;

/** The three intervals of a sweep, from layerbench's analysis functions (src/results/analysis.ts). */
export function sweepIntervals(record: SweepRecord, metric: string): { candidates: { width: number; validation: Checked; trialModelsTest: Checked }[]; final: Checked } {
  const candidates = record.candidates.map(({ width, trials }) => {
    const summary = scoreSummary(metric, trialPoints({ trials: trials as Trial[] }));
    const test = trialModelsTest({ trials } as unknown as CandidateDoc, metric);
    return {
      width,
      validation: summary.ci ? { ...summary.ci, estimate: summary.mean } : null,
      trialModelsTest: test?.ci ? { ...test.ci, estimate: test.score } : null,
    };
  });
  const f = record.final;
  const ft = f ? finalModelTest({ status: 'succeeded', test: f.test } as FinalModelDoc, metric) : null;
  return { candidates, final: ft?.ci ? { ...ft.ci, estimate: ft.score } : null };
}

const keep = (t: Trial): TrialRecord => ({
  repeat: t.repeat,
  fold: t.fold,
  trainRows: t.trainRows,
  valRows: t.valRows,
  valMetric: t.valMetric,
  bestEpoch: t.bestEpoch,
  ...(t.split ? { split: t.split } : {}),
  ...(t.test ? { test: t.test } : {}),
  // The per-row validation results: repeats over one split (time order) add those rows' sampling error.
  ...(t.valBlocks ? { valBlocks: t.valBlocks } : {}),
});

/** One sweep: a fresh table, every candidate trained and analysed, the recommended one refit and its true score taken. */
export async function simulateSweep(s: Scenario, seed: number, truth: TruthSample): Promise<SweepRecord> {
  const spec = sweepSpec(s, seed);
  const parsed = simulateTable(s, spec, rng(seed));
  const runId = `sim-${seed}`;
  const { info } = dataLayout(parsed, spec.evaluation, spec.training.seed);
  const candidates = expandCandidates(spec, 'sim');
  const docs: CandidateDoc[] = [];
  for (const candidate of candidates) {
    docs.push(await trainCandidate({ runId, spec, candidate, info, splits: (r) => splitDataset(parsed, spec.evaluation, spec.training.seed, r) }));
  }
  const analysis = analyzeRun(docs, spec, { baseline: baselineDoc(runId, parsed, spec) });
  // Finalize refits the recommended candidate; when nothing is recommended (no candidate clearly beats
  // the baseline) the best-ranked one is refit instead, so that every sweep checks a final model's
  // interval — which does not depend on how the model was chosen.
  const chosen = analysis.recommended ?? analysis.best;
  let final: SweepRecord['final'] = null;
  if (chosen) {
    const data = refitData(parsed, spec.evaluation, spec.training.seed);
    let modelTruth = Number.NaN;
    const refit = await refitCandidate({
      runId,
      spec,
      candidate: candidates.find((c) => c.id === chosen.id)!,
      info,
      split: { fold: 0, repeat: 0, ...data, val: { n: 0, x: new Float32Array(0), y: new Float32Array(0) } },
      epochs: medianBestEpoch(chosen.doc),
      onModel: async (model) => {
        modelTruth = await trueScore(model, data.preprocessing, truth);
      },
    });
    if (refit.test) final = { width: chosen.width, test: refit.test, truth: modelTruth };
  }
  return {
    seed,
    outcome: analysis.outcome,
    candidates: docs.map((d) => ({ width: d.candidate.width, trials: d.trials.map(keep) })),
    final,
  };
}
