import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, onBackend, useWasmKernels } from './helpers/backends.js';

type Shape4 = [number, number, number, number];
interface Case {
  name: string;
  x: Shape4;
  filter: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same';
}

/** Distinct values (no ties inside a window), in a scrambled order. */
function distinct(n: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 7919) % n) / n - 0.5;
  return v;
}

function pool(kind: 'max' | 'avg', x: tf.Tensor4D, c: Case): tf.Tensor4D {
  return kind === 'max' ? tf.maxPool(x, c.filter, c.strides, c.pad) : tf.avgPool(x, c.filter, c.strides, c.pad);
}

function poolGrad(backend: string, kind: 'max' | 'avg', c: Case, xs: Float32Array): Promise<Float32Array> {
  return onBackend(backend, () =>
    tf.tidy(() => {
      const x = tf.tensor4d(xs, c.x);
      const y = pool(kind, x, c);
      const dy = tf.tensor(
        distinct(y.size).map((v, i) => v + i * 1e-3),
        y.shape,
      );
      return tf
        .grad((a: tf.Tensor) => pool(kind, a as tf.Tensor4D, c))(x, dy)
        .dataSync() as Float32Array;
    }),
  );
}

/** Central differences of sum(pool(x) * dy) w.r.t. x, with the cpu backend's forward pooling. */
async function numerical(kind: 'max' | 'avg', c: Case, xs: Float32Array): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const f = (v: Float32Array) =>
    tf.tidy(() => {
      const y = pool(kind, tf.tensor4d(v, c.x), c);
      const dy = tf.tensor(
        distinct(y.size).map((u, i) => u + i * 1e-3),
        y.shape,
      );
      return tf.sum(tf.mul(y, dy)).dataSync()[0];
    });
  const eps = 1e-4; // smaller than the gap between distinct values, so no max changes place
  const grad = new Float32Array(xs.length);
  const v = Float32Array.from(xs);
  for (let i = 0; i < v.length; i++) {
    v[i] = xs[i] + eps;
    const up = f(v);
    v[i] = xs[i] - eps;
    const down = f(v);
    v[i] = xs[i];
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

const cases: Case[] = [
  { name: '2×2 stride 2 valid (seed CNN)', x: [2, 8, 8, 3], filter: 2, strides: 2, pad: 'valid' },
  { name: '2×2 stride 2 valid, odd input', x: [2, 7, 9, 2], filter: 2, strides: 2, pad: 'valid' },
  { name: '3×3 stride 1 same (overlapping windows)', x: [1, 6, 5, 2], filter: 3, strides: 1, pad: 'same' },
  { name: '3×3 stride 2 same, odd input', x: [2, 7, 7, 4], filter: 3, strides: 2, pad: 'same' },
  { name: '[2, 3] strides [1, 2] valid', x: [1, 6, 9, 1], filter: [2, 3], strides: [1, 2], pad: 'valid' },
  // Channels in fours: the SIMD kernel.
  { name: '2×2 stride 2 valid, 8 channels, odd width (SIMD)', x: [2, 8, 9, 8], filter: 2, strides: 2, pad: 'valid' },
  // The seed CNN's second pooling: 11×11 in, the last row and column in no window (the SIMD 2×2 pass).
  { name: '2×2 stride 2 valid, 4 channels, odd height and width (SIMD)', x: [3, 11, 11, 4], filter: 2, strides: 2, pad: 'valid' },
  { name: '2×2 stride 2 same, 4 channels, odd input: padded windows (SIMD, general path)', x: [2, 7, 5, 4], filter: 2, strides: 2, pad: 'same' },
  { name: '3×3 stride 1 same, 4 channels: overlapping windows (SIMD)', x: [1, 6, 5, 4], filter: 3, strides: 1, pad: 'same' },
];

describe('wasm pooling gradient kernels', () => {
  useWasmKernels();

  it.each(cases)('MaxPoolGrad, $name: equals the cpu backend and finite differences', async (c) => {
    const xs = distinct(tf.util.sizeFromShape(c.x));
    const wasm = await poolGrad('wasm', 'max', c, xs);
    expect(maxAbsDiff(wasm, await poolGrad('cpu', 'max', c, xs))).toBeLessThan(1e-6);
    expect(maxAbsDiff(wasm, await numerical('max', c, xs))).toBeLessThan(2e-2);
  });

  it.each(cases)('AvgPoolGrad, $name: equals finite differences of the forward avgPool', async (c) => {
    const xs = distinct(tf.util.sizeFromShape(c.x));
    const wasm = await poolGrad('wasm', 'avg', c, xs);
    expect(maxAbsDiff(wasm, await numerical('avg', c, xs))).toBeLessThan(2e-2);
  });

  it('AvgPoolGrad equals the cpu backend where no window is clipped by padding', async () => {
    for (const c of cases.filter((k) => k.pad === 'valid')) {
      const xs = distinct(tf.util.sizeFromShape(c.x));
      expect(maxAbsDiff(await poolGrad('wasm', 'avg', c, xs), await poolGrad('cpu', 'avg', c, xs))).toBeLessThan(1e-6);
    }
  });

  it('MaxPoolGrad sends a tied window to its first maximum, like the cpu backend', async () => {
    for (const channels of [2, 4]) {
      // 2 channels: the JS loop; 4: the SIMD kernel.
      const c: Case = { name: 'ties', x: [1, 4, 4, channels], filter: 2, strides: 2, pad: 'valid' };
      const xs = new Float32Array(16 * channels).fill(0); // ReLU outputs: whole windows of zeros
      xs[5 * channels] = 1; // one window with a single maximum off its first position
      const wasm = await poolGrad('wasm', 'max', c, xs);
      expect(maxAbsDiff(wasm, await poolGrad('cpu', 'max', c, xs))).toBe(0);
    }
  });
});
