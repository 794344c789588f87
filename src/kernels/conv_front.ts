/**
 * A stack of 2-D convolutions (NHWC), each with a bias, an activation and optional pooling, as the
 * front of a fused training epoch (epoch.ts); the last block's output, flattened in NHWC order as
 * Keras' Flatten does, goes to the dense head. On layerbench's SIMD kernels over the wasm heap:
 *  - forward: im2col in slices of ROWS output pixels, each slice's product with the filter (plus
 *    the bias) while the slice is in cache, the activation, the pooling;
 *  - backward: the pooling's gradient, the activation's, the bias gradient (float64 column sums),
 *    the filter gradient patchesᵀ·dz slice by slice, and below the first layer the input gradient
 *    col2im(dz·Wᵀ) slice by slice.
 * 3×3 stride-1 layers with input channels in fours take Winograd's F(4×4, 3×3) (forward and
 * input gradient) and F(2×2, 3×3) (filter gradient) instead (winograd.ts); a first layer with
 * fewer than 4 input channels under 2×2 max pooling is one fused call each way (convPooled).
 * Output channels come in fours, and so do the input channels of every layer but the first.
 *
 * Two shortcuts that change no result:
 *  - Max pooling after relu or linear pools first and activates the pooled values: relu is
 *    monotone, so max(relu(z)) = relu(max z), and the first maximal z of a window is where the
 *    gradient goes whenever relu lets any through (max z > 0). The activation, its gradient and the
 *    bias gradient then run on a quarter of the values (2×2 pools), and h is never written: the
 *    seed CNN's first layer spent ~1 ms of its ~10 ms batch there, mostly moving 2.8 MB arrays.
 *  - A layer whose whole patch matrix is small (≤ PATCH_FLOATS) keeps it from the forward pass
 *    for the filter gradient instead of gathering it again (the seed's first layer: 0.8 MB).
 */
import { SIMD_ACTIVATIONS, type SimdKernels } from './simd.js';
import {
  winograd4Filter,
  winograd4Forward,
  winograd4InputGrad,
  winograd4Scratch,
  winograd4TransposedScratch,
  winogradApplies,
  winogradBackward,
  winogradScratch,
  type WinogradShape,
} from './winograd.js';

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

/** The largest patch matrix (floats, per batch) a layer keeps from its forward pass to its backward. */
const PATCH_FLOATS = 1 << 20;

/** Floats of z (or of patches) per slice when a layer goes image group by image group (see imagesPerSlice). */
const SLICE_FLOATS = 1 << 15;

/** Whether the block pools before its activation (max pooling after relu or linear: see above). */
function poolsFirst(p: ConvLayerPlan): boolean {
  return p.pool?.kind === 'max' && (p.activation === SIMD_ACTIVATIONS.linear || p.activation === SIMD_ACTIVATIONS.relu);
}

/** Whether the block pools first (poolsFirst) with 2×2, stride-2, unpadded windows that drop at most the last row and column. */
function pools2x2First(p: ConvLayerPlan): boolean {
  const q = p.pool;
  const pool2x2 = q !== undefined && q.fh === 2 && q.fw === 2 && q.sh === 2 && q.sw === 2 && q.padTop === 0 && q.padLeft === 0;
  return pool2x2 && poolsFirst(p) && q.outH === p.outH >> 1 && q.outW === p.outW >> 1;
}

/** Whether the convolution is 'valid', stride 1 and undilated: every tap of every output is inside the input. */
function validStride1(p: ConvLayerPlan): boolean {
  const valid = p.padTop === 0 && p.padLeft === 0 && p.outH === p.inH - p.fh + 1 && p.outW === p.inW - p.fw + 1;
  return valid && p.sh === 1 && p.sw === 1 && p.dh === 1 && p.dw === 1;
}

/**
 * Whether the block is one convPoolCodes call forward and one convPoolFilterGrad call backward
 * (wasm/conv_pool.ts): a first layer (fewer than 4 input channels; every later layer's come in
 * fours, so it never needs an input gradient) with a valid stride-1 convolution and
 * pools2x2First's pooling. Each window's four outputs are summed in registers and only the
 * maximum and its position are kept, bit for bit what im2col, the product and maxPoolCodes make,
 * without their patch matrix and z: on the seed CNN's first layer those three passes and their
 * filter gradient (the pooling's gradient into dz, then patchesᵀ·dz) took ~1.5 of a batch's ~6 ms.
 */
