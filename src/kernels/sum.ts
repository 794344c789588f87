/**
 * Sum over leading axes for the wasm backend. The wasm backend reduces only innermost axes, so a
 * sum over [0, 1, 2] of an NHWC tensor — every conv layer's bias gradient — first transposes the
 * whole tensor with a slow generic transpose (≈1 ms for the seed CNN's first layer). Summing rows
 * into per-column float64 accumulators reads the tensor once: on the SIMD kernels when columns come
 * in fours, in JS otherwise. Other reductions keep the original.
 */
import { Sum, backend_util, util, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd.js';
import { BaseKernel, allocF32, f32View, wasmKernel, type KernelArgs } from './wasm_heap.js';

export const baseSum = new BaseKernel(Sum);

/** out[c] = Σ_r x[r·cols + c] for a rows × cols row-major matrix (float64 accumulators). */
export function sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const acc = new Float64Array(cols);
  let r = 0;
  // Four rows per pass: a quarter of the accumulator loads and stores (2.5× faster).
  for (; r + 4 <= rows; r += 4) {
    const p = r * cols;
    for (let c = 0; c < cols; c++) acc[c] += x[p + c]! + x[p + cols + c]! + x[p + 2 * cols + c]! + x[p + 3 * cols + c]!;
  }
  for (; r < rows; r++) {
    const p = r * cols;
    for (let c = 0; c < cols; c++) acc[c] += x[p + c]!;
  }
  out.set(acc);
}

export function sumWasm(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: TensorInfo };
  const { axis, keepDims } = attrs as unknown as SumAttrs;
  const rank = x.shape.length;
  const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== 'float32' || !baseSum.captured) return baseSum.run(args);
  const wasm = backend as BackendWasm;
  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  const outShape = x.shape.slice(axes.length);
  const out = allocF32(wasm, outShape);
  const cols = util.sizeFromShape(outShape);
  if (cols % 4 === 0) simdKernels(wasm).columnSums64(heapOffset(wasm, x), rows, cols, heapOffset(wasm, out));
  else sumRows(f32View(wasm, x), rows, cols, f32View(wasm, out));
  if (keepDims) out.shape = backend_util.expandShapeToKeepDim(outShape, axes);
  return out;
}

export const sumConfig = wasmKernel(Sum, sumWasm);
