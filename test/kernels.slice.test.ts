import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { copySlice, sliceWasm } from '../src/kernels/slice.js';
import { onCpuAndWasm, useWasmKernels } from './helpers/backends.js';

interface Case {
  shape: number[];
  begin: number[];
  size: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

function slice(c: Case): { shape: number[]; data: number[] } {
  return tf.tidy(() => {
    const n = tf.util.sizeFromShape(c.shape);
    const values = c.dtype === 'bool' ? Array.from({ length: n }, (_, i) => i % 3 === 0) : Array.from({ length: n }, (_, i) => (c.dtype === 'int32' ? i - 7 : i * 0.5 - 3));
    const x = tf.tensor(values, c.shape, c.dtype);
    const s = tf.slice(x, c.begin, c.size);
    return { shape: s.shape, data: Array.from(s.dataSync()) };
  });
}

const cases: Case[] = [
  { shape: [50, 12], begin: [16, 0], size: [16, 12], dtype: 'float32' }, // a batch of rows: contiguous, scoring's slices
  { shape: [50, 12], begin: [48, 0], size: [-1, -1], dtype: 'float32' }, // the last, short batch
  { shape: [6, 7], begin: [1, 2], size: [3, 4], dtype: 'float32' }, // a window: runs along the last axis
  { shape: [5, 4, 3], begin: [1, 1, 0], size: [2, 2, 3], dtype: 'int32' },
  { shape: [4, 5, 5, 2], begin: [0, 1, 2, 1], size: [4, 3, 2, 1], dtype: 'float32' },
  { shape: [2, 3, 4, 3, 2], begin: [1, 0, 1, 1, 0], size: [1, 3, 2, 2, 2], dtype: 'float32' }, // rank 5
  { shape: [9], begin: [3], size: [4], dtype: 'bool' },
  { shape: [4, 3], begin: [2, 0], size: [0, 3], dtype: 'float32' }, // empty
];

describe('wasm Slice within the heap', () => {
  useWasmKernels();

  it.each(cases)('shape $shape begin $begin size $size $dtype equals the cpu backend', async (c) => {
    const { cpu, wasm } = await onCpuAndWasm(() => slice(c));
    expect(wasm).toEqual(cpu);
  });

  it('slices strings with the original kernel', async () => {
    const { cpu, wasm } = await onCpuAndWasm(() => tf.tidy(() => tf.slice(tf.tensor(['a', 'b', 'c', 'd', 'e', 'f'], [3, 2]), [1, 1], [2, 1]).arraySync()));
    expect(wasm).toEqual(cpu);
    expect(wasm).toEqual([['d'], ['f']]);
  });

  it('is the kernel the wasm backend runs', () => {
    expect(tf.getKernel('Slice', 'wasm')?.kernelFunc).toBe(sliceWasm);
  });

  it('copies a window as runs of the last axis', () => {
    // Arrange: a 3 × 4 matrix 0..11.
    const x = Float32Array.from({ length: 12 }, (_, i) => i);
    const out = new Float32Array(4);
    // Act
    copySlice(x, [3, 4], [1, 1], [2, 2], out);
    // Assert: rows 1–2, columns 1–2.
    expect(Array.from(out)).toEqual([5, 6, 9, 10]);
  });
});
