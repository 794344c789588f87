/**
 * One training epoch of a whole network as a single wasm kernel: per batch, the forward pass, the
 * loss and its gradient, the backward pass and the Adam update run as calls into layerbench's SIMD
 * module (wasm/kernels.ts) on the wasm heap, with no tfjs dispatch at all. tf.layers spends ~80
 * kernel calls per batch on the seed's dense network, ~70 on its LSTM and ~140 on its CNN, and the
 * engine's per-call cost is a large share of their time.
 *
 * A network is an optional front — a stack of LSTM layers (lstm_front.ts) or of convolutions with
 * pooling (conv_front.ts) — and a head of Dense layers (dense_head.ts), which is the whole network
 * when it is dense. The parameters live in one
 * flat tensor laid out by the caller (the plans' float offsets; dense units padded to a multiple
 * of 4 with zeros), with Adam's moments in two more of the same layout. Unlike other kernels this
 * one **updates `params`, `m`, `v` and `scratch` in place**: they belong to one FusedTrainer
 * (src/train/fused-trainer.ts), which never lets them out. The scratch (activations, caches, gradients:
 * ~13 MB for the seed CNN at batch 32) is a tensor, so tfjs counts its memory, made uninitialised
 * by the LayerbenchEpochScratch kernel: tf.zeros would fill and copy it in JS (~0.1 s for 13 MB). It returns a new [2] tensor: Σ over batches of
 * (batch loss + penalty) · rows, and the batch metric sums (correct predictions, squared or
 * absolute errors in target units).
 *
 * Semantics follow the unfused path (tf.layers + layerbench's loss and metric): Keras' losses, L2
 * penalties on kernels, Adam with bias correction and epsilon outside the square root. Dropout
 * masks come from a xorshift stream seeded per epoch by the caller (from the trial's seeded
 * Math.random): the same candidate gives the same result, though not the masks tf.dropout draws.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convFrontBackward, convFrontForward, convFrontOutputGradient, convFrontScratch, type ConvLayerPlan } from './conv_front.js';
import { headBackward, headForward, headScratch, lossAndGradient, type DenseLayerPlan, type DenseLoss, type DenseMetric } from './dense_head.js';
import { lstmFrontBackward, lstmFrontForward, lstmFrontOutputGradient, lstmFrontScratch, type LstmLayerPlan } from './lstm_front.js';
import { heapF32, heapOffset, simdKernels, type SimdKernels } from './simd.js';
import { allocF32, wasmKernel, type KernelArgs } from './wasm_heap.js';

export const TRAIN_EPOCH = 'LayerbenchEpoch';
/** Makes an uninitialised float32 tensor of attrs.size floats (the epoch's scratch). */
export const EPOCH_SCRATCH = 'LayerbenchEpochScratch';

export type { ConvLayerPlan, DenseLayerPlan, DenseLoss, DenseMetric, LstmLayerPlan };

