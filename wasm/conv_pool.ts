// AssemblyScript: a first convolution fused with the 2×2 max pooling after it (see kernels.ts and
// src/kernels/conv_front.ts).

import { fma } from './common';

// ---------------------------------------------------------------------------------------------
// A 'valid', stride-1, undilated fh×fw convolution with few input channels (a network's first
// layer: C < 4, so neither Winograd nor a product with K = fh·fw·C worth its register tiles),
// followed by 2×2 stride-2 unpadded max pooling, computed window by window: each pooled value's
// four convolution outputs are summed in registers (the bias, then the taps in im2col's order
// (kh, kw, ci), one fused multiply-add each: bit for bit what im2col, gemm and maxPoolCodes make)
// and only the maximum and its position are stored. No patch matrix, no z: on the seed CNN's first
// layer (28×28×1 → 26×26×32 → 13×13×32) the three passes those took cost ~1 ms per batch of 32.
// Its filter gradient comes from the same codes and the pooled gradient: each window's gradient
// goes to its winning output only, so the four outputs' terms are masked by the code and summed
// straight from x, with no dz and no patches.

/** The code of each lane's first maximal position among x00, x01, x10, x11 (maxPoolCodes' rule). */
@inline function codesOf(m: v128, x00: v128, x01: v128, x10: v128): v128 {
  let code = i32x4.splat(3);
  code = v128.bitselect(i32x4.splat(2), code, f32x4.eq(x10, m));
  code = v128.bitselect(i32x4.splat(1), code, f32x4.eq(x01, m));
  return v128.bitselect(i32x4.splat(0), code, f32x4.eq(x00, m));
}

@inline function max4(a: v128, b: v128, c: v128, d: v128): v128 {
  return f32x4.max(f32x4.max(a, b), f32x4.max(c, d));
}

/**
 * y [N, PH, PW, CO] = 2×2 max pooling of (conv(x, w) + bias), and codes [N, PH, PW, CO] (a byte
 * each: 0..3, the first maximal position in the window, row by row), for x [N, H, W, C], w [fh,
 * fw, C, CO] (CO a multiple of 4) and PH ≤ (H − fh + 1) / 2, PW ≤ (W − fw + 1) / 2.
 */
export function convPoolCodes(x: usize, w: usize, bias: usize, y: usize, codes: usize, N: i32, H: i32, W: i32, C: i32, CO: i32, PH: i32, PW: i32, fh: i32, fw: i32): void {
  const pix = (<usize>C) << 2;
  const rowBytes = (<usize>W) * pix;
  const coBytes = (<usize>CO) << 2;
  let o = y;
  let q = codes;
  for (let n = 0; n < N; n++) {
    for (let ph = 0; ph < PH; ph++) {
      for (let pw = 0; pw < PW; pw++) {
        const p00 = x + (<usize>(n * H + 2 * ph)) * rowBytes + (<usize>(2 * pw)) * pix;
        let co = 0;
        // Eight channels at a time: two vectors for each of the window's four outputs.
        for (; co + 8 <= CO; co += 8) {
          const b = bias + ((<usize>co) << 2);
          let z00 = v128.load(b), z01 = z00, z10 = z00, z11 = z00;
          let u00 = v128.load(b, 16), u01 = u00, u10 = u00, u11 = u00;
          let pw_ = w + ((<usize>co) << 2);
          for (let kh = 0; kh < fh; kh++) {
            for (let kw = 0; kw < fw; kw++) {
              let a = p00 + (<usize>kh) * rowBytes + (<usize>kw) * pix;
              for (let ci = 0; ci < C; ci++) {
                const w0 = v128.load(pw_), w1 = v128.load(pw_, 16);
                const x00 = v128.load32_splat(a), x01 = v128.load32_splat(a + pix);
                const x10 = v128.load32_splat(a + rowBytes), x11 = v128.load32_splat(a + rowBytes + pix);
                z00 = fma(z00, x00, w0);
                u00 = fma(u00, x00, w1);
                z01 = fma(z01, x01, w0);
                u01 = fma(u01, x01, w1);
                z10 = fma(z10, x10, w0);
                u10 = fma(u10, x10, w1);
                z11 = fma(z11, x11, w0);
                u11 = fma(u11, x11, w1);
                a += 4;
                pw_ += coBytes;
              }
            }
          }
          const m = max4(z00, z01, z10, z11), mu = max4(u00, u01, u10, u11);
          v128.store(o + ((<usize>co) << 2), m);
          v128.store(o + ((<usize>co) << 2), mu, 16);
          const c16 = i16x8.narrow_i32x4_u(codesOf(m, z00, z01, z10), codesOf(mu, u00, u01, u10));
          v128.store64_lane(q + <usize>co, i8x16.narrow_i16x8_u(c16, c16), 0);
        }
        for (; co < CO; co += 4) {
          let z00 = v128.load(bias + ((<usize>co) << 2)), z01 = z00, z10 = z00, z11 = z00;
          let pw_ = w + ((<usize>co) << 2);
          for (let kh = 0; kh < fh; kh++) {
            for (let kw = 0; kw < fw; kw++) {
              let a = p00 + (<usize>kh) * rowBytes + (<usize>kw) * pix;
              for (let ci = 0; ci < C; ci++) {
                const w0 = v128.load(pw_);
                z00 = fma(z00, v128.load32_splat(a), w0);
                z01 = fma(z01, v128.load32_splat(a + pix), w0);
                z10 = fma(z10, v128.load32_splat(a + rowBytes), w0);
                z11 = fma(z11, v128.load32_splat(a + rowBytes + pix), w0);
                a += 4;
                pw_ += coBytes;
              }
            }
          }
          const m = max4(z00, z01, z10, z11);
          v128.store(o + ((<usize>co) << 2), m);
          const code = codesOf(m, z00, z01, z10);
          const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(code, code), code);
          store<i32>(q + <usize>co, i32x4.extract_lane(bytes, 0));
        }
        o += coBytes;
        q += <usize>CO;
      }
    }
  }
}

