// AssemblyScript: Winograd F(2×2, 3×3) transforms (see kernels.ts and src/kernels/winograd.ts).

import { addAt, splat, tileRow, zeroBytes } from './common';

// ---------------------------------------------------------------------------------------------
// Winograd F(2×2, 3×3) (Lavin & Gray 2015) for 3×3, stride-1 convolutions, NHWC, channels in
// fours: each 2×2 tile of outputs comes from its 4×4 tile of inputs through 16 products per channel
// pair instead of 36. Transforms here; the products are 16 GEMMs per block of tiles, one per
// "plane" ξ of the 4×4 transformed tile (the caller runs them):
//   forward   M_ξ[t, co] = V_ξ[t, ci] · U_ξ[ci, co],   V = Bᵀ d B,  U = G g Gᵀ,  y = Aᵀ M A
//   backward  dM = A dy Aᵀ,  dU_ξ = V_ξᵀ · dM_ξ,  dg = Gᵀ dU G,  dV_ξ = dM_ξ · U_ξᵀ,  dd = B dV Bᵀ
// Tiles are numbered image by image, row by row (TH × TW per image). A block's transformed tiles are
// stored tile by tile, each as its 16 planes' rows one after the other ([tile][ξ][channel]) and 16
// floats of padding, so the transforms read and write one contiguous run per tile; plane ξ of the
// block is then a matrix with row stride 16·channels + 16, which the GEMM takes as it is. (Without
// the padding that stride is a power of two for power-of-two channels, and a GEMM walking down a
// plane's rows finds them all in one L1 cache set.) Inputs outside the image read as 0;
// outputs outside OH × OW are dropped (and their gradients read as 0).

/** U[ξ][ci][co] = (G g Gᵀ)_ξ, from w [3][3][C][CO]. */
export function winogradFilter(w: usize, C: i32, CO: i32, u: usize): void {
  const half = splat(0.5);
  const tap = (<usize>(C * CO)) << 2;
  const plane = (<usize>(C * CO)) << 2;
  for (let ci = 0; ci < C; ci++) {
    for (let co = 0; co < CO; co += 4) {
      const o = ((<usize>(ci * CO + co)) << 2);
      const g0 = v128.load(w + o), g1 = v128.load(w + o + tap), g2 = v128.load(w + o + 2 * tap);
      const g3 = v128.load(w + o + 3 * tap), g4 = v128.load(w + o + 4 * tap), g5 = v128.load(w + o + 5 * tap);
      const g6 = v128.load(w + o + 6 * tap), g7 = v128.load(w + o + 7 * tap), g8 = v128.load(w + o + 8 * tap);
      // G g: four rows of three, from the filter's rows (g0 g1 g2 / g3 g4 g5 / g6 g7 g8).
      const r00 = g0, r01 = g1, r02 = g2;
      const r10 = f32x4.mul(half, f32x4.add(f32x4.add(g0, g3), g6));
      const r11 = f32x4.mul(half, f32x4.add(f32x4.add(g1, g4), g7));
      const r12 = f32x4.mul(half, f32x4.add(f32x4.add(g2, g5), g8));
      const r20 = f32x4.mul(half, f32x4.add(f32x4.sub(g0, g3), g6));
      const r21 = f32x4.mul(half, f32x4.add(f32x4.sub(g1, g4), g7));
      const r22 = f32x4.mul(half, f32x4.add(f32x4.sub(g2, g5), g8));
      const r30 = g6, r31 = g7, r32 = g8;
      // (G g) Gᵀ, row by row.
      let p = u + o;
      p = filterRow(p, plane, half, r00, r01, r02);
      p = filterRow(p, plane, half, r10, r11, r12);
      p = filterRow(p, plane, half, r20, r21, r22);
      filterRow(p, plane, half, r30, r31, r32);
    }
  }
}

@inline function filterRow(p: usize, plane: usize, half: v128, a: v128, b: v128, c: v128): usize {
  v128.store(p, a);
  v128.store(p + plane, f32x4.mul(half, f32x4.add(f32x4.add(a, b), c)));
  v128.store(p + 2 * plane, f32x4.mul(half, f32x4.add(f32x4.sub(a, b), c)));
  v128.store(p + 3 * plane, c);
  return p + 4 * plane;
}