function convPooled(p: ConvLayerPlan): boolean {
  return p.inC < 4 && validStride1(p) && pools2x2First(p);
}

/**
 * Whether a layer that pools first keeps, instead of z, where each window's maximum was
 * (maxPoolCodes: a byte per pooled value and channel): pools2x2First's pooling. Then z only lives
 * one slice at a time, in cache (or never, convPooled), and the backward pass reads 16× fewer
 * bytes for the pooling's gradient than z (the seed's first layer: 0.17 MB per batch instead of
 * 2.8 MB).
 */
function keepsCodes(p: ConvLayerPlan, batch: number): boolean {
  return pools2x2First(p) && (winogradApplies(p) || convPooled(p) || imagesPerSlice(p, batch) > 0);
}

/** Whether z lives one slice at a time (keepsCodes on im2col's path; Winograd's writes z whole). */
function zSliced(p: ConvLayerPlan, batch: number): boolean {
  return keepsCodes(p, batch) && !winogradApplies(p);
}

/**
 * Whether the filter gradient comes from the pooled gradient and the codes (maxPoolFilterGrad):
 * each window passes its gradient to one input per channel, so the sum has a quarter of the dense
 * one's terms, and none where relu stopped the gradient. On the seed CNN's second layer that is
 * ~4× fewer multiply-adds than F(2×2, 3×3)'s products, and an exact sum. For 'valid', stride-1,
 * undilated convolutions with input channels in 32s.
 */
function sparseFilterGrad(p: ConvLayerPlan, batch: number): boolean {
  return keepsCodes(p, batch) && validStride1(p) && p.inC % 32 === 0;
}

/**
 * Whether a Winograd layer's backward pass needs no dz: its filter gradient comes from the codes
 * (sparseFilterGrad) and its input gradient's output transform spreads the pooled gradient by the
 * codes tile by tile (winograd4OutputGradPool), so maxPoolGradCodes' dz is never written.
 */
function pooledGradient(p: ConvLayerPlan, batch: number): boolean {
  return winogradApplies(p) && sparseFilterGrad(p, batch);
}

interface LayerScratch {
  z: number;
  /** The activation's output; when the block pools first, the pooled z (the activation's input). */
  h: number;
  /** The pooled output (h itself without pooling). */
  p: number;
  /** The layer's whole patch matrix [B·OH·OW, K] (-1: gathered slice by slice into `cols`). */
  patches: number;
  /** Where each pooled maximum was (keepsCodes; -1: not kept). */
  codes: number;
  /** Whether z holds one slice of images at a time (zSliced). */
  sliced: boolean;
  /** Gradients with respect to h (then z, in place) and to p (dh itself without pooling). */
  dh: number;
  dp: number;
  /** Winograd layers: F(4×4, 3×3)'s transformed filter for the forward pass. */
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
  /** maxPoolFilterGrad's list of windows (2 words per pooled pixel). */
  list: number;
}

const pixels = (p: ConvLayerPlan): number => p.outH * p.outW;
const pooledPixels = (p: ConvLayerPlan): number => (p.pool ? p.pool.outH * p.pool.outW : pixels(p));
const taps = (p: ConvLayerPlan): number => p.fh * p.fw * p.inC;

/** The layer's geometry for winograd.ts, when that path takes it. */
function winograd(p: ConvLayerPlan, B: number): WinogradShape | undefined {
  return winogradApplies(p) ? { N: B, H: p.inH, W: p.inW, C: p.inC, OH: p.outH, OW: p.outW, CO: p.outC, padTop: p.padTop, padLeft: p.padLeft } : undefined;
}

