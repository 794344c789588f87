/**
 * Geometry of a 2-D NHWC convolution, and the two data movements that turn convolution gradients
 * into matrix products: im2col (gather input patches) and col2im (scatter-add patches back).
 * Pure functions over Float32Arrays, so they are tested without any backend.
 */
import { backend_util } from '@tensorflow/tfjs';

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

type Pad = Parameters<typeof backend_util.computeConv2DInfo>[4];

/**
 * The geometry tfjs itself computes for these arguments (same rounding, 'same'/'valid'/explicit
 * padding). Only channelsLast (NHWC) is supported, like the wasm backend's own Conv2D.
 */
export function convGeometry(
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: Pad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: 'NHWC' | 'NCHW' | undefined,
  kernelName: string,
): ConvGeometry {
  if (dataFormat === 'NCHW') {
    throw new Error(`${kernelName} (layerbench wasm kernel): dataFormat 'NCHW' is not supported; use 'NHWC'`);
  }
  const info = backend_util.computeConv2DInfo(inShape, filterShape, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** First output index o in [0, outSize) with 0 <= o*stride + offset, and one past the last with < inSize. */
function validRange(offset: number, stride: number, inSize: number, outSize: number): [number, number] {
  const lo = Math.max(0, Math.ceil(-offset / stride));
  const hi = Math.min(outSize, Math.floor((inSize - 1 - offset) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Transposed im2col: cols is a [K, M] row-major matrix with K = fh·fw·ci (in filter order) and
 * M = N·OH·OW (in output order); cols[k, m] is the input value that filter tap k meets at output
 * pixel m, or 0 where that tap falls into the padding. Then dW[K, co] = cols · dy[M, co].
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
  const { batch, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const M = batch * OH * OW;
  const rowStrideX = W * C;
  const stepX = g.strideWidth * C;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const ihOff = kh * g.dilationHeight - g.padTop;
    const [ohLo, ohHi] = validRange(ihOff, g.strideHeight, H, OH);
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const iwOff = kw * g.dilationWidth - g.padLeft;
      const [owLo, owHi] = validRange(iwOff, g.strideWidth, W, OW);
      for (let c = 0; c < C; c++) {
        let p = ((kh * g.filterWidth + kw) * C + c) * M;
        for (let n = 0; n < batch; n++) {
          const xBatch = n * H * rowStrideX + c;
          for (let oh = 0; oh < OH; oh++) {
            if (oh < ohLo || oh >= ohHi) {
              cols.fill(0, p, p + OW);
              p += OW;
              continue;
            }
            const ih = oh * g.strideHeight + ihOff;
            const rowBase = xBatch + ih * rowStrideX + iwOff * C;
            for (let ow = 0; ow < owLo; ow++) cols[p + ow] = 0;
            let src = rowBase + owLo * stepX;
            for (let ow = owLo; ow < owHi; ow++, src += stepX) cols[p + ow] = x[src];
            for (let ow = owHi; ow < OW; ow++) cols[p + ow] = 0;
            p += OW;
          }
        }
      }
    }
  }
}

/**
 * col2im: dx (NHWC, zeroed here) receives the sum over output pixels m and filter taps k of
 * cols[m, k], where cols is [M, K] = dy[M, co] · W^T[co, K]. This is the input gradient.
 */
export function col2im(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { batch, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const K = g.filterHeight * g.filterWidth * C;
  dx.fill(0);
  let src = 0;
  for (let n = 0; n < batch; n++) {
    const dxBatch = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, src += K) {
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
          if (ih < 0 || ih >= H) continue;
          const dxRow = dxBatch + ih * W * C;
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const iw = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (iw < 0 || iw >= W) continue;
            const d = dxRow + iw * C;
            const s = src + (kh * g.filterWidth + kw) * C;
            for (let c = 0; c < C; c++) dx[d + c] += cols[s + c];
          }
        }
      }
    }
  }
}
