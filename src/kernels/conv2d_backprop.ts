/**
 * Conv2D gradients for the wasm backend, as one XNNPACK GEMM plus a JS gather/scatter:
 *  - Conv2DBackpropFilter (absent from @tensorflow/tfjs-backend-wasm 4.22):
 *      dW[K, co] = im2colᵀ(x)[K, M] · dy[M, co]
 *  - Conv2DBackpropInput (the wasm backend ships a naive loop, 6–9× slower than this):
 *      stride 1: dx = conv2d(dy, W rotated 180° with in/out channels swapped), on XNNPACK;
 *      otherwise dx = col2im(dy[M, co] · Wᵀ[co, K])
 * with K = fh·fw·ci and M = N·OH·OW. Both honour strides, 'valid'/'same'/explicit padding and
 * dimRoundingMode like the cpu backend. Conv2DBackpropFilter also takes an optional `dilations`
 * attribute (tfjs-core never passes one: it refuses gradients of dilated convolutions).
 */
import {
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { col2im, convGeometry, im2colTransposed, type ConvGeometry } from './conv_geometry.js';
import { allocF32, asShape, f32View, free, matMul2D, transposedCopy } from './wasm_heap.js';

type Shape4 = [number, number, number, number];

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
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
  const g = convGeometry(
    x.shape as Shape4,
    a.filterShape as Shape4,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    a.dataFormat,
    Conv2DBackpropFilter,
  );
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const M = g.batch * g.outHeight * g.outWidth;
  if (K === 0 || M === 0 || g.outChannels === 0) return zeros(wasm, [...a.filterShape]);

  const cols = allocF32(wasm, [K, M]);
  im2colTransposed(f32View(wasm, x), g, f32View(wasm, cols));
  const dW = matMul2D(wasm, cols, asShape(dy, [M, g.outChannels]));
  free(wasm, cols);
  return asShape(dW, [...a.filterShape]);
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

let baseConv2D: KernelFunc | undefined;
export function setBaseConv2D(kernelFunc: KernelFunc): void {
  baseConv2D = kernelFunc;
}

/**
 * For stride 1 the input gradient is a plain 'full' convolution of dy with the flipped filter;
 * returns undefined when the padding that needs is negative (then col2im handles it).
 */
function backpropInputByConv(wasm: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo | undefined {
  if (baseConv2D === undefined || g.strideHeight !== 1 || g.strideWidth !== 1) return undefined;
  const top = g.filterHeight - 1 - g.padTop;
  const left = g.filterWidth - 1 - g.padLeft;
  const bottom = g.inHeight + g.filterHeight - 1 - g.outHeight - top;
  const right = g.inWidth + g.filterWidth - 1 - g.outWidth - left;
  if (Math.min(top, left, bottom, right) < 0) return undefined;
  const flipped = allocF32(wasm, [g.filterHeight, g.filterWidth, g.outChannels, g.inChannels]);
  flipFilter(f32View(wasm, filter), g.filterHeight, g.filterWidth, g.inChannels, g.outChannels, f32View(wasm, flipped));
  const dx = baseConv2D({
    inputs: { x: dy, filter: flipped },
    backend: wasm,
    attrs: { strides: 1, pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dilations: 1 },
  }) as TensorInfo;
  free(wasm, flipped);
  return dx;
}

export function conv2DBackpropInputWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropInputAttrs;
  const g = convGeometry(
    a.inputShape as Shape4,
    filter.shape as Shape4,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    a.dataFormat,
    Conv2DBackpropInput,
  );
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const M = g.batch * g.outHeight * g.outWidth;
  if (K === 0 || M === 0 || g.outChannels === 0) return zeros(wasm, [...a.inputShape]);
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

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
};

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm as unknown as KernelFunc,
};
