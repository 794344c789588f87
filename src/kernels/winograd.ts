/**
 * 3×3, stride-1 convolutions by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2015): each 2×2 block of outputs costs 16
 * multiplications per channel pair instead of 36. The transforms are in wasm/winograd.ts; the
 * products are 16 SIMD GEMMs per block of 64 tiles, one per plane of the transformed 4×4 tile, with
 * K = input channels (forward), tiles (filter gradient) or output channels (input gradient). For
 * the seed CNN's second layer (32 → 64 channels, 11×11 outputs) that is 1.9× fewer multiply-adds
 * than im2col's product, forward and in both gradients, at ~1e-6 relative difference (float32).
 *
 * Taken for NHWC float32, input and output channels in fours, any padding; byte offsets into the
 * wasm heap throughout, as the other SIMD kernels.
 */
import type { SimdKernels } from './simd.js';

/** Per call: N images of H × W × C in, OH × OW × CO out, with the padding above and to the left. */
export interface WinogradShape {
  N: number;
  H: number;
  W: number;
  C: number;
  OH: number;
  OW: number;
  CO: number;
  padTop: number;
  padLeft: number;
}

/** Tiles per block: a block's transformed inputs and products stay in L2 while its 16 GEMMs run. */
const NB = 64;

/**
 * Floats per tile of a block's transformed inputs or products: stored tile by tile, 16 planes of
 * `channels` and 16 floats of padding (wasm/winograd.ts says why), so plane p is a matrix from float
 * p·channels with this row stride.
 */
const row = (channels: number): number => 16 * channels + 16;

/** Whether a convolution's geometry is one this path computes. */
export function winogradApplies(g: { fh: number; fw: number; sh: number; sw: number; dh: number; dw: number; inC: number; outC: number }): boolean {
  return g.fh === 3 && g.fw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.inC % 4 === 0 && g.outC % 4 === 0;
}

/** The output tiles of side `m` (F(m×m, 3×3)): per image TH × TW, T in all. */
function tiles(s: WinogradShape, m: 2 | 4 = 2): { TH: number; TW: number; T: number } {
  const TH = Math.ceil(s.OH / m);
  const TW = Math.ceil(s.OW / m);
  return { TH, TW, T: s.N * TH * TW };
}

/** Floats of each buffer the passes use: transformed filter (and its transpose), a block's inputs and products. */
export function winogradScratch(s: WinogradShape): { filter: number; inputs: number; products: number } {
  return { filter: 16 * s.C * s.CO, inputs: NB * row(s.C), products: NB * row(s.CO) };
}

/** U = G g Gᵀ (16 planes [C, CO]) from the filter [3, 3, C, CO]; the forward pass and the input gradient read it. */
export function winogradFilter(k: SimdKernels, s: WinogradShape, w: number, u: number): void {
  k.winogradFilter(w, s.C, s.CO, u);
}

/** y [N, OH, OW, CO] = conv(x, w) + bias (bias 0: none), with U from winogradFilter. */
export function winogradForward(k: SimdKernels, s: WinogradShape, x: number, u: number, bias: number, y: number, buffers: { inputs: number; products: number }): void {
  const { TH, TW, T } = tiles(s);
  const { C, CO } = s;
  const { inputs: v, products: m } = buffers;
  for (let t0 = 0; t0 < T; t0 += NB) {
    const n = Math.min(NB, T - t0);
    k.winogradInput(x, v, t0, n, s.H, s.W, C, TH, TW, s.padTop, s.padLeft);
    for (let p = 0; p < 16; p++) k.gemm(n, CO, C, v + 4 * p * C, row(C), 1, u + 4 * p * C * CO, CO, m + 4 * p * CO, row(CO), 0, 0);
    k.winogradOutput(m, y, bias, t0, n, s.OH, s.OW, CO, TH, TW);
  }
}

export interface WinogradGradients {
  /** dw [3, 3, C, CO] (0: not wanted), using `filterGrad` (16·C·CO floats) as the accumulator. */
  filter: number;
  filterGrad: number;
  /** dx [N, H, W, C] (0: not wanted), using U from winogradFilter and `transposed` (16·CO·C floats). */
  input: number;
  u: number;
  transposed: number;
}

/**
 * The filter and/or input gradient from dy [N, OH, OW, CO] and x. `buffers.inputs` holds a block's
 * transformed inputs (and then their gradients), `buffers.products` its transformed dy.
 */
export function winogradBackward(k: SimdKernels, s: WinogradShape, dy: number, x: number, g: WinogradGradients, buffers: { inputs: number; products: number }): void {
  const { TH, TW, T } = tiles(s);
  const { C, CO } = s;
  const { inputs: v, products: dm } = buffers;
  if (g.input !== 0) for (let p = 0; p < 16; p++) k.transpose(g.u + 4 * p * C * CO, C, CO, g.transposed + 4 * p * CO * C, C);
  for (let t0 = 0; t0 < T; t0 += NB) {
    const n = Math.min(NB, T - t0);
    k.winogradOutputGrad(dy, dm, t0, n, s.OH, s.OW, CO, TH, TW);
    if (g.filter !== 0) {
      k.winogradInput(x, v, t0, n, s.H, s.W, C, TH, TW, s.padTop, s.padLeft);
      for (let p = 0; p < 16; p++) k.gemm(C, CO, n, v + 4 * p * C, 1, row(C), dm + 4 * p * CO, row(CO), g.filterGrad + 4 * p * C * CO, CO, t0 > 0 ? 1 : 0, 0);
    }
    if (g.input !== 0) {
      for (let p = 0; p < 16; p++) k.gemm(n, C, CO, dm + 4 * p * CO, row(CO), 1, g.transposed + 4 * p * CO * C, C, v + 4 * p * C, row(C), 0, 0);
      k.winogradInputGrad(v, g.input, t0 === 0 ? 1 : 0, s.N, t0, n, s.H, s.W, C, TH, TW, s.padTop, s.padLeft);
    }
  }
  if (g.filter !== 0) k.winogradFilterGrad(g.filterGrad, C, CO, g.filter);
}

