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
import { refitCandidate, trainCandidate } from '../src/train/train.js';

export type SimTask = 'binary' | 'regression';

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

interface Point {
  x: [number, number, number, number];
  c: number;
}

/** The noise-free part: binary the logit, regression the conditional mean. */
function signal(task: SimTask, { x: [x1, x2, x3, x4], c }: Point): number {
  return task === 'binary'
    ? 1.4 * x1 - x2 + 0.8 * x1 * x3 + Math.sin(2 * x4) + [0, 0.6, -0.6][c]!
    : x1 + 0.5 * x2 * x2 - 0.7 * x2 * x3 + Math.sin(2 * x4) + [0, 0.8, -0.8][c]!;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function drawPoints(n: number, random: Random): Point[] {
  return Array.from({ length: n }, () => ({ x: [gaussian(random), gaussian(random), gaussian(random), gaussian(random)], c: Math.floor(random() * 3) }));
}

/** A CSV table of the points with drawn targets (x1–x4, c, y). */
function toCsv(task: SimTask, points: Point[], random: Random): Uint8Array {
  const lines = ['x1,x2,x3,x4,c,y'];
  for (const p of points) {
    const s = signal(task, p);
    const y = task === 'binary' ? (random() < sigmoid(s) ? 1 : 0) : s + gaussian(random);
    lines.push(`${p.x.map((v) => v.toFixed(5)).join(',')},${CATEGORIES[p.c]},${task === 'binary' ? y : y.toFixed(5)}`);
  }
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

export function sweepSpec(s: Scenario, seed: number): SweepSpec {
  return sweepSpecSchema.parse({
    name: `coverage-${s.task}-${s.rows}-${s.strategy}`,
    dataset: { key: 'datasets/sim.csv', task: s.task, target: 'y', categorical: ['c'] },
    model: { family: 'dense', depth: [1], width: s.widths },
    training: { epochs: s.epochs, batchSize: 32, learningRate: 0.01, seed },
    evaluation: s.strategy === 'holdout' ? { strategy: 'holdout', validationSplit: 0.2, repeats: 3, test: 0.2 } : { strategy: 'kfold', folds: 5, repeats: 1, test: 0.2 },
  });
}

/** A fresh table of the scenario's size, parsed as layerbench parses it. */
export function simulateTable(s: Scenario, spec: SweepSpec, random: Random): ParsedDataset {
  return parseDataset(spec.dataset, toCsv(s.task, drawPoints(s.rows, random), random));
}

/** Fresh rows from the generator: the CSV bytes (as a user's new rows) and each row's noise-free signal. */
export interface TruthSample {
  task: SimTask;
  /** The rows as `layerbench predict` reads a CSV file. */
  table: CsvTable;
  signal: Float64Array;
  /** The table read for a model's input columns (every model of a scenario takes the same ones). */
  sources: Map<string, ReturnType<typeof readCsvRows>>;
}

export function truthSample(task: SimTask, n: number, seed: number): TruthSample {
  const random = rng(seed);
  const points = drawPoints(n, random);
  return { task, table: readCsv(toCsv(task, points, random), 'truth.csv'), signal: Float64Array.from(points, (p) => signal(task, p)), sources: new Map() };
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
  const encoded = encode(prep, source, Int32Array.from({ length: n }, (_, i) => i));
  const out = tf.tidy(() => model.predict(tf.tensor2d(encoded.x, [n, encoded.x.length / n]), { batchSize: 4096 }) as tf.Tensor);
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

/** One trial of the candidate's procedure on one table: its model's true score. */
async function oneTrialTruth(spec: SweepSpec, parsed: ParsedDataset, widthIndex: number, truth: TruthSample): Promise<number> {
  const { info } = dataLayout(parsed, spec.evaluation, spec.training.seed);
  const candidate = expandCandidates(spec, 'sim')[widthIndex]!;
  const split = splitDataset(parsed, spec.evaluation, spec.training.seed, 0)[0]!;
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

/**
 * A candidate's expected score at the scenario's size: the mean true score of `draws` models, each from
 * one trial (the split of repeat 0, fold 0: training rows and early stopping on its validation rows) on
 * an independent fresh table with its own seed. Holdout 0.2 and 5-fold train on the same 80 % / 20 % of
 * the development rows, so one estimate serves both.
 */
export async function expectedScore(s: Scenario, truth: TruthSample, draws: number, seed: number): Promise<Expected> {
  const scores = s.widths.map(() => [] as number[]);
  for (let d = 0; d < draws; d++) {
    const spec = sweepSpec({ ...s, strategy: 'holdout' }, seed + d);
    const parsed = simulateTable(s, spec, rng(0x7a11 + seed * 7919 + d));
    for (let w = 0; w < s.widths.length; w++) scores[w]!.push(await oneTrialTruth(spec, parsed, w, truth));
  }
  const mean = scores.map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
  const mcError = scores.map((xs, w) => Math.sqrt(xs.reduce((a, x) => a + (x - mean[w]!) ** 2, 0) / (xs.length - 1) / xs.length));
  return { mean, mcError, draws };
}

/** A trial as the intervals read it: the fields of its document's trial that the analysis uses. */
export type TrialRecord = Pick<Trial, 'repeat' | 'fold' | 'trainRows' | 'valRows' | 'valMetric' | 'bestEpoch' | 'split' | 'test'>;

/**
 * What one simulated sweep leaves to check, kept small enough to save (`--save`) and re-score later
 * (`--replay`) with other interval code, without training again.
 */
export interface SweepRecord {
  seed: number;
  outcome: RunAnalysis['outcome'];
  candidates: { width: number; trials: TrialRecord[] }[];
  /** The recommended candidate refit on every development row, and its true score; null when nothing was recommended. */
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
  const chosen = analysis.recommended;
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
