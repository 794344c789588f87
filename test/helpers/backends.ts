/**
 * Shared setup for the wasm kernel tests: register layerbench's kernels for one describe block,
 * run the same code on the cpu and wasm backends, and compare the numbers they give.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';
import { registerWasmKernels } from '../../src/kernels/index.js';

/**
 * Call inside a describe: registers the wasm kernels before its tests (and, with start 'wasm',
 * makes wasm the current backend), and restores the backend that was current after them.
 */
export function useWasmKernels(start?: 'wasm'): void {
  let previous: string;
  beforeAll(async () => {
    registerWasmKernels();
    await tf.ready();
    previous = tf.getBackend();
    if (start !== undefined) await tf.setBackend(start);
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });
}

/** `f` run with `backend` as the current backend (which it stays afterwards). */
export async function onBackend<T>(backend: string, f: () => T | Promise<T>): Promise<T> {
  await tf.setBackend(backend);
  return f();
}

/** `f` run on the cpu backend, then on wasm (which stays current). */
export async function onCpuAndWasm<T>(f: () => T | Promise<T>): Promise<{ cpu: T; wasm: T }> {
  const cpu = await onBackend('cpu', f);
  const wasm = await onBackend('wasm', f);
  return { cpu, wasm };
}

/** max |a[i] − b[i]|; expects equal lengths. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Every a[i] within tol · max(floor, max |b|) of b[i]: a relative tolerance for a whole array. */
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, floor = 1e-3): void {
  expect(maxAbsDiff(a, b)).toBeLessThan(tol * Math.max(floor, maxAbs(b)));
}
