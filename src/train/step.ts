/**
 * The fused training step for dense networks: when a candidate is a stack of Dense layers (with
 * optional Dropout) trained with Adam on the wasm backend, each epoch runs as one kernel
 * (src/kernels/dense_epoch.ts) instead of ~80 tfjs kernel calls per batch. The model stays a
 * tf.LayersModel: the trainer writes its weights into the model's variables whenever the caller
 * needs them (`syncModel()`: before a best-weight copy, after the last epoch), so early stopping,
 * saving and prediction see exactly what they would after unfused epochs; validation runs on the
 * trainer's own copy (`evaluate()`).
 *
 * `fusedDenseTrainer` says why it cannot apply (another backend or optimizer, a layer or setting
 * the kernel does not implement); the caller then trains the unfused way.
 */
import * as tf from '@tensorflow/tfjs';
import { DENSE_EPOCH, type DenseEpochAttrs, type DenseLayerPlan, type DenseLoss, type DenseMetric, scratchLayout } from '../kernels/dense_epoch.js';
import { SIMD_ACTIVATIONS, type SimdActivation, simdSupported } from '../kernels/simd.js';
import type { MetricName, Task } from '../sweep/schema.js';

export interface FusedDenseOptions {
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

interface DenseLayerInfo {
  layer: tf.layers.Layer;
  units: number;
  /** Rows of the kernel as tf.layers stores it (unpadded inputs). */
  kernelRows: number;
  inputs: number;
  activation: string;
  dropout: number;
  l2: number;
}

const up4 = (n: number): number => Math.ceil(n / 4) * 4;

/** The dense stack of `model`, or why the fused path cannot train it. */
export function denseStack(model: tf.LayersModel, task: Task): DenseLayerInfo[] | string {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const out: DenseLayerInfo[] = [];
  let inputs = 0;
  for (const [i, layer] of layers.entries()) {
    const c = layer.getConfig();
    switch (layer.getClassName()) {
      case 'Flatten':
        if (i !== 0) return 'a Flatten layer after the first';
        break;
      case 'Dense': {
        if (c['useBias'] === false) return 'a Dense layer without bias';
        if (c['biasRegularizer'] || c['activityRegularizer'] || c['kernelConstraint'] || c['biasConstraint']) {
          return 'a Dense layer with a bias/activity regulariser or a constraint';
        }
        const reg = c['kernelRegularizer'] as { className?: string; config?: { l1?: number; l2?: number } } | null | undefined;
        if (reg && (reg.className !== 'L1L2' || (reg.config?.l1 ?? 0) !== 0)) return 'a kernel regulariser other than L2';
        const [kernel] = layer.getWeights();
        if (!kernel || kernel.rank !== 2) return 'a Dense layer on inputs of rank > 2';
        if (out.length === 0) inputs = kernel.shape[0]!;
        out.push({ layer, units: c['units'] as number, kernelRows: kernel.shape[0]!, inputs, activation: String(c['activation']), dropout: 0, l2: reg?.config?.l2 ?? 0 });
        inputs = up4(c['units'] as number);
        break;
      }
      case 'Dropout': {
        const prev = out.at(-1);
        if (!prev || prev.dropout > 0 || c['noiseShape'] != null || c['seed'] != null) return 'a Dropout layer that is not right after a Dense layer';
        prev.dropout = c['rate'] as number;
        break;
      }
      default:
        return `a ${layer.getClassName()} layer`;
    }
  }
  const last = out.at(-1);
  if (!last) return 'no Dense layer';
  if (last.dropout > 0) return 'dropout after the output layer';
  const want = task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear';
  if (last.activation !== want) return `an output activation (${last.activation}) other than ${want} for ${task}`;
  const hidden = out.slice(0, -1).find((l) => !(l.activation in SIMD_ACTIVATIONS));
  if (hidden) return `the activation ${hidden.activation}`;
  return out;
}

/** The layers' weights in the padded flat layout of `layers` (kernel rows padded to ld, then the bias). */
function packWeights(stack: DenseLayerInfo[], layers: DenseLayerPlan[], size: number): Float32Array {
  return packArrays(stack, layers, size, stack.flatMap((l) => l.layer.getWeights().map((w) => w.dataSync() as Float32Array)));
}

/**
 * Per-variable arrays (kernel [rows, units] then bias [units] of each layer: the order of the model's
 * trainable weights) in the padded flat layout; the padding stays 0.
 */
function packArrays(stack: DenseLayerInfo[], layers: DenseLayerPlan[], size: number, arrays: readonly ArrayLike<number>[]): Float32Array {
  const values = new Float32Array(size);
  stack.forEach((l, i) => {
    const p = layers[i]!;
    const kernel = arrays[2 * i]!;
    const bias = arrays[2 * i + 1]!;
    if (kernel.length !== l.kernelRows * l.units || bias.length !== l.units) {
      throw new Error(`dense layer ${i}: expected ${l.kernelRows}×${l.units} kernel and ${l.units} bias values, got ${kernel.length} and ${bias.length}`);
    }
    const k = kernel instanceof Float32Array ? kernel : Float32Array.from(kernel);
    for (let r = 0; r < l.kernelRows; r++) values.set(k.subarray(r * l.units, (r + 1) * l.units), p.kernelAt + r * p.ld);
    values.set(bias, p.biasAt);
  });
  return values;
}

/** The inverse of packArrays: per-variable arrays (kernel, bias of each layer) from the padded layout. */
function unpackArrays(stack: DenseLayerInfo[], layers: DenseLayerPlan[], values: Float32Array): Float32Array[] {
  return stack.flatMap((l, i) => {
    const p = layers[i]!;
    const kernel = new Float32Array(l.kernelRows * l.units);
    for (let r = 0; r < l.kernelRows; r++) kernel.set(values.subarray(p.kernelAt + r * p.ld, p.kernelAt + r * p.ld + l.units), r * l.units);
    return [kernel, values.slice(p.biasAt, p.biasAt + l.units)];
  });
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

export class FusedDenseTrainer {
  private step = 1;
  /** Whether the model's variables hold the trainer's current weights. */
  private synced = true;
  /** Row orders 0..n−1 for evaluate(), by n. */
  private readonly identity = new Map<number, tf.Tensor1D>();

  private constructor(
    private readonly stack: DenseLayerInfo[],
    private readonly plan: Omit<DenseEpochAttrs, 'firstStep' | 'seed'>,
    private params: tf.Tensor1D,
    private m: tf.Tensor1D,
    private v: tf.Tensor1D,
    private readonly scratch: tf.Tensor1D,
  ) {}

  /** A trainer holding a copy of the model's current weights (and fresh Adam moments). */
  static create(stack: DenseLayerInfo[], features: number, targets: number, o: FusedDenseOptions): FusedDenseTrainer {
    let at = 0;
    const layers: DenseLayerPlan[] = stack.map((l, i) => {
      const ld = up4(l.units);
      const hidden = i < stack.length - 1;
      const plan: DenseLayerPlan = {
        inputs: l.inputs,
        units: l.units,
        ld,
        activation: hidden ? SIMD_ACTIVATIONS[l.activation as SimdActivation] : 0,
        dropout: l.dropout,
        l2: l.l2,
        kernelAt: at,
        biasAt: at + l.inputs * ld,
      };
      at += l.inputs * ld + ld;
      return plan;
    });
    const plan = {
      layers,
      paramCount: at,
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
    const scratchFloats = scratchLayout(plan, features).size;
    return new FusedDenseTrainer(stack, plan, tf.tensor1d(packWeights(stack, layers, at)), tf.zeros([at]), tf.zeros([at]), tf.zeros([scratchFloats]));
  }

  /** Take the model's current weights (e.g. restored best weights) as the trainer's. */
  loadFromModel(): void {
    const fresh = tf.tensor1d(packWeights(this.stack, this.plan.layers, this.plan.paramCount));
    this.params.dispose();
    this.params = fresh;
    this.synced = true;
  }

  /**
   * Adam's state in the order tf.AdamOptimizer keeps it: the step count (batches done) and the first
   * and second moments of each trainable weight (kernel, bias per layer), unpadded — so a checkpoint
   * taken here resumes on the unfused path too, and one taken there resumes here.
   */
  adamState(): { iterations: number; m: Float32Array[]; v: Float32Array[] } {
    const unpack = (t: tf.Tensor1D) => unpackArrays(this.stack, this.plan.layers, t.dataSync() as Float32Array);
    return { iterations: this.step - 1, m: unpack(this.m), v: unpack(this.v) };
  }

  /** Take Adam's state (as adamState returns it) as the trainer's. The padding's moments are 0, as training leaves them. */
  setAdamState(state: { iterations: number; m: readonly ArrayLike<number>[]; v: readonly ArrayLike<number>[] }): void {
    const pack = (arrays: readonly ArrayLike<number>[]) => tf.tensor1d(packArrays(this.stack, this.plan.layers, this.plan.paramCount, arrays));
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
      const attrs: DenseEpochAttrs = { ...this.plan, firstStep: this.step, seed };
      return tf.engine().runKernel(
        DENSE_EPOCH,
        { x, y, order: indices, params: this.params, m: this.m, v: this.v, scratch: this.scratch },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor1D;
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
      const attrs: DenseEpochAttrs = { ...this.plan, firstStep: this.step, seed: 0, evaluate: true };
      return tf.engine().runKernel(
        DENSE_EPOCH,
        { x, y, order: order!, params: this.params, m: this.m, v: this.v, scratch: this.scratch },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor1D;
    });
    const [lossSum, metricSum, penalty] = await sums.data();
    sums.dispose();
    return { lossMean: lossSum! / rows + penalty!, metricSum: metricSum! };
  }

  /** Copy the trained parameters into the model's variables (without the padding), if they changed. */
  syncModel(): void {
    if (this.synced) return;
    const arrays = unpackArrays(this.stack, this.plan.layers, this.params.dataSync() as Float32Array);
    tf.tidy(() => {
      this.stack.forEach((l, i) => {
        l.layer.setWeights([tf.tensor2d(arrays[2 * i]!, [l.kernelRows, l.units]), tf.tensor1d(arrays[2 * i + 1]!)]);
      });
    });
    this.synced = true;
  }

  dispose(): void {
    tf.dispose([this.params, this.m, this.v, this.scratch, ...this.identity.values()]);
  }
}

/**
 * A fused trainer for `model`, or the reason it cannot take the fused path (then train unfused).
 * `features` is the width of a flattened input row, `targets` the columns of y.
 */
export function fusedDenseTrainer(model: tf.LayersModel, features: number, targets: number, o: FusedDenseOptions): FusedDenseTrainer | string {
  if (tf.getBackend() !== 'wasm' || tf.getKernel(DENSE_EPOCH, 'wasm') === undefined) return `the ${tf.getBackend()} backend`;
  if (o.optimizer !== 'adam') return `the ${o.optimizer} optimizer`;
  if (!simdSupported()) return 'no WebAssembly SIMD in this Node';
  const stack = denseStack(model, o.task);
  if (typeof stack === 'string') return stack;
  return FusedDenseTrainer.create(stack, features, targets, o);
}