export interface EpochAttrs {
  /** Layers before the dense head (absent: the network is dense). */
  front?: { kind: 'lstm'; layers: LstmLayerPlan[] } | { kind: 'conv'; layers: ConvLayerPlan[] };
  /** The dense layers, the output layer last. */
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

/** Every trainable variable of a plan as Adam and the penalty see it: float offset, floats, L2 factor. */
export function epochVariables(a: Pick<EpochAttrs, 'front' | 'layers'>): { at: number; size: number; l2: number }[] {
  const front = (a.front?.layers ?? []).flatMap((p) => {
    if (p.kind === 'conv') {
      return [
        { at: p.kernelAt, size: p.fh * p.fw * p.inC * p.outC, l2: p.l2 },
        { at: p.biasAt, size: p.outC, l2: 0 },
      ];
    }
    const G = 4 * p.units;
    return [
      { at: p.kernelAt, size: p.inputs * G, l2: p.l2 },
      { at: p.recurrentAt, size: p.units * G, l2: 0 },
      { at: p.biasAt, size: G, l2: 0 },
    ];
  });
  const head = a.layers.flatMap((p) => [
    { at: p.kernelAt, size: p.inputs * p.ld, l2: p.l2 },
    { at: p.biasAt, size: p.ld, l2: 0 },
  ]);
  return [...front, ...head];
}

/** Float offsets of the scratch buffers for a plan and an input shape (per sample). */
export function epochScratch(a: Pick<EpochAttrs, 'front' | 'layers' | 'batchSize' | 'targets' | 'paramCount'>, inputShape: readonly number[]) {
  const up4 = (n: number) => Math.ceil(n / 4) * 4;
  let at = 0;
  const take = (n: number) => {
    const here = at;
    at += up4(n);
    return here;
  };
  const B = a.batchSize;
  const features = inputShape.reduce((p, q) => p * q, 1);
  const xb = take(B * features);
  const yb = take(B * a.targets);
  const lstm = a.front?.kind === 'lstm' ? lstmFrontScratch(a.front.layers, B, inputShape[0]!, take) : undefined;
  const conv = a.front?.kind === 'conv' ? convFrontScratch(a.front.layers, B, take) : undefined;
  const head = headScratch(a.layers, B, take);
  const grad = take(a.paramCount);
  return { xb, yb, lstm, conv, head, grad, size: at };
}

function epochWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, y, order, params, m, v, scratch } = inputs as Record<'x' | 'y' | 'order' | 'params' | 'm' | 'v' | 'scratch', TensorInfo>;
  const a = attrs as unknown as EpochAttrs;
  const k = simdKernels(wasm);
  const rows = order.shape[0]!;
  const inputShape = x.shape.slice(1);
  const features = inputShape.reduce((p, q) => p * q, 1);
  const T = a.targets;
  const out = allocF32(wasm, [a.evaluate ? 3 : 2]);
  const lay = epochScratch(a, inputShape);
  if (scratch.shape[0]! < lay.size) throw new Error(`${TRAIN_EPOCH}: scratch of ${scratch.shape[0]} floats, ${lay.size} needed`);

  // Byte addresses (no allocation below this point: heap views stay valid).
  const s = heapOffset(wasm, scratch);
  const f = (floats: number) => s + 4 * floats;
  const [X, Y, O, P, Mo, Vo] = [x, y, order, params, m, v].map((t) => heapOffset(wasm, t)) as [number, number, number, number, number, number];
  const G = f(lay.grad);
  const heap = heapF32(wasm);
  const variables = epochVariables(a);
  const last = a.layers.length - 1;
  const lossSpec = { loss: a.loss, metric: a.metric, targets: T, scales: Float64Array.from({ length: T }, (_, j) => a.targetScale[j] ?? 1) };
  const lstm = a.front?.kind === 'lstm' ? a.front.layers : undefined;
  const conv = a.front?.kind === 'conv' ? a.front.layers : undefined;
  const steps = inputShape[0]!;
  const evaluate = a.evaluate === true;

  let lossSum = 0;
  let metricSum = 0;
  const seed = { value: a.seed >>> 0 };
  let step = a.firstStep;
  for (let first = 0; first < rows; first += a.batchSize) {
    const B = Math.min(a.batchSize, rows - first);
    k.gatherRows(X, features, O, first, B, f(lay.xb));
    k.gatherRows(Y, T, O, first, B, f(lay.yb));

    let input = f(lay.xb);
    if (lstm) input = lstmFrontForward(k, lstm, lay.lstm!, f, B, steps, input, P, evaluate, seed);
    if (conv) input = convFrontForward(k, conv, lay.conv!, f, B, input, P);
    seed.value = headForward(k, a.layers, lay.head, f, B, input, P, evaluate, seed.value);
    const base = s / 4;
    const batch = lossAndGradient(heap, lossSpec, B, base + lay.head[last]!.z, a.layers[last]!.ld, base + lay.yb, base + lay.head[last]!.g);
    metricSum += batch.metric;
    // Penalties (before the update, as the unfused loss sees them).
    const penalty = penaltyOf(k, variables, P);
    if (evaluate) {
      lossSum += batch.loss * B;
      continue;
    }
    lossSum += (batch.loss + penalty) * B;

    const dFront = lstm ? lstmFrontOutputGradient(lstm, lay.lstm!, f) : conv ? convFrontOutputGradient(conv, lay.conv!, f) : 0;
    headBackward(k, a.layers, lay.head, f, B, input, P, G, dFront);
    if (lstm) lstmFrontBackward(k, lstm, lay.lstm!, f, B, steps, f(lay.xb), P, G);
    if (conv) convFrontBackward(k, conv, lay.conv!, f, B, f(lay.xb), P, G);

    const c1 = 1 - a.beta1 ** step;
    const c2 = 1 - a.beta2 ** step;
    for (const w of variables) {
      const o = 4 * w.at;
      k.adam(P + o, G + o, Mo + o, Vo + o, w.size, a.learningRate, a.beta1, a.beta2, a.epsilon, c1, c2, 2 * w.l2);
    }
    step++;
  }
  const o = heapOffset(wasm, out) / 4;
  heap[o] = lossSum;
  heap[o + 1] = metricSum;
  if (evaluate) heap[o + 2] = penaltyOf(k, variables, P);
  return out;
}

/** Σ l2 · ‖kernel‖² over the variables with an L2 penalty. */
function penaltyOf(k: SimdKernels, variables: readonly { at: number; size: number; l2: number }[], params: number): number {
  let penalty = 0;
  for (const w of variables) if (w.l2 > 0) penalty += w.l2 * k.sumSquares(params + 4 * w.at, w.size);
  return penalty;
}

export const epochConfig = wasmKernel(TRAIN_EPOCH, epochWasm);
export const epochScratchConfig = wasmKernel(EPOCH_SCRATCH, ({ backend, attrs }) => allocF32(backend as BackendWasm, [(attrs as { size: number }).size]));
