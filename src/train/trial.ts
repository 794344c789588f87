/**
 * One trial: a fresh, seeded model trained on one split to its epoch budget (or continued there from
 * a checkpoint), validated every epoch, stopped early with its best weights kept, then scored.
 *
 * The loop is ours rather than `model.fit`: fit shuffles with Math.random and its early stopping
 * cannot restore the best weights. Whatever trains the epochs — one fused kernel call, or tf.layers
 * batch by batch — is an EpochRunner (epoch-runner.ts); this module is the loop around it.
 *
 * Math.random is seeded for the trial and restored afterwards. tfjs's dropout draws each batch's mask
 * from a generator seeded by Math.random (a Dropout layer given a seed reuses one mask for every
 * batch), and the fused epoch draws its dropout seed from it, so this is what makes a candidate with
 * dropout reproducible: same id, same result. A trial has the process to itself (one candidate per
 * worker at a time). A resumed trial builds its model first, then takes its weights, optimizer state
 * and the generator's position from the checkpoint; its batch order is replayed from the seed.
 */
import * as tf from '@tensorflow/tfjs';
import { CandidateError, DataError, LayerbenchError } from '../errors.js';
import { buildModel } from '../model/build.js';
import { rng, type Random } from '../random.js';
import type { Candidate } from '../sweep/candidate.js';
import { higherIsBetter, type MetricName, type SweepSpec } from '../sweep/schema.js';
import type { DataInfo, SplitData } from '../data/types.js';
import type { EpochRecord, Trial } from '../results/document.js';
import type { TrialState } from './checkpoint.js';
import { EarlyStopping } from './early-stopping.js';
import { epochRunner, evalBatchSize, setLayerWeights, type EpochRunner, type Scores } from './epoch-runner.js';
import { objective } from './objective.js';
import type { PhaseClock } from './phases.js';
import { checkArrays, disposeSet, scoreRows, timedPrediction, toTensors, type RowScores, type TensorSet } from './scoring.js';

export interface EpochEvent extends EpochRecord {
  repeat: number;
  fold: number;
  /** Planned epochs (early stopping may end sooner). */
  epochs: number;
}

/**
 * What a trial is scored on once trained. `full`: everything a ranked candidate needs — the kept
 * weights on validation (and row by row), training and test rows, the inference latency, and the
 * model handed to `keep`. `validation`: only what choosing who goes on needs (a halving rung that is
 * not the last): the kept epoch's validation scores and the training metric; no test split, no
 * latency, nothing saved.
 */
export type Scoring = 'full' | 'validation';

export interface TrialContext {
  spec: SweepSpec;
  candidate: Candidate;
  info: DataInfo;
  split: SplitData;
  repeat: number;
  seed: number;
  /** Where the trial stands (from a checkpoint); absent: it starts from scratch. */
  state?: TrialState;
  /** Train to at most this many epochs in all. */
  budget: number;
  /** Pause rather than start an epoch expected to end after this (performance.now() ms). */
  deadline?: number;
  scoring: Scoring;
  /** false: train unfused even where the fused epoch applies. */
  fused?: boolean;
  /** Shared by the candidate's trials in this call: epochs trained, and how long the last one took. */
  clock: { epochs: number; lastEpochMs: number };
  phases: PhaseClock;
  onEpoch?: (e: EpochEvent) => void;
  /** Called with the freshly built model of the first trial (for the summary). */
  describe: (model: tf.LayersModel) => void;
  /** Tensor bytes in use, sampled. */
  sample: (bytes: number) => void;
  /** Set on the last trial only (full scoring): receives the trained model and its split before the model is disposed. */
  keep?: (model: tf.LayersModel, split: SplitData) => Promise<void>;
}

export interface TrialOutcome {
  trial: Trial;
  /** Null when the trial was not timed (validation scoring). */
  inferenceMsPerSample: number | null;
}

/** What a trial got to: scored at its budget (with its state, to go on from), or paused before it. */
export type TrialResult = { kind: 'scored'; outcome: TrialOutcome; state: TrialState } | { kind: 'paused'; state: TrialState };

const seconds = (ms: number): number => ms / 1000;

