/**
 * Slice for the wasm backend, copied within the wasm heap. The wasm backend's Slice reads its whole
 * input out of the heap into a new JavaScript array (readSync) before it copies the slice: scoring a
 * 2,000-row MNIST test set in batches copied all 6 MB of it once per batch, some 870 copies of
 * 5–6 MB in one 27-candidate sweep. Here the input is a view of the heap and only the slice is
 * copied, as runs along the last axis (one run when the slice is contiguous). Strings keep the
 * original kernel.
 */
import { Slice, slice_util, util, type SliceAttrs, type TensorInfo, type TypedArray } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BaseKernel, wasmKernel, type KernelArgs } from './wasm_heap.js';

export const baseSlice = new BaseKernel(Slice);

/** out = x[begin₀ : begin₀+size₀, begin₁ : begin₁+size₁, …] with x row-major of `shape`. */
export function copySlice(x: TypedArray, shape: readonly number[], begin: readonly number[], size: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[0]!;
    return;
  }
  const strides = util.computeStrides([...shape]);
  if (slice_util.isSliceContinous([...shape], [...begin], [...size])) {
    const offset = slice_util.computeFlatOffset([...begin], strides);
    out.set(x.subarray(offset, offset + util.sizeFromShape([...size])));
    return;
  }
  const run = size[rank - 1]!;
  const runs = util.sizeFromShape(size.slice(0, -1));
  // The index of the current run over the leading axes, counted like an odometer.
  const at = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < runs; r++) {
    let src = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) src += (begin[d]! + at[d]!) * strides[d]!;
    out.set(x.subarray(src, src + run), r * run);
    for (let d = rank - 2; d >= 0 && ++at[d]! === size[d]; d--) at[d] = 0;
  }
}

export function sliceWasm(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === 'string') return baseSlice.run(args);
  const { begin, size } = attrs as unknown as SliceAttrs;
  const [b, s] = slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
  const wasm = backend as BackendWasm;
  const out = wasm.makeOutput(s, x.dtype);
  if (util.sizeFromShape(s) === 0) return out;
  // Views taken after the output's allocation (wasm_heap.ts).
  copySlice(wasm.typedArrayFromHeap(x), x.shape, b, s, wasm.typedArrayFromHeap(out));
  return out;
}

export const sliceConfig = wasmKernel(Slice, sliceWasm);
