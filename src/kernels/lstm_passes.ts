/**
 * The forward and backward pass of one LSTM layer over a whole sequence, on layerbench's SIMD
 * kernels (wasm/kernels.ts) and byte offsets into the wasm heap: what the LayerbenchLstm kernels
 * (lstm.ts) run for a layer, and what the fused training epoch (epoch.ts) runs for each LSTM layer
 * of a network. Units come in fours. Gates in Keras' order i, f, c, o; sigmoid and tanh; zero
 * initial state.
 *
 * Layouts (float32, row-major): x [B, T, F] (row b·T + t), kernel W [F, 4U], recurrent kernel
 * R [U, 4U], bias [4U], output [B, T, U] or [B, U] (the last step), cache [T, B, 7, U] (i, f, g,
 * o, c, tanh c, h per step and sample).
 */
import type { SimdKernels } from './simd.js';

/** Per step and sample: the four gates, the cell state, its tanh and the output. */
export const CACHE_SLOTS = 7;

export interface LstmShape {
  /** Samples, steps, input features, units (a multiple of 4). */
  B: number;
  T: number;
  F: number;
  U: number;
  returnSequences: boolean;
}

/** Floats of the scratch each pass needs, beside its inputs and outputs. */
export function lstmScratch(s: LstmShape): { forward: number; backward: number } {
  const G = 4 * s.U;
  // Forward: x·W for all steps [B·T, G], the cell state and the last output [B, U] each.
  // Backward: dz [B·T, G], dc and dh [B, U], Rᵀ [G, U] and Wᵀ [G, F].
  return { forward: s.B * s.T * G + 2 * s.B * s.U, backward: s.B * s.T * G + 2 * s.B * s.U + G * s.U + G * s.F };
}

/**
 * out and cache from x and the weights (cache 0: inference, none kept). `scratch` holds
 * lstmScratch(s).forward floats.
 */
export function lstmForward(k: SimdKernels, s: LstmShape, x: number, w: number, r: number, bias: number, out: number, cache: number, scratch: number): void {
  const { B, T, F, U, returnSequences } = s;
  const G = 4 * U;
  const xw = scratch; // row b·T + t
  const c = xw + 4 * B * T * G;
  const h = c + 4 * B * U;
  k.gemm(B * T, G, F, x, F, 1, w, G, xw, G, 0, 0);
  for (let t = 0; t < T; t++) {
    const z = xw + 4 * t * G;
    // h·R accumulated onto the step's rows of x·W, then the gates.
    if (t > 0) k.gemm(B, G, U, h, U, 1, r, G, z, T * G, 1, 0);
    const [o, ldo] = returnSequences ? [out + 4 * t * U, T * U] : t === T - 1 ? [out, U] : [0, 0];
    k.lstmForwardStep(B, U, z, T * G, bias, c, t === 0 ? 1 : 0, cache === 0 ? 0 : cache + 4 * t * B * CACHE_SLOTS * U, h, o, ldo);
  }
}

export interface LstmGradients {
  /** dW [F, 4U], dR [U, 4U], dbias [4U]: overwritten. */
  kernel: number;
  recurrent: number;
  bias: number;
  /** dx [B, T, F] (F a multiple of 4), overwritten; 0: not wanted. */
  x: number;
}

/**
 * Gradients from dy (shaped like the output) and the forward pass's cache. `scratch` holds
 * lstmScratch(s).backward floats.
 */
export function lstmBackward(k: SimdKernels, s: LstmShape, dy: number, x: number, w: number, r: number, cache: number, grads: LstmGradients, scratch: number): void {
  const { B, T, F, U, returnSequences } = s;
  const G = 4 * U;
  const S = CACHE_SLOTS * U;
  const dz = scratch; // row b·T + t, like the forward projection
  const dc = dz + 4 * B * T * G;
  const dh = dc + 4 * B * U;
  const rt = dh + 4 * B * U;
  const wt = rt + 4 * G * U;
  const step = (t: number) => cache + 4 * t * B * S;
  k.transpose(r, U, G, rt, U);
  for (let t = T - 1; t >= 0; t--) {
    if (t < T - 1) k.gemm(B, U, G, dz + 4 * (t + 1) * G, T * G, 1, rt, U, dh, U, 0, 0); // dh from step t+1
    const [dyAt, ldy] = returnSequences ? [dy + 4 * t * U, T * U] : t === T - 1 ? [dy, U] : [0, 0];
    k.lstmBackwardStep(B, U, t < T - 1 ? dh : 0, dyAt, ldy, step(t), t > 0 ? step(t - 1) : 0, dc, t === T - 1 ? 1 : 0, dz + 4 * t * G, T * G);
  }
  // dW = xᵀ·dz over all steps; dR = Σ_t h_{t−1}ᵀ·dz_t (h_{−1} = 0: with one step, K = 0 writes zeros); dbias = Σ dz.
  k.gemm(F, G, B * T, x, 1, F, dz, G, grads.kernel, G, 0, 0);
  k.gemm(U, G, T > 1 ? B : 0, step(0) + 4 * 6 * U, 1, S, dz + 4 * G, T * G, grads.recurrent, G, 0, 0);
  for (let t = 2; t < T; t++) k.gemm(U, G, B, step(t - 1) + 4 * 6 * U, 1, S, dz + 4 * t * G, T * G, grads.recurrent, G, 1, 0);
  k.columnSums(dz, B * T, G, grads.bias);
  if (grads.x !== 0) {
    k.transpose(w, F, G, wt, F);
    k.gemm(B * T, F, G, dz, G, 1, wt, F, grads.x, F, 0, 0);
  }
}
