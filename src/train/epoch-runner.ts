/**
 * How a trial's epochs run: one interface, two implementations, so the trial (trial.ts) reads as one
 * loop whatever trains it.
 *
 *  - `fused`: the whole epoch in one kernel call (src/train/fused-trainer.ts) — dense, LSTM and CNN
 *    networks with Adam on wasm (fused_plan.ts says what qualifies);
 *  - `layers`: tf.layers with a tfjs optimizer, batch by batch (any backend, optimizer or layer).
 *
 * Both sum the loss (with the penalties, as Keras reports it) and the metric over the epoch on the
 * backend and read them once per epoch; both validate in inference mode; both keep the optimizer's
 * state in tf.Optimizer.getWeights() order, so a checkpoint taken on one path resumes on the other.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedAdam } from '../kernels/adam.js';
import { LayerbenchError } from '../errors.js';
import type { TrainingSpec } from '../sweep/schema.js';
import type { TrialState } from './checkpoint.js';
import { fusedTrainer, type FusedTrainer } from './fused-trainer.js';
import { regularization, type Objective } from './objective.js';

export type OptimizerState = NonNullable<TrialState['optimizer']>;

/** Loss and metric of a set (loss with penalties, metric in original units). */
export interface Scores {
  loss: number;
  metric: number;
}

export interface EpochRunner {
  /** Which path trains: 'fused' (one kernel per epoch) or 'layers' (tf.layers, batch by batch). */
  readonly kind: 'fused' | 'layers';
  /** One epoch over the rows of x and y in `order` (batches of the spec's size): the mean loss and the metric, training mode. */
  epoch(x: tf.Tensor, y: tf.Tensor, order: Int32Array): Promise<Scores>;
  /** Loss and metric over every row of x and y with the current weights, inference mode. */
  evaluate(x: tf.Tensor, y: tf.Tensor): Promise<Scores>;
  /** Make the model's variables hold the current weights (before predicting with or saving the model). */
  syncModel(): void;
  /** Copies of the current weights in model.getWeights() order (for a checkpoint), whether or not the model holds them. */
  weights(): Promise<Float32Array[]>;
  /** Keep the current weights as the best so far (early stopping's restoreBestWeights). */
  keepBest(): void;
  /** Whether there are kept best weights. */
  hasBest(): boolean;
  /** Train, evaluate and (after syncModel) save with the kept best weights. */
  restoreBest(): void;
  /** The kept best weights in model.getWeights() order (for a checkpoint); null when there are none. */
  bestWeights(): Promise<Float32Array[] | null>;
  /** Take best weights from a checkpoint (model.getWeights() order and shapes) as the kept ones. */
  setBest(weights: readonly Float32Array[], shapes: readonly number[][]): void;
  optimizerState(): Promise<OptimizerState>;
  restoreOptimizer(state: OptimizerState): Promise<void>;
  dispose(): void;
}

export interface RunnerOptions {
  training: TrainingSpec;
  objective: Objective;
  /** Width of a flattened input row and columns of y (the fused path checks the model takes them). */
  features: number;
  targets: number;
  targetScale?: ArrayLike<number>;
  /** false: always the layers path (tests compare the two). */
  fused?: boolean;
}

/** The fused runner where the model, backend and optimizer allow it, else the layers runner. */
export function epochRunner(model: tf.LayersModel, o: RunnerOptions): EpochRunner {
  const t = o.training;
  const fused =
    o.fused === false
      ? undefined
      : fusedTrainer(model, o.features, o.targets, {
          task: o.objective.task,
          metric: o.objective.metric,
          ...(o.targetScale ? { targetScale: o.targetScale } : {}),
          optimizer: t.optimizer,
          learningRate: t.learningRate,
          batchSize: t.batchSize,
        });
  return fused && typeof fused !== 'string' ? new FusedRunner(model, fused, o.objective) : new LayersRunner(model, o);
}

class FusedRunner implements EpochRunner {
  readonly kind = 'fused';
  constructor(
    private readonly model: tf.LayersModel,
    private readonly trainer: FusedTrainer,
    private readonly obj: Objective,
  ) {}

