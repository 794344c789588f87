/**
 * One training epoch of a whole dense network (Dense layers with optional Dropout, Adam, Keras'
 * losses) as a single wasm kernel: per batch, the forward pass, the loss and its gradient, the
 * backward pass and the Adam update run as a few dozen calls into layerbench's SIMD module
 * (wasm/kernels.ts) on the wasm heap, with no tfjs dispatch at all. tf.layers spends ~80 kernel
 * calls and ~1.4 ms of engine time per batch on the same network; its arithmetic is ~1 MFLOP.
 *
 * The parameters live in one flat tensor laid out by `denseLayout` (each layer's kernel [in, ld]
 * and bias [ld], the unit count padded to ld, a multiple of 4, with zeros), with Adam's moments in
 * two more of the same layout. Unlike other kernels this one **updates `params`, `m`, `v` and
 * `scratch` in place**: they belong to one FusedDenseTrainer (src/train/step.ts), which never lets
 * them out. It returns a new [2] tensor: Σ over batches of (batch loss + penalty) · rows, and the
 * batch metric sums (correct predictions, squared or absolute errors in target units).
 *
 * Semantics follow the unfused path (tf.layers + layerbench's loss and metric): the same losses
 * with Keras' epsilon clipping (and its zero gradient outside the clip range), L2 penalties on
 * hidden kernels, Adam with bias correction and epsilon outside the square root. Dropout masks come
 * from a xorshift stream seeded per epoch by the caller (from the trial's seeded Math.random): the
 * same candidate gives the same result, though not the masks tf.dropout would have drawn.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapOffset, simdKernels } from './simd.js';
import { allocF32, wasmKernel, type KernelArgs } from './wasm_heap.js';

export const DENSE_EPOCH = 'LayerbenchDenseEpoch';

export type DenseLoss = 'mse' | 'binaryCrossentropy' | 'categoricalCrossentropy';
export type DenseMetric = 'none' | 'accuracy' | 'squaredError' | 'absoluteError';

export interface DenseLayerPlan {
  /** Input width as stored (the previous layer's padded width, or the feature count). */
  inputs: number;
  units: number;
  /** units rounded up to a multiple of 4: the row stride of this layer's activations. */
  ld: number;
  /** Code from SIMD_ACTIVATIONS (hidden layers); the output layer's activation comes with the loss. */
  activation: number;
  /** Dropout rate after this layer (0: none). */
  dropout: number;
  /** L2 factor on this layer's kernel (0: none). */
  l2: number;
  /** Float offsets into params (and m, v, gradient) of the kernel and the bias. */
  kernelAt: number;
  biasAt: number;
}

