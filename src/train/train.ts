/**
 * Trains one candidate: every repeat × fold is a trial with a fresh, seeded model, seeded shuffling,
 * validation each epoch, early stopping with best-weight restore, and metrics in the original units.
 * Produces the candidate's result document. Tensors are built once per trial and every tensor is
 * disposed on success and on failure.
 *
 * The loop is ours rather than `model.fit`: fit shuffles with Math.random and its early stopping
 * cannot restore the best weights. Per batch there is no synchronous read; losses and metrics are
 * summed on the backend and read once per epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedAdam } from '../kernels/adam.js';
import { CandidateError, DataError, LayerbenchError, errorMessage, failureKind } from '../errors.js';
import { buildModel, layerSummaries, regularizationLosses } from '../model/build.js';
import { rng, type Random } from '../random.js';
import type { Candidate } from '../sweep/candidate.js';
import { higherIsBetter, type MetricName, type SweepSpec, type Task, type TrainingSpec } from '../sweep/schema.js';
import type { DataInfo, SplitData, ArraySet } from '../data/types.js';
import { CANDIDATE_DOC_SCHEMA, failedCandidateDoc, type CandidateDoc, type EpochRecord, type LayerSummary, type Trial } from '../results/document.js';
import { currentBackend, trainingBackend } from './backend.js';
import { CHECKPOINT_SCHEMA, type CandidateCheckpoint, type TrialState } from './checkpoint.js';
import { fusedDenseTrainer, type FusedDenseTrainer } from './step.js';
import { fromRowMean, toBlocks, type RowBlocks } from '../stats/index.js';

export interface EpochEvent extends EpochRecord {
  repeat: number;
  fold: number;
  /** Planned epochs (early stopping may end sooner). */
  epochs: number;
}

export interface TrainArgs {
  runId: string;
  spec: SweepSpec;
  candidate: Candidate;
  info: DataInfo;
  /** The folds of one repeat (one split for holdout). */
  splits: (repeat: number) => SplitData[] | Promise<SplitData[]>;
  /** Backend preference (tensorflow | wasm | cpu); default: the best available. */
  backend?: string;
  onEpoch?: (e: EpochEvent) => void;
  /** Train dense stacks with the fused epoch kernel where it applies (default true; false: always unfused). */
  fusedDense?: boolean;
  /** Called with the last trial's model, its kept weights loaded, and its split, before the model is disposed (to save it). */
  onFinalModel?: (model: tf.LayersModel, split: SplitData) => Promise<void>;
}

/** How far to train this time, and from where (src/train/checkpoint.ts). */
export interface ResumableArgs extends TrainArgs {
  /** Train each trial to at most this many epochs in all: a halving rung's budget (default training.epochs). */
  epochBudget?: number;
  /** Where the trials stand: continue from this checkpoint. */
  resume?: CandidateCheckpoint;
  /**
   * Checkpoint and pause rather than start an epoch expected to end after this moment (performance.now()
   * milliseconds). At least one epoch is trained per call, so every call makes progress.
   */
  deadline?: number;
}

/**
 * What one call to trainCandidateResumable got done: every trial scored at the budget (`done`: the
 * candidate's document for this budget, and a checkpoint to continue from unless nothing is left to
 * train), or not (`paused`: a checkpoint, no document).
 */
export type TrainProgress =
  | { status: 'done'; doc: CandidateDoc; checkpoint: CandidateCheckpoint | null }
  | { status: 'paused'; checkpoint: CandidateCheckpoint };

/** What a failed candidate had got to, for its failure document. */
interface FailureContext {
  startedAt: string;
  startMs: number;
  backend?: string;
  parameterCount?: number;
  layers?: LayerSummary[];
  trials: Trial[];
  fitSeconds: number;
  peakTensorBytes: number;
  /** Wall seconds of earlier calls (a resumed candidate). */
  wallBefore: number;
}
const failureContexts = new WeakMap<object, FailureContext>();

const seconds = (ms: number): number => ms / 1000;

const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

