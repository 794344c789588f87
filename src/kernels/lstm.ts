/**
 * A whole LSTM layer (all timesteps) as two wasm kernels, forward and backward, and the op
 * `lstmSequence` that ties them together with a custom gradient.
 *
 * tf.layers.lstm runs every timestep as ~15 small kernels forward and ~30 backward: the seed's
 * stacked LSTM 64→32 over 24 steps costs ≈5,000 kernel calls per batch, and the engine's per-call
 * cost, not arithmetic, sets its speed. Here a layer is: one GEMM for the input projection of every
 * step, one small GEMM per step for the recurrent projection (h·U), the gate arithmetic, and,
 * backward, one GEMM per step (dz·Uᵀ) plus GEMMs for the weight and input gradients — with units
 * in fours all on layerbench's SIMD kernels (wasm/kernels.ts), otherwise on XNNPACK's products and
 * a JS loop for the gates. Semantics are Keras' and tf.layers.lstm's: gates in the order
 * i, f, c, o; sigmoid recurrent activation; tanh activation; zero initial state; bias added.
 *
 * The forward kernel also returns a cache [T, B, 7, U] (i, f, g, o, c, tanh c, h per step) that
 * the backward kernel reads; it is an ordinary tensor, saved by the engine like any other. When no
 * gradient is being recorded (prediction, evaluation), there is no cache: 7 of the ~12 values per
 * unit and step an LSTM layer's forward pass would otherwise hold.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { CACHE_SLOTS, lstmBackward, lstmForward, lstmScratch, type LstmShape } from './lstm_passes.js';
import { heapOffset as at, simdKernels } from './simd.js';
import { allocF32, asShape, f32View, free, matMul2D, transposedCopy, wasmKernel, type KernelArgs } from './wasm_heap.js';

export const LSTM_FORWARD = 'LayerbenchLstmForward';
export const LSTM_BACKWARD = 'LayerbenchLstmBackward';

export interface LstmAttrs {
  returnSequences: boolean;
  /** No gradient will be taken: return the output alone, without the cache (SIMD path). */
  inference?: boolean;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function lstmForwardWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const wasm = backend as BackendWasm;
  const { x, kernel, recurrentKernel, bias } = inputs as Record<'x' | 'kernel' | 'recurrentKernel' | 'bias', tf.TensorInfo>;
  const { returnSequences, inference } = attrs as unknown as LstmAttrs;
  const [B, T, F] = x.shape as [number, number, number];
  const G = kernel.shape[1]!;
  const U = G / 4;

  const out = allocF32(wasm, returnSequences ? [B, T, U] : [B, U]);
  const shape: LstmShape = { B, T, F, U, returnSequences };
  if (U % 4 === 0) {
    const cache = inference ? undefined : allocF32(wasm, [T, B, CACHE_SLOTS, U]);
    const scratch = allocF32(wasm, [lstmScratch(shape).forward]);
    lstmForward(simdKernels(wasm), shape, at(wasm, x), at(wasm, kernel), at(wasm, recurrentKernel), at(wasm, bias), at(wasm, out), cache ? at(wasm, cache) : 0, at(wasm, scratch));
    free(wasm, scratch);
    return cache ? [out, cache] : [out];
  }
  const cache = allocF32(wasm, [T, B, CACHE_SLOTS, U]);
  const hPrev = allocF32(wasm, [B, U]);
  const xw = matMul2D(wasm, asShape(x, [B * T, F]), kernel); // row b·T + t
  const cPrev = new Float64Array(B * U);
  for (let t = 0; t < T; t++) {
    const hu = t === 0 ? undefined : matMul2D(wasm, hPrev, recurrentKernel);
    // Views after the step's allocation (an allocation may grow, and so detach, the heap).
    const xwV = f32View(wasm, xw);
    const huV = hu ? f32View(wasm, hu) : undefined;
    const bV = f32View(wasm, bias);
    const cacheV = f32View(wasm, cache);
    const outV = f32View(wasm, out);
    const hV = f32View(wasm, hPrev);
    for (let b = 0; b < B; b++) {
      const zRow = (b * T + t) * G;
      const hRow = b * G;
      const slot = (t * B + b) * CACHE_SLOTS * U;
      const outRow = returnSequences ? (b * T + t) * U : b * U;
      for (let u = 0; u < U; u++) {
        let zi = xwV[zRow + u]! + bV[u]!;
        let zf = xwV[zRow + U + u]! + bV[U + u]!;
        let zg = xwV[zRow + 2 * U + u]! + bV[2 * U + u]!;
        let zo = xwV[zRow + 3 * U + u]! + bV[3 * U + u]!;
        if (huV) {
          zi += huV[hRow + u]!;
          zf += huV[hRow + U + u]!;
          zg += huV[hRow + 2 * U + u]!;
          zo += huV[hRow + 3 * U + u]!;
        }
        const i = sigmoid(zi);
        const f = sigmoid(zf);
        const g = Math.tanh(zg);
        const o = sigmoid(zo);
        const c = f * cPrev[b * U + u]! + i * g;
        const tc = Math.tanh(c);
        const h = o * tc;
        cPrev[b * U + u] = c;
        hV[b * U + u] = h;
        cacheV[slot + u] = i;
        cacheV[slot + U + u] = f;
        cacheV[slot + 2 * U + u] = g;
        cacheV[slot + 3 * U + u] = o;
        cacheV[slot + 4 * U + u] = c;
        cacheV[slot + 5 * U + u] = tc;
        cacheV[slot + 6 * U + u] = h;
        if (returnSequences || t === T - 1) outV[outRow + u] = h;
      }
    }
    if (hu) free(wasm, hu);
  }
  free(wasm, xw);
  free(wasm, hPrev);
  return [out, cache];
}

function lstmBackwardWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const wasm = backend as BackendWasm;
  const { dy, x, kernel, recurrentKernel, cache } = inputs as Record<'dy' | 'x' | 'kernel' | 'recurrentKernel' | 'cache', tf.TensorInfo>;
  const { returnSequences } = attrs as unknown as LstmAttrs;
  const [B, T, F] = x.shape as [number, number, number];
  const G = kernel.shape[1]!;
  const U = G / 4;
  const S = CACHE_SLOTS * U;
  if (U % 4 === 0) return lstmBackwardSimd(wasm, dy, x, kernel, recurrentKernel, cache, returnSequences);

  const dz = allocF32(wasm, [B * T, G]); // row b·T + t, like the forward projection
  const dzStep = allocF32(wasm, [B, G]);
  const recurrentT = transposedCopy(wasm, recurrentKernel, U, G); // [G, U]
  const dc = new Float64Array(B * U);
  for (let t = T - 1; t >= 0; t--) {
    const dhRec = t === T - 1 ? undefined : matMul2D(wasm, dzStep, recurrentT); // dh from step t+1
    const dyV = f32View(wasm, dy);
    const cV = f32View(wasm, cache);
    const dzV = f32View(wasm, dz);
    const stepV = f32View(wasm, dzStep);
    const dhV = dhRec ? f32View(wasm, dhRec) : undefined;
    for (let b = 0; b < B; b++) {
      const slot = (t * B + b) * S;
      const prevSlot = ((t - 1) * B + b) * S;
      const zRow = (b * T + t) * G;
      const yRow = returnSequences ? (b * T + t) * U : b * U;
      const outer = returnSequences || t === T - 1;
      for (let u = 0; u < U; u++) {
        let dh = dhV ? dhV[b * U + u]! : 0;
        if (outer) dh += dyV[yRow + u]!;
        const i = cV[slot + u]!;
        const f = cV[slot + U + u]!;
        const g = cV[slot + 2 * U + u]!;
        const o = cV[slot + 3 * U + u]!;
        const tc = cV[slot + 5 * U + u]!;
        const cPrev = t > 0 ? cV[prevSlot + 4 * U + u]! : 0;
        const dC = dc[b * U + u]! + dh * o * (1 - tc * tc);
        dc[b * U + u] = dC * f;
        const dzi = dC * g * i * (1 - i);
        const dzf = dC * cPrev * f * (1 - f);
        const dzg = dC * i * (1 - g * g);
        const dzo = dh * tc * o * (1 - o);
        const s = b * G;
        stepV[s + u] = dzi;
        stepV[s + U + u] = dzf;
        stepV[s + 2 * U + u] = dzg;
        stepV[s + 3 * U + u] = dzo;
        dzV[zRow + u] = dzi;
        dzV[zRow + U + u] = dzf;
        dzV[zRow + 2 * U + u] = dzg;
        dzV[zRow + 3 * U + u] = dzo;
      }
    }
    if (dhRec) free(wasm, dhRec);
  }
  free(wasm, dzStep);
  free(wasm, recurrentT);

  // Weight and input gradients: three GEMMs over all steps at once.
  const xT = transposedCopy(wasm, x, B * T, F); // [F, B·T]
  const dKernel = matMul2D(wasm, xT, dz); // [F, G]
  free(wasm, xT);
  const hPrevT = allocF32(wasm, [U, B * T]); // h_{t-1} per (b, t), transposed; h_{-1} = 0
  {
    const hV = f32View(wasm, hPrevT);
    const cV = f32View(wasm, cache);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const col = b * T + t;
        const prevSlot = ((t - 1) * B + b) * S + 6 * U;
        for (let u = 0; u < U; u++) hV[u * B * T + col] = t > 0 ? cV[prevSlot + u]! : 0;
      }
    }
  }
  const dRecurrent = matMul2D(wasm, hPrevT, dz); // [U, G]
  free(wasm, hPrevT);
  const dBias = allocF32(wasm, [G]);
  {
    const acc = new Float64Array(G);
    const dzV = f32View(wasm, dz);
    for (let r = 0; r < B * T; r++) for (let k = 0; k < G; k++) acc[k] += dzV[r * G + k]!;
    f32View(wasm, dBias).set(acc);
  }
  const kernelT = transposedCopy(wasm, kernel, F, G); // [G, F]
  const dx = matMul2D(wasm, dz, kernelT); // [B·T, F]
  free(wasm, kernelT);
  free(wasm, dz);
  return [asShape(dx, [B, T, F]), asShape(dKernel, [F, G]), asShape(dRecurrent, [U, G]), asShape(dBias, [G])];
}

