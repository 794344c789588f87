/**
 * The fused trainer: when a candidate is a stack of Dense layers (with optional Dropout), optionally
 * after a stack of LSTM layers or of convolutions (see fused_plan.ts for exactly what qualifies),
 * trained with Adam on the wasm backend, each epoch runs as one kernel (src/kernels/epoch.ts) instead
 * of 70–140 tfjs kernel calls per batch. The model stays a tf.LayersModel: the trainer writes its
 * weights into the model's variables whenever the caller needs them (`syncModel()`: after the last
 * epoch, after restoring the best weights), so saving and prediction see exactly what they would
 * after unfused epochs; validation runs on the trainer's own copy (`evaluate()`), and early
 * stopping's best weights are a packed copy of the trainer's (`keepBest()`).
 *
 * `fusedTrainer` says why it cannot apply (another backend or optimizer, a layer or setting the kernel
 * does not implement); the caller then trains the unfused way (src/train/epoch-runner.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { EPOCH_SCRATCH, TRAIN_EPOCH, epochScratch, type DenseLoss, type DenseMetric, type EpochAttrs } from '../kernels/epoch.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapOffset, simdSupported } from '../kernels/simd.js';
import { fusedNetwork, packArrays, packWeights, unpackArrays, type FusedNetwork } from './fused_plan.js';
import type { MetricName, Task } from '../sweep/schema.js';

export interface FusedTrainerOptions {
  task: Task;
  metric: MetricName;
  /** Per-target scale of errors into original units. */
  targetScale?: ArrayLike<number>;
  optimizer: string;
  learningRate: number;
  batchSize: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

function lossOf(task: Task): DenseLoss {
  return task === 'binary' ? 'binaryCrossentropy' : task === 'multiclass' ? 'categoricalCrossentropy' : 'mse';
}

function metricOf(metric: MetricName): DenseMetric {
  switch (metric) {
    case 'accuracy':
      return 'accuracy';
    case 'mse':
    case 'rmse':
      return 'squaredError';
    case 'mae':
      return 'absoluteError';
    case 'loss':
      return 'none';
  }
}

export class FusedTrainer {
  private step = 1;
  /** Whether the model's variables hold the trainer's current weights. */
  private synced = true;
  /** Row orders 0..n−1 for evaluate(), by n. */
  private readonly identity = new Map<number, tf.Tensor1D>();
  /** The best weights so far (keepBest), packed like params. */
  private best: tf.Tensor1D | undefined;

  private constructor(
    private readonly net: FusedNetwork,
    private readonly plan: Omit<EpochAttrs, 'firstStep' | 'seed'>,
    private params: tf.Tensor1D,
    private m: tf.Tensor1D,
    private v: tf.Tensor1D,
    private readonly scratch: tf.Tensor1D,
  ) {}

  /** A trainer holding a copy of the model's current weights (and fresh Adam moments). */
  static create(net: FusedNetwork, targets: number, o: FusedTrainerOptions): FusedTrainer {
    const plan = {
      ...(net.front ? { front: net.front } : {}),
      layers: net.head,
      paramCount: net.paramCount,
      batchSize: o.batchSize,
      targets,
      loss: lossOf(o.task),
      metric: metricOf(o.metric),
      targetScale: o.targetScale ? Array.from(o.targetScale) : [],
      learningRate: o.learningRate,
      beta1: o.beta1 ?? 0.9,
      beta2: o.beta2 ?? 0.999,
      epsilon: o.epsilon ?? 1e-7,
    };
    const size = net.paramCount;
    const scratch = tf.engine().runKernel(EPOCH_SCRATCH, {}, { size: epochScratch(plan, net.inputShape).size }) as tf.Tensor1D;
    return new FusedTrainer(net, plan, tf.tensor1d(packWeights(net)), tf.zeros([size]), tf.zeros([size]), scratch);
  }

  /**
   * Adam's state in the order tf.AdamOptimizer keeps it: the step count (batches done) and the first
   * and second moments of each trainable weight (kernel, bias per layer), unpadded — so a checkpoint
   * taken here resumes on the unfused path too, and one taken there resumes here.
   */
  adamState(): { iterations: number; m: Float32Array[]; v: Float32Array[] } {
    const unpack = (t: tf.Tensor1D) => unpackArrays(this.net.layers, t.dataSync() as Float32Array);
    return { iterations: this.step - 1, m: unpack(this.m), v: unpack(this.v) };
  }

  /** Take Adam's state (as adamState returns it) as the trainer's. The padding's moments are 0, as training leaves them. */
  setAdamState(state: { iterations: number; m: readonly ArrayLike<number>[]; v: readonly ArrayLike<number>[] }): void {
    const pack = (arrays: readonly ArrayLike<number>[]) => tf.tensor1d(packArrays(this.net.layers, this.plan.paramCount, arrays));
    const [m, v] = [pack(state.m), pack(state.v)];
    tf.dispose([this.m, this.v]);
    this.m = m;
    this.v = v;
    this.step = state.iterations + 1;
  }

