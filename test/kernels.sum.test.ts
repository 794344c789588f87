import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onCpuAndWasm, useWasmKernels } from './helpers/backends.js';

interface Case {
  shape: number[];
  axis: number | number[];
  keepDims: boolean;
  dtype: 'float32' | 'int32';
}

function sum(c: Case): { shape: number[]; data: number[] } {
  return tf.tidy(() => {
    const n = tf.util.sizeFromShape(c.shape);
    const x = tf.tensor(
      Array.from({ length: n }, (_, i) => ((i * 37) % 11) - 5 + (c.dtype === 'float32' ? 0.25 : 0)),
      c.shape,
      c.dtype,
    );
    const s = tf.sum(x, c.axis, c.keepDims);
    return { shape: s.shape, data: Array.from(s.dataSync()) };
  });
}

const cases: Case[] = [
  { shape: [4, 6, 6, 5], axis: [0, 1, 2], keepDims: false, dtype: 'float32' }, // conv bias gradient
  { shape: [4, 6, 6, 5], axis: [2, 0, 1], keepDims: true, dtype: 'float32' },
  { shape: [32, 64], axis: 0, keepDims: false, dtype: 'float32' }, // dense bias gradient
  { shape: [4, 6, 6, 20], axis: [0, 1, 2], keepDims: false, dtype: 'float32' }, // SIMD: a 16-column strip and a 4-column one
  { shape: [50, 12], axis: 0, keepDims: true, dtype: 'float32' }, // SIMD: 4-column strips only
  { shape: [3, 4, 5], axis: [-3], keepDims: false, dtype: 'float32' },
  { shape: [3, 4, 5], axis: [1], keepDims: false, dtype: 'float32' }, // not leading: original kernel
  { shape: [3, 4, 5], axis: [0, 1, 2], keepDims: false, dtype: 'float32' }, // all axes: original kernel
  { shape: [6, 7], axis: 0, keepDims: false, dtype: 'int32' }, // int32: original kernel
];

describe('wasm Sum over leading axes', () => {
  useWasmKernels();

  it.each(cases)('shape $shape axis $axis keepDims $keepDims $dtype equals the cpu backend', async (c) => {
    const { cpu, wasm } = await onCpuAndWasm(() => sum(c));
    expect(wasm.shape).toEqual(cpu.shape);
    wasm.data.forEach((v, i) => expect(v).toBeCloseTo(cpu.data[i]!, 4));
  });
});