/** acc + g·x(p + off) for the tap slots j < n (the chunk's last slots may be unused). */
@inline function tapSlot(j: i32, n: i32, acc: v128, p: usize, off: usize, g: v128): v128 {
  return j < n ? fma(acc, v128.load32_splat(p + off), g) : acc;
}

@inline function storeSlot(j: i32, n: i32, dw: usize, acc: v128): void {
  if (j < n) v128.store(dw, acc);
}

/** The window's gradient for the output at position `pos` (0..3) of its window: g where its code is pos, else 0. */
@inline function masked(g: v128, code: v128, pos: i32): v128 {
  return v128.and(g, i32x4.eq(code, i32x4.splat(pos)));
}

/**
 * dw [fh, fw, C, CO] (overwritten) of convPoolCodes' convolution from x, its codes and dp [N, PH,
 * PW, CO], the gradient of the pooled values after the activation's:
 *   dw[kh, kw, ci, co] = Σ over windows of dp[window, co] · x[winner(window, co) + (kh, kw), ci]
 * Four output channels at a time, taps in chunks of nine held in registers (3×3 filters on one
 * channel, the common first layer, with each tap's address an immediate offset); a window whose
 * four gradients are all 0 (relu stopped them) is skipped.
 */
export function convPoolFilterGrad(x: usize, codes: usize, dp: usize, dw: usize, N: i32, H: i32, W: i32, C: i32, CO: i32, PH: i32, PW: i32, fh: i32, fw: i32): void {
  const pix = (<usize>C) << 2;
  const rowBytes = (<usize>W) * pix;
  const coBytes = (<usize>CO) << 2;
  const K = fh * fw * C;
  const gray3x3 = C == 1 && fh == 3 && fw == 3;
  for (let co = 0; co < CO; co += 4) {
    for (let k0 = 0; k0 < K; k0 += 9) {
      const n = min(9, K - k0);
      // Byte offsets in x of the chunk's taps k = (kh·fw + kw)·C + ci, from a window's output.
      const o0 = tapOffset(k0, K, fw, C, rowBytes, pix), o1 = tapOffset(k0 + 1, K, fw, C, rowBytes, pix);
      const o2 = tapOffset(k0 + 2, K, fw, C, rowBytes, pix), o3 = tapOffset(k0 + 3, K, fw, C, rowBytes, pix);
      const o4 = tapOffset(k0 + 4, K, fw, C, rowBytes, pix), o5 = tapOffset(k0 + 5, K, fw, C, rowBytes, pix);
      const o6 = tapOffset(k0 + 6, K, fw, C, rowBytes, pix), o7 = tapOffset(k0 + 7, K, fw, C, rowBytes, pix);
      const o8 = tapOffset(k0 + 8, K, fw, C, rowBytes, pix);
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0;
      let gAt = dp + ((<usize>co) << 2);
      let cAt = codes + <usize>co;
      for (let image = 0; image < N; image++) {
        for (let ph = 0; ph < PH; ph++) {
          let p00 = x + (<usize>(image * H + 2 * ph)) * rowBytes;
          for (let pw = 0; pw < PW; pw++, p00 += 2 * pix, gAt += coBytes, cAt += <usize>CO) {
            const g = v128.load(gAt);
            if (!v128.any_true(g)) continue;
            const code = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(cAt)));
            if (gray3x3) {
              // The four positions unrolled, each tap's address an immediate offset from its row.
              const r0 = p00, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
              const g0 = masked(g, code, 0);
              a0 = fma(a0, v128.load32_splat(r0), g0);
              a1 = fma(a1, v128.load32_splat(r0, 4), g0);
              a2 = fma(a2, v128.load32_splat(r0, 8), g0);
              a3 = fma(a3, v128.load32_splat(r1), g0);
              a4 = fma(a4, v128.load32_splat(r1, 4), g0);
              a5 = fma(a5, v128.load32_splat(r1, 8), g0);
              a6 = fma(a6, v128.load32_splat(r2), g0);
              a7 = fma(a7, v128.load32_splat(r2, 4), g0);
              a8 = fma(a8, v128.load32_splat(r2, 8), g0);
              const g1 = masked(g, code, 1);
              a0 = fma(a0, v128.load32_splat(r0, 4), g1);
              a1 = fma(a1, v128.load32_splat(r0, 8), g1);
              a2 = fma(a2, v128.load32_splat(r0, 12), g1);
              a3 = fma(a3, v128.load32_splat(r1, 4), g1);
              a4 = fma(a4, v128.load32_splat(r1, 8), g1);
              a5 = fma(a5, v128.load32_splat(r1, 12), g1);
              a6 = fma(a6, v128.load32_splat(r2, 4), g1);
              a7 = fma(a7, v128.load32_splat(r2, 8), g1);
              a8 = fma(a8, v128.load32_splat(r2, 12), g1);
              const g2 = masked(g, code, 2);
              a0 = fma(a0, v128.load32_splat(r1), g2);
              a1 = fma(a1, v128.load32_splat(r1, 4), g2);
              a2 = fma(a2, v128.load32_splat(r1, 8), g2);
              a3 = fma(a3, v128.load32_splat(r2), g2);
              a4 = fma(a4, v128.load32_splat(r2, 4), g2);
              a5 = fma(a5, v128.load32_splat(r2, 8), g2);
              a6 = fma(a6, v128.load32_splat(r3), g2);
              a7 = fma(a7, v128.load32_splat(r3, 4), g2);
              a8 = fma(a8, v128.load32_splat(r3, 8), g2);
              const g3 = masked(g, code, 3);
              a0 = fma(a0, v128.load32_splat(r1, 4), g3);
              a1 = fma(a1, v128.load32_splat(r1, 8), g3);
              a2 = fma(a2, v128.load32_splat(r1, 12), g3);
              a3 = fma(a3, v128.load32_splat(r2, 4), g3);
              a4 = fma(a4, v128.load32_splat(r2, 8), g3);
              a5 = fma(a5, v128.load32_splat(r2, 12), g3);
              a6 = fma(a6, v128.load32_splat(r3, 4), g3);
              a7 = fma(a7, v128.load32_splat(r3, 8), g3);
              a8 = fma(a8, v128.load32_splat(r3, 12), g3);
              continue;
            }
            for (let pos = 0; pos < 4; pos++) {
              const gp = masked(g, code, pos);
              const p = p00 + (<usize>(pos >> 1)) * rowBytes + (<usize>(pos & 1)) * pix;
              a0 = tapSlot(0, n, a0, p, o0, gp);
              a1 = tapSlot(1, n, a1, p, o1, gp);
              a2 = tapSlot(2, n, a2, p, o2, gp);
              a3 = tapSlot(3, n, a3, p, o3, gp);
              a4 = tapSlot(4, n, a4, p, o4, gp);
              a5 = tapSlot(5, n, a5, p, o5, gp);
              a6 = tapSlot(6, n, a6, p, o6, gp);
              a7 = tapSlot(7, n, a7, p, o7, gp);
              a8 = tapSlot(8, n, a8, p, o8, gp);
            }
          }
        }
      }
      const out = dw + (<usize>k0) * coBytes + ((<usize>co) << 2);
      storeSlot(0, n, out, a0);
      storeSlot(1, n, out + coBytes, a1);
      storeSlot(2, n, out + 2 * coBytes, a2);
      storeSlot(3, n, out + 3 * coBytes, a3);
      storeSlot(4, n, out + 4 * coBytes, a4);
      storeSlot(5, n, out + 5 * coBytes, a5);
      storeSlot(6, n, out + 6 * coBytes, a6);
      storeSlot(7, n, out + 7 * coBytes, a7);
      storeSlot(8, n, out + 8 * coBytes, a8);
    }
  }
}

/** Byte offset in x of tap k = (kh·fw + kw)·C + ci from an output's top-left input (0 past K). */
@inline function tapOffset(k: i32, K: i32, fw: i32, C: i32, rowBytes: usize, pix: usize): usize {
  if (k >= K) return 0;
  const tap = k / C;
  return (<usize>(tap / fw)) * rowBytes + (<usize>(tap % fw)) * pix + ((<usize>(k % C)) << 2);
}