  /**
   * One epoch over the rows of x and y in `order` (batches of the plan's size). The model's
   * variables get the new weights on `syncModel()`. Returns [Σ (loss + penalty)·rows, Σ metric] (a new tensor).
   */
  epoch(x: tf.Tensor, y: tf.Tensor, order: Int32Array): tf.Tensor1D {
    const batches = Math.ceil(order.length / this.plan.batchSize);
    // Drawn from the trial's seeded Math.random: the same candidate drops the same units.
    const seed = Math.floor(Math.random() * 2 ** 32) >>> 0;
    const sums = tf.tidy(() => {
      const indices = tf.tensor1d(order, 'int32');
      const attrs: EpochAttrs = { ...this.plan, firstStep: this.step, seed };
      return tf.engine().runKernel(TRAIN_EPOCH, { x, y, order: indices, params: this.params, m: this.m, v: this.v, scratch: this.scratch }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D;
    });
    this.step += batches;
    this.synced = false;
    return sums;
  }

  /**
   * Loss (with penalties, as Keras reports it) and the metric sum over all rows of x and y, in
   * inference mode (no dropout), with the trainer's current weights — what evaluate() in train.ts
   * computes with tf.layers, in one kernel call.
   */
  async evaluate(x: tf.Tensor, y: tf.Tensor): Promise<{ lossMean: number; metricSum: number }> {
    const rows = x.shape[0]!;
    let order = this.identity.get(rows);
    if (order === undefined) {
      order = tf.range(0, rows, 1, 'int32') as tf.Tensor1D;
      this.identity.set(rows, order);
    }
    const sums = tf.tidy(() => {
      const attrs: EpochAttrs = { ...this.plan, firstStep: this.step, seed: 0, evaluate: true };
      return tf.engine().runKernel(TRAIN_EPOCH, { x, y, order: order!, params: this.params, m: this.m, v: this.v, scratch: this.scratch }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D;
    });
    const [lossSum, metricSum, penalty] = await sums.data();
    sums.dispose();
    return { lossMean: lossSum! / rows + penalty!, metricSum: metricSum! };
  }

  /** Copy the trained parameters into the model's variables (without the padding), if they changed. */
  syncModel(): void {
    if (this.synced) return;
    const arrays = unpackArrays(this.net.layers, this.params.dataSync() as Float32Array);
    tf.tidy(() => {
      let i = 0;
      for (const l of this.net.layers) l.layer.setWeights(l.variables.map((v) => tf.tensor(arrays[i++]!, v.shape)));
    });
    this.synced = true;
  }

  /**
   * Keep the current weights as the best so far: a copy on the wasm heap, from params to a buffer of
   * the trainer's, with no tensor made and nothing copied through JavaScript (where writing them into
   * the model's variables and cloning those cost ~0.3 ms per improving epoch).
   */
  keepBest(): void {
    this.best ??= tf.engine().runKernel(EPOCH_SCRATCH, {}, { size: this.plan.paramCount }) as tf.Tensor1D;
    copyOnHeap(this.params, this.best, this.plan.paramCount);
  }

  /** The current weights, unpadded in model.getWeights() order (the model's variables may not hold them yet). */
  currentArrays(): Float32Array[] {
    return unpackArrays(this.net.layers, this.params.dataSync() as Float32Array);
  }

  /** Whether there are kept best weights (keepBest or setBest). */
  hasBest(): boolean {
    return this.best !== undefined;
  }

  /** Train on from the kept best weights (the model's variables get them on syncModel()). */
  restoreBest(): void {
    if (!this.best) return;
    copyOnHeap(this.best, this.params, this.plan.paramCount);
    this.synced = false;
  }

  /** The kept best weights, unpadded in model.getWeights() order; null when there are none. */
  bestArrays(): Float32Array[] | null {
    return this.best ? unpackArrays(this.net.layers, this.best.dataSync() as Float32Array) : null;
  }

  /** Take best weights (as bestArrays returns them, from a checkpoint) as the kept ones. */
  setBest(arrays: readonly ArrayLike<number>[]): void {
    const packed = tf.tensor1d(packArrays(this.net.layers, this.plan.paramCount, arrays));
    this.best?.dispose();
    this.best = packed;
  }

  dispose(): void {
    tf.dispose([this.params, this.m, this.v, this.scratch, ...this.identity.values(), ...(this.best ? [this.best] : [])]);
  }
}

/** `floats` float32 values from one tensor's buffer to another's on the wasm heap (both the trainer's own). */
function copyOnHeap(from: tf.Tensor, to: tf.Tensor, floats: number): void {
  const wasm = tf.backend() as BackendWasm;
  const src = heapOffset(wasm, from) / 4;
  heapF32(wasm).copyWithin(heapOffset(wasm, to) / 4, src, src + floats);
}

/**
 * A fused trainer for `model`, or the reason it cannot take the fused path (then train unfused).
 * `features` is the width of a flattened input row, `targets` the columns of y.
 */
export function fusedTrainer(model: tf.LayersModel, features: number, targets: number, o: FusedTrainerOptions): FusedTrainer | string {
  if (tf.getBackend() !== 'wasm' || tf.getKernel(TRAIN_EPOCH, 'wasm') === undefined) return `the ${tf.getBackend()} backend`;
  if (o.optimizer !== 'adam') return `the ${o.optimizer} optimizer`;
  if (!simdSupported()) return 'no WebAssembly SIMD in this Node';
  const net = fusedNetwork(model, o.task);
  if (typeof net === 'string') return net;
  if (net.inputShape.reduce((a, b) => a * b, 1) !== features) return `inputs of ${features} features for a model that takes [${net.inputShape.join(', ')}]`;
  return FusedTrainer.create(net, targets, o);
}
