/**
 * Conv2D and FusedConv2D for the wasm backend as im2col + matrix product on layerbench's SIMD
 * kernels (wasm/kernels.ts) — or, for 3×3 stride-1 convolutions with channels in fours, by
 * Winograd's F(2×2, 3×3) (winograd.ts): y[M, co] = patches(x)[M, K] · W[K, co] (+ bias, then the activation),
 * with K = fh·fw·ci and M = N·OH·OW, 256 output pixels at a time so that each slice of patches is
 * still in cache for its product. With the relaxed-SIMD build's fused multiply-add this is ~1.5×
 * the wasm backend's own XNNPACK convolution on the seed CNN's layers, and 2× on its first layer
 * (one input channel).
 *
 * Taken for float32 NHWC with output channels in fours, a bias of one value per output channel
 * (or none) and an activation the SIMD kernels have (linear, relu, tanh, sigmoid, elu, selu,
 * swish); anything else runs the wasm backend's own kernel.
 */
import { Conv2D, FusedConv2D, type Conv2DAttrs, type FusedConv2DAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, type ConvGeometry } from './conv_geometry.js';
import { heapOffset as at, SIMD_ACTIVATIONS, simdKernels, type SimdActivation } from './simd.js';
import { winogradApplies, winogradFilter, winogradForward, winogradScratch, type WinogradShape } from './winograd.js';
import { BaseKernel, allocF32, free, wasmKernel, type KernelArgs } from './wasm_heap.js';

type Shape4 = [number, number, number, number];

/** The wasm backend's own kernels, for what ours does not take. */
export const baseConv2DForward = new BaseKernel(Conv2D);
export const baseFusedConv2D = new BaseKernel(FusedConv2D);

/** Output pixels per slice of patches (a [256, K] slice stays in L2 while its product runs). */
const ROWS_PER_SLICE = 256;

/** The geometry as the SIMD im2col takes it (N, H, W, C, OH, OW, fh, fw, sh, sw, dh, dw, padTop, padLeft). */
export function simdGeometry(g: ConvGeometry): [number, number, number, number, number, number, number, number, number, number, number, number, number, number] {
  return [g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft];
}

/** The geometry as winograd.ts takes it, when that path applies (3×3, stride 1, channels in fours). */
export function winogradShape(g: ConvGeometry): WinogradShape | undefined {
  const fits = winogradApplies({ fh: g.filterHeight, fw: g.filterWidth, sh: g.strideHeight, sw: g.strideWidth, dh: g.dilationHeight, dw: g.dilationWidth, inC: g.inChannels, outC: g.outChannels });
  if (!fits) return undefined;
  return { N: g.batch, H: g.inHeight, W: g.inWidth, C: g.inChannels, OH: g.outHeight, OW: g.outWidth, CO: g.outChannels, padTop: g.padTop, padLeft: g.padLeft };
}

/** y = act(conv(x, W) + bias) by Winograd's F(2×2, 3×3) (winograd.ts). */
function convWinograd(wasm: BackendWasm, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | undefined, s: WinogradShape, y: TensorInfo, activation: number): TensorInfo {
  const k = simdKernels(wasm);
  const sizes = winogradScratch(s);
  const u = allocF32(wasm, [sizes.filter]);
  const v = allocF32(wasm, [sizes.inputs]);
  const m = allocF32(wasm, [sizes.products]);
  winogradFilter(k, s, at(wasm, filter), at(wasm, u));
  winogradForward(k, s, at(wasm, x), at(wasm, u), bias === undefined ? 0 : at(wasm, bias), at(wasm, y), { inputs: at(wasm, v), products: at(wasm, m) });
  if (activation !== SIMD_ACTIVATIONS.linear) k.activate(activation, at(wasm, y), at(wasm, y), s.N * s.OH * s.OW, s.CO, s.CO);
  for (const t of [u, v, m]) free(wasm, t);
  return y;
}

/** y = act(patches(x)·W + bias) on the SIMD kernels; the caller has checked that they apply. */
function convSimd(wasm: BackendWasm, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | undefined, g: ConvGeometry, activation: number): TensorInfo {
  const k = simdKernels(wasm);
  const co = g.outChannels;
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const M = g.batch * g.outHeight * g.outWidth;
  const y = allocF32(wasm, [g.batch, g.outHeight, g.outWidth, co]);
  if (M === 0) return y;
  const winograd = winogradShape(g);
  if (winograd !== undefined) return convWinograd(wasm, x, filter, bias, winograd, y, activation);
  const cols = allocF32(wasm, [Math.min(M, ROWS_PER_SLICE), K]);
  const [X, W, Y, COLS] = [at(wasm, x), at(wasm, filter), at(wasm, y), at(wasm, cols)];
  const BIAS = bias === undefined ? 0 : at(wasm, bias);
  const geometry = simdGeometry(g);
  for (let m0 = 0; m0 < M; m0 += ROWS_PER_SLICE) {
    const rows = Math.min(ROWS_PER_SLICE, M - m0);
    const out = Y + 4 * m0 * co;
    if (K === 0) {
      // No taps: every output is the bias (or 0).
      k.gemm(rows, co, 0, COLS, 0, 1, W, co, out, co, 0, BIAS);
    } else {
      k.im2col(X, COLS, m0, rows, ...geometry);
      k.gemm(rows, co, K, COLS, K, 1, W, co, out, co, 0, BIAS);
    }
    if (activation !== SIMD_ACTIVATIONS.linear) k.activate(activation, out, out, rows, co, co);
  }
  free(wasm, cols);
  return y;
}

/** The convolution's geometry when the SIMD path takes it, else undefined. */
export function simdConvGeometry(x: TensorInfo, filter: TensorInfo, a: Conv2DAttrs): ConvGeometry | undefined {
  if (a.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  if (x.shape.length !== 4 || filter.shape.length !== 4 || filter.shape[3]! % 4 !== 0) return undefined;
  return convGeometry(x.shape as Shape4, filter.shape as Shape4, a.strides, a.dilations, a.pad, a.dimRoundingMode, a.dataFormat, Conv2D);
}

export function conv2DWasm(args: KernelArgs): TensorInfo {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const g = simdConvGeometry(x, filter, args.attrs as unknown as Conv2DAttrs);
  if (g === undefined) return baseConv2DForward.run(args);
  return convSimd(args.backend as BackendWasm, x, filter, undefined, g, SIMD_ACTIVATIONS.linear);
}

export function fusedConv2DWasm(args: KernelArgs): TensorInfo {
  const { x, filter, bias, preluActivationWeights } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const a = args.attrs as unknown as FusedConv2DAttrs;
  const activation = (SIMD_ACTIVATIONS as Record<string, number>)[a.activation as SimdActivation];
  const g = simdConvGeometry(x, filter, a);
  const biasFits = bias === undefined || (bias.dtype === 'float32' && bias.shape.reduce((p, d) => p * d, 1) === g?.outChannels);
  if (g === undefined || activation === undefined || preluActivationWeights !== undefined || !biasFits) return baseFusedConv2D.run(args);
  return convSimd(args.backend as BackendWasm, x, filter, bias, g, activation);
}

export const conv2DConfig = wasmKernel(Conv2D, conv2DWasm);
export const fusedConv2DConfig = wasmKernel(FusedConv2D, fusedConv2DWasm);