/** dw [3][3][C][CO] = Gᵀ dU G, from dU[ξ][ci][co]. */
export function winogradFilterGrad(du: usize, C: i32, CO: i32, dw: usize): void {
  const half = splat(0.5);
  const plane = (<usize>(C * CO)) << 2;
  for (let ci = 0; ci < C; ci++) {
    for (let co = 0; co < CO; co += 4) {
      const o = ((<usize>(ci * CO + co)) << 2);
      // Gᵀ X on each column q of the 4×4 (rows ξ = 4r + q), giving 3 rows.
      let a0 = v128.load(du + o), a1 = v128.load(du + o + plane), a2 = v128.load(du + o + 2 * plane), a3 = v128.load(du + o + 3 * plane);
      let b0 = v128.load(du + o + 4 * plane), b1 = v128.load(du + o + 5 * plane), b2 = v128.load(du + o + 6 * plane), b3 = v128.load(du + o + 7 * plane);
      let c0 = v128.load(du + o + 8 * plane), c1 = v128.load(du + o + 9 * plane), c2 = v128.load(du + o + 10 * plane), c3 = v128.load(du + o + 11 * plane);
      let d0 = v128.load(du + o + 12 * plane), d1 = v128.load(du + o + 13 * plane), d2 = v128.load(du + o + 14 * plane), d3 = v128.load(du + o + 15 * plane);
      // Rows: s = (b + c)/2, e = (b − c)/2; row0 = a + s, row1 = e, row2 = s + d (per column).
      const s0 = f32x4.mul(half, f32x4.add(b0, c0)), s1 = f32x4.mul(half, f32x4.add(b1, c1)), s2 = f32x4.mul(half, f32x4.add(b2, c2)), s3 = f32x4.mul(half, f32x4.add(b3, c3));
      const e0 = f32x4.mul(half, f32x4.sub(b0, c0)), e1 = f32x4.mul(half, f32x4.sub(b1, c1)), e2 = f32x4.mul(half, f32x4.sub(b2, c2)), e3 = f32x4.mul(half, f32x4.sub(b3, c3));
      const tap = plane; // dw's taps are C·CO floats apart, like dU's planes
      gradRow(dw + o, tap, half, f32x4.add(a0, s0), f32x4.add(a1, s1), f32x4.add(a2, s2), f32x4.add(a3, s3));
      gradRow(dw + o + 3 * tap, tap, half, e0, e1, e2, e3);
      gradRow(dw + o + 6 * tap, tap, half, f32x4.add(s0, d0), f32x4.add(s1, d1), f32x4.add(s2, d2), f32x4.add(s3, d3));
    }
  }
}

/** One row of Gᵀ X G: three taps from four columns. */
@inline function gradRow(p: usize, tap: usize, half: v128, x0: v128, x1: v128, x2: v128, x3: v128): void {
  const s = f32x4.mul(half, f32x4.add(x1, x2));
  v128.store(p, f32x4.add(x0, s));
  v128.store(p + tap, f32x4.mul(half, f32x4.sub(x1, x2)));
  v128.store(p + 2 * tap, f32x4.add(s, x3));
}


/**
 * V[i][ξ][c] = (Bᵀ d B)_ξ for tiles t0 .. t0 + n (i = t − t0), d the tile's 4×4 inputs from
 * x [N, H, W, C] (rows 2·th − padTop …, columns 2·tw − padLeft …).
 */
