/**
 * BatchMatMul for the wasm backend, routed to XNNPACK when an operand is transposed.
 *
 * The wasm backend's own BatchMatMul uses XNNPACK's GEMM only for unbatched products without
 * transposes; with transposeA or transposeB it falls back to a scalar triple loop that is 10–20×
 * slower. Every backward pass of a Dense or LSTM layer asks for exactly those products
 * (dx = dy·Wᵀ, dW = xᵀ·dy). Here the transposed operand is copied once in JS (cheap next to the
 * product) and the plain product runs on XNNPACK. Batched products keep the original kernel.
 */
import { BatchMatMul, broadcast_util, util, type BatchMatMulAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { asShape, baseBatchMatMul, free, matMul2D, transposedCopy, wasmKernel, type KernelArgs } from './wasm_heap.js';

export function batchMatMulWasm(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const plain = !transposeA && !transposeB;
  if (plain || batchA !== 1 || batchB !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return baseBatchMatMul.run(args);
  }

  const wasm = backend as BackendWasm;
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const kB = transposeB ? bCols : bRows;
  const n = transposeB ? bRows : bCols;
  util.assert(
    k === kB,
    () => `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ` + `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  const outShape = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)).concat([m, n]);
  if (m === 0 || n === 0 || k === 0) return baseBatchMatMul.run(args);

  const a2 = transposeA ? transposedCopy(wasm, a, aRows, aCols) : asShape(a, [m, k]);
  const b2 = transposeB ? transposedCopy(wasm, b, bRows, bCols) : asShape(b, [k, n]);
  const out = matMul2D(wasm, a2, b2);
  if (transposeA) free(wasm, a2);
  if (transposeB) free(wasm, b2);
  return asShape(out, outShape);
}

export const batchMatMulConfig = wasmKernel(BatchMatMul, batchMatMulWasm);