  async epoch(x: tf.Tensor, y: tf.Tensor, order: Int32Array): Promise<Scores> {
    const sums = this.trainer.epoch(x, y, order);
    const [lossSum, metricSum] = await sums.data();
    sums.dispose();
    const loss = lossSum! / order.length;
    return { loss, metric: this.obj.finish(loss, metricSum!, order.length) };
  }

  async evaluate(x: tf.Tensor, y: tf.Tensor): Promise<Scores> {
    const { lossMean, metricSum } = await this.trainer.evaluate(x, y);
    return { loss: lossMean, metric: this.obj.finish(lossMean, metricSum, x.shape[0]!) };
  }

  syncModel(): void {
    this.trainer.syncModel();
  }

  async weights(): Promise<Float32Array[]> {
    return this.trainer.currentArrays();
  }

  keepBest(): void {
    this.trainer.keepBest();
  }

  hasBest(): boolean {
    return this.trainer.hasBest();
  }

  restoreBest(): void {
    this.trainer.restoreBest();
  }

  async bestWeights(): Promise<Float32Array[] | null> {
    return this.trainer.bestArrays();
  }

  setBest(weights: readonly Float32Array[]): void {
    this.trainer.setBest(weights);
  }

  /** Adam's state converted from the trainer's packed layout to tf.AdamOptimizer's (every first moment, then every second). */
  async optimizerState(): Promise<OptimizerState> {
    const adam = this.trainer.adamState();
    const shapes = this.model.trainableWeights.map((w) => w.shape as number[]);
    return { iterations: adam.iterations, slots: [...adam.m, ...adam.v], slotShapes: [...shapes, ...shapes] };
  }

  async restoreOptimizer(state: OptimizerState): Promise<void> {
    const n = this.model.trainableWeights.length;
    if (state.slots.length !== 2 * n) {
      throw new LayerbenchError(`checkpoint: ${state.slots.length} optimizer slots do not fit Adam over ${n} weights`, { code: 'E_CHECKPOINT', kind: 'fatal' });
    }
    this.trainer.setAdamState({ iterations: state.iterations, m: state.slots.slice(0, n), v: state.slots.slice(n) });
  }

  dispose(): void {
    this.trainer.dispose();
  }
}

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

/** Evaluation and prediction batches: at least 256 rows (src/model/params.ts bounds their memory). */
export const evalBatchSize = (t: Pick<TrainingSpec, 'batchSize'>): number => Math.max(t.batchSize, 256);

/**
 * Loss (with penalties, as Keras reports it) and metric of a model over a set, in inference mode, in
 * batches; one read at the end.
 */