export function winogradInput(x: usize, v: usize, t0: i32, n: i32, H: i32, W: i32, C: i32, TH: i32, TW: i32, padTop: i32, padLeft: i32): void {
  const zero = splat(0);
  const pix = (<usize>C) << 2;
  const plane = pix;
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const h0 = 2 * tileRow(t, TH, TW) - padTop;
    const w0 = 2 * (t % TW) - padLeft;
    const base = x + (<usize>(image * H)) * (<usize>W) * pix;
    // Offsets of the 16 inputs, or -1 where they fall outside the image.
    const inside = h0 >= 0 && h0 + 4 <= H && w0 >= 0 && w0 + 4 <= W;
    const out = v + (<usize>i) * (16 * pix + 64);
    for (let c: usize = 0; c < pix; c += 16) {
      const p = base + c;
      let d00: v128, d01: v128, d02: v128, d03: v128, d10: v128, d11: v128, d12: v128, d13: v128;
      let d20: v128, d21: v128, d22: v128, d23: v128, d30: v128, d31: v128, d32: v128, d33: v128;
      if (inside) {
        const r0 = p + (<usize>(h0 * W + w0)) * pix;
        const r1 = r0 + (<usize>W) * pix, r2 = r1 + (<usize>W) * pix, r3 = r2 + (<usize>W) * pix;
        d00 = v128.load(r0); d01 = v128.load(r0 + pix); d02 = v128.load(r0 + 2 * pix); d03 = v128.load(r0 + 3 * pix);
        d10 = v128.load(r1); d11 = v128.load(r1 + pix); d12 = v128.load(r1 + 2 * pix); d13 = v128.load(r1 + 3 * pix);
        d20 = v128.load(r2); d21 = v128.load(r2 + pix); d22 = v128.load(r2 + 2 * pix); d23 = v128.load(r2 + 3 * pix);
        d30 = v128.load(r3); d31 = v128.load(r3 + pix); d32 = v128.load(r3 + 2 * pix); d33 = v128.load(r3 + 3 * pix);
      } else {
        d00 = at4(p, h0, w0, H, W, pix, zero); d01 = at4(p, h0, w0 + 1, H, W, pix, zero); d02 = at4(p, h0, w0 + 2, H, W, pix, zero); d03 = at4(p, h0, w0 + 3, H, W, pix, zero);
        d10 = at4(p, h0 + 1, w0, H, W, pix, zero); d11 = at4(p, h0 + 1, w0 + 1, H, W, pix, zero); d12 = at4(p, h0 + 1, w0 + 2, H, W, pix, zero); d13 = at4(p, h0 + 1, w0 + 3, H, W, pix, zero);
        d20 = at4(p, h0 + 2, w0, H, W, pix, zero); d21 = at4(p, h0 + 2, w0 + 1, H, W, pix, zero); d22 = at4(p, h0 + 2, w0 + 2, H, W, pix, zero); d23 = at4(p, h0 + 2, w0 + 3, H, W, pix, zero);
        d30 = at4(p, h0 + 3, w0, H, W, pix, zero); d31 = at4(p, h0 + 3, w0 + 1, H, W, pix, zero); d32 = at4(p, h0 + 3, w0 + 2, H, W, pix, zero); d33 = at4(p, h0 + 3, w0 + 3, H, W, pix, zero);
      }
      // Bᵀ d over rows (r0 = d0 − d2, r1 = d1 + d2, r2 = d2 − d1, r3 = d1 − d3), per column …
      const a0 = f32x4.sub(d00, d20), a1 = f32x4.sub(d01, d21), a2 = f32x4.sub(d02, d22), a3 = f32x4.sub(d03, d23);
      const b0 = f32x4.add(d10, d20), b1 = f32x4.add(d11, d21), b2 = f32x4.add(d12, d22), b3 = f32x4.add(d13, d23);
      const e0 = f32x4.sub(d20, d10), e1 = f32x4.sub(d21, d11), e2 = f32x4.sub(d22, d12), e3 = f32x4.sub(d23, d13);
      const f0 = f32x4.sub(d10, d30), f1 = f32x4.sub(d11, d31), f2 = f32x4.sub(d12, d32), f3 = f32x4.sub(d13, d33);
      // … then · B over columns, the same combination.
      const q = out + c;
      inputRow(q, plane, a0, a1, a2, a3);
      inputRow(q + 4 * plane, plane, b0, b1, b2, b3);
      inputRow(q + 8 * plane, plane, e0, e1, e2, e3);
      inputRow(q + 12 * plane, plane, f0, f1, f2, f3);
    }
  }
}

/** Four channels of input (h, w) of the image at p, or zero outside it. */
@inline function at4(p: usize, h: i32, w: i32, H: i32, W: i32, pix: usize, zero: v128): v128 {
  return h >= 0 && h < H && w >= 0 && w < W ? v128.load(p + (<usize>(h * W + w)) * pix) : zero;
}

@inline function inputRow(q: usize, plane: usize, x0: v128, x1: v128, x2: v128, x3: v128): void {
  v128.store(q, f32x4.sub(x0, x2));
  v128.store(q + plane, f32x4.add(x1, x2));
  v128.store(q + 2 * plane, f32x4.sub(x2, x1));
  v128.store(q + 3 * plane, f32x4.sub(x1, x3));
}

