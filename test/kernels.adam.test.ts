import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FUSED_ADAM, adamStep, fusedAdam } from '../src/kernels/index.js';
import { useWasmKernels } from './helpers/backends.js';

/** A small regression problem and a fresh variable set with fixed initial values. */
function problem() {
  const x = tf.tensor2d(
    Array.from({ length: 64 * 5 }, (_, i) => Math.sin(i * 0.31)),
    [64, 5],
  );
  const y = tf.tensor2d(
    Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.7)),
    [64, 1],
  );
  const w1 = tf.variable(
    tf.tensor2d(
      Array.from({ length: 5 * 8 }, (_, i) => Math.sin(i + 1) * 0.3),
      [5, 8],
    ),
  );
  const b1 = tf.variable(tf.zeros([8]));
  const w2 = tf.variable(
    tf.tensor2d(
      Array.from({ length: 8 }, (_, i) => Math.cos(i + 2) * 0.3),
      [8, 1],
    ),
  );
  const loss = () => tf.tidy(() => tf.mean(tf.squaredDifference(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), y)) as tf.Scalar);
  return { vars: [w1, b1, w2], loss, dispose: () => tf.dispose([x, y, w1, b1, w2]) };
}

async function train(backend: string, make: () => tf.Optimizer, steps: number): Promise<{ values: Float32Array[]; losses: number[] }> {
  await tf.setBackend(backend);
  const p = problem();
  const opt = make();
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const cost = opt.minimize(p.loss, true, p.vars)!;
    losses.push(cost.dataSync()[0]!);
    cost.dispose();
  }
  const values = p.vars.map((v) => v.dataSync() as Float32Array);
  opt.dispose();
  p.dispose();
  return { values, losses };
}

function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((arr, i) => arr.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!) / Math.max(1e-3, Math.abs(b[i]![j]!))))));
  return worst;
}

describe('FusedAdamOptimizer', () => {
  useWasmKernels();

  it('follows tf.train.adam on the cpu backend step for step (one fused kernel per variable on wasm)', async () => {
    // The reference runs on tfjs's own cpu kernels: nothing of ours (the wasm kernels registered above) is in it.
    const reference = await train('cpu', () => tf.train.adam(0.01, 0.9, 0.999, 1e-7), 30);
    const profile = await tf.profile(async () => {
      const fused = await train('wasm', () => fusedAdam(0.01, 0.9, 0.999, 1e-7), 30);
      expect(maxRelDiff(fused.values, reference.values)).toBeLessThan(1e-3);
      fused.losses.forEach((l, i) => expect(l).toBeCloseTo(reference.losses[i]!, 4));
      expect(fused.losses.at(-1)).toBeLessThan(fused.losses[0]!);
    });
    expect(profile.kernels.filter((k) => k.name === FUSED_ADAM)).toHaveLength(30 * 3);
  });

  it('is tf.train.adam on other backends, also after steps on wasm', async () => {
    const reference = await train('cpu', () => tf.train.adam(0.01), 12);
    const fused = await train('cpu', () => fusedAdam(0.01), 12);
    expect(maxRelDiff(fused.values, reference.values)).toBeLessThan(1e-4);

    // 6 steps on wasm, then 6 on cpu with the same optimizer: the bias corrections carry over.
    await tf.setBackend('wasm');
    const p = problem();
    const opt = fusedAdam(0.01);
    for (let s = 0; s < 12; s++) {
      if (s === 6) await tf.setBackend('cpu');
      tf.dispose(opt.minimize(p.loss, true, p.vars)!);
    }
    const mixed = p.vars.map((v) => v.dataSync() as Float32Array);
    expect(maxRelDiff(mixed, reference.values)).toBeLessThan(1e-3);
    opt.dispose();
    p.dispose();
  });

  it('leaks no tensors: a step replaces each variable and its two moments', async () => {
    await tf.setBackend('wasm');
    const p = problem();
    const opt = fusedAdam(0.01);
    tf.dispose(opt.minimize(p.loss, true, p.vars)!);
    const before = tf.memory().numTensors;
    for (let s = 0; s < 5; s++) tf.dispose(opt.minimize(p.loss, true, p.vars)!);
    expect(tf.memory().numTensors).toBe(before);
    expect((await opt.getWeights()).length).toBe(1 + 2 * p.vars.length);
    opt.dispose();
    p.dispose();
  });

  it('one kernel step on a variable of odd size (SIMD lanes plus a scalar tail) equals adamStep', async () => {
    await tf.setBackend('wasm');
    const n = 7;
    const arr = (k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + k) * (k === 3 ? 0.01 : 1));
    const [x, g, m] = [arr(0), arr(1), arr(2)];
    const v = arr(3).map(Math.abs);
    const attrs = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 4 };
    const want = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
    adamStep(x, g, m, v, attrs, want[0], want[1], want[2]);
    const inputs = { x: tf.tensor1d(x), g: tf.tensor1d(g), m: tf.tensor1d(m), v: tf.tensor1d(v) };
    const outs = tf.engine().runKernel(FUSED_ADAM, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    outs.forEach((o, i) => {
      const got = o.dataSync();
      want[i]!.forEach((w, j) => expect(Math.abs(got[j]! - w)).toBeLessThan(1e-6 * Math.max(1, Math.abs(w))));
    });
    tf.dispose([...outs, ...Object.values(inputs)]);
  });
});
