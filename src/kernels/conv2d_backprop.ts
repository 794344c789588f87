/**
 * Conv2D gradients for the wasm backend, as matrix products plus a gather/scatter:
 *  - Conv2DBackpropFilter (absent from @tensorflow/tfjs-backend-wasm 4.22):
 *      dW[K, co] = im2col(x)ᵀ[K, M] · dy[M, co]
 *  - Conv2DBackpropInput (the wasm backend ships a naive loop, 6–9× slower than this):
 *      dx = col2im(dy[M, co] · Wᵀ[co, K])
 * with K = fh·fw·ci and M = N·OH·OW. On layerbench's SIMD kernels (wasm/kernels.ts) where the
 * shapes allow (filter: input and output channels in fours; input: K a multiple of 4), by
 * Winograd's F(2×2, 3×3) (winograd.ts) for 3×3 stride-1 filters with channels in fours; otherwise
 * with JS im2col/col2im and XNNPACK's products, and a stride-1 input gradient as the convolution
 * of dy with the flipped filter on XNNPACK (40 % more arithmetic than the product, no scatter).
 * Both honour strides, 'valid'/'same'/explicit padding and dimRoundingMode like the cpu backend.
 * Conv2DBackpropFilter also takes an optional `dilations`
 * attribute (tfjs-core never passes one: it refuses gradients of dilated convolutions).
 */
import { Conv2DBackpropFilter, Conv2DBackpropInput, type Conv2DBackpropFilterAttrs, type Conv2DBackpropInputAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { col2im, convGeometry, im2colTransposed, type ConvGeometry } from './conv_geometry.js';
import { baseConv2DForward as baseConv2D, simdGeometry, winogradShape } from './conv2d.js';
import { heapOffset as at, simdKernels } from './simd.js';
import { winogradBackward, winogradFilter, winogradScratch, type WinogradShape } from './winograd.js';
import { allocF32, asShape, f32View, free, matMul2D, transposedCopy, wasmKernel, type KernelArgs } from './wasm_heap.js';

type Shape4 = [number, number, number, number];
type ConvAttrs = Pick<Conv2DBackpropInputAttrs, 'strides' | 'pad' | 'dimRoundingMode' | 'dataFormat'>;

/**
 * The forward convolution's geometry, with K = fh·fw·ci and M = N·OH·OW of the gradient GEMMs;
 * `empty` when the gradient has no terms (then it is all zeros).
 */
function gradientGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  a: ConvAttrs,
  dilations: number | [number, number],
  kernelName: string,
): { g: ConvGeometry; K: number; M: number; empty: boolean } {
  const { strides, pad, dimRoundingMode, dataFormat } = a;
  const g = convGeometry(inShape as Shape4, filterShape as Shape4, strides, dilations, pad, dimRoundingMode, dataFormat, kernelName);
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const M = g.batch * g.outHeight * g.outWidth;
  return { g, K, M, empty: K === 0 || M === 0 || g.outChannels === 0 };
}

function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = allocF32(backend, shape);
  f32View(backend, out).fill(0);
  return out;
}

export function conv2DBackpropFilterWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
  const { g, K, M, empty } = gradientGeometry(x.shape, a.filterShape, a, a.dilations ?? 1, Conv2DBackpropFilter);
  if (empty) return zeros(wasm, [...a.filterShape]);
  if (g.outChannels % 4 === 0) return backpropFilterSimd(wasm, x, dy, g, K, M);

  const cols = allocF32(wasm, [K, M]);
  im2colTransposed(f32View(wasm, x), g, f32View(wasm, cols));
  const dW = matMul2D(wasm, cols, asShape(dy, [M, g.outChannels]));
  free(wasm, cols);
  return asShape(dW, [...a.filterShape]);
}

/** Rows of cols per product: a [256, K] slice of the patches stays in L2 while every column panel passes. */
const ROWS_PER_PRODUCT = 256;

/**
 * dW[K, co] = colsᵀ·dy on the SIMD GEMM (co a multiple of 4), the patches gathered by the SIMD
 * im2col ROWS_PER_PRODUCT output pixels at a time, so that each slice is still in cache for its product.
 */
function backpropFilterSimd(wasm: BackendWasm, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, K: number, M: number): TensorInfo {
  const winograd = winogradShape(g);
  if (winograd !== undefined) return backpropWinograd(wasm, winograd, dy, x, undefined);
  const k = simdKernels(wasm);
  const co = g.outChannels;
  const cols = allocF32(wasm, [Math.min(M, ROWS_PER_PRODUCT), K]);
  const dW = allocF32(wasm, [g.filterHeight, g.filterWidth, g.inChannels, co]);
  const [X, COLS, DY, DW] = [at(wasm, x), at(wasm, cols), at(wasm, dy), at(wasm, dW)];
  const geometry = simdGeometry(g);
  for (let m0 = 0; m0 < M; m0 += ROWS_PER_PRODUCT) {
    const rows = Math.min(ROWS_PER_PRODUCT, M - m0);
    k.im2col(X, COLS, m0, rows, ...geometry);
    k.gemm(K, co, rows, COLS, 1, K, DY + 4 * m0 * co, co, DW, co, m0 > 0 ? 1 : 0, 0);
  }
  free(wasm, cols);
  return dW;
}

/**
 * dx = col2im(dy[M, co] · Wᵀ[co, K]) on the SIMD GEMM and col2im (K a multiple of 4),
 * ROWS_PER_PRODUCT output pixels at a time, so that each slice of the product is still in cache
 * when it is scattered.
 */
