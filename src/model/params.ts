/**
 * Keras parameter counts and output-shape rules as pure functions. `buildModel` uses the shape rules
 * (so the Keras code generator can replicate them from the recorded `padding`), and tests compare
 * `expectedParamCount` with what TensorFlow.js counts for the built network.
 */
import type { Candidate } from '../search/candidates.js';
import { SpecError } from '../errors.js';
import type { ModelSpec, TrainingSpec } from '../spec/schema.js';
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

/** One pass over the network's layers: parameters, multiply-accumulates and activations per sample. */
interface NetworkWalk {
  params: number;
  macs: number;
  /** Values one sample's forward pass produces and training keeps for the backward pass (outputs and pre-activations). */
  activations: number;
  /** The largest scratch buffer one sample needs at once (a convolution's im2col patches). */
  scratch: number;
}

function walkNetwork(candidate: Pick<Candidate, 'family' | 'units'>, model: ModelSpec, info: DataInfo): NetworkWalk {
  const out = info.targetDim;
  const walk: NetworkWalk = { params: 0, macs: 0, activations: 0, scratch: 0 };
  const add = (p: number, repeats = 1) => {
    walk.params += p;
    walk.macs += p * repeats;
  };
  // A dropout layer keeps its mask beside its output.
  const dropout = model.dropout > 0 ? 2 : 0;
  switch (candidate.family) {
    case 'dense': {
      let inputs = product(info.inputShape);
      for (const units of candidate.units) {
        add(denseParams(inputs, units));
        walk.activations += units * (2 + dropout);
        inputs = units;
      }
      add(denseParams(inputs, out));
      walk.activations += 2 * out;
      break;
    }
    case 'cnn': {
      let [h, w, c] = [info.inputShape[0]!, info.inputShape[1]!, info.inputShape[2] ?? 1];
      const { kernelSize: k, pooling, poolSize: p, denseHead } = model.cnn;
      for (const filters of candidate.units) {
        const pad = convPadding(h, w, k);
        [h, w] = [convOutputSize(h, k, pad), convOutputSize(w, k, pad)];
        add(conv2dParams(k, k, c, filters), h * w);
        walk.scratch = Math.max(walk.scratch, k * k * c * h * w);
        walk.activations += 2 * h * w * filters;
        c = filters;
        if (pooling !== 'none') {
          const pp = poolPadding(h, w, p);
          [h, w] = [poolOutputSize(h, p, pp), poolOutputSize(w, p, pp)];
          walk.activations += h * w * c;
        }
      }
      let inputs = h * w * c;
      for (const units of denseHead) {
        add(denseParams(inputs, units));
        walk.activations += units * (2 + dropout);
        inputs = units;
      }
      add(denseParams(inputs, out));
      walk.activations += 2 * out;
      break;
    }
    case 'lstm': {
      const steps = info.inputShape.length > 1 ? info.inputShape[0]! : 1;
      let inputs = info.inputShape[info.inputShape.length - 1]!;
      for (const units of candidate.units) {
        add(lstmParams(inputs, units), steps);
        // Per step: four gates, the cell state and the output.
        walk.activations += steps * units * (6 + dropout);
        inputs = units;
      }
      add(denseParams(inputs, out));
      walk.activations += 2 * out;
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
  /** The optimizer's state. */
  optimizer: number;
  /** The copy of the best weights early stopping keeps to restore them. */
  bestWeights: number;
  /** A batch's activations and their gradients (or an evaluation batch's, whichever is larger), with convolution scratch. */
  activations: number;
  /** The dataset as tensors: every sample's inputs and targets. */
  data: number;
  total: number;
}

export interface ResourceEstimate {
  params: number;
  /** Multiply-accumulates of one sample's forward pass (a training step costs about three times that). */
  macs: number;
  /** Bytes one trial holds at once on the backend, by what holds them. */
  memory: MemoryEstimate;
}

/**
 * What one candidate costs to train: its parameters and multiply-accumulates, and the peak bytes of
 * tensors one trial holds (weights, gradients, optimizer state, the best-weights copy, a batch's
 * activations with their gradients, and the data as tensors). An estimate by the same layer walk as
 * the parameter count; `test/model.resources.test.ts` checks it against what tfjs reports.
 */
export function estimateResources(
  candidate: Pick<Candidate, 'family' | 'units'>,
  spec: { model: ModelSpec; training: TrainingSpec },
  info: DataInfo,
): ResourceEstimate {
  const walk = walkNetwork(candidate, spec.model, info);
  const t = spec.training;
  const weights = FLOAT_BYTES * walk.params;
  const perSample = walk.activations + walk.scratch;
  // Training keeps a batch's activations for the backward pass, which makes a gradient of each;
  // evaluation runs forward only, in batches of at least 256 (src/train/train.ts).
  const activations = FLOAT_BYTES * perSample * Math.max(2 * t.batchSize, Math.max(t.batchSize, 256));
  const memory = {
    weights,
    gradients: weights,
    optimizer: OPTIMIZER_SLOTS[t.optimizer] * weights,
    bestWeights: t.earlyStopping.enabled && t.earlyStopping.restoreBestWeights ? weights : 0,
    activations,
    data: FLOAT_BYTES * info.rows * (product(info.inputShape) + info.targetDim),
    total: 0,
  };
  memory.total = memory.weights + memory.gradients + memory.optimizer + memory.bestWeights + memory.activations + memory.data;
  return { params: walk.params, macs: walk.macs, memory };
}

/** A memory budget per worker, and where it comes from (for the message that refuses a candidate). */
export interface MemoryBudget {
  bytes: number;
  source: string;
}

export const DEFAULT_MEMORY_BUDGET: MemoryBudget = { bytes: WASM_HEAP_BYTES, source: "the wasm backend's heap; --max-memory sets another" };

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
