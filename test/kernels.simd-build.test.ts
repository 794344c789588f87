import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { simdBuild } from '../src/kernels/simd.js';
import { buildKernels, moduleSource, SIMD_MODULE } from '../wasm/build.js';

describe('the committed SIMD module', () => {
  let binary: Uint8Array;
  let relaxed: Uint8Array;
  beforeAll(async () => {
    [binary, relaxed] = [await buildKernels(), await buildKernels(true)];
  });

  it('is what wasm/kernels.ts compiles to (rerun `npm run build:wasm` after changing it)', async () => {
    const committed = await readFile(SIMD_MODULE, 'utf8');
    expect(committed).toBe(moduleSource(binary, relaxed));
  });

  it('imports only the heap and writes nothing into it when instantiated (no data segments)', async () => {
    const module = new WebAssembly.Module(new Uint8Array(binary));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).fill(7);
    new WebAssembly.Instance(module, { env: { memory } });
    expect(new Uint8Array(memory.buffer).every((b) => b === 7)).toBe(true);
  });

  it('runs its relaxed-SIMD build on Node ≥ 20 (behind a flag on Node 20, which the kernels turn on)', () => {
    expect(simdBuild()).toBe('relaxed-simd');
    const names = (bytes: Uint8Array) => WebAssembly.Module.exports(new WebAssembly.Module(new Uint8Array(bytes))).map((e) => e.name);
    expect(names(relaxed)).toEqual(names(binary));
  });
});