export function convFrontScratch(layers: readonly ConvLayerPlan[], batch: number, take: (floats: number) => number): ConvFrontScratch {
  const sizes = layers
    .map((p) => winograd(p, batch))
    .map((w) => {
      if (!w) return { filter: 0, inputs: 0, products: 0, transposed: 0 };
      const [two, four] = [winogradScratch(w), winograd4Scratch(w)];
      return { filter: Math.max(two.filter, four.filter), inputs: Math.max(two.inputs, four.inputs), products: Math.max(two.products, four.products), transposed: winograd4TransposedScratch(w) };
    });
  const out = layers.map((p, l) => {
    const codes = keepsCodes(p, batch);
    const direct = convPooled(p);
    const z = take(direct ? 0 : (zSliced(p, batch) ? imagesPerSlice(p, batch) : batch) * pixels(p) * p.outC);
    const h = take(batch * (poolsFirst(p) ? pooledPixels(p) : pixels(p)) * p.outC);
    const pooled = p.pool ? take(batch * pooledPixels(p) * p.outC) : h;
    const dh = take(direct || pooledGradient(p, batch) ? 0 : batch * pixels(p) * p.outC);
    const dp = p.pool ? take(batch * pooledPixels(p) * p.outC) : dh;
    const patches = !winograd(p, batch) && !direct && batch * pixels(p) * taps(p) <= PATCH_FLOATS ? take(batch * pixels(p) * taps(p)) : -1;
    return { z, h, p: pooled, patches, codes: codes ? take(Math.ceil((batch * pooledPixels(p) * p.outC) / 4)) : -1, sliced: zSliced(p, batch), dh, dp, u: take(sizes[l]!.filter) };
  });
  const K = Math.max(...layers.map(taps));
  const most = (f: (s: { filter: number; inputs: number; products: number; transposed: number }) => number) => Math.max(...sizes.map(f));
  return {
    layers: out,
    cols: take(Math.max(...layers.map((p) => Math.max(imagesPerSlice(p, batch) * pixels(p), Math.min(ROWS, batch * pixels(p))) * K))),
    transposed: take(
      Math.max(
        ...layers.map((p) => taps(p) * p.outC),
        most((s) => s.transposed),
      ),
    ),
    inputs: take(most((s) => s.inputs)),
    products: take(most((s) => s.products)),
    filterGrad: take(most((s) => s.filter)),
    list: take(Math.max(0, ...layers.map((p) => (sparseFilterGrad(p, batch) ? 2 * batch * pooledPixels(p) : 0)))),
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

/**
 * Images per slice of a layer that takes im2col's path: its product, activation and pooling run
 * image group by image group, so the pooling (and in the backward pass the pooling's gradient
 * and the filter gradient) read z and dz while they are still in cache: z of the seed's first
 * layer is 2.8 MB per batch, and each pass over it from memory cost ~0.3 ms. 0: the layer's
 * images are too large for that (slices of ROWS pixels, each pass over the whole batch).
 */
function imagesPerSlice(p: ConvLayerPlan, batch: number): number {
  const floats = pixels(p) * Math.max(taps(p), p.outC);
  return floats > SLICE_FLOATS ? 0 : Math.max(1, Math.min(batch, Math.floor(SLICE_FLOATS / floats)));
}

/** The activation and pooling of images n0 .. n0 + count of a block, from its z. */
function activateAndPool(k: SimdKernels, p: ConvLayerPlan, at: LayerScratch, f: At, n0: number, count: number): void {
  const P = pixels(p) * p.outC;
  const Q = pooledPixels(p) * p.outC;
  const z = f(at.z) + (at.sliced ? 0 : 4 * n0 * P);
  if (p.pool && at.codes >= 0) {
    k.maxPoolCodes(z, f(at.h) + 4 * n0 * Q, f(at.codes) + n0 * Q, count, p.outH, p.outW, p.outC, p.pool.outH, p.pool.outW);
    k.activate(p.activation, f(at.h) + 4 * n0 * Q, f(at.p) + 4 * n0 * Q, count * pooledPixels(p), p.outC, p.outC);
    return;
  }
  if (p.pool && poolsFirst(p)) {
    k.pool(0, z, f(at.h) + 4 * n0 * Q, ...poolGeometry(p, p.pool, count));
    k.activate(p.activation, f(at.h) + 4 * n0 * Q, f(at.p) + 4 * n0 * Q, count * pooledPixels(p), p.outC, p.outC);
    return;
  }
  const h = f(at.h) + 4 * n0 * P;
  k.activate(p.activation, z, h, count * pixels(p), p.outC, p.outC);
  if (p.pool) k.pool(p.pool.kind === 'max' ? 0 : 1, h, f(at.p) + 4 * n0 * Q, ...poolGeometry(p, p.pool, count));
}

/** dz of images n0 .. n0 + count of a block, from dp (when it pools first, dp has been through the activation already). */
function poolAndActivationGrad(k: SimdKernels, p: ConvLayerPlan, at: LayerScratch, f: At, n0: number, count: number): void {
  const P = pixels(p) * p.outC;
  const Q = pooledPixels(p) * p.outC;
  const dz = f(at.dh) + 4 * n0 * P;
  const dp = f(at.dp) + 4 * n0 * Q;
  if (p.pool && at.codes >= 0) {
    k.maxPoolGradCodes(f(at.codes) + n0 * Q, dp, dz, count, p.outH, p.outW, p.outC, p.pool.outH, p.pool.outW);
    return;
  }
  if (p.pool && poolsFirst(p)) {
    k.maxPoolGrad(f(at.z) + 4 * n0 * P, dp, dz, ...poolGeometry(p, p.pool, count));
    return;
  }
  if (p.pool?.kind === 'max') k.maxPoolGrad(f(at.h) + 4 * n0 * P, dp, dz, ...poolGeometry(p, p.pool, count));
  else if (p.pool?.kind === 'avg') k.avgPoolGrad(dp, dz, ...poolGeometry(p, p.pool, count));
  k.activationGrad(p.activation, f(at.z) + 4 * n0 * P, f(at.h) + 4 * n0 * P, dz, count * P);
}

/** The front's output for B samples of x (byte address): byte address of [B, OH, OW, C] of the last block. */
export function convFrontForward(k: SimdKernels, layers: readonly ConvLayerPlan[], s: ConvFrontScratch, f: At, B: number, x: number, params: number): number {
  let input = x;
  layers.forEach((p, l) => {
    const at = s.layers[l]!;
    const M = B * pixels(p);
    const K = taps(p);
    const g = geometry(p, B);
    const w = winograd(p, B);
    if (convPooled(p)) {
      const q = p.pool!;
      k.convPoolCodes(input, params + 4 * p.kernelAt, params + 4 * p.biasAt, f(at.h), f(at.codes), B, p.inH, p.inW, p.inC, p.outC, q.outH, q.outW, p.fh, p.fw);
      k.activate(p.activation, f(at.h), f(at.p), B * pooledPixels(p), p.outC, p.outC);
      input = f(at.p);
      return;
    }
    if (w) {
      winograd4Filter(k, w, params + 4 * p.kernelAt, f(at.u));
      winograd4Forward(k, w, input, f(at.u), params + 4 * p.biasAt, f(at.z), { inputs: f(s.inputs), products: f(s.products) });
      activateAndPool(k, p, at, f, 0, B);
      input = f(at.p);
      return;
    }
    const images = imagesPerSlice(p, B);
    const step = images > 0 ? images * pixels(p) : ROWS;
    for (let m0 = 0; m0 < M; m0 += step) {
      const rows = Math.min(step, M - m0);
      const cols = at.patches >= 0 ? f(at.patches) + 4 * m0 * K : f(s.cols);
      k.im2col(input, cols, m0, rows, ...g);
      const z = f(at.z) + (at.sliced ? 0 : 4 * m0 * p.outC);
      k.gemm(rows, p.outC, K, cols, K, 1, params + 4 * p.kernelAt, p.outC, z, p.outC, 0, params + 4 * p.biasAt);
      if (images > 0) activateAndPool(k, p, at, f, m0 / pixels(p), rows / pixels(p));
    }
    if (images === 0) activateAndPool(k, p, at, f, 0, B);
    input = f(at.p);
  });
  return input;
}

/** Byte address where the head writes the gradient with respect to the front's output. */
export function convFrontOutputGradient(layers: readonly ConvLayerPlan[], s: ConvFrontScratch, f: At): number {
  return f(s.layers[layers.length - 1]!.dp);
}

/** The filter gradient by maxPoolFilterGrad (sparseFilterGrad), from the block's pooled gradient and codes. */
function filterGradFromCodes(k: SimdKernels, p: ConvLayerPlan, at: LayerScratch, s: ConvFrontScratch, f: At, B: number, input: number, grad: number): void {
  k.maxPoolFilterGrad(input, f(at.codes), f(at.dp), grad + 4 * p.kernelAt, f(s.list), B, p.inH, p.inW, p.inC, p.outC, p.pool!.outH, p.pool!.outW, p.fh, p.fw);
}

/** Every layer's gradients into `grad` (the flat layout's byte address), from the last block's dp. */
export function convFrontBackward(k: SimdKernels, layers: readonly ConvLayerPlan[], s: ConvFrontScratch, f: At, B: number, x: number, params: number, grad: number): void {
  for (let l = layers.length - 1; l >= 0; l--) {
    const p = layers[l]!;
    const at = s.layers[l]!;
    const M = B * pixels(p);
    const K = taps(p);
    const g = geometry(p, B);
    const dz = f(at.dh);
    if (p.pool && poolsFirst(p)) {
      // Through the activation on the pooled values (then each goes to its window's first maximal z).
      const pooled = B * pooledPixels(p);
      k.activationGrad(p.activation, f(at.h), f(at.p), f(at.dp), pooled * p.outC);
      k.columnSums64(f(at.dp), pooled, p.outC, grad + 4 * p.biasAt);
    }
    const input = l > 0 ? f(s.layers[l - 1]!.p) : x;
    if (convPooled(p)) {
      // A first layer (convPooled): no input gradient.
      k.convPoolFilterGrad(input, f(at.codes), f(at.dp), grad + 4 * p.kernelAt, B, p.inH, p.inW, p.inC, p.outC, p.pool!.outH, p.pool!.outW, p.fh, p.fw);
      continue;
    }
    const sparse = sparseFilterGrad(p, B);
    const w = winograd(p, B);
    const images = w ? 0 : imagesPerSlice(p, B);
    const pooledDy = pooledGradient(p, B);
    if (images === 0 && !pooledDy) poolAndActivationGrad(k, p, at, f, 0, B);
    if (images === 0 && !poolsFirst(p)) k.columnSums64(dz, M, p.outC, grad + 4 * p.biasAt);
    if (w) {
      const buffers = { inputs: f(s.inputs), products: f(s.products) };
      const pooled = pooledDy ? { codes: f(at.codes), PH: p.pool!.outH, PW: p.pool!.outW } : undefined;
      if (l > 0) winograd4InputGrad(k, w, pooled ? f(at.dp) : dz, f(s.layers[l - 1]!.dp), params + 4 * p.kernelAt, f(s.transposed), buffers, pooled);
      if (sparse) {
        filterGradFromCodes(k, p, at, s, f, B, input, grad);
        continue;
      }
      const grads = { filter: grad + 4 * p.kernelAt, filterGrad: f(s.filterGrad), input: 0, u: 0, transposed: 0 };
      winogradBackward(k, w, dz, input, grads, buffers);
      continue;
    }
    const step = images > 0 ? images * pixels(p) : ROWS;
    for (let m0 = 0; m0 < M; m0 += step) {
      const rows = Math.min(step, M - m0);
      if (images > 0) poolAndActivationGrad(k, p, at, f, m0 / pixels(p), rows / pixels(p));
      if (sparse) continue;
      let cols = f(at.patches) + 4 * m0 * K;
      if (at.patches < 0) k.im2col(input, (cols = f(s.cols)), m0, rows, ...g);
      k.gemm(K, p.outC, rows, cols, 1, K, dz + 4 * m0 * p.outC, p.outC, grad + 4 * p.kernelAt, p.outC, m0 > 0 ? 1 : 0, 0);
    }
    if (sparse) filterGradFromCodes(k, p, at, s, f, B, input, grad);
    if (images > 0 && !poolsFirst(p)) k.columnSums64(dz, M, p.outC, grad + 4 * p.biasAt);
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
