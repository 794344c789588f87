/**
 * layerbench's SIMD kernels (wasm/kernels.ts, AssemblyScript, compiled into simd_module.ts),
 * instantiated on the tfjs wasm backend's own memory: every argument is a byte offset into that
 * heap, so the kernels read and write tensors in place. One instance per backend, made on first use.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SIMD_WASM_BASE64 } from './simd_module.js';

/** Activation codes of the SIMD kernels (see wasm/kernels.ts). */
export const SIMD_ACTIVATIONS = { linear: 0, relu: 1, tanh: 2, sigmoid: 3, elu: 4, selu: 5, swish: 6 } as const;
export type SimdActivation = keyof typeof SIMD_ACTIVATIONS;

export interface SimdKernels {
  /** C[M, N] = A·B (+C | +bias); A(i, k) at a + 4(i·sai + k·sak); N a multiple of 4. */
  gemm(M: number, N: number, K: number, a: number, sai: number, sak: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, bias: number): void;
  transpose(src: number, rows: number, cols: number, dst: number, ldd: number): void;
  columnSums(x: number, M: number, N: number, out: number): void;
  /** columnSums with float64 accumulators. */
  columnSums64(x: number, M: number, N: number, out: number): void;
  gatherRows(src: number, rowFloats: number, order: number, first: number, count: number, dst: number): void;
  activate(kind: number, z: number, h: number, M: number, N: number, ld: number): void;
  activationGrad(kind: number, z: number, h: number, g: number, n: number): void;
  dropout(src: number, dst: number, mask: number, n: number, rate: number, seed: number): number;
  multiply(x: number, y: number, n: number): void;
  adam(x: number, g: number, m: number, v: number, n: number, lr: number, b1: number, b2: number, eps: number, c1: number, c2: number, decay: number): void;
  sumSquares(x: number, n: number): number;
  maxPoolGrad(x: number, dy: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number, fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number): void;
  im2col(x: number, cols: number, N: number, H: number, W: number, C: number, OH: number, OW: number, fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number): void;
  col2im(cols: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number, fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number): void;
  lstmForwardStep(B: number, U: number, z: number, ldz: number, bias: number, c: number, first: number, cache: number, h: number, out: number, ldo: number): void;
  lstmBackwardStep(B: number, U: number, dh: number, dy: number, ldy: number, cache: number, cachePrev: number, dc: number, last: number, dz: number, ldz: number): void;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<BackendWasm, SimdKernels>();

/** The wasm backend's WebAssembly.Memory (Emscripten keeps it as the instance's exported `memory`). */
function heapMemory(backend: BackendWasm): WebAssembly.Memory {
  const memory = (backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('layerbench SIMD kernels: the wasm backend does not expose its memory');
  return memory;
}

export function simdKernels(backend: BackendWasm): SimdKernels {
  let kernels = instances.get(backend);
  if (kernels === undefined) {
    compiled ??= new WebAssembly.Module(Buffer.from(SIMD_WASM_BASE64, 'base64'));
    const instance = new WebAssembly.Instance(compiled, { env: { memory: heapMemory(backend) } });
    kernels = instance.exports as unknown as SimdKernels;
    instances.set(backend, kernels);
  }
  return kernels;
}

/** Byte offset of a tensor's data on the wasm heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return backend.getMemoryOffset(info.dataId);
}

/** A Float32Array over the whole wasm heap (valid until the heap next grows). */
export function heapF32(backend: BackendWasm): Float32Array {
  return new Float32Array(heapMemory(backend).buffer);
}

/** True when this Node can compile the SIMD module (wasm SIMD: Node ≥ 16.4). */
export function simdSupported(): boolean {
  try {
    compiled ??= new WebAssembly.Module(Buffer.from(SIMD_WASM_BASE64, 'base64'));
    return true;
  } catch {
    return false;
  }
}
