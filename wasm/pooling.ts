// AssemblyScript: pooling and its gradients, NHWC (see kernels.ts).

import { fma, splat, zeroBytes } from './common';

// ---------------------------------------------------------------------------------------------
// Max-pooling gradient, NHWC, C a multiple of 4: dx (zeroed here) gets each window's dy at the
// window's first maximal input (row-major scan), per channel, four channels at a time.

/**
 * The 2×2, stride-2, unpadded case: windows do not overlap, so each covered input is written once
 * (its window's gradient or 0) in one pass, without zeroing dx first; only a last odd row or
 * column, which no window covers, is zeroed.
 */
function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, N: i32, H: i32, W: i32, OH: i32, OW: i32, rowBytes: usize, pixBytes: usize): void {
  const zero = splat(0);
  let o = dy;
  for (let n = 0; n < N; n++) {
    const image = (<usize>(n * H)) * rowBytes;
    for (let oh = 0; oh < OH; oh++) {
      const top = image + (<usize>(2 * oh)) * rowBytes;
      for (let ow = 0; ow < OW; ow++) {
        const p00 = top + (<usize>(2 * ow)) * pixBytes;
        const p01 = p00 + pixBytes;
        const p10 = p00 + rowBytes;
        const p11 = p10 + pixBytes;
        for (let c: usize = 0; c < pixBytes; c += 16) {
          const x00 = v128.load(x + p00 + c);
          const x01 = v128.load(x + p01 + c);
          const x10 = v128.load(x + p10 + c);
          const x11 = v128.load(x + p11 + c);
          const m = f32x4.max(f32x4.max(x00, x01), f32x4.max(x10, x11));
          const g = v128.load(o + c);
          // The first maximal input in row-major order takes the gradient.
          const h00 = f32x4.eq(x00, m);
          const h01 = v128.andnot(f32x4.eq(x01, m), h00);
          let found = v128.or(h00, h01);
          const h10 = v128.andnot(f32x4.eq(x10, m), found);
          found = v128.or(found, h10);
          const h11 = v128.andnot(f32x4.eq(x11, m), found);
          v128.store(dx + p00 + c, v128.and(g, h00));
          v128.store(dx + p01 + c, v128.and(g, h01));
          v128.store(dx + p10 + c, v128.and(g, h10));
          v128.store(dx + p11 + c, v128.and(g, h11));
        }
        o += pixBytes;
      }
      if (W & 1) {
        const last = top + (<usize>(W - 1)) * pixBytes;
        for (let c: usize = 0; c < pixBytes; c += 16) {
          v128.store(dx + last + c, zero);
          v128.store(dx + last + rowBytes + c, zero);
        }
      }
    }
    if (H & 1) {
      const last = image + (<usize>(H - 1)) * rowBytes;
      for (let c: usize = 0; c < rowBytes; c += 16) v128.store(dx + last + c, zero);
    }
  }
}

export function maxPoolGrad(
  x: usize, dy: usize, dx: usize,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): void {
  const rowBytes = (<usize>(W * C)) << 2;
  const pixBytes = (<usize>C) << 2;
  if (fh == 2 && fw == 2 && sh == 2 && sw == 2 && padTop == 0 && padLeft == 0 && OH == H >> 1 && OW == W >> 1) {
    maxPoolGrad2x2(x, dy, dx, N, H, W, OH, OW, rowBytes, pixBytes);
    return;
  }
  const total = N * H * W * C;
  for (let i = 0; i < total; i += 4) v128.store(dx + ((<usize>i) << 2), splat(0));
  let o = dy;
  for (let n = 0; n < N; n++) {
    const image = (<usize>(n * H)) * rowBytes;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - padTop;
      const hLo = max(0, h0);
      const hHi = min(H, h0 + fh);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - padLeft;
        const wLo = max(0, w0);
        const wHi = min(W, w0 + fw);
        if (hHi <= hLo || wHi <= wLo) {
          o += pixBytes;
          continue;
        }
        const corner = image + (<usize>hLo) * rowBytes + (<usize>wLo) * pixBytes;
        for (let c: usize = 0; c < pixBytes; c += 16) {
          const at = corner + c;
          let m = v128.load(x + at);
          for (let ih = hLo; ih < hHi; ih++) {
            for (let iw = wLo; iw < wHi; iw++) {
              m = f32x4.max(m, v128.load(x + at + (<usize>(ih - hLo)) * rowBytes + (<usize>(iw - wLo)) * pixBytes));
            }
          }
          const g = v128.load(o + c);
          let found = i32x4.splat(0);
          for (let ih = hLo; ih < hHi; ih++) {
            for (let iw = wLo; iw < wHi; iw++) {
              const p = at + (<usize>(ih - hLo)) * rowBytes + (<usize>(iw - wLo)) * pixBytes;
              const hit = v128.andnot(f32x4.eq(v128.load(x + p), m), found);
              found = v128.or(found, hit);
              v128.store(dx + p, f32x4.add(v128.load(dx + p), v128.and(g, hit)));
            }
          }
        }
        o += pixBytes;
      }
    }
  }
}

