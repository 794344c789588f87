import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { registerWasmKernels, wasmKernelNames } from '../src/kernels/index.js';
import { maxAbsDiff, onCpuAndWasm, useWasmKernels } from './helpers/backends.js';

function values(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(seed + i * 0.377) + 0.1 * ((i * 7) % 5);
  return v;
}

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

function product(c: Case): { shape: number[]; data: Float32Array } {
  return tf.tidy(() => {
    const a = tf.tensor(values(tf.util.sizeFromShape(c.a), 1), c.a);
    const b = tf.tensor(values(tf.util.sizeFromShape(c.b), 2), c.b);
    const out = tf.matMul(a, b, c.transposeA, c.transposeB);
    return { shape: out.shape, data: out.dataSync() as Float32Array };
  });
}

const cases: Case[] = [
  { a: [32, 64], b: [256, 64], transposeA: false, transposeB: true },
  { a: [32, 64], b: [32, 256], transposeA: true, transposeB: false },
  { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { a: [1, 9, 4], b: [1, 6, 4], transposeA: false, transposeB: true },
  { a: [1, 33, 17], b: [33, 5], transposeA: true, transposeB: false },
  { a: [3, 4, 5], b: [3, 6, 5], transposeA: false, transposeB: true }, // batched: original kernel
  { a: [16, 10], b: [10, 64], transposeA: false, transposeB: false }, // plain: original kernel
];

describe('wasm BatchMatMul with transposed operands', () => {
  useWasmKernels();

  it.each(cases)('a$a b$b tA=$transposeA tB=$transposeB equals the cpu backend', async (c) => {
    const { cpu, wasm } = await onCpuAndWasm(() => product(c));
    expect(wasm.shape).toEqual(cpu.shape);
    expect(maxAbsDiff(wasm.data, cpu.data)).toBeLessThan(1e-4);
  });

  it('is idempotent: registering twice warns nothing and keeps one working kernel per name', async () => {
    const warn = vi.spyOn(console, 'warn');
    registerWasmKernels();
    registerWasmKernels();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    for (const name of wasmKernelNames) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    const { cpu, wasm } = await onCpuAndWasm(() => product(cases[0]!));
    expect(wasm.data[5]).toBeCloseTo(cpu.data[5]!, 4);
  });

  it('survives a backend switch (the replaced kernel keeps the original setup)', async () => {
    await tf.setBackend('cpu');
    await tf.setBackend('wasm');
    const { cpu, wasm } = await onCpuAndWasm(() => product(cases[1]!));
    expect(wasm.data[3]).toBeCloseTo(cpu.data[3]!, 4);
  });
});