/** lstmBackwardWasm for U a multiple of 4: every product and gate on the SIMD kernels (dx on XNNPACK unless F comes in fours). */
function lstmBackwardSimd(
  wasm: BackendWasm,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  kernel: tf.TensorInfo,
  recurrentKernel: tf.TensorInfo,
  cache: tf.TensorInfo,
  returnSequences: boolean,
): tf.TensorInfo[] {
  const [B, T, F] = x.shape as [number, number, number];
  const G = kernel.shape[1]!;
  const shape: LstmShape = { B, T, F, U: G / 4, returnSequences };
  const dKernel = allocF32(wasm, [F, G]);
  const dRecurrent = allocF32(wasm, [G / 4, G]);
  const dBias = allocF32(wasm, [G]);
  const simdDx = F % 4 === 0;
  const dx = allocF32(wasm, [B, T, F]);
  const scratch = allocF32(wasm, [lstmScratch(shape).backward]);
  const grads = { kernel: at(wasm, dKernel), recurrent: at(wasm, dRecurrent), bias: at(wasm, dBias), x: simdDx ? at(wasm, dx) : 0 };
  lstmBackward(simdKernels(wasm), shape, at(wasm, dy), at(wasm, x), at(wasm, kernel), at(wasm, recurrentKernel), at(wasm, cache), grads, at(wasm, scratch));
  if (!simdDx) {
    // dz is the scratch's first [B·T, G] floats.
    const kernelT = transposedCopy(wasm, kernel, F, G); // [G, F]
    const product = matMul2D(wasm, asShape(scratch, [B * T, G]), kernelT);
    f32View(wasm, dx).set(f32View(wasm, product));
    free(wasm, product);
    free(wasm, kernelT);
  }
  free(wasm, scratch);
  return [dx, dKernel, dRecurrent, dBias];
}

export const lstmForwardConfig = wasmKernel(LSTM_FORWARD, lstmForwardWasm);
export const lstmBackwardConfig = wasmKernel(LSTM_BACKWARD, lstmBackwardWasm);

/** True when `lstmSequence` can run here (the wasm backend with layerbench's kernels). */
export function lstmSequenceAvailable(): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(LSTM_FORWARD, 'wasm') !== undefined && tf.getKernel(LSTM_BACKWARD, 'wasm') !== undefined;
}

/**
 * An LSTM layer over a whole sequence, x [batch, steps, features] → [batch, steps, units] (or
 * [batch, units] for the last step), with kernel [features, 4·units], recurrentKernel
 * [units, 4·units] and bias [4·units]. Differentiable with respect to all four inputs.
 */
export function lstmSequence(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D, returnSequences: boolean): tf.Tensor {
  const attrs = { returnSequences } as unknown as tf.NamedAttrMap;
  if (tf.engine().state.gradientDepth === 0) {
    // Nothing records gradients (prediction, evaluation): no cache to keep.
    const inference = { returnSequences, inference: true } as unknown as tf.NamedAttrMap;
    const [out, cache] = tf.engine().runKernel(LSTM_FORWARD, { x, kernel, recurrentKernel, bias }, inference) as tf.Tensor[];
    cache?.dispose();
    return out!;
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, w, r, b] = args as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const [out, cache] = tf.engine().runKernel(LSTM_FORWARD, { x: xs!, kernel: w!, recurrentKernel: r!, bias: b! }, attrs) as tf.Tensor[];
    save([xs!, w!, r!, cache!]);
    return {
      value: out!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sw, sr, sc] = saved;
        const grad = Array.isArray(dy) ? dy[0]! : dy;
        return tf.engine().runKernel(LSTM_BACKWARD, { dy: grad, x: sx!, kernel: sw!, recurrentKernel: sr!, cache: sc! }, attrs) as tf.Tensor[];
      },
    };
  });
  return op(x, kernel, recurrentKernel, bias);
}
