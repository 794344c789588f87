import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { simdConvGeometry } from '../src/kernels/conv2d.js';
import { expectClose, onCpuAndWasm, useWasmKernels } from './helpers/backends.js';

type Shape4 = [number, number, number, number];
interface Case {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
  dilation?: number;
  /** Whether layerbench's SIMD kernel takes it (else the wasm backend's own). */
  simd: boolean;
}

/** Deterministic, non-symmetric values so that misplaced elements cannot cancel out. */
function values(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(seed + i * 0.7131) + 0.25 * Math.cos(i * 1.917 + seed * 3);
  return v;
}

const cases: Case[] = [
  { name: 'first layer: 1→32 channels, valid, 2 images of 21×19 (sliced)', x: [2, 21, 19, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'valid', simd: true },
  { name: 'seed CNN layer 2 shape, small batch', x: [2, 13, 13, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'valid', simd: true },
  { name: 'stride 2, same, odd sizes, 3→8 channels', x: [3, 9, 7, 3], filter: [3, 3, 3, 8], strides: 2, pad: 'same', simd: true },
  { name: 'strides [2, 1], valid, non-square filter, 2→4 channels', x: [2, 10, 6, 2], filter: [4, 2, 2, 4], strides: [2, 1], pad: 'valid', simd: true },
  { name: 'explicit pad 1, 5→12 channels, 396 output pixels (sliced mid-image)', x: [3, 12, 11, 5], filter: [3, 3, 5, 12], strides: 1, pad: 1, simd: true },
  { name: 'dilation 2, same, 2→4 channels', x: [2, 9, 8, 2], filter: [3, 2, 2, 4], strides: 1, pad: 'same', dilation: 2, simd: true },
  { name: '1×1 filter, stride 3, same', x: [2, 10, 10, 3], filter: [1, 1, 3, 4], strides: 3, pad: 'same', simd: true },
  { name: 'output channels not in fours (the wasm backend’s own)', x: [2, 7, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same', simd: false },
];

function inputs(c: Case): { x: tf.Tensor4D; w: tf.Tensor4D; b: tf.Tensor1D } {
  return {
    x: tf.tensor4d(values(tf.util.sizeFromShape(c.x), 1), c.x),
    w: tf.tensor4d(values(tf.util.sizeFromShape(c.filter), 2), c.filter),
    b: tf.tensor1d(values(c.filter[3], 3)),
  };
}

describe('wasm Conv2D and FusedConv2D kernels', () => {
  useWasmKernels('wasm');

  it.each(cases)('$name: which kernel takes it', (c) => {
    const info = (shape: number[]) => ({ dataId: {}, shape, dtype: 'float32' as const });
    const g = simdConvGeometry(info(c.x), info(c.filter), { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation ?? 1 });
    expect(g !== undefined).toBe(c.simd);
  });

  it.each(cases)('$name: conv2d equals the cpu backend', async (c) => {
    const { cpu, wasm } = await onCpuAndWasm(() =>
      tf.tidy(() => {
        const { x, w } = inputs(c);
        return tf.conv2d(x, w, c.strides, c.pad, 'NHWC', c.dilation ?? 1).dataSync() as Float32Array;
      }),
    );
    expectClose(wasm, cpu, 1e-5, 1);
  });

  it.each(['linear', 'relu', 'elu', 'sigmoid'] as const)('fused conv2d with bias and %s equals the cpu backend', async (activation) => {
    const c = cases[4]!;
    const { cpu, wasm } = await onCpuAndWasm(() =>
      tf.tidy(() => {
        const { x, w, b } = inputs(c);
        return tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, bias: b, activation }).dataSync() as Float32Array;
      }),
    );
    expectClose(wasm, cpu, 1e-5, 1);
  });

  it('fused conv2d with relu6 (not a SIMD activation) still equals the cpu backend', async () => {
    const c = cases[2]!;
    const { cpu, wasm } = await onCpuAndWasm(() =>
      tf.tidy(() => {
        const { x, w, b } = inputs(c);
        return tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, bias: b, activation: 'relu6' }).dataSync() as Float32Array;
      }),
    );
    expectClose(wasm, cpu, 1e-5, 1);
  });
});
