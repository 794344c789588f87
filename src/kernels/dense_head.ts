/**
 * The dense layers of a fused training epoch (epoch.ts): forward pass, Keras' losses with their
 * gradient, backward pass — on layerbench's SIMD kernels over byte offsets into the wasm heap. A
 * network's whole stack when it is dense, its head after an LSTM or convolutional front otherwise.
 *
 * Semantics follow the unfused path (tf.layers + layerbench's loss and metric): the same losses
 * with Keras' epsilon clipping (and its zero gradient outside the clip range), dropout after hidden
 * layers (masks from the caller's seeded xorshift stream, not tf.dropout's). Each layer's units are
 * padded to ld, a multiple of 4, with zeros in its weights and activations.
 */
import type { SimdKernels } from './simd.js';

export type DenseLoss = 'mse' | 'binaryCrossentropy' | 'categoricalCrossentropy';
export type DenseMetric = 'none' | 'accuracy' | 'squaredError' | 'absoluteError';

export interface DenseLayerPlan {
  /** Input width as stored (the previous layer's padded width, or the head's input width). */
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
  /** Float offsets into params (and m, v, gradient) of the kernel [inputs, ld] and the bias [ld]. */
  kernelAt: number;
  biasAt: number;
}

/** Float offsets (into the epoch's scratch) of one dense layer's buffers for a batch. */
export interface DenseScratch {
  z: number;
  h: number;
  /** -1 without dropout. */
  dropped: number;
  mask: number;
  g: number;
  transposed: number;
}

const EPSILON = 1e-7; // Keras' epsilon(), as tf.layers clips probabilities

/** The head's buffers, taken from `take(floats)` (which hands out offsets). */
export function headScratch(layers: readonly DenseLayerPlan[], batch: number, take: (floats: number) => number): DenseScratch[] {
  return layers.map((l) => ({
    z: take(batch * l.ld),
    h: take(batch * l.ld),
    dropped: l.dropout > 0 ? take(batch * l.ld) : -1,
    mask: l.dropout > 0 ? take(batch * l.ld) : -1,
    g: take(batch * l.ld),
    transposed: take(l.ld * l.inputs),
  }));
}

/** Byte address of a scratch float offset. */
type At = (floats: number) => number;

/**
 * Forward pass of B rows from `input` (byte address, rows of layers[0].inputs floats); the output
 * layer's pre-activation lands in its z. Dropout unless `evaluate`; returns the next dropout seed.
 */
export function headForward(k: SimdKernels, layers: readonly DenseLayerPlan[], s: readonly DenseScratch[], f: At, B: number, input: number, params: number, evaluate: boolean, seed: number): number {
  for (let l = 0; l < layers.length; l++) {
    const p = layers[l]!;
    const at = s[l]!;
    k.gemm(B, p.ld, p.inputs, input, p.inputs, 1, params + 4 * p.kernelAt, p.ld, f(at.z), p.ld, 0, params + 4 * p.biasAt);
    if (l === layers.length - 1) break;
    k.activate(p.activation, f(at.z), f(at.h), B, p.units, p.ld);
    input = f(at.h);
    if (p.dropout > 0 && !evaluate) {
      seed = k.dropout(f(at.h), f(at.dropped), f(at.mask), B * p.ld, p.dropout, seed) >>> 0;
      input = f(at.dropped);
    }
  }
  return seed;
}

export interface LossSpec {
  loss: DenseLoss;
  metric: DenseMetric;
  /** Target columns of y (one-hot classes for multiclass). */
  targets: number;
  /** Per-target scale of errors into original units. */
  scales: Float64Array;
}

/**
 * The batch's mean loss and metric sum from the output layer's pre-activation (float offset z,
 * row stride ld) and the targets (float offset y); writes d(loss)/d(pre-activation) at float offset g.
 */
