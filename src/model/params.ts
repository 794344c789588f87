/**
 * Keras parameter counts and output-shape rules as pure functions. `buildModel` uses the shape rules
 * (so the Keras code generator can replicate them from the recorded `padding`), and tests compare
 * `expectedParamCount` with what TensorFlow.js counts for the built network.
 */
import type { Candidate } from '../sweep/candidate.js';
import { DataError, SpecError } from '../errors.js';
import type { ModelSpec, TrainingSpec } from '../sweep/schema.js';
import type { DataInfo } from '../data/types.js';

export type Padding = 'valid' | 'same';

/** Dense(units) on `inputs` features: a weight per input and unit, plus a bias per unit. */
export function denseParams(inputs: number, units: number): number {
  return inputs * units + units;
}

/** Conv2D(filters, (kh, kw)) on `channels` input channels. */
export function conv2dParams(kh: number, kw: number, channels: number, filters: number): number {
  return kh * kw * channels * filters + filters;
}

/** LSTM(units) on `inputs` features per step: four gates, each with input, recurrent and bias weights. */
export function lstmParams(inputs: number, units: number): number {
  return 4 * (units * (inputs + units) + units);
}

/**
 * Keras' default convolution padding is 'valid'; we switch to 'same' only when 'valid' would leave
 * nothing (the input is smaller than the kernel), so deep sweeps on small images still build.
 */
export function convPadding(height: number, width: number, kernel: number): Padding {
  return height < kernel || width < kernel ? 'same' : 'valid';
}

export function convOutputSize(size: number, kernel: number, padding: Padding): number {
  return padding === 'same' ? size : size - kernel + 1;
}

/** Pooling (stride = pool size, as in Keras) follows the same rule: 'same' only if 'valid' would be empty. */
export function poolPadding(height: number, width: number, pool: number): Padding {
  return height < pool || width < pool ? 'same' : 'valid';
}

export function poolOutputSize(size: number, pool: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / pool) : Math.floor((size - pool) / pool) + 1;
}

