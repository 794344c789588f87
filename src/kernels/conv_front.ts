/**
 * A stack of 2-D convolutions (NHWC), each with a bias, an activation and optional pooling, as the
 * front of a fused training epoch (epoch.ts); the last block's output, flattened in NHWC order as
 * Keras' Flatten does, goes to the dense head. On layerbench's SIMD kernels over the wasm heap:
 *  - forward: im2col in slices of ROWS output pixels, each slice's product with the filter (plus
 *    the bias) while the slice is in cache, the activation, the pooling;
 *  - backward: the pooling's gradient, the activation's, the bias gradient (float64 column sums),
 *    the filter gradient patchesᵀ·dz slice by slice, and below the first layer the input gradient
 *    col2im(dz·Wᵀ) slice by slice.
 * 3×3 stride-1 layers with input channels in fours take Winograd's F(2×2, 3×3) instead (winograd.ts).
 * Output channels come in fours, and so do the input channels of every layer but the first.
 */
import type { SimdKernels } from './simd.js';
import { winogradApplies, winogradBackward, winogradFilter, winogradForward, winogradScratch, type WinogradShape } from './winograd.js';

/** One convolution's geometry per sample, as the SIMD im2col takes it (stride and dilation included). */
export interface ConvShape {
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padTop: number;
  padLeft: number;
}

export interface PoolPlan {
  kind: 'max' | 'avg';
  outH: number;
  outW: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
}

export interface ConvLayerPlan extends ConvShape {
  kind: 'conv';
  /** Code from SIMD_ACTIVATIONS. */
  activation: number;
  /** L2 factor on the kernel (0: none). */
  l2: number;
  /** Float offsets into params (and m, v, gradient) of the kernel [fh, fw, inC, outC] and the bias [outC]. */
  kernelAt: number;
  biasAt: number;
  pool?: PoolPlan;
}

/** Output pixels per slice of patches (a [256, K] slice stays in L2 while its product runs). */
const ROWS = 256;

interface LayerScratch {
  z: number;
  h: number;
  /** The pooled output (h itself without pooling). */
  p: number;
  /** Gradients with respect to h (then z, in place) and to p (dh itself without pooling). */
  dh: number;
  dp: number;
  /** Winograd layers: the transformed filter, from the forward pass to the backward. */
  u: number;
}

export interface ConvFrontScratch {
  layers: LayerScratch[];
  /** A slice of patches, and Wᵀ for the input gradient (or the transformed filter's transpose). */
  cols: number;
  transposed: number;
  /** Winograd: a block's transformed inputs and products, and the filter gradient's planes. */
  inputs: number;
  products: number;
  filterGrad: number;
}

const pixels = (p: ConvLayerPlan): number => p.outH * p.outW;
const pooledPixels = (p: ConvLayerPlan): number => (p.pool ? p.pool.outH * p.pool.outW : pixels(p));
const taps = (p: ConvLayerPlan): number => p.fh * p.fw * p.inC;

/** The layer's geometry for winograd.ts, when that path takes it. */
function winograd(p: ConvLayerPlan, B: number): WinogradShape | undefined {
  return winogradApplies(p) ? { N: B, H: p.inH, W: p.inW, C: p.inC, OH: p.outH, OW: p.outW, CO: p.outC, padTop: p.padTop, padLeft: p.padLeft } : undefined;
}

export function convFrontScratch(layers: readonly ConvLayerPlan[], batch: number, take: (floats: number) => number): ConvFrontScratch {
  const sizes = layers.map((p) => winograd(p, batch)).map((w) => (w ? winogradScratch(w) : { filter: 0, inputs: 0, products: 0 }));
  const out = layers.map((p, l) => {
    const z = take(batch * pixels(p) * p.outC);
    const h = take(batch * pixels(p) * p.outC);
    const pooled = p.pool ? take(batch * pooledPixels(p) * p.outC) : h;
    const dh = take(batch * pixels(p) * p.outC);
    const dp = p.pool ? take(batch * pooledPixels(p) * p.outC) : dh;
    return { z, h, p: pooled, dh, dp, u: take(sizes[l]!.filter) };
  });
  const K = Math.max(...layers.map(taps));
  const most = (f: (s: { filter: number; inputs: number; products: number }) => number) => Math.max(...sizes.map(f));
  return {
    layers: out,
    cols: take(Math.min(ROWS, batch * Math.max(...layers.map(pixels))) * K),
    transposed: take(
      Math.max(
        ...layers.map((p) => taps(p) * p.outC),
        most((s) => s.filter),
      ),
    ),
    inputs: take(most((s) => s.inputs)),
    products: take(most((s) => s.products)),
    filterGrad: take(most((s) => s.filter)),
  };
}

/** (N, H, W, C, OH, OW, fh, fw, sh, sw, dh, dw, padTop, padLeft) for the SIMD im2col/col2im. */
function geometry(p: ConvLayerPlan, B: number): [number, number, number, number, number, number, number, number, number, number, number, number, number, number] {
  return [B, p.inH, p.inW, p.inC, p.outH, p.outW, p.fh, p.fw, p.sh, p.sw, p.dh, p.dw, p.padTop, p.padLeft];
}