/**
 * The outputs of tiles t0 .. t0 + n: y [N, OH, OW, CO] = Aᵀ M A (+ bias unless 0), from M[i][ξ][co];
 * outputs beyond OH × OW are dropped.
 */
export function winogradOutput(m: usize, y: usize, bias: usize, t0: i32, n: i32, OH: i32, OW: i32, CO: i32, TH: i32, TW: i32): void {
  const pix = (<usize>CO) << 2;
  const plane = pix;
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const oh = 2 * tileRow(t, TH, TW);
    const ow = 2 * (t % TW);
    const right = ow + 1 < OW;
    const below = oh + 1 < OH;
    const y00 = y + (<usize>((image * OH + oh) * OW + ow)) * pix;
    const y10 = y00 + (<usize>OW) * pix;
    for (let c: usize = 0; c < pix; c += 16) {
      const p = m + (<usize>i) * (16 * pix + 64) + c;
      // Aᵀ M over rows (r0 = M0 + M1 + M2, r1 = M1 − M2 − M3), per column, then over columns.
      const m0 = v128.load(p), m1 = v128.load(p + plane), m2 = v128.load(p + 2 * plane), m3 = v128.load(p + 3 * plane);
      const m4 = v128.load(p + 4 * plane), m5 = v128.load(p + 5 * plane), m6 = v128.load(p + 6 * plane), m7 = v128.load(p + 7 * plane);
      const m8 = v128.load(p + 8 * plane), m9 = v128.load(p + 9 * plane), m10 = v128.load(p + 10 * plane), m11 = v128.load(p + 11 * plane);
      const m12 = v128.load(p + 12 * plane), m13 = v128.load(p + 13 * plane), m14 = v128.load(p + 14 * plane), m15 = v128.load(p + 15 * plane);
      const s0 = f32x4.add(f32x4.add(m0, m4), m8), s1 = f32x4.add(f32x4.add(m1, m5), m9), s2 = f32x4.add(f32x4.add(m2, m6), m10), s3 = f32x4.add(f32x4.add(m3, m7), m11);
      const u0 = f32x4.sub(f32x4.sub(m4, m8), m12), u1 = f32x4.sub(f32x4.sub(m5, m9), m13), u2 = f32x4.sub(f32x4.sub(m6, m10), m14), u3 = f32x4.sub(f32x4.sub(m7, m11), m15);
      const b = bias ? v128.load(bias + c) : splat(0);
      v128.store(y00 + c, f32x4.add(b, f32x4.add(f32x4.add(s0, s1), s2)));
      if (right) v128.store(y00 + pix + c, f32x4.add(b, f32x4.sub(f32x4.sub(s1, s2), s3)));
      if (below) {
        v128.store(y10 + c, f32x4.add(b, f32x4.add(f32x4.add(u0, u1), u2)));
        if (right) v128.store(y10 + pix + c, f32x4.add(b, f32x4.sub(f32x4.sub(u1, u2), u3)));
      }
    }
  }
}

/** dM[i][ξ][co] = (A dy Aᵀ)_ξ for tiles t0 .. t0 + n, dy [N, OH, OW, CO] (0 beyond OH × OW). */
export function winogradOutputGrad(dy: usize, dm: usize, t0: i32, n: i32, OH: i32, OW: i32, CO: i32, TH: i32, TW: i32): void {
  const zero = splat(0);
  const pix = (<usize>CO) << 2;
  const plane = pix;
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const oh = 2 * tileRow(t, TH, TW);
    const ow = 2 * (t % TW);
    const right = ow + 1 < OW;
    const below = oh + 1 < OH;
    const g00 = dy + (<usize>((image * OH + oh) * OW + ow)) * pix;
    const g10 = g00 + (<usize>OW) * pix;
    for (let c: usize = 0; c < pix; c += 16) {
      const y00 = v128.load(g00 + c);
      const y01 = right ? v128.load(g00 + pix + c) : zero;
      const y10 = below ? v128.load(g10 + c) : zero;
      const y11 = right && below ? v128.load(g10 + pix + c) : zero;
      // A Y over rows (Y0, Y0 + Y1, Y0 − Y1, −Y1), per column, then over columns.
      const q = dm + (<usize>i) * (16 * pix + 64) + c;
      outputGradRow(q, plane, y00, y01);
      outputGradRow(q + 4 * plane, plane, f32x4.add(y00, y10), f32x4.add(y01, y11));
      outputGradRow(q + 8 * plane, plane, f32x4.sub(y00, y10), f32x4.sub(y01, y11));
      outputGradRow(q + 12 * plane, plane, f32x4.neg(y10), f32x4.neg(y11));
    }
  }
}

