/**
 * Pooling gradients for the wasm backend, over the wasm heap. The wasm backend's own MaxPoolGrad
 * and AvgPoolGrad are naive loops: 32 ms and 11 ms for the seed CNN's first pooling layer at
 * batch 32, against ≈3 ms and ≈2 ms for the JS loops here (the max is bound by unpredictable
 * branches). MaxPoolGrad with channels in fours runs on the SIMD kernels instead, branch-free.
 *
 *  - MaxPoolGrad: each window's gradient goes to its first maximal input (row-major scan),
 *    like the cpu backend (and TensorFlow); padding never wins.
 *  - AvgPoolGrad: each window's gradient is shared by the inputs it averaged. tfjs' forward
 *    avgPool divides by the number of in-bounds inputs, so that is the divisor here too (the cpu
 *    backend divides by the full window size, which is wrong for 'same'-padded border windows;
 *    for 'valid' pooling the two agree).
 */
import { AvgPoolGrad, MaxPoolGrad, backend_util, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd.js';
import { allocF32, f32View, wasmKernel, type KernelArgs } from './wasm_heap.js';

type Shape4 = [number, number, number, number];

export interface PoolGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

export function poolGeometry(
  xShape: Shape4,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: Parameters<typeof backend_util.computePool2DInfo>[4],
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
): PoolGeometry {
  const info = backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad, dimRoundingMode);
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** dx (zeroed here) gets dy of each window at the first maximal x of that window, per channel. */
export function maxPoolBackprop(x: Float32Array, dy: Float32Array, g: PoolGeometry, dx: Float32Array): void {
  const { batch, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW } = g;
  const rowStride = W * C;
  dx.fill(0);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * g.strideHeight - g.padTop;
      const hLo = Math.max(0, h0);
      const rows = Math.min(H, h0 + g.filterHeight) - hLo;
      for (let ow = 0; ow < OW; ow++, o += C) {
        const w0 = ow * g.strideWidth - g.padLeft;
        const wLo = Math.max(0, w0);
        const cols = Math.min(W, w0 + g.filterWidth) - wLo;
        if (rows <= 0 || cols <= 0) continue;
        const corner = ((n * H + hLo) * W + wLo) * C;
        if (rows === 2 && cols === 2) {
          // The seed's 2×2 pooling, unrolled (about a third faster than the loop below).
          for (let c = 0; c < C; c++) {
            const p0 = corner + c;
            const p1 = p0 + C;
            const p2 = p0 + rowStride;
            const p3 = p2 + C;
            let at = p0;
            let max = x[p0]!;
            if (x[p1]! > max) {
              max = x[p1]!;
              at = p1;
            }
            if (x[p2]! > max) {
              max = x[p2]!;
              at = p2;
            }
            if (x[p3]! > max) at = p3;
            dx[at] += dy[o + c]!;
          }
          continue;
        }
        for (let c = 0; c < C; c++) {
          let at = corner + c;
          let max = x[at];
          for (let i = 0; i < rows; i++) {
            let p = corner + i * rowStride + c;
            for (let j = 0; j < cols; j++, p += C) {
              const v = x[p];
              if (v > max) {
                max = v;
                at = p;
              }
            }
          }
          dx[at] += dy[o + c];
        }
      }
    }
  }
}

/** dx (zeroed here) gets dy of each window divided among the window's in-bounds inputs. */
export function avgPoolBackprop(dy: Float32Array, g: PoolGeometry, dx: Float32Array): void {
  const { batch, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW } = g;
  dx.fill(0);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * g.strideHeight - g.padTop;
      const hLo = Math.max(0, h0);
      const hHi = Math.min(H, h0 + g.filterHeight);
      for (let ow = 0; ow < OW; ow++, o += C) {
        const w0 = ow * g.strideWidth - g.padLeft;
        const wLo = Math.max(0, w0);
        const wHi = Math.min(W, w0 + g.filterWidth);
        const count = (hHi - hLo) * (wHi - wLo);
        if (count <= 0) continue;
        const share = 1 / count;
        for (let ih = hLo; ih < hHi; ih++) {
          for (let iw = wLo; iw < wHi; iw++) {
            const base = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) dx[base + c] += dy[o + c] * share;
          }
        }
      }
    }
  }
}

/**
 * A pooling gradient kernel: dx, shaped like `input`, filled by `backprop` from heap views of
 * input, dy and dx. AvgPoolGrad has no dimRoundingMode attribute (avgPool's gradient ignores it).
 */
function poolGradKernel(useRounding: boolean, backprop: (input: Float32Array, dy: Float32Array, g: PoolGeometry, dx: Float32Array) => void): (args: KernelArgs) => TensorInfo {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const a = attrs as unknown as MaxPoolGradAttrs;
    const g = poolGeometry(input.shape as Shape4, a.filterSize, a.strides, a.pad, useRounding ? a.dimRoundingMode : undefined);
    const dx = allocF32(wasm, [...input.shape]);
    backprop(f32View(wasm, input), f32View(wasm, dy), g, f32View(wasm, dx));
    return dx;
  };
}

const jsMaxPoolGrad = poolGradKernel(true, maxPoolBackprop);

/** MaxPoolGrad: the SIMD kernel (wasm/kernels.ts) when channels come in fours, else the JS loop. */
export function maxPoolGradWasm(args: KernelArgs): TensorInfo {
  const wasm = args.backend as BackendWasm;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const a = args.attrs as unknown as MaxPoolGradAttrs;
  const g = poolGeometry(input.shape as Shape4, a.filterSize, a.strides, a.pad, a.dimRoundingMode);
  if (g.channels % 4 !== 0) return jsMaxPoolGrad(args);
  const dx = allocF32(wasm, [...input.shape]);
  simdKernels(wasm).maxPoolGrad(
    heapOffset(wasm, input),
    heapOffset(wasm, dy),
    heapOffset(wasm, dx),
    g.batch,
    g.inHeight,
    g.inWidth,
    g.channels,
    g.outHeight,
    g.outWidth,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.padTop,
    g.padLeft,
  );
  return dx;
}
export const avgPoolGradWasm = poolGradKernel(false, (_input, dy, g, dx) => avgPoolBackprop(dy, g, dx));

export const maxPoolGradConfig = wasmKernel(MaxPoolGrad, maxPoolGradWasm);
export const avgPoolGradConfig = wasmKernel(AvgPoolGrad, avgPoolGradWasm);
