/**
 * Small helpers for writing wasm-backend kernels in TypeScript: allocate a tensor on the wasm heap,
 * view it as a Float32Array, free it, and run a plain (non-transposed, unbatched) matrix product
 * through the wasm backend's own BatchMatMul, which takes XNNPACK's fast GEMM only in that case.
 *
 * Heap views must be taken after the last allocation of a kernel: an allocation can grow the
 * wasm memory, and growing detaches every earlier view.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The wasm backend's own BatchMatMul kernel, captured before layerbench replaces it. */
let baseBatchMatMul: KernelFunc | undefined;

export function setBaseBatchMatMul(kernelFunc: KernelFunc): void {
  baseBatchMatMul = kernelFunc;
}

export function getBaseBatchMatMul(): KernelFunc {
  if (baseBatchMatMul === undefined) {
    throw new Error('layerbench wasm kernels: registerWasmKernels() has not run');
  }
  return baseBatchMatMul;
}

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
  const out = getBaseBatchMatMul()({
    inputs: { a, b },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
  return out;
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
