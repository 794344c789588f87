import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectClose, onBackend, onCpuAndWasm, useWasmKernels } from './helpers/backends.js';

type Pad = 'same' | 'valid' | number;
type Shape4 = [number, number, number, number];
interface Case {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
}

/** Deterministic, non-symmetric values so that misplaced elements cannot cancel out. */
function values(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(seed + i * 0.7131) + 0.25 * Math.cos(i * 1.917 + seed * 3);
  return v;
}

function conv(x: tf.Tensor4D, w: tf.Tensor4D, c: Case, dilation = 1): tf.Tensor4D {
  return tf.conv2d(x, w, c.strides, c.pad, 'NHWC', dilation);
}

/** [dx, dW] of sum(conv2d(x, w) * dy) on the current backend, through tf.grads. */
function gradients(c: Case): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(tf.util.sizeFromShape(c.x), 1), c.x);
    const w = tf.tensor4d(values(tf.util.sizeFromShape(c.filter), 2), c.filter);
    const y = conv(x, w, c);
    const dy = tf.tensor(values(y.size, 3), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a as tf.Tensor4D, b as tf.Tensor4D, c))([x, w], dy);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

/**
 * Central finite differences of f(w) = sum(conv2d(x, w) * dy) (or of x), evaluated with the cpu
 * backend's forward convolution only.
 */
function numericalGradient(c: Case, wrt: 'x' | 'filter', dilation = 1): Float32Array {
  const xv = values(tf.util.sizeFromShape(c.x), 1);
  const wv = values(tf.util.sizeFromShape(c.filter), 2);
  const objective = (xs: Float32Array, ws: Float32Array): number =>
    tf.tidy(() => {
      const y = conv(tf.tensor4d(xs, c.x), tf.tensor4d(ws, c.filter), c, dilation);
      const dy = tf.tensor(values(y.size, 3), y.shape);
      return tf.sum(tf.mul(y, dy)).dataSync()[0];
    });
  const target = wrt === 'x' ? xv : wv;
  const eps = 1e-2;
  const grad = new Float32Array(target.length);
  for (let i = 0; i < target.length; i++) {
    const keep = target[i];
    target[i] = keep + eps;
    const up = objective(xv, wv);
    target[i] = keep - eps;
    const down = objective(xv, wv);
    target[i] = keep;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

const cases: Case[] = [
  { name: 'stride 1, valid, 1→4 channels', x: [2, 7, 7, 1], filter: [3, 3, 1, 4], strides: 1, pad: 'valid' },
  { name: 'stride 1, same, 3→5 channels, odd sizes', x: [3, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: 'stride 2, valid, odd input', x: [2, 9, 11, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  { name: 'stride 2, same, even input', x: [2, 8, 8, 4], filter: [3, 3, 4, 2], strides: 2, pad: 'same' },
  { name: 'stride 2, same, odd input, 2×2 filter', x: [1, 7, 9, 3], filter: [2, 2, 3, 6], strides: 2, pad: 'same' },
  { name: 'strides [2, 1], valid, non-square filter', x: [2, 10, 6, 2], filter: [4, 2, 2, 3], strides: [2, 1], pad: 'valid' },
  { name: 'stride 1, explicit pad 1, 5×5 filter', x: [1, 8, 8, 2], filter: [5, 5, 2, 2], strides: 1, pad: 1 },
  { name: 'stride 1, explicit pad 3 > filter − 1', x: [2, 5, 6, 2], filter: [3, 3, 2, 3], strides: 1, pad: 3 },
  { name: 'stride 3, same, 1×1 filter', x: [2, 10, 10, 3], filter: [1, 1, 3, 4], strides: 3, pad: 'same' },
  { name: 'seed CNN layer 2 shape, small batch', x: [2, 13, 13, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'valid' },
  // Output channels and fh·fw·ci in fours: the SIMD im2col/col2im and GEMM.
  { name: 'stride 2, same, odd input, 4→8 channels (SIMD)', x: [2, 9, 7, 4], filter: [3, 3, 4, 8], strides: 2, pad: 'same' },
  // (Square filters with explicit padding: tfjs sizes the output of a non-square one as if it were square.)
  { name: 'stride 1, explicit pad 2, 4→12 channels (SIMD)', x: [3, 6, 7, 4], filter: [3, 3, 4, 12], strides: 1, pad: 2 },
  { name: 'stride 1, valid, 5×3 filter, 8→4 channels (SIMD)', x: [2, 8, 7, 8], filter: [5, 3, 8, 4], strides: 1, pad: 'valid' },
  // More than 256 output pixels: the filter gradient gathers patches in slices that start mid-image.
  { name: 'stride 1, same, 396 output pixels, 4→8 channels (SIMD, sliced)', x: [3, 12, 11, 4], filter: [3, 3, 4, 8], strides: 1, pad: 'same' },
  { name: 'stride 1, valid, 1→32 channels, 2 images of 21×19 (first layer, SIMD, sliced)', x: [2, 21, 19, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'valid' },
];

describe('wasm conv2d gradient kernels', () => {
  useWasmKernels('wasm');

  it.each(cases)('$name: filter and input gradients equal the cpu backend', async (c) => {
    const { cpu, wasm } = await onCpuAndWasm(() => gradients(c));
    expectClose(wasm.dw, cpu.dw, 1e-4, 1);
    expectClose(wasm.dx, cpu.dx, 1e-4, 1);
  });

  it('the filter and input gradients equal finite differences of sum(conv2d(x, w) * dy)', async () => {
    const c: Case = { name: 'small', x: [2, 6, 5, 2], filter: [3, 2, 2, 3], strides: 2, pad: 'same' };
    const numericW = await onBackend('cpu', () => numericalGradient(c, 'filter'));
    const numericX = await onBackend('cpu', () => numericalGradient(c, 'x'));
    const wasm = await onBackend('wasm', () => gradients(c));
    expectClose(wasm.dw, numericW, 2e-3, 1);
    expectClose(wasm.dx, numericX, 2e-3, 1);
  });

  it('Conv2DBackpropFilter honours dilations (direct kernel call) and matches finite differences', async () => {
    // tfjs-core refuses gradients of dilated convolutions, so the kernel is called directly.
    const c: Case = { name: 'dilated', x: [2, 9, 8, 2], filter: [3, 2, 2, 3], strides: 1, pad: 'same' };
    const dilation = 2;
    const numeric = await onBackend('cpu', () => numericalGradient(c, 'filter', dilation));
    const kernel = await onBackend('wasm', () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(tf.util.sizeFromShape(c.x), 1), c.x);
        const y = conv(x, tf.zeros(c.filter) as tf.Tensor4D, c, dilation);
        const dy = tf.tensor(values(y.size, 3), y.shape);
        const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter, dilations: dilation }) as tf.Tensor;
        return dw.dataSync() as Float32Array;
      }),
    );
    expectClose(kernel, numeric, 2e-3, 1);
  });

  it('rejects NCHW with a message naming the kernel', async () => {
    await tf.setBackend('wasm');
    const call = () =>
      tf.tidy(() =>
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: tf.zeros([1, 1, 4, 4]), dy: tf.zeros([1, 1, 2, 2]) }, { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 1, 1] }),
      );
    expect(call).toThrow(/Conv2DBackpropFilter.*NCHW/);
  });
});