/** pool() for 2×2 windows, stride 2, no padding (the seed CNN's): four loads per output, no bounds. */
function pool2x2(kind: i32, x: usize, y: usize, N: i32, H: i32, OH: i32, OW: i32, rowBytes: usize, pixBytes: usize): void {
  const quarter = splat(0.25);
  let o = y;
  for (let n = 0; n < N; n++) {
    const image = x + (<usize>(n * H)) * rowBytes;
    for (let oh = 0; oh < OH; oh++) {
      const top = image + (<usize>(2 * oh)) * rowBytes;
      for (let ow = 0; ow < OW; ow++) {
        const p00 = top + (<usize>(2 * ow)) * pixBytes;
        const p10 = p00 + rowBytes;
        for (let c: usize = 0; c < pixBytes; c += 16) {
          const a = v128.load(p00 + c), b = v128.load(p00 + pixBytes + c), d = v128.load(p10 + c), e = v128.load(p10 + pixBytes + c);
          v128.store(o + c, kind == 0 ? f32x4.max(f32x4.max(a, b), f32x4.max(d, e)) : f32x4.mul(quarter, f32x4.add(f32x4.add(a, b), f32x4.add(d, e))));
        }
        o += pixBytes;
      }
    }
  }
}

/**
 * Pooling forward, NHWC, C a multiple of 4: max (kind 0) or mean (kind 1) over each window's
 * in-bounds inputs (padding never counts, as in TensorFlow.js); a window with none gives 0.
 */
export function pool(
  kind: i32, x: usize, y: usize,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): void {
  const rowBytes = (<usize>(W * C)) << 2;
  const pixBytes = (<usize>C) << 2;
  if (fh == 2 && fw == 2 && sh == 2 && sw == 2 && padTop == 0 && padLeft == 0 && OH == H >> 1 && OW == W >> 1) {
    pool2x2(kind, x, y, N, H, OH, OW, rowBytes, pixBytes);
    return;
  }
  let o = y;
  for (let n = 0; n < N; n++) {
    const image = (<usize>(n * H)) * rowBytes;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - padTop;
      const hLo = max(0, h0);
      const hHi = min(H, h0 + fh);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - padLeft;
        const wLo = max(0, w0);
        const wHi = min(W, w0 + fw);
        const count = (hHi - hLo) * (wHi - wLo);
        const corner = image + (<usize>max(0, hLo)) * rowBytes + (<usize>max(0, wLo)) * pixBytes;
        const share = splat(count > 0 ? <f32>1 / <f32>count : 0);
        for (let c: usize = 0; c < pixBytes; c += 16) {
          let acc = kind == 0 && count > 0 ? v128.load(x + corner + c) : splat(0);
          for (let ih = hLo; ih < hHi; ih++) {
            for (let iw = wLo; iw < wHi; iw++) {
              const v = v128.load(x + corner + c + (<usize>(ih - hLo)) * rowBytes + (<usize>(iw - wLo)) * pixBytes);
              acc = kind == 0 ? f32x4.max(acc, v) : f32x4.add(acc, v);
            }
          }
          v128.store(o + c, kind == 0 ? acc : f32x4.mul(acc, share));
        }
        o += pixBytes;
      }
    }
  }
}