export interface DenseEpochAttrs {
  layers: DenseLayerPlan[];
  /** Total floats of params (and of m, v). */
  paramCount: number;
  batchSize: number;
  /** Target columns of y (one-hot classes for multiclass). */
  targets: number;
  loss: DenseLoss;
  metric: DenseMetric;
  /** Per-target scale of errors into original units (squared/absolute error metrics). */
  targetScale: number[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Adam step of the epoch's first batch (1-based). */
  firstStep: number;
  /** Seed of the epoch's dropout stream (any uint32). */
  seed: number;
  /**
   * Evaluate instead of train: no dropout, no update, rows in `order` as given. Returns
   * [Σ batch loss · rows, Σ metric, penalty] (the L2 penalty of the current weights).
   */
  evaluate?: boolean;
}

const EPSILON = 1e-7; // Keras' epsilon(), as tf.layers clips probabilities

/** Float offsets of the scratch buffers for a plan (all multiples of 4). */
export function scratchLayout(a: Pick<DenseEpochAttrs, 'layers' | 'batchSize' | 'targets' | 'paramCount'>, features: number) {
  const up4 = (n: number) => Math.ceil(n / 4) * 4;
  let at = 0;
  const take = (n: number) => {
    const here = at;
    at += up4(n);
    return here;
  };
  const B = a.batchSize;
  const xb = take(B * features);
  const yb = take(B * a.targets);
  const layers = a.layers.map((l) => ({
    z: take(B * l.ld),
    h: take(B * l.ld),
    dropped: l.dropout > 0 ? take(B * l.ld) : -1,
    mask: l.dropout > 0 ? take(B * l.ld) : -1,
    g: take(B * l.ld),
    transposed: take(l.ld * l.inputs),
  }));
  const grad = take(a.paramCount);
  return { xb, yb, layers, grad, size: at };
}

function denseEpochWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, y, order, params, m, v, scratch } = inputs as Record<'x' | 'y' | 'order' | 'params' | 'm' | 'v' | 'scratch', TensorInfo>;
  const a = attrs as unknown as DenseEpochAttrs;
  const k = simdKernels(wasm);
  const rows = order.shape[0]!;
  const features = x.shape.slice(1).reduce((p, q) => p * q, 1);
  const T = a.targets;
  const L = a.layers.length;
  const out = allocF32(wasm, [a.evaluate ? 3 : 2]);

  // Byte addresses (no allocation below this point: heap views stay valid).
  const s = heapOffset(wasm, scratch);
  const f = (floats: number) => s + 4 * floats;
  const lay = scratchLayout(a, features);
  const X = heapOffset(wasm, x);
  const Y = heapOffset(wasm, y);
  const O = heapOffset(wasm, order);
  const P = heapOffset(wasm, params);
  const Mo = heapOffset(wasm, m);
  const Vo = heapOffset(wasm, v);
  const G = f(lay.grad);
  const heap = heapF32(wasm);
  const last = a.layers[L - 1]!;
  const lastAt = lay.layers[L - 1]!;

  // Read once: the attrs object is a dictionary, slow to query per element.
  const loss = a.loss;
  const metric = a.metric;
  const scales = Float64Array.from({ length: T }, (_, j) => a.targetScale[j] ?? 1);
  let lossSum = 0;
  let metricSum = 0;
  let seed = a.seed >>> 0;
  let step = a.firstStep;
  for (let first = 0; first < rows; first += a.batchSize) {
    const B = Math.min(a.batchSize, rows - first);
    k.gatherRows(X, features, O, first, B, f(lay.xb));
    k.gatherRows(Y, T, O, first, B, f(lay.yb));

    // Forward.
    let input = f(lay.xb);
    for (let l = 0; l < L; l++) {
      const p = a.layers[l]!;
      const at = lay.layers[l]!;
      k.gemm(B, p.ld, p.inputs, input, p.inputs, 1, P + 4 * p.kernelAt, p.ld, f(at.z), p.ld, 0, P + 4 * p.biasAt);
      if (l === L - 1) break;
      k.activate(p.activation, f(at.z), f(at.h), B, p.units, p.ld);
      input = f(at.h);
      if (p.dropout > 0 && !a.evaluate) {
        seed = k.dropout(f(at.h), f(at.dropped), f(at.mask), B * p.ld, p.dropout, seed) >>> 0;
        input = f(at.dropped);
      }
    }

    // Loss, metric and the gradient with respect to the output layer's pre-activation.
    const zo = lastAt.z;
    const go = lastAt.g;
    const yo = lay.yb;
    const ld = last.ld;
    let batchLoss = 0;
    heap.fill(0, s / 4 + go, s / 4 + go + B * ld);
    const base = s / 4;
    if (loss === 'mse') {
      const scale = 2 / (B * T);
      for (let r = 0; r < B; r++) {
        for (let j = 0; j < T; j++) {
          const d = heap[base + zo + r * ld + j]! - heap[base + yo + r * T + j]!;
          batchLoss += d * d;
          heap[base + go + r * ld + j] = scale * d;
          const e = d * scales[j]!;
          if (metric === 'squaredError') metricSum += e * e;
          else if (metric === 'absoluteError') metricSum += Math.abs(e);
        }
      }
      batchLoss /= B * T;
    } else if (loss === 'binaryCrossentropy') {
      const scale = 1 / (B * T);
      for (let r = 0; r < B; r++) {
        for (let j = 0; j < T; j++) {
          const z = heap[base + zo + r * ld + j]!;
          const p = Math.fround(1 / (1 + Math.exp(-z)));
          const t = heap[base + yo + r * T + j]!;
          const q = Math.min(Math.max(p, EPSILON), 1 - EPSILON);
          batchLoss -= t === 1 ? Math.log(q) : t === 0 ? Math.log(1 - q) : t * Math.log(q) + (1 - t) * Math.log(1 - q);
          heap[base + go + r * ld + j] = p >= EPSILON && p <= 1 - EPSILON ? scale * (p - t) : 0;
          if (metric === 'accuracy') metricSum += (p > 0.5 ? 1 : 0) === t ? 1 : 0;
        }
      }
      batchLoss /= B * T;
    } else {
      // softmax → p/Σp → clip → −Σ y log q, gradients through each step (as tf's autodiff takes them).
      const probs = new Float64Array(T);
      const gq = new Float64Array(T);
      for (let r = 0; r < B; r++) {
        const zr = base + zo + r * ld;
        const yr = base + yo + r * T;
        let max = -Infinity;
        for (let j = 0; j < T; j++) max = Math.max(max, heap[zr + j]!);
        let sum = 0;
        for (let j = 0; j < T; j++) sum += (probs[j] = Math.exp(heap[zr + j]! - max));
        let total = 0;
        for (let j = 0; j < T; j++) total += (probs[j] = Math.fround(probs[j]! / sum));
        let dot = 0;
        let best = 0;
        let truth = 0;
        for (let j = 0; j < T; j++) {
          const q = probs[j]! / total;
          const t = heap[yr + j]!;
          const inRange = q >= EPSILON && q <= 1 - EPSILON;
          batchLoss -= t * Math.log(Math.min(Math.max(q, EPSILON), 1 - EPSILON));
          gq[j] = inRange ? -t / q / B : 0;
          dot += gq[j]! * q;
          if (probs[j]! > probs[best]!) best = j;
          if (t > heap[yr + truth]!) truth = j;
        }
        // Through q = p / Σp, then through the softmax.
        let gpDotP = 0;
        for (let j = 0; j < T; j++) {
          gq[j] = (gq[j]! - dot) / total;
          gpDotP += gq[j]! * probs[j]!;
        }
        for (let j = 0; j < T; j++) heap[base + go + r * ld + j] = probs[j]! * (gq[j]! - gpDotP);
        if (metric === 'accuracy') metricSum += best === truth ? 1 : 0;
      }
      batchLoss /= B;
    }

    // Penalties (before the update, as the unfused loss sees them).
    const penalty = penaltyOf(a, k, P);
    if (a.evaluate) {
      lossSum += batchLoss * B;
      continue;
    }
    lossSum += (batchLoss + penalty) * B;

    // Backward.
    for (let l = L - 1; l >= 0; l--) {
      const p = a.layers[l]!;
      const at = lay.layers[l]!;
      const prev = l > 0 ? lay.layers[l - 1]! : undefined;
      const prevPlan = l > 0 ? a.layers[l - 1]! : undefined;
      const A = prev === undefined ? f(lay.xb) : prevPlan!.dropout > 0 ? f(prev.dropped) : f(prev.h);
      k.gemm(p.inputs, p.ld, B, A, 1, p.inputs, f(at.g), p.ld, G + 4 * p.kernelAt, p.ld, 0, 0);
      k.columnSums(f(at.g), B, p.ld, G + 4 * p.biasAt);
      if (prev === undefined) continue;
      k.transpose(P + 4 * p.kernelAt, p.inputs, p.ld, f(at.transposed), p.inputs);
      k.gemm(B, p.inputs, p.ld, f(at.g), p.ld, 1, f(at.transposed), p.inputs, f(prev.g), p.inputs, 0, 0);
      if (prevPlan!.dropout > 0) k.multiply(f(prev.g), f(prev.mask), B * p.inputs);
      k.activationGrad(prevPlan!.activation, f(prev.z), f(prev.h), f(prev.g), B * p.inputs);
    }

    // Adam.
    const c1 = 1 - a.beta1 ** step;
    const c2 = 1 - a.beta2 ** step;
    for (const p of a.layers) {
      const w = 4 * p.kernelAt;
      const b = 4 * p.biasAt;
      k.adam(P + w, G + w, Mo + w, Vo + w, p.inputs * p.ld, a.learningRate, a.beta1, a.beta2, a.epsilon, c1, c2, 2 * p.l2);
      k.adam(P + b, G + b, Mo + b, Vo + b, p.ld, a.learningRate, a.beta1, a.beta2, a.epsilon, c1, c2, 0);
    }
    step++;
  }
  const o = heapOffset(wasm, out) / 4;
  heap[o] = lossSum;
  heap[o + 1] = metricSum;
  if (a.evaluate) heap[o + 2] = penaltyOf(a, k, P);
  return out;
}

/** Σ l2 · ‖kernel‖² over the layers with an L2 penalty. */
function penaltyOf(a: DenseEpochAttrs, k: ReturnType<typeof simdKernels>, params: number): number {
  let penalty = 0;
  for (const p of a.layers) if (p.l2 > 0) penalty += p.l2 * k.sumSquares(params + 4 * p.kernelAt, p.inputs * p.ld);
  return penalty;
}

export const denseEpochConfig = wasmKernel(DENSE_EPOCH, denseEpochWasm);