/** (N, H, W, C, OH, OW, fh, fw, sh, sw, padTop, padLeft) of a block's pooling. */
function poolGeometry(p: ConvLayerPlan, q: PoolPlan, B: number): [number, number, number, number, number, number, number, number, number, number, number, number] {
  return [B, p.outH, p.outW, p.outC, q.outH, q.outW, q.fh, q.fw, q.sh, q.sw, q.padTop, q.padLeft];
}

type At = (floats: number) => number;

/** The front's output for B samples of x (byte address): byte address of [B, OH, OW, C] of the last block. */
export function convFrontForward(k: SimdKernels, layers: readonly ConvLayerPlan[], s: ConvFrontScratch, f: At, B: number, x: number, params: number): number {
  let input = x;
  layers.forEach((p, l) => {
    const at = s.layers[l]!;
    const M = B * pixels(p);
    const K = taps(p);
    const g = geometry(p, B);
    const w = winograd(p, B);
    if (w) {
      winogradFilter(k, w, params + 4 * p.kernelAt, f(at.u));
      winogradForward(k, w, input, f(at.u), params + 4 * p.biasAt, f(at.z), { inputs: f(s.inputs), products: f(s.products) });
    }
    for (let m0 = 0; !w && m0 < M; m0 += ROWS) {
      const rows = Math.min(ROWS, M - m0);
      k.im2col(input, f(s.cols), m0, rows, ...g);
      k.gemm(rows, p.outC, K, f(s.cols), K, 1, params + 4 * p.kernelAt, p.outC, f(at.z) + 4 * m0 * p.outC, p.outC, 0, params + 4 * p.biasAt);
    }
    k.activate(p.activation, f(at.z), f(at.h), M, p.outC, p.outC);
    if (p.pool) k.pool(p.pool.kind === 'max' ? 0 : 1, f(at.h), f(at.p), ...poolGeometry(p, p.pool, B));
    input = f(at.p);
  });
  return input;
}

/** Byte address where the head writes the gradient with respect to the front's output. */
export function convFrontOutputGradient(layers: readonly ConvLayerPlan[], s: ConvFrontScratch, f: At): number {
  return f(s.layers[layers.length - 1]!.dp);
}

/** Every layer's gradients into `grad` (the flat layout's byte address), from the last block's dp. */
export function convFrontBackward(k: SimdKernels, layers: readonly ConvLayerPlan[], s: ConvFrontScratch, f: At, B: number, x: number, params: number, grad: number): void {
  for (let l = layers.length - 1; l >= 0; l--) {
    const p = layers[l]!;
    const at = s.layers[l]!;
    const M = B * pixels(p);
    const K = taps(p);
    const g = geometry(p, B);
    if (p.pool?.kind === 'max') k.maxPoolGrad(f(at.h), f(at.dp), f(at.dh), ...poolGeometry(p, p.pool, B));
    else if (p.pool?.kind === 'avg') k.avgPoolGrad(f(at.dp), f(at.dh), ...poolGeometry(p, p.pool, B));
    k.activationGrad(p.activation, f(at.z), f(at.h), f(at.dh), M * p.outC);
    const dz = f(at.dh);
    k.columnSums64(dz, M, p.outC, grad + 4 * p.biasAt);
    const input = l > 0 ? f(s.layers[l - 1]!.p) : x;
    const w = winograd(p, B);
    if (w) {
      const grads = { filter: grad + 4 * p.kernelAt, filterGrad: f(s.filterGrad), input: l > 0 ? f(s.layers[l - 1]!.dp) : 0, u: f(at.u), transposed: f(s.transposed) };
      winogradBackward(k, w, dz, input, grads, { inputs: f(s.inputs), products: f(s.products) });
      continue;
    }
    for (let m0 = 0; m0 < M; m0 += ROWS) {
      const rows = Math.min(ROWS, M - m0);
      k.im2col(input, f(s.cols), m0, rows, ...g);
      k.gemm(K, p.outC, rows, f(s.cols), 1, K, dz + 4 * m0 * p.outC, p.outC, grad + 4 * p.kernelAt, p.outC, m0 > 0 ? 1 : 0, 0);
    }
    if (l === 0) continue;
    // dx = col2im(dz·Wᵀ), into the gradient of the block below.
    k.transpose(params + 4 * p.kernelAt, K, p.outC, f(s.transposed), K);
    const dx = f(s.layers[l - 1]!.dp);
    for (let m0 = 0; m0 < M; m0 += ROWS) {
      const rows = Math.min(ROWS, M - m0);
      k.gemm(rows, K, p.outC, dz + 4 * m0 * p.outC, p.outC, 1, f(s.transposed), K, f(s.cols), K, 0, 0);
      k.col2im(f(s.cols), dx, m0, rows, m0 === 0 ? 1 : 0, ...g);
    }
  }
}