function makeOptimizer(t: TrainingSpec): tf.Optimizer {
  switch (t.optimizer) {
    case 'adam':
      // tf.train.adam on every backend; on wasm one fused kernel per variable (src/kernels/adam.ts).
      return fusedAdam(t.learningRate, 0.9, 0.999, 1e-7);
    case 'sgd':
      return tf.train.sgd(t.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(t.learningRate, 0.9, 0, 1e-7);
    case 'adagrad':
      return tf.train.adagrad(t.learningRate, 0.1);
  }
}

/** Loss and metric for a task: everything a trial needs beyond the model. */
interface Objective {
  task: Task;
  metric: MetricName;
  /** Mean loss of a batch (Keras: binary/sparse categorical cross-entropy, MSE). */
  loss: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar;
  /** Sum over the batch that `finish` turns into the metric (correct predictions, squared or absolute errors). */
  metricSum: ((y: tf.Tensor, p: tf.Tensor) => tf.Scalar) | undefined;
  finish: (lossMean: number, sum: number, rows: number) => number;
  /** Per row: its contribution to the metric's mean (1 if correct; squared or absolute error, averaged over targets) and its loss. */
  rows: (y: tf.Tensor, p: tf.Tensor) => { metric: tf.Tensor1D; loss: tf.Tensor1D };
}

function objective(task: Task, metric: MetricName, targetDim: number, scale: tf.Tensor | undefined): Objective {
  const loss =
    task === 'binary'
      ? (y: tf.Tensor, p: tf.Tensor) => tf.mean(tf.metrics.binaryCrossentropy(y, p)) as tf.Scalar
      : task === 'multiclass'
        ? // y is one-hot here (built once per trial from the class indices); sparse CE = CE on one-hot.
          (y: tf.Tensor, p: tf.Tensor) => tf.mean(tf.metrics.categoricalCrossentropy(y, p)) as tf.Scalar
        : (y: tf.Tensor, p: tf.Tensor) => tf.mean(tf.squaredDifference(p, y)) as tf.Scalar;
  const scaled = (y: tf.Tensor, p: tf.Tensor) => (scale ? tf.mul(tf.sub(p, y), scale) : tf.sub(p, y));
  let metricSum: Objective['metricSum'];
  switch (metric) {
    case 'accuracy':
      metricSum =
        task === 'multiclass'
          ? (y, p) => tf.sum(tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(y, -1)), 'float32'))
          : (y, p) => tf.sum(tf.cast(tf.equal(tf.cast(tf.greater(p, 0.5), 'float32'), y), 'float32'));
      break;
    case 'mse':
    case 'rmse':
      metricSum = (y, p) => tf.sum(tf.square(scaled(y, p)));
      break;
    case 'mae':
      metricSum = (y, p) => tf.sum(tf.abs(scaled(y, p)));
      break;
    case 'loss':
      metricSum = undefined;
      break;
  }
  const finish = (lossMean: number, sum: number, rows: number): number => {
    switch (metric) {
      case 'accuracy':
        return sum / rows;
      case 'mse':
      case 'mae':
        return sum / (rows * targetDim);
      case 'rmse':
        return Math.sqrt(sum / (rows * targetDim));
      case 'loss':
        return lossMean;
    }
  };
  const rowLoss = (y: tf.Tensor, p: tf.Tensor): tf.Tensor1D =>
    (task === 'binary'
      ? tf.metrics.binaryCrossentropy(y, p)
      : task === 'multiclass'
        ? tf.metrics.categoricalCrossentropy(y, p)
        : tf.mean(tf.squaredDifference(p, y), -1)
    ).reshape([-1]) as tf.Tensor1D;
  const rowMetric = (y: tf.Tensor, p: tf.Tensor): tf.Tensor1D => {
    switch (metric) {
      case 'accuracy':
        return (
          task === 'multiclass'
            ? tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(y, -1)), 'float32')
            : tf.cast(tf.equal(tf.cast(tf.greater(p, 0.5), 'float32'), y), 'float32')
        ).reshape([-1]) as tf.Tensor1D;
      case 'mse':
      case 'rmse':
        return tf.mean(tf.square(scaled(y, p)), -1).reshape([-1]) as tf.Tensor1D;
      case 'mae':
        return tf.mean(tf.abs(scaled(y, p)), -1).reshape([-1]) as tf.Tensor1D;
      case 'loss':
        return rowLoss(y, p);
    }
  };
  return { task, metric, loss, metricSum, finish, rows: (y, p) => ({ metric: rowMetric(y, p), loss: rowLoss(y, p) }) };
}

/**
 * A model on the held-out test split, row by row (inference mode): the metric and loss, and the rows'
 * metric contributions kept as block sums (src/stats/intervals.ts RowBlocks) — what the test interval's
 * sampling error is computed from. `order` "time" keeps consecutive rows together (rows in time order).
 */
async function scoreTestRows(
  model: tf.LayersModel,
  obj: Objective,
  x: tf.Tensor,
  y: tf.Tensor,
  rows: number,
  batchSize: number,
  order: RowBlocks['order'],
): Promise<{ metric: number; loss: number; rows: number; blocks: RowBlocks }> {
  const metricRows = new Float64Array(rows);
  let lossSum = 0;
  for (let start = 0; start < rows; start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    const { metric, loss } = tf.tidy(() => {
      const p = model.apply(tf.slice(x, start, size), { training: false }) as tf.Tensor;
      const r = obj.rows(tf.slice(y, start, size), p);
      return { metric: r.metric, loss: tf.sum(r.loss) };
    });
    const [m, l] = await Promise.all([metric.data(), loss.data()]);
    metricRows.set(m, start);
    lossSum += l[0]!;
    tf.dispose([metric, loss]);
  }
  const reg = tf.tidy(() => regularization(model) ?? tf.scalar(0));
  const penalty = (await reg.data())[0]!;
  reg.dispose();
  // The metric "loss" carries the penalty per row, as Keras adds it to the mean.
  if (obj.metric === 'loss') for (let i = 0; i < rows; i++) metricRows[i]! += penalty;
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += metricRows[i]!;
  return { metric: fromRowMean(obj.metric, sum / rows), loss: lossSum / rows + penalty, rows, blocks: toBlocks(metricRows, order) };
}