/** Average pooling's gradient, NHWC, C a multiple of 4: dx (zeroed here) gets each window's dy shared among its in-bounds inputs. */
export function avgPoolGrad(
  dy: usize, dx: usize,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): void {
  const rowBytes = (<usize>(W * C)) << 2;
  const pixBytes = (<usize>C) << 2;
  zeroBytes(dx, (<usize>(N * H)) * rowBytes);
  let o = dy;
  for (let n = 0; n < N; n++) {
    const image = (<usize>(n * H)) * rowBytes;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - padTop;
      const hLo = max(0, h0);
      const hHi = min(H, h0 + fh);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - padLeft;
        const wLo = max(0, w0);
        const wHi = min(W, w0 + fw);
        const count = (hHi - hLo) * (wHi - wLo);
        if (count > 0) {
          const corner = image + (<usize>hLo) * rowBytes + (<usize>wLo) * pixBytes;
          const share = splat(<f32>1 / <f32>count);
          for (let c: usize = 0; c < pixBytes; c += 16) {
            const g = f32x4.mul(v128.load(o + c), share);
            for (let ih = hLo; ih < hHi; ih++) {
              for (let iw = wLo; iw < wHi; iw++) {
                const p = dx + corner + c + (<usize>(ih - hLo)) * rowBytes + (<usize>(iw - wLo)) * pixBytes;
                v128.store(p, f32x4.add(v128.load(p), g));
              }
            }
          }
        }
        o += pixBytes;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2×2, stride-2, unpadded max pooling that also records where each maximum was: one byte per
// output and channel, 0..3 for the window's first maximal input in row-major order (as
// maxPoolGrad finds it). Its gradient then needs those bytes, a sixteenth of the input's size,
// instead of the input: the seed CNN's first layer need not keep its 2.8 MB pre-activations.

/** y = each window's maximum and codes = its position, NHWC, C a multiple of 4, OH = H/2 and OW = W/2 rounded down. */
export function maxPoolCodes(x: usize, y: usize, codes: usize, N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32): void {
  const rowBytes = (<usize>(W * C)) << 2;
  const pixBytes = (<usize>C) << 2;
  let o = y;
  let q = codes;
  for (let n = 0; n < N; n++) {
    const image = x + (<usize>(n * H)) * rowBytes;
    for (let oh = 0; oh < OH; oh++) {
      const top = image + (<usize>(2 * oh)) * rowBytes;
      for (let ow = 0; ow < OW; ow++) {
        const p00 = top + (<usize>(2 * ow)) * pixBytes;
        const p10 = p00 + rowBytes;
        for (let c: usize = 0; c < pixBytes; c += 16) {
          const x00 = v128.load(p00 + c), x01 = v128.load(p00 + pixBytes + c);
          const x10 = v128.load(p10 + c), x11 = v128.load(p10 + pixBytes + c);
          const m = f32x4.max(f32x4.max(x00, x01), f32x4.max(x10, x11));
          v128.store(o + c, m);
          // The first maximal position: 3, unless an earlier one matches (checked last to first).
          let code = i32x4.splat(3);
          code = v128.bitselect(i32x4.splat(2), code, f32x4.eq(x10, m));
          code = v128.bitselect(i32x4.splat(1), code, f32x4.eq(x01, m));
          code = v128.bitselect(i32x4.splat(0), code, f32x4.eq(x00, m));
          const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(code, code), code);
          store<i32>(q + (c >> 2), i32x4.extract_lane(bytes, 0));
        }
        o += pixBytes;
        q += pixBytes >> 2;
      }
    }
  }
}

/** maxPoolGrad for maxPoolCodes' pooling, from its codes: dx gets each dy at its window's recorded position, 0 elsewhere. */
export function maxPoolGradCodes(codes: usize, dy: usize, dx: usize, N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32): void {
  const rowBytes = (<usize>(W * C)) << 2;
  const pixBytes = (<usize>C) << 2;
  const zero = splat(0);
  let o = dy;
  let q = codes;
  for (let n = 0; n < N; n++) {
    const image = dx + (<usize>(n * H)) * rowBytes;
    for (let oh = 0; oh < OH; oh++) {
      const top = image + (<usize>(2 * oh)) * rowBytes;
      for (let ow = 0; ow < OW; ow++) {
        const p00 = top + (<usize>(2 * ow)) * pixBytes;
        const p10 = p00 + rowBytes;
        for (let c: usize = 0; c < pixBytes; c += 16) {
          const code = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(q + (c >> 2))));
          const g = v128.load(o + c);
          v128.store(p00 + c, v128.and(g, i32x4.eq(code, i32x4.splat(0))));
          v128.store(p00 + pixBytes + c, v128.and(g, i32x4.eq(code, i32x4.splat(1))));
          v128.store(p10 + c, v128.and(g, i32x4.eq(code, i32x4.splat(2))));
          v128.store(p10 + pixBytes + c, v128.and(g, i32x4.eq(code, i32x4.splat(3))));
        }
        o += pixBytes;
        q += pixBytes >> 2;
      }
      if (W & 1) {
        const last = top + (<usize>(W - 1)) * pixBytes;
        for (let c: usize = 0; c < pixBytes; c += 16) {
          v128.store(last + c, zero);
          v128.store(last + rowBytes + c, zero);
        }
      }
    }
    if (H & 1) {
      const last = image + (<usize>(H - 1)) * rowBytes;
      for (let c: usize = 0; c < rowBytes; c += 16) v128.store(last + c, zero);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The filter gradient of a convolution followed by maxPoolCodes' pooling, from the pooled
// gradient: only the one input of each window and channel that won gets a gradient, so
//   dw[kh, kw, ci, co] = Σ over windows of dp[window, co] · x[winner(window, co) + (kh, kw), ci]
// a quarter of the terms of the dense sum (fewer still where relu stopped the gradient: those
// windows are skipped). For 'valid', stride-1, undilated convolutions (every tap of every output
// is inside x) with C a multiple of 32.


/**
 * dw [fh, fw, C, CO] from x [N, H, W, C], codes and dp [N, PH, PW, CO] (the pooled gradient after
 * the activation's), for conv outputs [N, H − fh + 1, W − fw + 1, CO]. `list` is scratch of
 * 2·N·PH·PW words: per output channel, each window's winning input's offset and its gradient.
 */
export function maxPoolFilterGrad(x: usize, codes: usize, dp: usize, dw: usize, list: usize, N: i32, H: i32, W: i32, C: i32, CO: i32, PH: i32, PW: i32, fh: i32, fw: i32): void {
  const pix = (<usize>C) << 2;
  for (let co = 0; co < CO; co++) {
    // The windows this channel's gradient reaches: the winner's byte offset in x, and dp.
    // Window by window in order (nested loops: no divisions).
    let count = 0;
    let w = 0;
    for (let n = 0; n < N; n++) {
      for (let ph = 0; ph < PH; ph++) {
        for (let pw = 0; pw < PW; pw++, w++) {
          const g = load<f32>(dp + ((<usize>(w * CO + co)) << 2));
          if (g == 0) continue;
          const code = <i32>load<u8>(codes + <usize>(w * CO + co));
          const ih = 2 * ph + (code >> 1);
          const iw = 2 * pw + (code & 1);
          const at = list + ((<usize>count) << 3);
          store<u32>(at, <u32>((<usize>((n * H + ih) * W + iw)) * pix));
          store<f32>(at, g, 4);
          count++;
        }
      }
    }
    for (let tap = 0; tap < fh * fw; tap++) {
      const shift = (<usize>((tap / fw) * W + (tap % fw))) * pix;
      for (let c0: usize = 0; c0 < pix; c0 += 128) {
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
        const base = x + shift + c0;
        for (let e = 0; e < count; e++) {
          const at = list + ((<usize>e) << 3);
          const p = base + <usize>load<u32>(at);
          const g = v128.load32_splat(at + 4);
          a0 = fma(a0, g, v128.load(p));
          a1 = fma(a1, g, v128.load(p, 16));
          a2 = fma(a2, g, v128.load(p, 32));
          a3 = fma(a3, g, v128.load(p, 48));
          a4 = fma(a4, g, v128.load(p, 64));
          a5 = fma(a5, g, v128.load(p, 80));
          a6 = fma(a6, g, v128.load(p, 96));
          a7 = fma(a7, g, v128.load(p, 112));
        }
        // dw[tap, ci, co] for the 32 input channels from c0: CO floats apart.
        const out = dw + (((<usize>tap) * (<usize>C) + (c0 >> 2)) * (<usize>CO) + (<usize>co)) * 4;
        const step = (<usize>CO) << 2;
        storeLanes(out, step, a0);
        storeLanes(out + 4 * step, step, a1);
        storeLanes(out + 8 * step, step, a2);
        storeLanes(out + 12 * step, step, a3);
        storeLanes(out + 16 * step, step, a4);
        storeLanes(out + 20 * step, step, a5);
        storeLanes(out + 24 * step, step, a6);
        storeLanes(out + 28 * step, step, a7);
      }
    }
  }
}

@inline function storeLanes(p: usize, step: usize, v: v128): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  store<f32>(p + step, f32x4.extract_lane(v, 1));
  store<f32>(p + 2 * step, f32x4.extract_lane(v, 2));
  store<f32>(p + 3 * step, f32x4.extract_lane(v, 3));
}
