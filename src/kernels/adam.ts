/**
 * Adam with one fused kernel per variable on the wasm backend.
 *
 * tf.train.adam updates each variable with ~14 small kernels (moments, bias correction, sqrt,
 * division, update). For small networks the per-kernel cost of the engine dominates: the seed MLP
 * spends about half its kernel calls per batch in the optimizer. `FusedAdamOptimizer` computes the
 * same update (Keras/TensorFlow.js formula, bias-corrected moments, epsilon outside the sqrt) in one
 * SIMD loop per variable over the wasm heap (wasm/kernels.ts), producing new value, m and v tensors (tensors stay
 * immutable; the wasm backend caches packed weights by tensor). On any other backend it is exactly
 * tf.train.adam. It keeps AdamOptimizer's state layout, so getWeights/setWeights work unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapOffset, simdKernels } from './simd.js';
import { allocF32, wasmKernel, type KernelArgs } from './wasm_heap.js';

export const FUSED_ADAM = 'LayerbenchFusedAdam';

export interface FusedAdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1-based step: the bias corrections use beta^step. */
  step: number;
}

/** One Adam step over flat arrays (float64 arithmetic, stored as float32). */
export function adamStep(x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, a: FusedAdamAttrs, xOut: Float32Array, mOut: Float32Array, vOut: Float32Array): void {
  const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = a;
  const c1 = 1 - b1 ** a.step;
  const c2 = 1 - b2 ** a.step;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = x[i]! - lr * (mi / c1 / (Math.sqrt(vi / c2) + eps));
  }
}

function fusedAdamWasm(args: KernelArgs): tf.TensorInfo[] {
  const wasm = args.backend as BackendWasm;
  const { x, g, m, v } = args.inputs as Record<'x' | 'g' | 'm' | 'v', tf.TensorInfo>;
  const a = args.attrs as unknown as FusedAdamAttrs;
  const outs = [allocF32(wasm, [...x.shape]), allocF32(wasm, [...x.shape]), allocF32(wasm, [...x.shape])] as const;
  const n = tf.util.sizeFromShape(x.shape);
  // The SIMD kernel updates in place: copy x, m, v into the outputs, then step four lanes at a time.
  const heap = heapF32(wasm);
  const [X, G, M, V] = [x, g, m, v].map((t) => heapOffset(wasm, t) / 4) as [number, number, number, number];
  const [XO, MO, VO] = outs.map((t) => heapOffset(wasm, t) / 4) as [number, number, number];
  heap.copyWithin(XO, X, X + n);
  heap.copyWithin(MO, M, M + n);
  heap.copyWithin(VO, V, V + n);
  const n4 = n - (n % 4);
  simdKernels(wasm).adam(4 * XO, 4 * G, 4 * MO, 4 * VO, n4, a.learningRate, a.beta1, a.beta2, a.epsilon, 1 - a.beta1 ** a.step, 1 - a.beta2 ** a.step, 0);
  if (n4 < n) {
    const tail = (at: number) => heap.subarray(at + n4, at + n);
    adamStep(tail(X), tail(G), tail(M), tail(V), a, tail(XO), tail(MO), tail(VO));
  }
  return [...outs];
}

export const fusedAdamConfig = wasmKernel(FUSED_ADAM, fusedAdamWasm);

/** The fields of tf.AdamOptimizer this subclass shares (private in its typings). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const state = this as unknown as AdamState;
    if (tf.getBackend() !== 'wasm' || tf.getKernel(FUSED_ADAM, 'wasm') === undefined) {
      // tf.train.adam's own path reads the bias-correction powers from accBeta1/2.
      tf.tidy(() => {
        state.accBeta1.assign(tf.scalar(this.beta1 ** (this.iterations + 1)));
        state.accBeta2.assign(tf.scalar(this.beta2 ** (this.iterations + 1)));
      });
      super.applyGradients(variableGradients);
      return;
    }
    const named = Array.isArray(variableGradients) ? variableGradients : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name]! }));
    const attrs: FusedAdamAttrs = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      step: this.iterations + 1,
    };
    tf.tidy(() => {
      named.forEach(({ name, tensor: gradient }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const [x2, m2, v2] = tf.engine().runKernel(FUSED_ADAM, { x: value, g: gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(x2!);
      });
    });
    this.incrementIterations();
  }
}

/** Drop-in for tf.train.adam(learningRate, beta1, beta2, epsilon). */
export function fusedAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