/**
 * F(4×4, 3×3) for the forward pass (wasm/winograd4.ts): each 4×4 block of outputs costs 36
 * multiplications per channel pair (F(2×2, 3×3): 64), so its 36 GEMMs per block do 1.8× fewer
 * multiply-adds on the seed CNN's second layer, whose 11×11 outputs both tilings cover with 12×12.
 * The input gradient takes it too (the same 1.8×). Its transforms scale by up to 10 per
 * dimension, so its results are further from exact sums than F(2×2, 3×3)'s: per output that stays
 * ~1e-6 relative, but the filter gradient sums over every tile of the batch, and there it came out
 * 8.6e-6 from exact (relative to the largest) against 1.0e-6 on the seed's second layer, so the
 * filter gradient stays on F(2×2, 3×3).
 */
const NB4 = 36;

const row4 = (channels: number): number => 36 * channels + 16;

/** Floats of each buffer winograd4Forward uses: transformed filter, a block's inputs and products. */
export function winograd4Scratch(s: WinogradShape): { filter: number; inputs: number; products: number } {
  return { filter: 36 * (s.C * s.CO + 16), inputs: NB4 * row4(s.C), products: NB4 * row4(s.CO) };
}

/** U = G g Gᵀ (36 planes [C, CO], C·CO + 16 floats apart) from the filter [3, 3, C, CO]. */
export function winograd4Filter(k: SimdKernels, s: WinogradShape, w: number, u: number): void {
  k.winograd4Filter(w, s.C, s.CO, u);
}

/** y [N, OH, OW, CO] = conv(x, w) + bias (bias 0: none), with U from winograd4Filter. */
export function winograd4Forward(k: SimdKernels, s: WinogradShape, x: number, u: number, bias: number, y: number, buffers: { inputs: number; products: number }): void {
  const { TH, TW, T } = tiles(s, 4);
  const { C, CO } = s;
  const { inputs: v, products: m } = buffers;
  for (let t0 = 0; t0 < T; t0 += NB4) {
    const n = Math.min(NB4, T - t0);
    k.winograd4Input(x, v, t0, n, s.H, s.W, C, TH, TW, s.padTop, s.padLeft);
    for (let p = 0; p < 36; p++) k.gemm(n, CO, C, v + 4 * p * C, row4(C), 1, u + 4 * p * (C * CO + 16), CO, m + 4 * p * CO, row4(CO), 0, 0);
    k.winograd4Output(m, y, bias, t0, n, s.OH, s.OW, CO, TH, TW);
  }
}

/** Floats of winograd4InputGrad's `transposed`: Uᵀ's 36 padded planes, then the filter with each tap transposed. */
export function winograd4TransposedScratch(s: WinogradShape): number {
  return 36 * (s.C * s.CO + 16) + 9 * s.C * s.CO;
}

/**
 * The input gradient dx [N, H, W, C] from dy [N, OH, OW, CO] and the filter w [3, 3, C, CO] by
 * F(4×4, 3×3), with `transposed` of winograd4TransposedScratch(s) floats (the filter gradient:
 * winogradBackward). With `pooled`, dy is instead the gradient of the 2×2 max pooling after the
 * convolution [N, PH, PW, CO] (PH = ⌊OH / 2⌋, PW = ⌊OW / 2⌋), spread to the convolution's outputs
 * by maxPoolCodes' codes tile by tile (each 4×4 tile is four whole windows): no dz. The products
 * need Uᵀ: it is the transform of the filter with each tap's
 * [C, CO] transposed, 9 transposes instead of U's 36 planes.
 */
export function winograd4InputGrad(
  k: SimdKernels,
  s: WinogradShape,
  dy: number,
  dx: number,
  w: number,
  transposed: number,
  buffers: { inputs: number; products: number },
  pooled?: { codes: number; PH: number; PW: number },
): void {
  const { TH, TW, T } = tiles(s, 4);
  const { C, CO } = s;
  const { inputs: dv, products: dm } = buffers;
  const taps = transposed + 4 * 36 * (C * CO + 16);
  for (let t = 0; t < 9; t++) k.transpose(w + 4 * t * C * CO, C, CO, taps + 4 * t * CO * C, C);
  k.winograd4Filter(taps, CO, C, transposed);
  for (let t0 = 0; t0 < T; t0 += NB4) {
    const n = Math.min(NB4, T - t0);
    if (pooled) k.winograd4OutputGradPool(dy, pooled.codes, dm, t0, n, s.OH, s.OW, CO, TH, TW, pooled.PH, pooled.PW);
    else k.winograd4OutputGrad(dy, dm, t0, n, s.OH, s.OW, CO, TH, TW);
    for (let p = 0; p < 36; p++) k.gemm(n, C, CO, dm + 4 * p * CO, row4(CO), 1, transposed + 4 * p * (CO * C + 16), C, dv + 4 * p * C, row4(C), 0, 0);
    k.winograd4InputGrad(dv, dx, t0 === 0 ? 1 : 0, s.N, t0, n, s.H, s.W, C, TH, TW, s.padTop, s.padLeft);
  }
}