export function lossAndGradient(heap: Float32Array, o: LossSpec, B: number, z: number, ld: number, y: number, g: number): { loss: number; metric: number } {
  const { loss, metric, targets: T, scales } = o;
  let batchLoss = 0;
  let metricSum = 0;
  heap.fill(0, g, g + B * ld);
  if (loss === 'mse') {
    const scale = 2 / (B * T);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < T; j++) {
        const d = heap[z + r * ld + j]! - heap[y + r * T + j]!;
        batchLoss += d * d;
        heap[g + r * ld + j] = scale * d;
        const e = d * scales[j]!;
        if (metric === 'squaredError') metricSum += e * e;
        else if (metric === 'absoluteError') metricSum += Math.abs(e);
      }
    }
    return { loss: batchLoss / (B * T), metric: metricSum };
  }
  if (loss === 'binaryCrossentropy') {
    const scale = 1 / (B * T);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < T; j++) {
        const p = Math.fround(1 / (1 + Math.exp(-heap[z + r * ld + j]!)));
        const t = heap[y + r * T + j]!;
        const q = Math.min(Math.max(p, EPSILON), 1 - EPSILON);
        batchLoss -= t === 1 ? Math.log(q) : t === 0 ? Math.log(1 - q) : t * Math.log(q) + (1 - t) * Math.log(1 - q);
        heap[g + r * ld + j] = p >= EPSILON && p <= 1 - EPSILON ? scale * (p - t) : 0;
        if (metric === 'accuracy') metricSum += (p > 0.5 ? 1 : 0) === t ? 1 : 0;
      }
    }
    return { loss: batchLoss / (B * T), metric: metricSum };
  }
  // softmax → p/Σp → clip → −Σ y log q, gradients through each step (as tf's autodiff takes them).
  const probs = new Float64Array(T);
  const gq = new Float64Array(T);
  for (let r = 0; r < B; r++) {
    const zr = z + r * ld;
    const yr = y + r * T;
    let max = -Infinity;
    for (let j = 0; j < T; j++) max = Math.max(max, heap[zr + j]!);
    let sum = 0;
    for (let j = 0; j < T; j++) sum += probs[j] = Math.exp(heap[zr + j]! - max);
    let total = 0;
    for (let j = 0; j < T; j++) total += probs[j] = Math.fround(probs[j]! / sum);
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
    for (let j = 0; j < T; j++) heap[g + r * ld + j] = probs[j]! * (gq[j]! - gpDotP);
    if (metric === 'accuracy') metricSum += best === truth ? 1 : 0;
  }
  return { loss: batchLoss / B, metric: metricSum };
}

/**
 * Backward pass from the output layer's g (set by lossAndGradient): every layer's kernel and bias
 * gradient into `grad` (byte address of the gradient's flat layout), and, unless `dInput` is 0,
 * the gradient with respect to the head's input there (B rows of layers[0].inputs floats, a
 * multiple of 4).
 */
export function headBackward(k: SimdKernels, layers: readonly DenseLayerPlan[], s: readonly DenseScratch[], f: At, B: number, input: number, params: number, grad: number, dInput: number): void {
  for (let l = layers.length - 1; l >= 0; l--) {
    const p = layers[l]!;
    const at = s[l]!;
    const prev = l > 0 ? s[l - 1]! : undefined;
    const prevPlan = l > 0 ? layers[l - 1]! : undefined;
    const a = prev === undefined ? input : prevPlan!.dropout > 0 ? f(prev.dropped) : f(prev.h);
    k.gemm(p.inputs, p.ld, B, a, 1, p.inputs, f(at.g), p.ld, grad + 4 * p.kernelAt, p.ld, 0, 0);
    k.columnSums(f(at.g), B, p.ld, grad + 4 * p.biasAt);
    if (prev === undefined && dInput === 0) continue;
    k.transpose(params + 4 * p.kernelAt, p.inputs, p.ld, f(at.transposed), p.inputs);
    k.gemm(B, p.inputs, p.ld, f(at.g), p.ld, 1, f(at.transposed), p.inputs, prev === undefined ? dInput : f(prev.g), p.inputs, 0, 0);
    if (prev === undefined) continue;
    if (prevPlan!.dropout > 0) k.multiply(f(prev.g), f(prev.mask), B * p.inputs);
    k.activationGrad(prevPlan!.activation, f(prev.z), f(prev.h), f(prev.g), B * p.inputs);
  }
}