function shuffleInPlace(a: Int32Array, random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

function checkSplit(ctx: TrialContext, where: string): void {
  const { split, info } = ctx;
  checkArrays(`${where} train`, split.train, info);
  if (split.val.n > 0) checkArrays(`${where} validation`, split.val, info);
  if (split.test) checkArrays(`${where} test`, split.test, info);
  if (split.targetScale && split.targetScale.length !== info.targetDim) {
    throw new DataError(`${where}: targetScale has ${split.targetScale.length} values, expected ${info.targetDim}`);
  }
}

/** A checkpointed trial's current weights into its freshly built model. */
function restoreWeights(model: tf.LayersModel, state: TrialState): void {
  const shapes = model.getWeights().map((w) => w.shape);
  const saved = state.weights ?? [];
  if (saved.length !== shapes.length || saved.some((a, i) => a.length !== shapes[i]!.reduce((p, q) => p * q, 1))) {
    throw new LayerbenchError(`checkpoint of repeat ${state.repeat} fold ${state.fold}: its weights do not fit the candidate's model`, {
      code: 'E_CHECKPOINT',
      kind: 'fatal',
    });
  }
  const tensors = saved.map((a, i) => tf.tensor(a, shapes[i]!));
  setLayerWeights(model, tensors);
  tf.dispose(tensors);
}

const notFinite = (what: string, value: number, epoch: number, learningRate: number) =>
  new CandidateError(`${what} became ${Number.isNaN(value) ? 'NaN' : 'infinite'} at epoch ${epoch} (learning rate ${learningRate} may be too high)`);

export async function runTrial(ctx: TrialContext): Promise<TrialResult> {
  const { spec, info, candidate, split, repeat, seed, phases } = ctx;
  const t = spec.training;
  const es = t.earlyStopping;
  checkSplit(ctx, `repeat ${repeat} fold ${split.fold}`);
  const metric = candidate.metric as MetricName;
  const nTrain = split.train.n;
  const prior = ctx.state && !ctx.state.finished ? ctx.state : undefined;

  // Everything disposable of this trial, released in `finally`.
  let train: TensorSet | undefined;
  let val: TensorSet | undefined;
  let scale: tf.Tensor | undefined;
  let model: tf.LayersModel | undefined;
  let runner: EpochRunner | undefined;
  const originalRandom = Math.random;
  let random: Random = rng(seed * 1009 + split.fold);
  Math.random = random;
  try {
    await phases.time('data', () => {
      train = toTensors(split.train, info);
      // A refit for a fixed number of epochs (refitCandidate) has no validation samples.
      if (split.val.n > 0) val = toTensors(split.val, info);
      const regressionLike = info.task === 'regression' || info.task === 'forecast';
      if (regressionLike && split.targetScale) scale = tf.tensor1d(split.targetScale, 'float32');
    });
    const obj = objective(info.task, metric, info.targetDim, scale);
    const m = (model = await phases.time('modelBuild', async () => {
      const built = buildModel(candidate, spec.model, info, seed);
      ctx.describe(built);
      if (prior) restoreWeights(built, prior);
      runner = epochRunner(built, {
        training: t,
        objective: obj,
        features: info.inputShape.reduce((a, b) => a * b, 1),
        targets: info.targetDim,
        ...(split.targetScale ? { targetScale: split.targetScale } : {}),
        ...(ctx.fused === false ? { fused: false } : {}),
      });
      if (prior?.optimizer) await runner.restoreOptimizer(prior.optimizer);
      if (prior?.best) runner.setBest(prior.best, prior.weightShapes!);
      return built;
    }));
    const run = runner!;
    const tr = train!;
    if (prior) Math.random = random = rng(prior.random);
    // The batch order is shuffled in place each epoch: replay the epochs already trained.
    const shuffler = rng(seed ^ 0x5eed);
    const order = Int32Array.from({ length: nTrain }, (_, i) => i);
    for (let e = 0; e < (prior?.epoch ?? 0); e++) shuffleInPlace(order, shuffler);

    const epochs: EpochRecord[] = prior ? [...prior.epochs] : [];
    const stopping = new EarlyStopping(es, es.monitor === 'val_metric' && higherIsBetter(metric), prior?.earlyStopping);
    let finished = false;
    let paused = false;
    const last = Math.min(ctx.budget, t.epochs);

    const fitStart = performance.now();
    for (let epoch = epochs.length + 1; epoch <= last; epoch++) {
      if (ctx.deadline !== undefined && ctx.clock.epochs > 0 && performance.now() + 3 * ctx.clock.lastEpochMs > ctx.deadline) {
        paused = true;
        break;
      }
      const epochStart = performance.now();
      shuffleInPlace(order, shuffler);
      const fit = await run.epoch(tr.x, tr.y, order);
      ctx.sample(tf.memory().numBytes);
      if (!Number.isFinite(fit.loss)) throw notFinite('loss', fit.loss, epoch, t.learningRate);
      const v: Scores = val ? await run.evaluate(val.x, val.y) : { loss: Number.NaN, metric: Number.NaN };
      if (val && (!Number.isFinite(v.loss) || !Number.isFinite(v.metric))) throw notFinite('validation loss', v.loss, epoch, t.learningRate);
      const record: EpochRecord = { epoch, loss: fit.loss, metric: fit.metric, valLoss: v.loss, valMetric: v.metric };
      epochs.push(record);
      ctx.onEpoch?.({ ...record, repeat, fold: split.fold, epochs: t.epochs });
      ctx.clock.epochs++;
      ctx.clock.lastEpochMs = performance.now() - epochStart;

      if (!es.enabled || !val) continue;
      const verdict = stopping.update(stopping.monitored(v), epoch, t.epochs);
      if (verdict === 'improved' && es.restoreBestWeights) run.keepBest();
      if (verdict === 'stop') {
        finished = true;
        break;
      }
    }
    if (epochs.length >= t.epochs) finished = true;
    const fitSeconds = (prior?.fitSeconds ?? 0) + seconds(performance.now() - fitStart);
    phases.add('training', performance.now() - fitStart);

    // Where the trial stands, taken before the best weights are put back: training goes on from here.
    const state: TrialState = {
      repeat,
      fold: split.fold,
      epoch: epochs.length,
      finished,
      epochs,
      earlyStopping: stopping.state(),
      random: random.state(),
      fitSeconds,
      inferenceMsPerSample: null,
      weights: null,
      weightShapes: null,
      best: null,
      optimizer: null,
      record: null,
    };
    if (!finished) {
      await phases.time('checkpoint', async () => {
        state.weights = await run.weights();
        state.weightShapes = m.getWeights().map((w) => [...w.shape]);
        state.best = await run.bestWeights();
        state.optimizer = await run.optimizerState();
      });
    }
    if (paused) return { kind: 'paused', state };

    const bestEpoch = stopping.bestAt;
    const restored = es.enabled && es.restoreBestWeights && run.hasBest() && bestEpoch !== epochs.length;
    if (restored) run.restoreBest();
    // Scoring in full predicts with the model and saves it: its variables get the weights now. A
    // validation rung scores on the runner's own weights and never needs them.
    if (ctx.scoring === 'full') run.syncModel();
    const keptEpoch = restored ? bestEpoch : epochs.length;
    const scored = await phases.time('scoring', () => (ctx.scoring === 'full' ? scoreFully(ctx, m, run, tr, val, obj) : scoreValidation(run, tr, val, epochs[keptEpoch - 1])));
    if (ctx.keep && ctx.scoring === 'full') await phases.time('modelSave', () => ctx.keep!(m, split));

    const trial: Trial = {
      fold: split.fold,
      repeat,
      seed,
      trainRows: nTrain,
      valRows: split.val.n,
      epochs,
      bestEpoch: keptEpoch,
      stoppedEarly: state.earlyStopping.stoppedEarly,
      valMetric: scored.kept.metric,
      ...(scored.valRows ? { valBlocks: scored.valRows.blocks } : {}),
      valLoss: scored.kept.loss,
      trainMetric: scored.train.metric,
      fitSeconds,
      samplesPerSecond: fitSeconds > 0 ? (nTrain * epochs.length) / fitSeconds : 0,
      ...(scored.test ? { test: scored.test } : {}),
      ...(split.splitId ? { split: split.splitId } : {}),
    };
    return { kind: 'scored', outcome: { trial, inferenceMsPerSample: scored.inferenceMs }, state: { ...state, inferenceMsPerSample: scored.inferenceMs, record: trial } };
  } finally {
    Math.random = originalRandom;
    runner?.dispose();
    model?.dispose();
    disposeSet(train);
    disposeSet(val);
    scale?.dispose();
  }
}

interface Scored {
  /** The kept weights on the validation split (NaN without one). */
  kept: Scores;
  valRows?: RowScores;
  train: Scores;
  test?: RowScores;
  inferenceMs: number | null;
}

const NO_SCORES: Scores = { loss: Number.NaN, metric: Number.NaN };

/** Everything a ranked candidate's trial is scored on (see Scoring). */
async function scoreFully(ctx: TrialContext, m: tf.LayersModel, run: EpochRunner, tr: TensorSet, val: TensorSet | undefined, obj: ReturnType<typeof objective>): Promise<Scored> {
  const { split, info } = ctx;
  const evalBatch = evalBatchSize(ctx.spec.training);
  // Evaluated again with the kept weights (equal to that epoch's record when the restore worked), by
  // the evaluator the epochs were scored with.
  const kept = val ? await run.evaluate(val.x, val.y) : NO_SCORES;
  // Inference latency over the validation split (a refit: the training split), whose predictions
  // score the validation rows below.
  const timed = await timedPrediction(m, val ?? tr, evalBatch, ctx.sample);
  // And row by row, kept as block sums: the sampling error of validation rows that repeats share.
  const rowOrder = split.testInTime || info.task === 'forecast' ? 'time' : 'random';
  let valRows: RowScores | undefined;
  try {
    if (val && val.n > 1) valRows = await scoreRows(m, obj, val, evalBatch, rowOrder, timed.prediction);
  } finally {
    timed.prediction.dispose();
  }
  const train = await run.evaluate(tr.x, tr.y);
  // The held-out test split, scored once with the kept weights, row by row; nothing is chosen by it.
  let test: RowScores | undefined;
  if (split.test) {
    const set = toTensors(split.test, info);
    try {
      test = await scoreRows(m, obj, set, evalBatch, rowOrder);
    } finally {
      disposeSet(set);
    }
  }
  return { kept, ...(valRows ? { valRows } : {}), train, ...(test ? { test } : {}), inferenceMs: timed.msPerSample };
}

/** What choosing who goes on needs (see Scoring): the kept epoch's validation scores, recorded when it was trained. */
async function scoreValidation(run: EpochRunner, tr: TensorSet, val: TensorSet | undefined, keptRecord: EpochRecord | undefined): Promise<Scored> {
  const kept = val && keptRecord ? { loss: keptRecord.valLoss, metric: keptRecord.valMetric } : val ? await run.evaluate(val.x, val.y) : NO_SCORES;
  return { kept, train: await run.evaluate(tr.x, tr.y), inferenceMs: null };
}