const product = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * Values per sample that training and inference keep at once, per kind of layer. Measured on the wasm
 * backend with tf.profile (peak tensor bytes, batch sizes 16–512; see test/model.resources.test.ts),
 * where layerbench trains these networks one fused kernel per epoch (src/kernels/epoch.ts):
 * training keeps about 7 values per dense unit (pre-activation, activation, their gradients), 3 per
 * convolution output (pre-activation, activation, gradient), 2 per pooling output and 14 per LSTM
 * unit and step (gates, cell and output, their gradients); inference keeps one layer's input and
 * output, and for an LSTM about 5 values per unit and step of its widest layer (the input projection
 * and the output; the backward pass's cache only exists while gradients are recorded).
 * A convolution under max pooling after relu pools first on the fused path
 * (src/kernels/conv_front.ts): it keeps about 3 values per pooled output (the pooled
 * pre-activation, its activation and gradient, and the codes), its pre-activation z only on later
 * layers (a first layer, with fewer than 4 input channels, sums each window in registers), and its
 * evaluation batches run through the same kernel at the training batch size.
 */
const TRAIN_PER_UNIT = { dense: 7, conv: 3, pool: 2, lstm: 14 } as const;
const TRAIN_POOLED_FIRST = { pool: 3, firstConv: 0, conv: 1 } as const;
const INFER_PER_LSTM_UNIT = 5;

/**
 * Whether the data's samples fit the family: a DataError naming both otherwise. Plan checks it before
 * any estimate (a cnn on a table has no height and width: its memory would be NaN).
 */
export function checkInputShape(candidate: Pick<Candidate, 'family'>, info: DataInfo): void {
  const s = info.inputShape;
  if (s.length === 0 || s.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new DataError(`input shape [${s.join(', ')}]: every dimension must be a positive integer`);
  }
  if (candidate.family === 'cnn' && (s.length < 2 || s.length > 3)) {
    throw new DataError(
      `model.family: cnn needs images, samples of shape [height, width] or [height, width, channels]; the dataset's samples have shape [${s.join(', ')}]${s.length === 1 ? ' (a table: use family "dense")' : ''}`,
    );
  }
  if (candidate.family === 'lstm' && s.length !== 2) {
    throw new DataError(`input shape [${s.join(', ')}]: lstm needs windows of shape [steps, features]`);
  }
  if (!Number.isInteger(info.targetDim) || info.targetDim < 1) {
    throw new DataError(`target dimension ${info.targetDim}: must be a positive integer`);
  }
}

/** One pass over the network's layers: parameters, multiply-accumulates and the values a sample keeps. */
interface NetworkWalk {
  params: number;
  macs: number;
  /** Values one sample keeps at once while a batch trains (forward activations and backward gradients). */
  train: number;
  /** Values one sample keeps at once during inference (the largest layer's input and output). */
  infer: number;
}

function walkNetwork(candidate: Pick<Candidate, 'family' | 'units'>, model: ModelSpec, info: DataInfo): NetworkWalk {
  checkInputShape(candidate, info);
  const out = info.targetDim;
  const inputs0 = product(info.inputShape);
  const walk: NetworkWalk = { params: 0, macs: 0, train: inputs0, infer: 0 };
  const add = (p: number, repeats = 1) => {
    walk.params += p;
    walk.macs += p * repeats;
  };
  const layer = (inSize: number, outSize: number) => {
    walk.infer = Math.max(walk.infer, inSize + outSize);
  };
  const denseLayer = (inputs: number, units: number) => {
    add(denseParams(inputs, units));
    walk.train += TRAIN_PER_UNIT.dense * units;
    layer(inputs, units);
  };
  switch (candidate.family) {
    case 'dense': {
      let inputs = inputs0;
      for (const units of candidate.units) {
        denseLayer(inputs, units);
        inputs = units;
      }
      denseLayer(inputs, out);
      break;
    }
    case 'cnn': {
      let [h, w, c] = [info.inputShape[0]!, info.inputShape[1]!, info.inputShape[2] ?? 1];
      const { kernelSize: k, pooling, poolSize: p, denseHead } = model.cnn;
      const poolsFirst = model.activation === 'relu';
      for (const filters of candidate.units) {
        const pad = convPadding(h, w, k);
        const inSize = h * w * c;
        [h, w] = [convOutputSize(h, k, pad), convOutputSize(w, k, pad)];
        add(conv2dParams(k, k, c, filters), h * w);
        const conv = h * w * filters;
        const first = c < 4;
        c = filters;
        let pooled = 0;
        if (pooling !== 'none') {
          const pp = poolPadding(h, w, p);
          [h, w] = [poolOutputSize(h, p, pp), poolOutputSize(w, p, pp)];
          pooled = h * w * c;
        }
        if (pooling === 'max' && poolsFirst) {
          walk.train += (first ? TRAIN_POOLED_FIRST.firstConv : TRAIN_POOLED_FIRST.conv) * conv + TRAIN_POOLED_FIRST.pool * pooled;
          layer(inSize, 2 * pooled);
        } else {
          walk.train += TRAIN_PER_UNIT.conv * conv + TRAIN_PER_UNIT.pool * pooled;
          layer(inSize, conv + pooled);
        }
      }
      let inputs = h * w * c;
      for (const units of denseHead) {
        denseLayer(inputs, units);
        inputs = units;
      }
      denseLayer(inputs, out);
      break;
    }
    case 'lstm': {
      const steps = info.inputShape.length > 1 ? info.inputShape[0]! : 1;
      let inputs = info.inputShape[info.inputShape.length - 1]!;
      for (const units of candidate.units) {
        add(lstmParams(inputs, units), steps);
        walk.train += TRAIN_PER_UNIT.lstm * steps * units;
        walk.infer = Math.max(walk.infer, steps * inputs + INFER_PER_LSTM_UNIT * steps * units);
        inputs = units;
      }
      denseLayer(inputs, out);
      break;
    }
  }
  return walk;
}

/**
 * The network's size by the Keras formulas: its parameters, and the multiply-accumulates one sample's
 * forward pass costs (a Dense layer's are its weights; a Conv2D's, its weights at every output
 * position; an LSTM's, its weights at every timestep). Training time grows with the latter.
 */
export function networkSize(candidate: Pick<Candidate, 'family' | 'units'>, model: ModelSpec, info: DataInfo): { params: number; macs: number } {
  const { params, macs } = walkNetwork(candidate, model, info);
  return { params, macs };
}

/** The parameter count Keras would report for the candidate's network. */
export function expectedParamCount(candidate: Pick<Candidate, 'family' | 'units'>, model: ModelSpec, info: DataInfo): number {
  return networkSize(candidate, model, info).params;
}

// ------------------------------------------------------------------------------------ resource model

/** Every tensor training allocates is float32. */
const FLOAT_BYTES = 4;

/** The wasm backend's heap can grow to this and no further (tfjs-backend-wasm's getHeapMax()). */
export const WASM_HEAP_BYTES = 4_294_901_760;

/** Optimizer state per parameter: Adam's two moments, RMSProp's mean square and momentum, Adagrad's accumulator. */
const OPTIMIZER_SLOTS: Record<TrainingSpec['optimizer'], number> = { adam: 2, rmsprop: 2, adagrad: 1, sgd: 0 };

export interface MemoryEstimate {
  /** The network's weights. */
  weights: number;
  /** One gradient per weight. */
  gradients: number;
  /** The optimizer's state and the temporaries of an update (about two weights' worth). */
  optimizer: number;
  /** The copy of the best weights early stopping keeps to restore them. */
  bestWeights: number;
  /** A training batch's activations and gradients, or an evaluation batch's, whichever is larger. */
  activations: number;
  /** The dataset as tensors: every sample's inputs and targets. */
  data: number;
  /** Everything above, with a quarter and 1 MiB more for what the layer walk does not see (tfjs' own temporaries). */
  total: number;
}

export interface ResourceEstimate {
  params: number;
  /** Multiply-accumulates of one sample's forward pass (a training step costs about three times that). */
  macs: number;
  /** Peak bytes one trial holds at once on the backend, by what holds them. */
  memory: MemoryEstimate;
}

/** Headroom over the sum of the parts: measured peaks were up to 20 % above it, and small networks have a fixed overhead. */
const HEADROOM = 1.25;
const HEADROOM_BYTES = 2 ** 20;

/**
 * What one candidate costs to train: its parameters and multiply-accumulates, and the peak bytes of
 * tensors one trial holds (weights, gradients, optimizer state, the best-weights copy, a batch's
 * activations with their gradients or an evaluation batch, and the data as tensors). Calibrated
 * against the peak tfjs reports (tf.profile) on the wasm backend; `test/model.resources.test.ts`
 * checks that it stays between that peak and twice it.
 */
export function estimateResources(candidate: Pick<Candidate, 'family' | 'units'>, spec: { model: ModelSpec; training: TrainingSpec }, info: DataInfo): ResourceEstimate {
  const walk = walkNetwork(candidate, spec.model, info);
  const t = spec.training;
  const weights = FLOAT_BYTES * walk.params;
  // Evaluation and prediction run in batches of at least 256 (src/train/train.ts), never more than the data has.
  const evalBatch = Math.min(Math.max(t.batchSize, 256), Math.max(info.rows, 1));
  const activations = FLOAT_BYTES * Math.max(walk.train * Math.min(t.batchSize, Math.max(info.rows, 1)), walk.infer * evalBatch);
  const parts = {
    weights,
    gradients: weights,
    optimizer: (OPTIMIZER_SLOTS[t.optimizer] + 2) * weights,
    bestWeights: t.earlyStopping.enabled && t.earlyStopping.restoreBestWeights ? weights : 0,
    activations,
    data: FLOAT_BYTES * info.rows * (product(info.inputShape) + info.targetDim),
  };
  const sum = parts.weights + parts.gradients + parts.optimizer + parts.bestWeights + parts.activations + parts.data;
  return { params: walk.params, macs: walk.macs, memory: { ...parts, total: sum * HEADROOM + HEADROOM_BYTES } };
}

/** A memory budget per worker, and where it comes from (for the message that refuses a candidate). */
export interface MemoryBudget {
  bytes: number;
  source: string;
}

export const DEFAULT_MEMORY_BUDGET: MemoryBudget = { bytes: WASM_HEAP_BYTES, source: "the wasm backend's heap; --max-memory sets another" };

/** The budget of a deployed Train function with `mb` of memory (never more than the wasm heap). */
export function trainMemoryBudget(mb: number): MemoryBudget {
  const bytes = mb * 2 ** 20;
  return bytes < WASM_HEAP_BYTES ? { bytes, source: `the Train function's memory (${mb} MB, stack context trainMemory)` } : DEFAULT_MEMORY_BUDGET;
}

/** `1.5 GiB`, `512 MiB`; absurd sizes in powers of ten. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (v >= 1e6) return `${v.toExponential(1)} ${units[u]}`;
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/**
 * Refuse a sweep with a candidate that cannot fit a worker's memory, before anything is trained or
 * written: one line naming the largest such candidate, what its memory goes to, and the budget.
 */
export function checkMemoryBudget(
  candidates: Pick<Candidate, 'family' | 'units' | 'depth' | 'width'>[],
  spec: { model: ModelSpec; training: TrainingSpec },
  info: DataInfo,
  budget: MemoryBudget = DEFAULT_MEMORY_BUDGET,
): void {
  const over = candidates
    .map((c) => ({ c, e: estimateResources(c, spec, info) }))
    .filter(({ e }) => !(e.memory.total <= budget.bytes))
    .sort((a, b) => b.e.memory.total - a.e.memory.total);
  const worst = over[0];
  if (!worst) return;
  const { c, e } = worst;
  const m = e.memory;
  const parts = (['weights', 'gradients', 'optimizer', 'bestWeights', 'activations', 'data'] as const)
    .filter((k) => m[k] >= m.total * 0.1)
    .map((k) => `${k === 'bestWeights' ? 'best-weights copy' : k} ${formatBytes(m[k])}`);
  const widest = Math.max(...c.units);
  const shown = widest < 1e6 ? String(widest) : widest.toExponential(1);
  const layer = spec.model.widthPattern === 'constant' || c.units.length === 1 ? '' : `, ${spec.model.widthPattern} to ${shown} ${c.family === 'cnn' ? 'filters' : 'units'}`;
  const advice = m.activations >= m.total / 2 ? 'lower training.batchSize or drop it from model.depth or model.width' : 'drop it from model.depth or model.width';
  const others = over.length > 1 ? ` (${over.length} of ${candidates.length} candidates are over it)` : '';
  throw new SpecError(
    `model: depth ${c.depth} × width ${c.width}${layer} needs about ${formatBytes(m.total)} to train (${parts.join(', ')}), ` +
      `more than a worker's ${formatBytes(budget.bytes)} (${budget.source})${others}; ${advice}`,
  );
}