function checkArrays(name: string, set: ArraySet, info: DataInfo): void {
  const features = info.inputShape.reduce((a, b) => a * b, 1);
  const yPerRow = info.task === 'multiclass' ? 1 : info.targetDim;
  if (set.n < 1) throw new DataError(`${name}: has no rows`);
  if (set.x.length !== set.n * features) {
    throw new DataError(`${name}: x has ${set.x.length} values, expected ${set.n} rows × ${features} features`);
  }
  if (set.y.length !== set.n * yPerRow) {
    throw new DataError(`${name}: y has ${set.y.length} values, expected ${set.n} rows × ${yPerRow}`);
  }
}

/** x and y of a split as tensors (multiclass y one-hot), built once per trial. */
function toTensors(set: ArraySet, info: DataInfo): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const x = tf.tensor(set.x, [set.n, ...info.inputShape], 'float32');
    const y =
      info.task === 'multiclass'
        ? tf.oneHot(tf.tensor1d(Int32Array.from(set.y), 'int32'), info.targetDim).toFloat()
        : tf.tensor2d(set.y, [set.n, info.targetDim], 'float32');
    return { x, y };
  });
}

/** Sum of the model's regularisation penalties (0 when there are none). */
function regularization(model: tf.LayersModel): tf.Scalar | undefined {
  const losses = regularizationLosses(model);
  return losses.length === 0 ? undefined : (tf.addN(losses) as tf.Scalar);
}

/** Loss (with penalties, as Keras reports it) and metric of a model over a set, in inference mode. */
async function evaluate(
  model: tf.LayersModel,
  obj: Objective,
  x: tf.Tensor,
  y: tf.Tensor,
  rows: number,
  batchSize: number,
): Promise<{ loss: number; metric: number }> {
  let acc = tf.zeros([2]);
  for (let start = 0; start < rows; start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    const next = tf.tidy(() => {
      const xb = tf.slice(x, start, size);
      const yb = tf.slice(y, start, size);
      const p = model.apply(xb, { training: false }) as tf.Tensor;
      const l = tf.mul(obj.loss(yb, p), size);
      const m = obj.metricSum ? obj.metricSum(yb, p) : tf.scalar(0);
      return tf.add(acc, tf.stack([l, m]));
    });
    acc.dispose();
    acc = next;
  }
  const reg = tf.tidy(() => regularization(model) ?? tf.scalar(0));
  const [sums, penalty] = await Promise.all([acc.data(), reg.data()]);
  acc.dispose();
  reg.dispose();
  const lossMean = sums[0]! / rows + penalty[0]!;
  return { loss: lossMean, metric: obj.finish(lossMean, sums[1]!, rows) };
}

/** evaluate() on the fused path: the same numbers from one kernel call. */
async function fusedEvaluate(trainer: FusedDenseTrainer, obj: Objective, x: tf.Tensor, y: tf.Tensor): Promise<{ loss: number; metric: number }> {
  const { lossMean, metricSum } = await trainer.evaluate(x, y);
  return { loss: lossMean, metric: obj.finish(lossMean, metricSum, x.shape[0]!) };
}

