/**
 * Small helpers for writing wasm-backend kernels in TypeScript: the kernel signature and config,
 * the wasm backend's own kernels that ours fall back on, tensors on the wasm heap (allocate, view
 * as a Float32Array, free), and a plain (non-transposed, unbatched) matrix product through the
 * wasm backend's own BatchMatMul, which takes XNNPACK's fast GEMM only in that case.
 *
 * Heap views must be taken after the last allocation of a kernel: an allocation can grow the
 * wasm memory, and growing detaches every earlier view.
 */
import { BatchMatMul, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** What the engine passes a kernel function. */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/** The config that registers `kernelFunc` as the wasm backend's `kernelName`. */
export function wasmKernel(kernelName: string, kernelFunc: (args: KernelArgs) => TensorInfo | TensorInfo[]): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/**
 * The wasm backend's own kernel of one name, which ours replaces and falls back on. It is captured
 * by registerWasmKernels() (see register.ts) before ours is registered in its place.
 */
export class BaseKernel {
  private kernelFunc: KernelFunc | undefined;

  constructor(readonly kernelName: string) {}

  set(kernelFunc: KernelFunc): void {
    this.kernelFunc = kernelFunc;
  }

  get captured(): boolean {
    return this.kernelFunc !== undefined;
  }

  run(args: KernelArgs): TensorInfo {
    if (this.kernelFunc === undefined) throw new Error('layerbench wasm kernels: registerWasmKernels() has not run');
    return this.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo;
  }
}

/** The wasm backend's own BatchMatMul (its XNNPACK GEMM, for matMul2D). */
export const baseBatchMatMul = new BaseKernel(BatchMatMul);

/** A fresh float32 tensor on the wasm heap; its contents are whatever the allocator left there. */
export function allocF32(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** A Float32Array view of a tensor's memory on the wasm heap (valid until the next allocation). */
export function f32View(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

export function free(backend: BackendWasm, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

/** The same data seen with another shape of equal size (no copy; the wasm kernels reshape this way). */
export function asShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/**
 * out[m, n] = a[m, k] · b[k, n] on XNNPACK. `a` and `b` are 2-D (or views with that shape).
 * The returned tensor is new; the caller owns it.
 */
export function matMul2D(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return baseBatchMatMul.run({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } });
}

/** dst[c, r] = src[r, c] for a row-major rows×cols matrix; blocked so both sides stay in cache. */
export function transpose2D(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  const B = 32;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(r0 + B, rows);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(c0 + B, cols);
      for (let r = r0; r < r1; r++) {
        const rowOff = r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[rowOff + c];
      }
    }
  }
}

/** A new [cols, rows] tensor holding the transpose of the rows×cols matrix in `info`. */
export function transposedCopy(backend: BackendWasm, info: TensorInfo, rows: number, cols: number): TensorInfo {
  const out = allocF32(backend, [cols, rows]);
  transpose2D(f32View(backend, info), rows, cols, f32View(backend, out));
  return out;
}