@inline function outputGradRow(q: usize, plane: usize, y0: v128, y1: v128): void {
  v128.store(q, y0);
  v128.store(q + plane, f32x4.add(y0, y1));
  v128.store(q + 2 * plane, f32x4.sub(y0, y1));
  v128.store(q + 3 * plane, f32x4.neg(y1));
}

/**
 * dx [N, H, W, C] += B dV Bᵀ of tiles t0 .. t0 + n at their 4×4 inputs inside the image (tiles
 * overlap, so they add), from dV[i][ξ][c]; with `clear`, dx is zeroed first.
 */
export function winogradInputGrad(dv: usize, dx: usize, clear: i32, N: i32, t0: i32, n: i32, H: i32, W: i32, C: i32, TH: i32, TW: i32, padTop: i32, padLeft: i32): void {
  const pix = (<usize>C) << 2;
  const plane = pix;
  if (clear) zeroBytes(dx, (<usize>(N * H * W)) * pix);
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const h0 = 2 * tileRow(t, TH, TW) - padTop;
    const w0 = 2 * (t % TW) - padLeft;
    const base = dx + (<usize>(image * H)) * (<usize>W) * pix;
    for (let c: usize = 0; c < pix; c += 16) {
      const p = dv + (<usize>i) * (16 * pix + 64) + c;
      const x0 = v128.load(p), x1 = v128.load(p + plane), x2 = v128.load(p + 2 * plane), x3 = v128.load(p + 3 * plane);
      const x4 = v128.load(p + 4 * plane), x5 = v128.load(p + 5 * plane), x6 = v128.load(p + 6 * plane), x7 = v128.load(p + 7 * plane);
      const x8 = v128.load(p + 8 * plane), x9 = v128.load(p + 9 * plane), x10 = v128.load(p + 10 * plane), x11 = v128.load(p + 11 * plane);
      const x12 = v128.load(p + 12 * plane), x13 = v128.load(p + 13 * plane), x14 = v128.load(p + 14 * plane), x15 = v128.load(p + 15 * plane);
      // B X over rows (X0, X1 − X2 + X3, −X0 + X1 + X2, −X3), per column …
      const r00 = x0, r01 = x1, r02 = x2, r03 = x3;
      const r10 = f32x4.add(f32x4.sub(x4, x8), x12), r11 = f32x4.add(f32x4.sub(x5, x9), x13), r12 = f32x4.add(f32x4.sub(x6, x10), x14), r13 = f32x4.add(f32x4.sub(x7, x11), x15);
      const r20 = f32x4.sub(f32x4.add(x4, x8), x0), r21 = f32x4.sub(f32x4.add(x5, x9), x1), r22 = f32x4.sub(f32x4.add(x6, x10), x2), r23 = f32x4.sub(f32x4.add(x7, x11), x3);
      const r30 = f32x4.neg(x12), r31 = f32x4.neg(x13), r32 = f32x4.neg(x14), r33 = f32x4.neg(x15);
      // … then · Bᵀ over columns, added into dx where inside.
      inputGradRow(base + c, h0, w0, H, W, pix, r00, r01, r02, r03);
      inputGradRow(base + c, h0 + 1, w0, H, W, pix, r10, r11, r12, r13);
      inputGradRow(base + c, h0 + 2, w0, H, W, pix, r20, r21, r22, r23);
      inputGradRow(base + c, h0 + 3, w0, H, W, pix, r30, r31, r32, r33);
    }
  }
}

@inline function inputGradRow(p: usize, h: i32, w0: i32, H: i32, W: i32, pix: usize, x0: v128, x1: v128, x2: v128, x3: v128): void {
  if (h < 0 || h >= H) return;
  const row = p + (<usize>(h * W)) * pix;
  addAt(row, w0, W, pix, x0);
  addAt(row, w0 + 1, W, pix, f32x4.add(f32x4.sub(x1, x2), x3));
  addAt(row, w0 + 2, W, pix, f32x4.sub(f32x4.add(x1, x2), x0));
  addAt(row, w0 + 3, W, pix, f32x4.neg(x3));
}