function shuffleInPlace(a: Int32Array, random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

interface TrialOutcome {
  trial: Trial;
  inferenceMsPerSample: number;
}

/** What a trial got to: scored at its budget (with its state, to go on from), or paused before it. */
type TrialResult = { kind: 'scored'; outcome: TrialOutcome; state: TrialState } | { kind: 'paused'; state: TrialState };

interface TrialContext {
  args: TrainArgs;
  split: SplitData;
  repeat: number;
  seed: number;
  /** Where the trial stands (from a checkpoint); absent: it starts from scratch. */
  state?: TrialState;
  /** Train to at most this many epochs in all. */
  budget: number;
  /** Pause rather than start an epoch expected to end after this (performance.now() ms). */
  deadline?: number;
  /** Shared by the candidate's trials in this call: epochs trained, and how long the last one took. */
  clock: { epochs: number; lastEpochMs: number };
  /** Called with the freshly built model of the first trial (for the summary). */
  describe: (model: tf.LayersModel) => void;
  /** Tensor bytes in use, sampled. */
  sample: (bytes: number) => void;
  /** Set on the last trial only: receives the trained model and its split before the model is disposed. */
  keep?: (model: tf.LayersModel, split: SplitData) => Promise<void>;
}

/** A copy of a tensor's values (a backend's data() may hand out its own buffer). */
async function values(t: tf.Tensor): Promise<Float32Array> {
  return Float32Array.from(await t.data());
}

/**
 * One trial: a fresh, seeded model trained to `ctx.budget` epochs, or continued there from
 * `ctx.state`, then scored with its kept weights.
 *
 * Math.random is seeded for the trial and restored afterwards. tfjs's dropout draws each batch's mask
 * from a generator seeded by Math.random (a Dropout layer given a seed reuses one mask for every
 * batch), so this is what makes a candidate with dropout reproducible: same id, same result. A trial
 * has the process to itself (one candidate per worker at a time). A resumed trial builds its model
 * first, then takes its weights, optimizer state and the generator's position from the checkpoint;
 * its batch order is replayed from the seed.
 */
async function runTrial(ctx: TrialContext): Promise<TrialResult> {
  const { args, split, repeat, seed } = ctx;
  const { spec, info, candidate } = args;
  const t = spec.training;
  const es = t.earlyStopping;
  const where = `repeat ${repeat} fold ${split.fold}`;
  // A refit for a fixed number of epochs (refitCandidate) has no validation samples.
  const validating = split.val.n > 0;
  checkArrays(`${where} train`, split.train, info);
  if (validating) checkArrays(`${where} validation`, split.val, info);
  if (split.test) checkArrays(`${where} test`, split.test, info);
  if (split.targetScale && split.targetScale.length !== info.targetDim) {
    throw new DataError(`${where}: targetScale has ${split.targetScale.length} values, expected ${info.targetDim}`);
  }
  const metric = candidate.metric as MetricName;
  const higher = higherIsBetter(metric);
  const nTrain = split.train.n;
  const nVal = split.val.n;
  const evalBatch = Math.max(t.batchSize, 256);
  const prior = ctx.state && !ctx.state.finished ? ctx.state : undefined;

  // Everything disposable of this trial, released in `finally`.
  let train: { x: tf.Tensor; y: tf.Tensor } | undefined;
  let val: { x: tf.Tensor; y: tf.Tensor } | undefined;
  let test: { x: tf.Tensor; y: tf.Tensor } | undefined;
  let scale: tf.Tensor | undefined;
  let model: tf.LayersModel | undefined;
  let optimizer: tf.Optimizer | undefined;
  let best: tf.Tensor[] | undefined;
  let sums: tf.Tensor | undefined;
  let fused: FusedDenseTrainer | undefined;
  const originalRandom = Math.random;
  let random: Random = rng(seed * 1009 + split.fold);
  Math.random = random;
  try {
    train = toTensors(split.train, info);
    if (validating) val = toTensors(split.val, info);
    const regressionLike = info.task === 'regression' || info.task === 'forecast';
    if (regressionLike && split.targetScale) scale = tf.tensor1d(split.targetScale, 'float32');
    const obj = objective(info.task, metric, info.targetDim, scale);

    model = buildModel(candidate, spec.model, info, seed);
    ctx.describe(model);
    if (prior) restoreWeights(model, prior);
    optimizer = makeOptimizer(t);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    // Dense stacks with Adam on wasm: one kernel per epoch (src/train/step.ts); anything else unfused.
    const fusedOrWhy =
      args.fusedDense === false
        ? 'fusedDense: false'
        : fusedDenseTrainer(model, info.inputShape.reduce((a, b) => a * b, 1), info.targetDim, {
            task: info.task,
            metric,
            ...(split.targetScale ? { targetScale: split.targetScale } : {}),
            optimizer: t.optimizer,
            learningRate: t.learningRate,
            batchSize: t.batchSize,
          });
    if (typeof fusedOrWhy !== 'string') fused = fusedOrWhy;
    if (prior?.optimizer) await restoreOptimizer(prior.optimizer, model, optimizer, fused);
    if (prior?.best) best = prior.best.map((a, i) => tf.tensor(a, prior.weightShapes![i]!));
    if (prior) Math.random = random = rng(prior.random);
    // The batch order is shuffled in place each epoch: replay the epochs already trained.
    const shuffler = rng(seed ^ 0x5eed);
    const order = Int32Array.from({ length: nTrain }, (_, i) => i);
    for (let e = 0; e < (prior?.epoch ?? 0); e++) shuffleInPlace(order, shuffler);

    const epochs: EpochRecord[] = prior ? [...prior.epochs] : [];
    const maximise = es.monitor === 'val_metric' && higher;
    let bestValue = prior?.earlyStopping.best ?? (maximise ? -Infinity : Infinity);
    let bestEpoch = prior?.earlyStopping.bestEpoch ?? 0;
    let wait = prior?.earlyStopping.wait ?? 0;
    let stoppedEarly = false;
    let finished = false;
    let paused = false;
    const m = model;
    const opt = optimizer;
    const tr = train;
    const last = Math.min(ctx.budget, t.epochs);

    const fitStart = performance.now();
    for (let epoch = epochs.length + 1; epoch <= last; epoch++) {
      if (ctx.deadline !== undefined && ctx.clock.epochs > 0 && performance.now() + 3 * ctx.clock.lastEpochMs > ctx.deadline) {
        paused = true;
        break;
      }
      const epochStart = performance.now();
      shuffleInPlace(order, shuffler);
      sums = fused ? fused.epoch(tr.x, tr.y, order) : tf.zeros([2]);
      for (let start = 0; !fused && start < nTrain; start += t.batchSize) {
        const size = Math.min(t.batchSize, nTrain - start);
        const indices = tf.tensor1d(order.subarray(start, start + size), 'int32');
        const acc: tf.Tensor = sums;
        const next = tf.tidy(() => {
          const xb = tf.gather(tr.x, indices);
          const yb = tf.gather(tr.y, indices);
          let metricSum: tf.Scalar | undefined;
          const cost = opt.minimize(
            () => {
              const p = m.apply(xb, { training: true }) as tf.Tensor;
              const dataLoss = obj.loss(yb, p);
              if (obj.metricSum) metricSum = tf.keep(obj.metricSum(yb, p));
              const penalty = regularization(m);
              return penalty ? tf.add(dataLoss, penalty) : dataLoss;
            },
            true,
            variables,
          )!;
          const out = tf.add(acc, tf.stack([tf.mul(cost, size), metricSum ?? tf.scalar(0)]));
          metricSum?.dispose();
          return out;
        });
        indices.dispose();
        acc.dispose();
        sums = next;
      }
      ctx.sample(tf.memory().numBytes);
      const trainSums = await sums.data();
      sums.dispose();
      sums = undefined;
      const loss = trainSums[0]! / nTrain;
      if (!Number.isFinite(loss)) {
        throw new CandidateError(
          `loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'} at epoch ${epoch} (learning rate ${t.learningRate} may be too high)`,
        );
      }
      const v = !val
        ? { loss: Number.NaN, metric: Number.NaN }
        : fused
          ? await fusedEvaluate(fused, obj, val.x, val.y)
          : await evaluate(m, obj, val.x, val.y, nVal, evalBatch);
      if (val && (!Number.isFinite(v.loss) || !Number.isFinite(v.metric))) {
        throw new CandidateError(
          `validation loss became ${Number.isNaN(v.loss) ? 'NaN' : 'infinite'} at epoch ${epoch} (learning rate ${t.learningRate} may be too high)`,
        );
      }
      const record: EpochRecord = { epoch, loss, metric: obj.finish(loss, trainSums[1]!, nTrain), valLoss: v.loss, valMetric: v.metric };
      epochs.push(record);
      args.onEpoch?.({ ...record, repeat, fold: split.fold, epochs: t.epochs });
      ctx.clock.epochs++;
      ctx.clock.lastEpochMs = performance.now() - epochStart;

      if (!es.enabled || !val) continue;
      const value = es.monitor === 'val_loss' ? v.loss : v.metric;
      const improved = maximise ? value - es.minDelta > bestValue : value + es.minDelta < bestValue;
      if (improved) {
        bestValue = value;
        bestEpoch = epoch;
        wait = 0;
        if (es.restoreBestWeights) {
          fused?.syncModel();
          // Clones share the variables' buffers until the optimizer assigns new values: no copy.
          const copy = tf.tidy(() => m.getWeights().map((w) => w.clone()));
          if (best) tf.dispose(best);
          best = copy;
        }
      } else if (++wait >= es.patience && epoch > 1) {
        // Keras: stop once `patience` epochs in a row brought no improvement (never after the first).
        stoppedEarly = epoch < t.epochs;
        finished = true;
        break;
      }
    }
    if (epochs.length >= t.epochs) finished = true;
    fused?.syncModel();
    const fitSeconds = (prior?.fitSeconds ?? 0) + seconds(performance.now() - fitStart);

    // Where the trial stands, taken before the best weights are put back: training goes on from here.
    const state: TrialState = {
      repeat,
      fold: split.fold,
      epoch: epochs.length,
      finished,
      epochs,
      earlyStopping: { best: Number.isFinite(bestValue) ? bestValue : null, bestEpoch, wait, stoppedEarly },
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
      const weights = m.getWeights();
      state.weights = await Promise.all(weights.map(values));
      state.weightShapes = weights.map((w) => [...w.shape]);
      state.best = best ? await Promise.all(best.map(values)) : null;
      state.optimizer = await optimizerState(m, opt, fused);
    }
    if (paused) return { kind: 'paused', state };

    const restored = es.enabled && es.restoreBestWeights && best !== undefined && bestEpoch !== epochs.length;
    if (restored) {
      m.setWeights(best!);
      fused?.loadFromModel();
    }
    // The fused path scores with its own evaluator, the one its epochs were scored with.
    const scoreOn = (x: tf.Tensor, y: tf.Tensor, rows: number) =>
      fused ? fusedEvaluate(fused, obj, x, y) : evaluate(m, obj, x, y, rows, evalBatch);
    const keptEpoch = restored ? bestEpoch : epochs.length;
    // Evaluated again with the kept weights (equal to that epoch's record when the restore worked).
    const kept = val ? await scoreOn(val.x, val.y, nVal) : { loss: Number.NaN, metric: Number.NaN };
    // And row by row, kept as block sums: the sampling error of validation rows that repeats share.
    const rowOrder = split.testInTime || info.task === 'forecast' ? 'time' : 'random';
    const valRows = val && nVal > 1 ? (await scoreTestRows(m, obj, val.x, val.y, nVal, evalBatch, rowOrder)).blocks : undefined;
    const trainEval = await scoreOn(tr.x, tr.y, nTrain);
    // The held-out test split, scored once with the kept weights, row by row; nothing is chosen by it.
    let testEval: Awaited<ReturnType<typeof scoreTestRows>> | undefined;
    if (split.test) {
      test = toTensors(split.test, info);
      testEval = await scoreTestRows(m, obj, test.x, test.y, split.test.n, evalBatch, rowOrder);
    }

    // Inference latency: a warm-up batch, then one timed batch predict over the validation split (a refit: the training split).
    const probe = val ?? tr;
    const nProbe = val ? nVal : nTrain;
    tf.tidy(() => {
      m.predict(tf.slice(probe.x, 0, Math.min(nProbe, evalBatch)), { batchSize: evalBatch });
    });
    const inferStart = performance.now();
    const prediction = m.predict(probe.x, { batchSize: evalBatch }) as tf.Tensor;
    await prediction.data();
    const inferenceMsPerSample = (performance.now() - inferStart) / nProbe;
    ctx.sample(tf.memory().numBytes);
    prediction.dispose();
    if (ctx.keep) await ctx.keep(m, split);

    const trial: Trial = {
      fold: split.fold,
      repeat,
      seed,
      trainRows: nTrain,
      valRows: nVal,
      epochs,
      bestEpoch: keptEpoch,
      stoppedEarly,
      valMetric: kept.metric,
      ...(valRows ? { valBlocks: valRows } : {}),
      valLoss: kept.loss,
      trainMetric: trainEval.metric,
      fitSeconds,
      samplesPerSecond: fitSeconds > 0 ? (nTrain * epochs.length) / fitSeconds : 0,
      ...(testEval ? { test: testEval } : {}),
      ...(split.splitId ? { split: split.splitId } : {}),
    };
    return { kind: 'scored', outcome: { trial, inferenceMsPerSample }, state: { ...state, inferenceMsPerSample, record: trial } };
  } finally {
    Math.random = originalRandom;
    if (sums) sums.dispose();
    fused?.dispose();
    if (best) tf.dispose(best);
    optimizer?.dispose();
    model?.dispose();
    if (train) tf.dispose([train.x, train.y]);
    if (val) tf.dispose([val.x, val.y]);
    if (test) tf.dispose([test.x, test.y]);
    scale?.dispose();
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
  model.setWeights(tensors);
  tf.dispose(tensors);
}

type OptimizerState = NonNullable<TrialState['optimizer']>;

/**
 * The optimizer's step count and slots in tf.Optimizer.getWeights() order (Adam: every first
 * moment, then every second moment, per trainable weight): the fused trainer's Adam state is
 * converted to the same layout.
 */
async function optimizerState(model: tf.LayersModel, optimizer: tf.Optimizer, fused: FusedDenseTrainer | undefined): Promise<OptimizerState> {
  if (fused) {
    const adam = fused.adamState();
    const shapes = model.trainableWeights.map((w) => w.shape as number[]);
    return { iterations: adam.iterations, slots: [...adam.m, ...adam.v], slotShapes: [...shapes, ...shapes] };
  }
  const [iterations, ...slots] = await optimizer.getWeights();
  const step = iterations ? (await iterations.tensor.data())[0]! : 0;
  iterations?.tensor.dispose();
  return { iterations: step, slots: await Promise.all(slots.map((s) => values(s.tensor))), slotShapes: slots.map((s) => [...s.tensor.shape]) };
}

/** A checkpoint's optimizer state into a fresh optimizer (or the fused trainer). */
async function restoreOptimizer(state: OptimizerState, model: tf.LayersModel, optimizer: tf.Optimizer, fused: FusedDenseTrainer | undefined): Promise<void> {
  if (fused) {
    const n = model.trainableWeights.length;
    if (state.slots.length !== 2 * n) {
      throw new LayerbenchError(`checkpoint: ${state.slots.length} optimizer slots do not fit Adam over ${n} weights`, { code: 'E_CHECKPOINT', kind: 'fatal' });
    }
    fused.setAdamState({ iterations: state.iterations, m: state.slots.slice(0, n), v: state.slots.slice(n) });
    return;
  }
  const tensors = [tf.scalar(state.iterations, 'int32'), ...state.slots.map((a, i) => tf.tensor(a, state.slotShapes[i]!))];
  await optimizer.setWeights(tensors.map((tensor, i) => ({ name: i === 0 ? 'iter' : `slot${i}`, tensor })));
  tf.dispose(tensors);
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function sampleStd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

function dataSummary(info: DataInfo): CandidateDoc['data'] {
  return {
    rows: info.rows,
    droppedRows: info.droppedRows,
    inputShape: [...info.inputShape],
    targetDim: info.targetDim,
    ...(info.classes ? { classes: [...info.classes] } : {}),
  };
}

/**
 * Train every repeat × fold of a candidate and return its succeeded document. A candidate that
 * cannot train throws CandidateError (NaN loss, a tfjs failure); bad data throws DataError. Pass the
 * thrown error to `failedDoc` for the failed document.
 */
export async function trainCandidate(args: TrainArgs): Promise<CandidateDoc> {
  const progress = await trainCandidateResumable(args);
  if (progress.status !== 'done') throw new LayerbenchError('training paused without a deadline', { code: 'E_INTERNAL', kind: 'fatal' });
  return progress.doc;
}

/**
 * trainCandidate in steps: each trial trained to `epochBudget` epochs (continued from `resume` where it
 * stands), or until `deadline` comes near — then every trial's state is in the returned checkpoint
 * and the next call, given it, goes on as if training had never stopped. A trial that is finished
 * (early stopping, or training.epochs reached) or was already scored at this budget is not trained
 * again: its record is reused.
 */
export async function trainCandidateResumable(args: ResumableArgs): Promise<TrainProgress> {
  const resume = args.resume;
  const context: FailureContext = {
    startedAt: resume?.startedAt ?? new Date().toISOString(),
    startMs: performance.now(),
    trials: [],
    fitSeconds: 0,
    peakTensorBytes: resume?.totals.peakTensorBytes ?? 0,
    wallBefore: resume?.totals.wallSeconds ?? 0,
    ...(resume && resume.layers.length > 0 ? { layers: resume.layers } : {}),
    ...(resume?.parameterCount != null ? { parameterCount: resume.parameterCount } : {}),
  };
  const { spec, candidate } = args;
  const budget = Math.min(args.epochBudget ?? spec.training.epochs, spec.training.epochs);
  const prior = new Map((resume?.trials ?? []).map((s) => [`${s.repeat}/${s.fold}`, s]));
  const states: TrialState[] = [];
  const clock = { epochs: 0, lastEpochMs: 0 };
  let paused = false;
  let restoreBackend: (() => Promise<void>) | undefined;
  try {
    const backend = await trainingBackend(candidate.family, args.backend);
    restoreBackend = backend.restore;
    context.backend = backend.label;
    const inferenceMs: number[] = [];
    for (let repeat = 0; repeat < spec.evaluation.repeats; repeat++) {
      const seed = spec.training.seed + repeat;
      const splits = await args.splits(repeat);
      if (splits.length === 0) throw new DataError(`repeat ${repeat}: the data layer produced no splits`);
      for (const [i, split] of splits.entries()) {
        const state = prior.get(`${repeat}/${split.fold}`);
        if (paused) {
          if (state) states.push(state);
          continue;
        }
        if (state?.record && (state.finished || state.epoch >= budget)) {
          // Scored at this budget already, or nothing left to train: its record stands.
          states.push(state);
          context.trials.push(state.record);
          context.fitSeconds += state.record.fitSeconds;
          if (state.inferenceMsPerSample !== null) inferenceMs.push(state.inferenceMsPerSample);
          continue;
        }
        const last = repeat === spec.evaluation.repeats - 1 && i === splits.length - 1;
        const result = await runTrial({
          ...(last && args.onFinalModel ? { keep: args.onFinalModel } : {}),
          args,
          split,
          repeat,
          seed,
          ...(state ? { state } : {}),
          budget,
          ...(args.deadline !== undefined ? { deadline: args.deadline } : {}),
          clock,
          describe: (model) => {
            if (context.layers) return;
            context.layers = layerSummaries(model);
            context.parameterCount = model.countParams();
          },
          sample: (bytes) => {
            context.peakTensorBytes = Math.max(context.peakTensorBytes, bytes);
          },
        });
        states.push(result.state);
        if (result.kind === 'paused') {
          paused = true;
          continue;
        }
        context.trials.push(result.outcome.trial);
        context.fitSeconds += result.outcome.trial.fitSeconds;
        inferenceMs.push(result.outcome.inferenceMsPerSample);
      }
    }
    const wallSeconds = context.wallBefore + seconds(performance.now() - context.startMs);
    const checkpoint: CandidateCheckpoint = {
      schema: CHECKPOINT_SCHEMA,
      runId: args.runId,
      candidateId: candidate.id,
      startedAt: context.startedAt,
      backend: context.backend,
      parameterCount: context.parameterCount ?? null,
      layers: context.layers ?? [],
      trials: states,
      totals: {
        wallSeconds,
        tasks: resume?.totals.tasks ?? 0,
        taskSeconds: resume?.totals.taskSeconds ?? 0,
        cpuSeconds: resume?.totals.cpuSeconds ?? 0,
        peakTensorBytes: context.peakTensorBytes,
        peakRssBytes: Math.max(resume?.totals.peakRssBytes ?? 0, peakRss()),
      },
      // The caller records what it saved (onFinalModel); carried over until it saves again.
      savedModel: resume?.savedModel ?? null,
    };
    if (paused) return { status: 'paused', checkpoint };
    const values = context.trials.map((t) => t.valMetric);
    const doc: CandidateDoc = {
      schema: CANDIDATE_DOC_SCHEMA,
      runId: args.runId,
      candidate,
      status: 'succeeded',
      backend: context.backend,
      startedAt: context.startedAt,
      finishedAt: new Date().toISOString(),
      metric: {
        name: candidate.metric,
        higherIsBetter: higherIsBetter(candidate.metric as MetricName),
        mean: mean(values),
        std: sampleStd(values),
        values,
      },
      parameterCount: context.parameterCount ?? null,
      layers: context.layers ?? [],
      trials: context.trials,
      data: dataSummary(args.info),
      timing: {
        wallSeconds,
        fitSeconds: context.fitSeconds,
        samplesPerSecond: mean(context.trials.map((t) => t.samplesPerSecond)),
        inferenceMsPerSample: inferenceMs.length > 0 ? mean(inferenceMs) : null,
      },
      memory: { peakTensorBytes: context.peakTensorBytes, peakRssBytes: checkpoint.totals.peakRssBytes },
    };
    // Nothing left to train (every trial finished): no checkpoint to go on from.
    return { status: 'done', doc, checkpoint: states.every((s) => s.finished) ? null : checkpoint };
  } catch (err) {
    // Our own errors say what went wrong; anything else (a tfjs failure) fails this candidate only.
    const thrown = err instanceof LayerbenchError ? err : new CandidateError(`training failed: ${errorMessage(err)}`, err);
    failureContexts.set(thrown, context);
    throw thrown;
  } finally {
    await restoreBackend?.();
  }
}

/** The failed document of a candidate whose training threw `err` (what it had got to is kept). */
export function failedDoc(args: Pick<TrainArgs, 'runId' | 'candidate' | 'info'>, err: unknown): CandidateDoc {
  const context = typeof err === 'object' && err !== null ? failureContexts.get(err) : undefined;
  const now = new Date().toISOString();
  const base = failedCandidateDoc({
    runId: args.runId,
    candidate: args.candidate,
    error: { kind: failureKind(err), code: err instanceof LayerbenchError ? err.code : 'E_CANDIDATE', message: errorMessage(err) },
    startedAt: context?.startedAt ?? now,
    finishedAt: now,
  });
  return {
    ...base,
    backend: context?.backend ?? currentBackend() ?? 'none',
    parameterCount: context?.parameterCount ?? null,
    layers: context?.layers ?? [],
    trials: context?.trials ?? [],
    data: dataSummary(args.info),
    timing: { ...base.timing, wallSeconds: context ? context.wallBefore + seconds(performance.now() - context.startMs) : 0, fitSeconds: context?.fitSeconds ?? 0 },
    memory: { peakTensorBytes: context?.peakTensorBytes ?? 0, peakRssBytes: peakRss() },
  };
}

export interface RefitArgs {
  runId: string;
  spec: SweepSpec;
  candidate: Candidate;
  info: DataInfo;
  /** The refit's samples: `train` (all development samples), no validation samples (n 0), and the test split when there is one. */
  split: SplitData;
  /** Epochs to train: no early stopping, nothing to validate on. */
  epochs: number;
  backend?: string;
  onEpoch?: (e: EpochEvent) => void;
  /** Receives the trained model and its split before it is disposed (to save it). */
  onModel?: (model: tf.LayersModel, split: SplitData) => Promise<void>;
}

export interface RefitResult {
  backend: string;
  parameterCount: number;
  /** Training loss and metric per epoch (training mode: dropout on). */
  epochs: { epoch: number; loss: number; metric: number }[];
  /** The ranking metric on the training samples with the final weights (inference mode). */
  trainMetric: number;
  /** The ranking metric and loss on the test split, scored once, with its per-row results in blocks; absent without a test split. */
  test?: NonNullable<Trial['test']>;
  fitSeconds: number;
  samplesPerSecond: number;
}

/**
 * Train a candidate once more, on `split.train`, for exactly `epochs` epochs — the same model, seed,
 * optimiser, batches and loss as its trials (repeat 0's seed), with early stopping off since nothing is
 * validated — then score it once on the test split. What the Finalize step makes the final model with.
 * A failure throws like trainCandidate: CandidateError (NaN loss, a tfjs failure) or our own error.
 */
export async function refitCandidate(args: RefitArgs): Promise<RefitResult> {
  const es = args.spec.training.earlyStopping;
  const spec: SweepSpec = {
    ...args.spec,
    training: { ...args.spec.training, epochs: args.epochs, earlyStopping: { ...es, enabled: false } },
  };
  const trainArgs: TrainArgs = { runId: args.runId, spec, candidate: args.candidate, info: args.info, splits: () => [args.split], onEpoch: args.onEpoch };
  let restoreBackend: (() => Promise<void>) | undefined;
  try {
    const backend = await trainingBackend(args.candidate.family, args.backend);
    restoreBackend = backend.restore;
    const seed = spec.training.seed;
    let parameterCount = 0;
    // runTrial seeds Math.random as for the trials (seed * 1009 + fold) and trains to the budget in one go.
    const result = await runTrial({
      args: trainArgs,
      split: args.split,
      repeat: 0,
      seed,
      budget: args.epochs,
      clock: { epochs: 0, lastEpochMs: 0 },
      describe: (model) => {
        parameterCount = model.countParams();
      },
      sample: () => undefined,
      ...(args.onModel ? { keep: args.onModel } : {}),
    });
    if (result.kind !== 'scored') throw new LayerbenchError('refit paused without a deadline', { code: 'E_INTERNAL', kind: 'fatal' });
    const { trial } = result.outcome;
    return {
      backend: backend.label,
      parameterCount,
      epochs: trial.epochs.map(({ epoch, loss, metric }) => ({ epoch, loss, metric })),
      trainMetric: trial.trainMetric,
      ...(trial.test ? { test: trial.test } : {}),
      fitSeconds: trial.fitSeconds,
      samplesPerSecond: trial.samplesPerSecond,
    };
  } catch (err) {
    throw err instanceof LayerbenchError ? err : new CandidateError(`refit failed: ${errorMessage(err)}`, err);
  } finally {
    await restoreBackend?.();
  }
}