export async function evaluateLayers(model: tf.LayersModel, obj: Objective, x: tf.Tensor, y: tf.Tensor, batchSize: number): Promise<Scores> {
  const rows = x.shape[0]!;
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

class LayersRunner implements EpochRunner {
  readonly kind = 'layers';
  private readonly optimizer: tf.Optimizer;
  private readonly variables: tf.Variable[];
  private readonly batchSize: number;
  private readonly evalBatch: number;
  private readonly obj: Objective;

  constructor(
    private readonly model: tf.LayersModel,
    o: RunnerOptions,
  ) {
    this.optimizer = makeOptimizer(o.training);
    this.variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.batchSize = o.training.batchSize;
    this.evalBatch = evalBatchSize(o.training);
    this.obj = o.objective;
  }

  async epoch(x: tf.Tensor, y: tf.Tensor, order: Int32Array): Promise<Scores> {
    const { model: m, obj } = this;
    const n = order.length;
    let sums: tf.Tensor = tf.zeros([2]);
    for (let start = 0; start < n; start += this.batchSize) {
      const size = Math.min(this.batchSize, n - start);
      const indices = tf.tensor1d(order.subarray(start, start + size), 'int32');
      const acc = sums;
      sums = tf.tidy(() => {
        const xb = tf.gather(x, indices);
        const yb = tf.gather(y, indices);
        let metricSum: tf.Scalar | undefined;
        const cost = this.optimizer.minimize(
          () => {
            const p = m.apply(xb, { training: true }) as tf.Tensor;
            const dataLoss = obj.loss(yb, p);
            if (obj.metricSum) metricSum = tf.keep(obj.metricSum(yb, p));
            const penalty = regularization(m);
            return penalty ? tf.add(dataLoss, penalty) : dataLoss;
          },
          true,
          this.variables,
        )!;
        const out = tf.add(acc, tf.stack([tf.mul(cost, size), metricSum ?? tf.scalar(0)]));
        metricSum?.dispose();
        return out;
      });
      indices.dispose();
      acc.dispose();
    }
    const [lossSum, metricSum] = await sums.data();
    sums.dispose();
    const loss = lossSum! / n;
    return { loss, metric: obj.finish(loss, metricSum!, n) };
  }

  evaluate(x: tf.Tensor, y: tf.Tensor): Promise<Scores> {
    return evaluateLayers(this.model, this.obj, x, y, this.evalBatch);
  }

  /** The kept best weights: clones of the variables, which share their buffers until the optimizer assigns new values (no copy). */
  private best: tf.Tensor[] | undefined;

  syncModel(): void {}

  /** Copies (a backend's data() may hand out its own buffer). */
  weights(): Promise<Float32Array[]> {
    return Promise.all(this.model.getWeights().map(async (t) => new Float32Array(await t.data())));
  }

  keepBest(): void {
    const copy = tf.tidy(() => this.model.getWeights().map((w) => w.clone()));
    if (this.best) tf.dispose(this.best);
    this.best = copy;
  }

  hasBest(): boolean {
    return this.best !== undefined;
  }

  restoreBest(): void {
    if (this.best) setLayerWeights(this.model, this.best);
  }

  async bestWeights(): Promise<Float32Array[] | null> {
    return this.best ? Promise.all(this.best.map(async (t) => new Float32Array(await t.data()))) : null;
  }

  setBest(weights: readonly Float32Array[], shapes: readonly number[][]): void {
    const tensors = weights.map((a, i) => tf.tensor(a, shapes[i]!));
    if (this.best) tf.dispose(this.best);
    this.best = tensors;
  }

  async optimizerState(): Promise<OptimizerState> {
    const [iterations, ...slots] = await this.optimizer.getWeights();
    const step = iterations ? (await iterations.tensor.data())[0]! : 0;
    iterations?.tensor.dispose();
    return {
      iterations: step,
      slots: await Promise.all(slots.map(async (s) => Float32Array.from(await s.tensor.data()))),
      slotShapes: slots.map((s) => [...s.tensor.shape]),
    };
  }

  async restoreOptimizer(state: OptimizerState): Promise<void> {
    const tensors = [tf.scalar(state.iterations, 'int32'), ...state.slots.map((a, i) => tf.tensor(a, state.slotShapes[i]!))];
    await this.optimizer.setWeights(tensors.map((tensor, i) => ({ name: i === 0 ? 'iter' : `slot${i}`, tensor })));
    tf.dispose(tensors);
  }

  dispose(): void {
    this.optimizer.dispose();
    if (this.best) tf.dispose(this.best);
  }
}

/**
 * model.setWeights, layer by layer: a Sequential's own setWeights first builds its inner graph model
 * (~0.5 ms a trial), which the fused path never needs and scoring builds when it predicts. The same
 * order as model.getWeights() when no layer has non-trainable weights (none that build.ts makes);
 * otherwise the model's own setWeights.
 */
export function setLayerWeights(model: tf.LayersModel, weights: tf.Tensor[]): void {
  if (model.layers.some((l) => l.nonTrainableWeights.length > 0)) {
    model.setWeights(weights);
    return;
  }
  let at = 0;
  for (const layer of model.layers) {
    const n = layer.weights.length;
    if (n > 0) layer.setWeights(weights.slice(at, at + n));
    at += n;
  }
}