function backpropInputSimd(wasm: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, K: number, M: number, inputShape: number[]): TensorInfo {
  const winograd = winogradShape(g);
  if (winograd !== undefined) return backpropWinograd(wasm, winograd, dy, undefined, filter);
  const k = simdKernels(wasm);
  const co = g.outChannels;
  const filterT = transposedCopy(wasm, filter, K, co); // [co, K]
  const cols = allocF32(wasm, [Math.min(M, ROWS_PER_PRODUCT), K]);
  const dx = allocF32(wasm, inputShape);
  const [DY, WT, COLS, DX] = [at(wasm, dy), at(wasm, filterT), at(wasm, cols), at(wasm, dx)];
  const geometry = simdGeometry(g);
  for (let m0 = 0; m0 < M; m0 += ROWS_PER_PRODUCT) {
    const rows = Math.min(ROWS_PER_PRODUCT, M - m0);
    k.gemm(rows, K, co, DY + 4 * m0 * co, co, 1, WT, K, COLS, K, 0, 0);
    k.col2im(COLS, DX, m0, rows, m0 === 0 ? 1 : 0, ...geometry);
  }
  free(wasm, filterT);
  free(wasm, cols);
  return dx;
}

/** The filter gradient (given x) or the input gradient (given the filter) by Winograd's F(2×2, 3×3). */
function backpropWinograd(wasm: BackendWasm, s: WinogradShape, dy: TensorInfo, x: TensorInfo | undefined, filter: TensorInfo | undefined): TensorInfo {
  const k = simdKernels(wasm);
  const sizes = winogradScratch(s);
  const out = allocF32(wasm, x ? [3, 3, s.C, s.CO] : [s.N, s.H, s.W, s.C]);
  const planes = allocF32(wasm, [sizes.filter]); // dU, or U
  const transposed = filter ? allocF32(wasm, [sizes.filter]) : undefined;
  const v = allocF32(wasm, [sizes.inputs]);
  const dm = allocF32(wasm, [sizes.products]);
  if (filter) winogradFilter(k, s, at(wasm, filter), at(wasm, planes));
  const grads = x
    ? { filter: at(wasm, out), filterGrad: at(wasm, planes), input: 0, u: 0, transposed: 0 }
    : { filter: 0, filterGrad: 0, input: at(wasm, out), u: at(wasm, planes), transposed: at(wasm, transposed!) };
  winogradBackward(k, s, at(wasm, dy), x ? at(wasm, x) : 0, grads, { inputs: at(wasm, v), products: at(wasm, dm) });
  for (const t of [planes, v, dm, ...(transposed ? [transposed] : [])]) free(wasm, t);
  return out;
}

/** W'[kh, kw, o, i] = W[fh-1-kh, fw-1-kw, i, o]: the filter of the transposed convolution. */
export function flipFilter(w: Float32Array, fh: number, fw: number, ci: number, co: number, out: Float32Array): void {
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      const src = ((fh - 1 - kh) * fw + (fw - 1 - kw)) * ci * co;
      const dst = (kh * fw + kw) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) out[dst + o * ci + i] = w[src + i * co + o];
      }
    }
  }
}

/**
 * For stride 1 the input gradient is a plain 'full' convolution of dy with the flipped filter;
 * returns undefined when the padding that needs is negative (then col2im handles it).
 */
function backpropInputByConv(wasm: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo | undefined {
  if (!baseConv2D.captured || g.strideHeight !== 1 || g.strideWidth !== 1) return undefined;
  const top = g.filterHeight - 1 - g.padTop;
  const left = g.filterWidth - 1 - g.padLeft;
  const bottom = g.inHeight + g.filterHeight - 1 - g.outHeight - top;
  const right = g.inWidth + g.filterWidth - 1 - g.outWidth - left;
  if (Math.min(top, left, bottom, right) < 0) return undefined;
  const flipped = allocF32(wasm, [g.filterHeight, g.filterWidth, g.outChannels, g.inChannels]);
  flipFilter(f32View(wasm, filter), g.filterHeight, g.filterWidth, g.inChannels, g.outChannels, f32View(wasm, flipped));
  const dx = baseConv2D.run({
    inputs: { x: dy, filter: flipped },
    backend: wasm,
    attrs: {
      strides: 1,
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: 1,
    },
  });
  free(wasm, flipped);
  return dx;
}

export function conv2DBackpropInputWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropInputAttrs;
  const { g, K, M, empty } = gradientGeometry(a.inputShape, filter.shape, a, 1, Conv2DBackpropInput);
  if (empty) return zeros(wasm, [...a.inputShape]);
  if (K % 4 === 0) return backpropInputSimd(wasm, dy, filter, g, K, M, [...a.inputShape]);
  const byConv = backpropInputByConv(wasm, dy, filter, g);
  if (byConv !== undefined) return byConv;

  const filterT = transposedCopy(wasm, filter, K, g.outChannels);
  const cols = matMul2D(wasm, asShape(dy, [M, g.outChannels]), filterT);
  free(wasm, filterT);
  const dx = allocF32(wasm, [...a.inputShape]);
  col2im(f32View(wasm, cols), g, f32View(wasm, dx));
  free(wasm, cols);
  return dx;
}

export const conv2DBackpropFilterConfig = wasmKernel(Conv2DBackpropFilter, conv2DBackpropFilterWasm);
export const conv2DBackpropInputConfig = wasmKernel(Conv2DBackpropInput, conv2DBackpropInputWasm);
