// AssemblyScript: Winograd F(4×4, 3×3) transforms for the forward pass (see kernels.ts and src/kernels/winograd.ts).

import { addAt, splat, tileRow, zeroBytes } from './common';

// ---------------------------------------------------------------------------------------------
// Winograd F(4×4, 3×3) (Lavin & Gray 2015, interpolation points 0, ±1, ±2, ∞) for 3×3, stride-1
// convolutions, NHWC, channels in fours: each 4×4 tile of outputs comes from its 6×6 tile of
// inputs through 36 products per channel pair instead of 144 (F(2×2, 3×3): 64). Transforms here;
// the products are 36 GEMMs per block of tiles, one per plane ξ of the 6×6 transformed tile:
//   M_ξ[t, co] = V_ξ[t, ci] · U_ξ[ci, co],   V = Bᵀ d B,  U = G g Gᵀ,  y = Aᵀ M A
// with
//   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
//   G  = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1]
//   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
// Block layout as in winograd.ts: tile by tile, its 36 planes' rows one after the other
// ([tile][ξ][channel], ξ = 6·row + column) and 16 floats of padding. The 2-D transforms run as
// 1-D transforms down the columns, then along the rows: the forward ones hold the intermediate in
// registers (V8 spills some to its stack; writing it into the tile's slots and reading it back
// made winograd4Output ~1.4× slower), and so does winograd4OutputGrad; winograd4InputGrad, whose
// intermediate is 36 vectors, writes it into the tile's slots.

/** The six rows of Bᵀ·d for one column d0..d5, stored `stride` bytes apart from p. */
@inline function inputColumn(p: usize, stride: usize, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128): void {
  const four = splat(4), five = splat(5), two = splat(2);
  const a = f32x4.sub(d4, d2); // d4 − d2
  const b = f32x4.sub(d3, d1); // d3 − d1
  const c = f32x4.sub(d4, f32x4.mul(four, d2)); // d4 − 4d2
  const e = f32x4.sub(d3, f32x4.mul(four, d1)); // d3 − 4d1
  v128.store(p, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(p + stride, f32x4.add(c, e));
  v128.store(p + 2 * stride, f32x4.sub(c, e));
  v128.store(p + 3 * stride, f32x4.add(a, f32x4.mul(two, b)));
  v128.store(p + 4 * stride, f32x4.sub(a, f32x4.mul(two, b)));
  v128.store(p + 5 * stride, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/** The input at (h, w) of an image (p: its channel group's address at (0, 0)), or 0 outside. */
@inline function at(p: usize, h: i32, w: i32, H: i32, W: i32, pix: usize): v128 {
  if (h < 0 || h >= H || w < 0 || w >= W) return splat(0);
  return v128.load(p + (<usize>(h * W + w)) * pix);
}

/**
 * V[i][ξ][c] = (Bᵀ d B)_ξ for tiles t0 .. t0 + n (i = t − t0), d the tile's 6×6 inputs from
 * x [N, H, W, C] (rows 4·th − padTop …, columns 4·tw − padLeft …; 0 outside the image).
 */
export function winograd4Input(x: usize, v: usize, t0: i32, n: i32, H: i32, W: i32, C: i32, TH: i32, TW: i32, padTop: i32, padLeft: i32): void {
  const pix = (<usize>C) << 2;
  const plane = pix;
  const two = splat(2), four = splat(4), five = splat(5);
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const h0 = 4 * tileRow(t, TH, TW) - padTop;
    const w0 = 4 * (t % TW) - padLeft;
    const base = x + (<usize>(image * H)) * (<usize>W) * pix;
    const out = v + (<usize>i) * (36 * pix + 64);
    const inside = h0 >= 0 && h0 + 6 <= H && w0 >= 0 && w0 + 6 <= W;
    for (let c: usize = 0; c < pix; c += 16) {
      const p = base + c;
      const q = out + c;
      // Bᵀ d down each column s, in registers …
      const d00 = inside ? v128.load(p + (<usize>((h0 + 0) * W + w0 + 0)) * pix) : at(p, h0 + 0, w0 + 0, H, W, pix);
      const d10 = inside ? v128.load(p + (<usize>((h0 + 1) * W + w0 + 0)) * pix) : at(p, h0 + 1, w0 + 0, H, W, pix);
      const d20 = inside ? v128.load(p + (<usize>((h0 + 2) * W + w0 + 0)) * pix) : at(p, h0 + 2, w0 + 0, H, W, pix);
      const d30 = inside ? v128.load(p + (<usize>((h0 + 3) * W + w0 + 0)) * pix) : at(p, h0 + 3, w0 + 0, H, W, pix);
      const d40 = inside ? v128.load(p + (<usize>((h0 + 4) * W + w0 + 0)) * pix) : at(p, h0 + 4, w0 + 0, H, W, pix);
      const d50 = inside ? v128.load(p + (<usize>((h0 + 5) * W + w0 + 0)) * pix) : at(p, h0 + 5, w0 + 0, H, W, pix);
      const a0 = f32x4.sub(d40, d20), b0 = f32x4.sub(d30, d10), c0 = f32x4.sub(d40, f32x4.mul(four, d20)), e0 = f32x4.sub(d30, f32x4.mul(four, d10));
      const t00 = f32x4.add(f32x4.sub(f32x4.mul(four, d00), f32x4.mul(five, d20)), d40), t10 = f32x4.add(c0, e0), t20 = f32x4.sub(c0, e0);
      const t30 = f32x4.add(a0, f32x4.mul(two, b0)), t40 = f32x4.sub(a0, f32x4.mul(two, b0)), t50 = f32x4.add(f32x4.sub(f32x4.mul(four, d10), f32x4.mul(five, d30)), d50);
      const d01 = inside ? v128.load(p + (<usize>((h0 + 0) * W + w0 + 1)) * pix) : at(p, h0 + 0, w0 + 1, H, W, pix);
      const d11 = inside ? v128.load(p + (<usize>((h0 + 1) * W + w0 + 1)) * pix) : at(p, h0 + 1, w0 + 1, H, W, pix);
      const d21 = inside ? v128.load(p + (<usize>((h0 + 2) * W + w0 + 1)) * pix) : at(p, h0 + 2, w0 + 1, H, W, pix);
      const d31 = inside ? v128.load(p + (<usize>((h0 + 3) * W + w0 + 1)) * pix) : at(p, h0 + 3, w0 + 1, H, W, pix);
      const d41 = inside ? v128.load(p + (<usize>((h0 + 4) * W + w0 + 1)) * pix) : at(p, h0 + 4, w0 + 1, H, W, pix);
      const d51 = inside ? v128.load(p + (<usize>((h0 + 5) * W + w0 + 1)) * pix) : at(p, h0 + 5, w0 + 1, H, W, pix);
      const a1 = f32x4.sub(d41, d21), b1 = f32x4.sub(d31, d11), c1 = f32x4.sub(d41, f32x4.mul(four, d21)), e1 = f32x4.sub(d31, f32x4.mul(four, d11));
      const t01 = f32x4.add(f32x4.sub(f32x4.mul(four, d01), f32x4.mul(five, d21)), d41), t11 = f32x4.add(c1, e1), t21 = f32x4.sub(c1, e1);
      const t31 = f32x4.add(a1, f32x4.mul(two, b1)), t41 = f32x4.sub(a1, f32x4.mul(two, b1)), t51 = f32x4.add(f32x4.sub(f32x4.mul(four, d11), f32x4.mul(five, d31)), d51);
      const d02 = inside ? v128.load(p + (<usize>((h0 + 0) * W + w0 + 2)) * pix) : at(p, h0 + 0, w0 + 2, H, W, pix);
      const d12 = inside ? v128.load(p + (<usize>((h0 + 1) * W + w0 + 2)) * pix) : at(p, h0 + 1, w0 + 2, H, W, pix);
      const d22 = inside ? v128.load(p + (<usize>((h0 + 2) * W + w0 + 2)) * pix) : at(p, h0 + 2, w0 + 2, H, W, pix);
      const d32 = inside ? v128.load(p + (<usize>((h0 + 3) * W + w0 + 2)) * pix) : at(p, h0 + 3, w0 + 2, H, W, pix);
      const d42 = inside ? v128.load(p + (<usize>((h0 + 4) * W + w0 + 2)) * pix) : at(p, h0 + 4, w0 + 2, H, W, pix);
      const d52 = inside ? v128.load(p + (<usize>((h0 + 5) * W + w0 + 2)) * pix) : at(p, h0 + 5, w0 + 2, H, W, pix);
      const a2 = f32x4.sub(d42, d22), b2 = f32x4.sub(d32, d12), c2 = f32x4.sub(d42, f32x4.mul(four, d22)), e2 = f32x4.sub(d32, f32x4.mul(four, d12));
      const t02 = f32x4.add(f32x4.sub(f32x4.mul(four, d02), f32x4.mul(five, d22)), d42), t12 = f32x4.add(c2, e2), t22 = f32x4.sub(c2, e2);
      const t32 = f32x4.add(a2, f32x4.mul(two, b2)), t42 = f32x4.sub(a2, f32x4.mul(two, b2)), t52 = f32x4.add(f32x4.sub(f32x4.mul(four, d12), f32x4.mul(five, d32)), d52);
      const d03 = inside ? v128.load(p + (<usize>((h0 + 0) * W + w0 + 3)) * pix) : at(p, h0 + 0, w0 + 3, H, W, pix);
      const d13 = inside ? v128.load(p + (<usize>((h0 + 1) * W + w0 + 3)) * pix) : at(p, h0 + 1, w0 + 3, H, W, pix);
      const d23 = inside ? v128.load(p + (<usize>((h0 + 2) * W + w0 + 3)) * pix) : at(p, h0 + 2, w0 + 3, H, W, pix);
      const d33 = inside ? v128.load(p + (<usize>((h0 + 3) * W + w0 + 3)) * pix) : at(p, h0 + 3, w0 + 3, H, W, pix);
      const d43 = inside ? v128.load(p + (<usize>((h0 + 4) * W + w0 + 3)) * pix) : at(p, h0 + 4, w0 + 3, H, W, pix);
      const d53 = inside ? v128.load(p + (<usize>((h0 + 5) * W + w0 + 3)) * pix) : at(p, h0 + 5, w0 + 3, H, W, pix);
      const a3 = f32x4.sub(d43, d23), b3 = f32x4.sub(d33, d13), c3 = f32x4.sub(d43, f32x4.mul(four, d23)), e3 = f32x4.sub(d33, f32x4.mul(four, d13));
      const t03 = f32x4.add(f32x4.sub(f32x4.mul(four, d03), f32x4.mul(five, d23)), d43), t13 = f32x4.add(c3, e3), t23 = f32x4.sub(c3, e3);
      const t33 = f32x4.add(a3, f32x4.mul(two, b3)), t43 = f32x4.sub(a3, f32x4.mul(two, b3)), t53 = f32x4.add(f32x4.sub(f32x4.mul(four, d13), f32x4.mul(five, d33)), d53);
      const d04 = inside ? v128.load(p + (<usize>((h0 + 0) * W + w0 + 4)) * pix) : at(p, h0 + 0, w0 + 4, H, W, pix);
      const d14 = inside ? v128.load(p + (<usize>((h0 + 1) * W + w0 + 4)) * pix) : at(p, h0 + 1, w0 + 4, H, W, pix);
      const d24 = inside ? v128.load(p + (<usize>((h0 + 2) * W + w0 + 4)) * pix) : at(p, h0 + 2, w0 + 4, H, W, pix);
      const d34 = inside ? v128.load(p + (<usize>((h0 + 3) * W + w0 + 4)) * pix) : at(p, h0 + 3, w0 + 4, H, W, pix);
      const d44 = inside ? v128.load(p + (<usize>((h0 + 4) * W + w0 + 4)) * pix) : at(p, h0 + 4, w0 + 4, H, W, pix);
      const d54 = inside ? v128.load(p + (<usize>((h0 + 5) * W + w0 + 4)) * pix) : at(p, h0 + 5, w0 + 4, H, W, pix);
      const a4 = f32x4.sub(d44, d24), b4 = f32x4.sub(d34, d14), c4 = f32x4.sub(d44, f32x4.mul(four, d24)), e4 = f32x4.sub(d34, f32x4.mul(four, d14));
      const t04 = f32x4.add(f32x4.sub(f32x4.mul(four, d04), f32x4.mul(five, d24)), d44), t14 = f32x4.add(c4, e4), t24 = f32x4.sub(c4, e4);
      const t34 = f32x4.add(a4, f32x4.mul(two, b4)), t44 = f32x4.sub(a4, f32x4.mul(two, b4)), t54 = f32x4.add(f32x4.sub(f32x4.mul(four, d14), f32x4.mul(five, d34)), d54);
      const d05 = inside ? v128.load(p + (<usize>((h0 + 0) * W + w0 + 5)) * pix) : at(p, h0 + 0, w0 + 5, H, W, pix);
      const d15 = inside ? v128.load(p + (<usize>((h0 + 1) * W + w0 + 5)) * pix) : at(p, h0 + 1, w0 + 5, H, W, pix);
      const d25 = inside ? v128.load(p + (<usize>((h0 + 2) * W + w0 + 5)) * pix) : at(p, h0 + 2, w0 + 5, H, W, pix);
      const d35 = inside ? v128.load(p + (<usize>((h0 + 3) * W + w0 + 5)) * pix) : at(p, h0 + 3, w0 + 5, H, W, pix);
      const d45 = inside ? v128.load(p + (<usize>((h0 + 4) * W + w0 + 5)) * pix) : at(p, h0 + 4, w0 + 5, H, W, pix);
      const d55 = inside ? v128.load(p + (<usize>((h0 + 5) * W + w0 + 5)) * pix) : at(p, h0 + 5, w0 + 5, H, W, pix);
      const a5 = f32x4.sub(d45, d25), b5 = f32x4.sub(d35, d15), c5 = f32x4.sub(d45, f32x4.mul(four, d25)), e5 = f32x4.sub(d35, f32x4.mul(four, d15));
      const t05 = f32x4.add(f32x4.sub(f32x4.mul(four, d05), f32x4.mul(five, d25)), d45), t15 = f32x4.add(c5, e5), t25 = f32x4.sub(c5, e5);
      const t35 = f32x4.add(a5, f32x4.mul(two, b5)), t45 = f32x4.sub(a5, f32x4.mul(two, b5)), t55 = f32x4.add(f32x4.sub(f32x4.mul(four, d15), f32x4.mul(five, d35)), d55);
      // … then · B along each row r, into planes 6r .. 6r + 5.
      inputColumn(q + 0 * plane, plane, t00, t01, t02, t03, t04, t05);
      inputColumn(q + 6 * plane, plane, t10, t11, t12, t13, t14, t15);
      inputColumn(q + 12 * plane, plane, t20, t21, t22, t23, t24, t25);
      inputColumn(q + 18 * plane, plane, t30, t31, t32, t33, t34, t35);
      inputColumn(q + 24 * plane, plane, t40, t41, t42, t43, t44, t45);
      inputColumn(q + 30 * plane, plane, t50, t51, t52, t53, t54, t55);
    }
  }
}

/** Row i of G·(a, b, c) (i a constant: the switch folds away when this is inlined). */
@inline function gRow(i: i32, a: v128, b: v128, c: v128): v128 {
  switch (i) {
    case 0: return f32x4.mul(splat(0.25), a);
    case 1: return f32x4.mul(splat(<f32>(-1.0 / 6.0)), f32x4.add(f32x4.add(a, b), c));
    case 2: return f32x4.mul(splat(<f32>(1.0 / 6.0)), f32x4.sub(b, f32x4.add(a, c)));
    // a/24 ± b/12 + c/6 as (a/4 + c)/6 ± b/12.
    case 3: return f32x4.add(f32x4.mul(splat(<f32>(1.0 / 6.0)), f32x4.add(f32x4.mul(splat(0.25), a), c)), f32x4.mul(splat(<f32>(1.0 / 12.0)), b));
    case 4: return f32x4.sub(f32x4.mul(splat(<f32>(1.0 / 6.0)), f32x4.add(f32x4.mul(splat(0.25), a), c)), f32x4.mul(splat(<f32>(1.0 / 12.0)), b));
    default: return c;
  }
}

/** Row r of G g Gᵀ from row r of G g (a, b, c): planes 6r .. 6r + 5, `plane` bytes apart from p. */
@inline function filterRow(p: usize, plane: usize, a: v128, b: v128, c: v128): void {
  v128.store(p, gRow(0, a, b, c));
  v128.store(p + plane, gRow(1, a, b, c));
  v128.store(p + 2 * plane, gRow(2, a, b, c));
  v128.store(p + 3 * plane, gRow(3, a, b, c));
  v128.store(p + 4 * plane, gRow(4, a, b, c));
  v128.store(p + 5 * plane, gRow(5, a, b, c));
}

/**
 * U[ξ][ci][co] = (G g Gᵀ)_ξ (36 planes [C, CO], each followed by 16 floats of padding), from
 * w [3][3][C][CO]. Each step writes the same spot of all 36 planes: were they C·CO floats apart,
 * often a multiple of 4 KB, those spots would all fall into one L1 cache set.
 */
export function winograd4Filter(w: usize, C: i32, CO: i32, u: usize): void {
  const tap = (<usize>(C * CO)) << 2;
  const plane = tap + 64;
  for (let ci = 0; ci < C; ci++) {
    for (let co = 0; co < CO; co += 4) {
      const o = (<usize>(ci * CO + co)) << 2;
      const g = w + o;
      const g00 = v128.load(g), g01 = v128.load(g + tap), g02 = v128.load(g + 2 * tap);
      const g10 = v128.load(g + 3 * tap), g11 = v128.load(g + 4 * tap), g12 = v128.load(g + 5 * tap);
      const g20 = v128.load(g + 6 * tap), g21 = v128.load(g + 7 * tap), g22 = v128.load(g + 8 * tap);
      // Row r of G g is G's row r applied down each of the filter's three columns.
      const q = u + o;
      filterRow(q, plane, gRow(0, g00, g10, g20), gRow(0, g01, g11, g21), gRow(0, g02, g12, g22));
      filterRow(q + 6 * plane, plane, gRow(1, g00, g10, g20), gRow(1, g01, g11, g21), gRow(1, g02, g12, g22));
      filterRow(q + 12 * plane, plane, gRow(2, g00, g10, g20), gRow(2, g01, g11, g21), gRow(2, g02, g12, g22));
      filterRow(q + 18 * plane, plane, gRow(3, g00, g10, g20), gRow(3, g01, g11, g21), gRow(3, g02, g12, g22));
      filterRow(q + 24 * plane, plane, gRow(4, g00, g10, g20), gRow(4, g01, g11, g21), gRow(4, g02, g12, g22));
      filterRow(q + 30 * plane, plane, gRow(5, g00, g10, g20), gRow(5, g01, g11, g21), gRow(5, g02, g12, g22));
    }
  }
}

/** One row of outputs, (t0..t5) · A + b, the first `cols` of its four stored `pix` bytes apart from p. */
@inline function outputRow(p: usize, pix: usize, cols: i32, b: v128, t0: v128, t1: v128, t2: v128, t3: v128, t4: v128, t5: v128): void {
  const d = f32x4.sub(t1, t2), s = f32x4.add(t1, t2), D = f32x4.sub(t3, t4), S = f32x4.add(t3, t4);
  v128.store(p, f32x4.add(b, f32x4.add(f32x4.add(t0, s), S)));
  if (cols > 1) v128.store(p + pix, f32x4.add(b, f32x4.add(d, f32x4.mul(splat(2), D))));
  if (cols > 2) v128.store(p + 2 * pix, f32x4.add(b, f32x4.add(s, f32x4.mul(splat(4), S))));
  if (cols > 3) v128.store(p + 3 * pix, f32x4.add(b, f32x4.add(f32x4.add(d, f32x4.mul(splat(8), D)), t5)));
}

/**
 * y [N, OH, OW, CO] = Aᵀ M A + bias (bias 0: none) for tiles t0 .. t0 + n, from M[i][ξ][co];
 * outputs beyond OH × OW are dropped.
 */
export function winograd4Output(m: usize, y: usize, bias: usize, t0: i32, n: i32, OH: i32, OW: i32, CO: i32, TH: i32, TW: i32): void {
  const pix = (<usize>CO) << 2;
  const plane = pix;
  const two = splat(2), four = splat(4), eight = splat(8);
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const oh = 4 * tileRow(t, TH, TW);
    const ow = 4 * (t % TW);
    const rows = min(4, OH - oh);
    const cols = min(4, OW - ow);
    const y0 = y + (<usize>((image * OH + oh) * OW + ow)) * pix;
    for (let c: usize = 0; c < pix; c += 16) {
      const q = m + (<usize>i) * (36 * pix + 64) + c;
      // Aᵀ M down each column s (rows 0..3 of Aᵀ M), in registers …
      const m00 = v128.load(q + 0 * plane), m10 = v128.load(q + 6 * plane), m20 = v128.load(q + 12 * plane);
      const m30 = v128.load(q + 18 * plane), m40 = v128.load(q + 24 * plane), m50 = v128.load(q + 30 * plane);
      const d0 = f32x4.sub(m10, m20), s0 = f32x4.add(m10, m20), D0 = f32x4.sub(m30, m40), S0 = f32x4.add(m30, m40);
      const t00 = f32x4.add(f32x4.add(m00, s0), S0), t10 = f32x4.add(d0, f32x4.mul(two, D0));
      const t20 = f32x4.add(s0, f32x4.mul(four, S0)), t30 = f32x4.add(f32x4.add(d0, f32x4.mul(eight, D0)), m50);
      const m01 = v128.load(q + 1 * plane), m11 = v128.load(q + 7 * plane), m21 = v128.load(q + 13 * plane);
      const m31 = v128.load(q + 19 * plane), m41 = v128.load(q + 25 * plane), m51 = v128.load(q + 31 * plane);
      const d1 = f32x4.sub(m11, m21), s1 = f32x4.add(m11, m21), D1 = f32x4.sub(m31, m41), S1 = f32x4.add(m31, m41);
      const t01 = f32x4.add(f32x4.add(m01, s1), S1), t11 = f32x4.add(d1, f32x4.mul(two, D1));
      const t21 = f32x4.add(s1, f32x4.mul(four, S1)), t31 = f32x4.add(f32x4.add(d1, f32x4.mul(eight, D1)), m51);
      const m02 = v128.load(q + 2 * plane), m12 = v128.load(q + 8 * plane), m22 = v128.load(q + 14 * plane);
      const m32 = v128.load(q + 20 * plane), m42 = v128.load(q + 26 * plane), m52 = v128.load(q + 32 * plane);
      const d2 = f32x4.sub(m12, m22), s2 = f32x4.add(m12, m22), D2 = f32x4.sub(m32, m42), S2 = f32x4.add(m32, m42);
      const t02 = f32x4.add(f32x4.add(m02, s2), S2), t12 = f32x4.add(d2, f32x4.mul(two, D2));
      const t22 = f32x4.add(s2, f32x4.mul(four, S2)), t32 = f32x4.add(f32x4.add(d2, f32x4.mul(eight, D2)), m52);
      const m03 = v128.load(q + 3 * plane), m13 = v128.load(q + 9 * plane), m23 = v128.load(q + 15 * plane);
      const m33 = v128.load(q + 21 * plane), m43 = v128.load(q + 27 * plane), m53 = v128.load(q + 33 * plane);
      const d3 = f32x4.sub(m13, m23), s3 = f32x4.add(m13, m23), D3 = f32x4.sub(m33, m43), S3 = f32x4.add(m33, m43);
      const t03 = f32x4.add(f32x4.add(m03, s3), S3), t13 = f32x4.add(d3, f32x4.mul(two, D3));
      const t23 = f32x4.add(s3, f32x4.mul(four, S3)), t33 = f32x4.add(f32x4.add(d3, f32x4.mul(eight, D3)), m53);
      const m04 = v128.load(q + 4 * plane), m14 = v128.load(q + 10 * plane), m24 = v128.load(q + 16 * plane);
      const m34 = v128.load(q + 22 * plane), m44 = v128.load(q + 28 * plane), m54 = v128.load(q + 34 * plane);
      const d4 = f32x4.sub(m14, m24), s4 = f32x4.add(m14, m24), D4 = f32x4.sub(m34, m44), S4 = f32x4.add(m34, m44);
      const t04 = f32x4.add(f32x4.add(m04, s4), S4), t14 = f32x4.add(d4, f32x4.mul(two, D4));
      const t24 = f32x4.add(s4, f32x4.mul(four, S4)), t34 = f32x4.add(f32x4.add(d4, f32x4.mul(eight, D4)), m54);
      const m05 = v128.load(q + 5 * plane), m15 = v128.load(q + 11 * plane), m25 = v128.load(q + 17 * plane);
      const m35 = v128.load(q + 23 * plane), m45 = v128.load(q + 29 * plane), m55 = v128.load(q + 35 * plane);
      const d5 = f32x4.sub(m15, m25), s5 = f32x4.add(m15, m25), D5 = f32x4.sub(m35, m45), S5 = f32x4.add(m35, m45);
      const t05 = f32x4.add(f32x4.add(m05, s5), S5), t15 = f32x4.add(d5, f32x4.mul(two, D5));
      const t25 = f32x4.add(s5, f32x4.mul(four, S5)), t35 = f32x4.add(f32x4.add(d5, f32x4.mul(eight, D5)), m55);
      // … then · A along each row, out with the bias where inside OH × OW.
      const b = bias ? v128.load(bias + c) : splat(0);
      outputRow(y0 + (<usize>(0 * OW)) * pix + c, pix, cols, b, t00, t01, t02, t03, t04, t05);
      if (rows > 1) outputRow(y0 + (<usize>(1 * OW)) * pix + c, pix, cols, b, t10, t11, t12, t13, t14, t15);
      if (rows > 2) outputRow(y0 + (<usize>(2 * OW)) * pix + c, pix, cols, b, t20, t21, t22, t23, t24, t25);
      if (rows > 3) outputRow(y0 + (<usize>(3 * OW)) * pix + c, pix, cols, b, t30, t31, t32, t33, t34, t35);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The input gradient: dM = A dy Aᵀ,  dV_ξ = dM_ξ · U_ξᵀ,  dd = B dV Bᵀ. (The filter gradient stays on
// F(2×2, 3×3): summed over every tile of a batch, F(4×4, 3×3)'s dg = Gᵀ dU G came out 8.6e-6 from
// the exact sums, relative to the largest, against 1.0e-6 for F(2×2, 3×3), on the seed's second layer.)

/** The six values of A·(y0..y3), stored `stride` bytes apart from p. */
@inline function outputGradColumn(p: usize, stride: usize, y0: v128, y1: v128, y2: v128, y3: v128): void {
  const s = f32x4.add(y0, y2), d = f32x4.add(y1, y3); // y0 + y2, y1 + y3
  const s4 = f32x4.add(y0, f32x4.mul(splat(4), y2)), d8 = f32x4.add(f32x4.mul(splat(2), y1), f32x4.mul(splat(8), y3));
  v128.store(p, y0);
  v128.store(p + stride, f32x4.add(s, d));
  v128.store(p + 2 * stride, f32x4.sub(s, d));
  v128.store(p + 3 * stride, f32x4.add(s4, d8));
  v128.store(p + 4 * stride, f32x4.sub(s4, d8));
  v128.store(p + 5 * stride, y3);
}

/** dM[i][ξ][co] = (A dy Aᵀ)_ξ for tiles t0 .. t0 + n, dy [N, OH, OW, CO] (0 beyond OH × OW). */
export function winograd4OutputGrad(dy: usize, dm: usize, t0: i32, n: i32, OH: i32, OW: i32, CO: i32, TH: i32, TW: i32): void {
  const pix = (<usize>CO) << 2;
  const plane = pix;
  const zero = splat(0), two = splat(2), four = splat(4), eight = splat(8);
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const oh = 4 * tileRow(t, TH, TW);
    const ow = 4 * (t % TW);
    const rows = min(4, OH - oh);
    const cols = min(4, OW - ow);
    const g0 = dy + (<usize>((image * OH + oh) * OW + ow)) * pix;
    const row = (<usize>OW) * pix;
    for (let c: usize = 0; c < pix; c += 16) {
      const q = dm + (<usize>i) * (36 * pix + 64) + c;
      const g = g0 + c;
      // A dy down each column s < 4 (0 beyond OH × OW), in registers …
      const y00 = cols > 0 && rows > 0 ? v128.load(g + 0 * pix + 0 * row) : zero;
      const y10 = cols > 0 && rows > 1 ? v128.load(g + 0 * pix + 1 * row) : zero;
      const y20 = cols > 0 && rows > 2 ? v128.load(g + 0 * pix + 2 * row) : zero;
      const y30 = cols > 0 && rows > 3 ? v128.load(g + 0 * pix + 3 * row) : zero;
      const s0 = f32x4.add(y00, y20), d0 = f32x4.add(y10, y30);
      const S0 = f32x4.add(y00, f32x4.mul(four, y20)), D0 = f32x4.add(f32x4.mul(two, y10), f32x4.mul(eight, y30));
      const t00 = y00, t10 = f32x4.add(s0, d0), t20 = f32x4.sub(s0, d0), t30 = f32x4.add(S0, D0), t40 = f32x4.sub(S0, D0), t50 = y30;
      const y01 = cols > 1 && rows > 0 ? v128.load(g + 1 * pix + 0 * row) : zero;
      const y11 = cols > 1 && rows > 1 ? v128.load(g + 1 * pix + 1 * row) : zero;
      const y21 = cols > 1 && rows > 2 ? v128.load(g + 1 * pix + 2 * row) : zero;
      const y31 = cols > 1 && rows > 3 ? v128.load(g + 1 * pix + 3 * row) : zero;
      const s1 = f32x4.add(y01, y21), d1 = f32x4.add(y11, y31);
      const S1 = f32x4.add(y01, f32x4.mul(four, y21)), D1 = f32x4.add(f32x4.mul(two, y11), f32x4.mul(eight, y31));
      const t01 = y01, t11 = f32x4.add(s1, d1), t21 = f32x4.sub(s1, d1), t31 = f32x4.add(S1, D1), t41 = f32x4.sub(S1, D1), t51 = y31;
      const y02 = cols > 2 && rows > 0 ? v128.load(g + 2 * pix + 0 * row) : zero;
      const y12 = cols > 2 && rows > 1 ? v128.load(g + 2 * pix + 1 * row) : zero;
      const y22 = cols > 2 && rows > 2 ? v128.load(g + 2 * pix + 2 * row) : zero;
      const y32 = cols > 2 && rows > 3 ? v128.load(g + 2 * pix + 3 * row) : zero;
      const s2 = f32x4.add(y02, y22), d2 = f32x4.add(y12, y32);
      const S2 = f32x4.add(y02, f32x4.mul(four, y22)), D2 = f32x4.add(f32x4.mul(two, y12), f32x4.mul(eight, y32));
      const t02 = y02, t12 = f32x4.add(s2, d2), t22 = f32x4.sub(s2, d2), t32 = f32x4.add(S2, D2), t42 = f32x4.sub(S2, D2), t52 = y32;
      const y03 = cols > 3 && rows > 0 ? v128.load(g + 3 * pix + 0 * row) : zero;
      const y13 = cols > 3 && rows > 1 ? v128.load(g + 3 * pix + 1 * row) : zero;
      const y23 = cols > 3 && rows > 2 ? v128.load(g + 3 * pix + 2 * row) : zero;
      const y33 = cols > 3 && rows > 3 ? v128.load(g + 3 * pix + 3 * row) : zero;
      const s3 = f32x4.add(y03, y23), d3 = f32x4.add(y13, y33);
      const S3 = f32x4.add(y03, f32x4.mul(four, y23)), D3 = f32x4.add(f32x4.mul(two, y13), f32x4.mul(eight, y33));
      const t03 = y03, t13 = f32x4.add(s3, d3), t23 = f32x4.sub(s3, d3), t33 = f32x4.add(S3, D3), t43 = f32x4.sub(S3, D3), t53 = y33;
      // … then · Aᵀ along each row r, into planes 6r .. 6r + 5.
      outputGradColumn(q + 0 * plane, plane, t00, t01, t02, t03);
      outputGradColumn(q + 6 * plane, plane, t10, t11, t12, t13);
      outputGradColumn(q + 12 * plane, plane, t20, t21, t22, t23);
      outputGradColumn(q + 18 * plane, plane, t30, t31, t32, t33);
      outputGradColumn(q + 24 * plane, plane, t40, t41, t42, t43);
      outputGradColumn(q + 30 * plane, plane, t50, t51, t52, t53);
    }
  }
}

/** The codes of channels c/4 .. c/4 + 3 of pooled pixel `at` (c in bytes), one per 32-bit lane. */
@inline function codesAt(codes: usize, at: i32, CO: i32, c: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(codes + <usize>(at * CO) + (c >> 2))));
}

/**
 * winograd4OutputGrad of the dz that maxPoolGradCodes makes from the pooled gradient dp [N, PH, PW,
 * CO] and maxPoolCodes' codes, without dz: each 4×4 tile of outputs is four whole windows, and dy at
 * an output is its window's gradient where the code points at it, else 0. Bit for bit the same dM.
 */
export function winograd4OutputGradPool(dp: usize, codes: usize, dm: usize, t0: i32, n: i32, OH: i32, OW: i32, CO: i32, TH: i32, TW: i32, PH: i32, PW: i32): void {
  const pix = (<usize>CO) << 2;
  const plane = pix;
  const zero = splat(0), two = splat(2), four = splat(4), eight = splat(8);
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const oh = 4 * tileRow(t, TH, TW);
    const ow = 4 * (t % TW);
    // The tile's 2×2 pooled pixels (those inside PH × PW; 0 elsewhere).
    const prow = oh >> 1, pcol = ow >> 1;
    const rows = min(2, PH - prow);
    const cols = min(2, PW - pcol);
    const p0 = (image * PH + prow) * PW + pcol;
    for (let c: usize = 0; c < pix; c += 16) {
      const q = dm + (<usize>i) * (36 * pix + 64) + c;
      // Each window's gradient and codes, then dy at each of its four outputs: the gradient where the code says, else 0.
      const g00 = rows > 0 && cols > 0 ? v128.load(dp + (<usize>p0) * pix + c) : zero;
      const g01 = rows > 0 && cols > 1 ? v128.load(dp + (<usize>(p0 + 1)) * pix + c) : zero;
      const g10 = rows > 1 && cols > 0 ? v128.load(dp + (<usize>(p0 + PW)) * pix + c) : zero;
      const g11 = rows > 1 && cols > 1 ? v128.load(dp + (<usize>(p0 + PW + 1)) * pix + c) : zero;
      const k00 = rows > 0 && cols > 0 ? codesAt(codes, p0, CO, c) : zero;
      const k01 = rows > 0 && cols > 1 ? codesAt(codes, p0 + 1, CO, c) : zero;
      const k10 = rows > 1 && cols > 0 ? codesAt(codes, p0 + PW, CO, c) : zero;
      const k11 = rows > 1 && cols > 1 ? codesAt(codes, p0 + PW + 1, CO, c) : zero;
      // A dy down each column s < 4 (0 beyond OH × OW), in registers …
      const y00 = v128.and(g00, i32x4.eq(k00, i32x4.splat(0)));
      const y10 = v128.and(g00, i32x4.eq(k00, i32x4.splat(2)));
      const y20 = v128.and(g10, i32x4.eq(k10, i32x4.splat(0)));
      const y30 = v128.and(g10, i32x4.eq(k10, i32x4.splat(2)));
      const s0 = f32x4.add(y00, y20), d0 = f32x4.add(y10, y30);
      const S0 = f32x4.add(y00, f32x4.mul(four, y20)), D0 = f32x4.add(f32x4.mul(two, y10), f32x4.mul(eight, y30));
      const t00 = y00, t10 = f32x4.add(s0, d0), t20 = f32x4.sub(s0, d0), t30 = f32x4.add(S0, D0), t40 = f32x4.sub(S0, D0), t50 = y30;
      const y01 = v128.and(g00, i32x4.eq(k00, i32x4.splat(1)));
      const y11 = v128.and(g00, i32x4.eq(k00, i32x4.splat(3)));
      const y21 = v128.and(g10, i32x4.eq(k10, i32x4.splat(1)));
      const y31 = v128.and(g10, i32x4.eq(k10, i32x4.splat(3)));
      const s1 = f32x4.add(y01, y21), d1 = f32x4.add(y11, y31);
      const S1 = f32x4.add(y01, f32x4.mul(four, y21)), D1 = f32x4.add(f32x4.mul(two, y11), f32x4.mul(eight, y31));
      const t01 = y01, t11 = f32x4.add(s1, d1), t21 = f32x4.sub(s1, d1), t31 = f32x4.add(S1, D1), t41 = f32x4.sub(S1, D1), t51 = y31;
      const y02 = v128.and(g01, i32x4.eq(k01, i32x4.splat(0)));
      const y12 = v128.and(g01, i32x4.eq(k01, i32x4.splat(2)));
      const y22 = v128.and(g11, i32x4.eq(k11, i32x4.splat(0)));
      const y32 = v128.and(g11, i32x4.eq(k11, i32x4.splat(2)));
      const s2 = f32x4.add(y02, y22), d2 = f32x4.add(y12, y32);
      const S2 = f32x4.add(y02, f32x4.mul(four, y22)), D2 = f32x4.add(f32x4.mul(two, y12), f32x4.mul(eight, y32));
      const t02 = y02, t12 = f32x4.add(s2, d2), t22 = f32x4.sub(s2, d2), t32 = f32x4.add(S2, D2), t42 = f32x4.sub(S2, D2), t52 = y32;
      const y03 = v128.and(g01, i32x4.eq(k01, i32x4.splat(1)));
      const y13 = v128.and(g01, i32x4.eq(k01, i32x4.splat(3)));
      const y23 = v128.and(g11, i32x4.eq(k11, i32x4.splat(1)));
      const y33 = v128.and(g11, i32x4.eq(k11, i32x4.splat(3)));
      const s3 = f32x4.add(y03, y23), d3 = f32x4.add(y13, y33);
      const S3 = f32x4.add(y03, f32x4.mul(four, y23)), D3 = f32x4.add(f32x4.mul(two, y13), f32x4.mul(eight, y33));
      const t03 = y03, t13 = f32x4.add(s3, d3), t23 = f32x4.sub(s3, d3), t33 = f32x4.add(S3, D3), t43 = f32x4.sub(S3, D3), t53 = y33;
      // … then · Aᵀ along each row r, into planes 6r .. 6r + 5.
      outputGradColumn(q + 0 * plane, plane, t00, t01, t02, t03);
      outputGradColumn(q + 6 * plane, plane, t10, t11, t12, t13);
      outputGradColumn(q + 12 * plane, plane, t20, t21, t22, t23);
      outputGradColumn(q + 18 * plane, plane, t30, t31, t32, t33);
      outputGradColumn(q + 24 * plane, plane, t40, t41, t42, t43);
      outputGradColumn(q + 30 * plane, plane, t50, t51, t52, t53);
    }
  }
}

/** Value k of B·(v0..v5), B = (Bᵀ)ᵀ (k a constant: the switch folds away when this is inlined). */
@inline function bRow(k: i32, v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128): v128 {
  switch (k) {
    case 0: return f32x4.mul(splat(4), v0);
    // 4(v2 − v1 + v5) + 2(v4 − v3)
    case 1: return f32x4.add(f32x4.mul(splat(4), f32x4.add(f32x4.sub(v2, v1), v5)), f32x4.mul(splat(2), f32x4.sub(v4, v3)));
    // −5v0 − 4(v1 + v2) − (v3 + v4)
    case 2: return f32x4.neg(f32x4.add(f32x4.add(f32x4.mul(splat(5), v0), f32x4.mul(splat(4), f32x4.add(v1, v2))), f32x4.add(v3, v4)));
    // (v1 − v2) + 2(v3 − v4) − 5v5
    case 3: return f32x4.sub(f32x4.add(f32x4.sub(v1, v2), f32x4.mul(splat(2), f32x4.sub(v3, v4))), f32x4.mul(splat(5), v5));
    case 4: return f32x4.add(f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3)), v4);
    default: return v5;
  }
}

/**
 * dx [N, H, W, C] += B dV Bᵀ of tiles t0 .. t0 + n at their 6×6 inputs inside the image (tiles
 * overlap, so they add), from dV[i][ξ][c] (overwritten: the column pass runs in place); with
 * `clear`, dx is zeroed first.
 */
export function winograd4InputGrad(dv: usize, dx: usize, clear: i32, N: i32, t0: i32, n: i32, H: i32, W: i32, C: i32, TH: i32, TW: i32, padTop: i32, padLeft: i32): void {
  const pix = (<usize>C) << 2;
  const plane = pix;
  if (clear) zeroBytes(dx, (<usize>(N * H * W)) * pix);
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const h0 = 4 * tileRow(t, TH, TW) - padTop;
    const w0 = 4 * (t % TW) - padLeft;
    const base = dx + (<usize>(image * H)) * (<usize>W) * pix;
    for (let c: usize = 0; c < pix; c += 16) {
      const q = dv + (<usize>i) * (36 * pix + 64) + c;
      // Down each column s: B dV[·][s] into slots (0..5, s), in place …
      for (let s = 0; s < 6; s++) {
        const p = q + (<usize>s) * plane;
        const st = 6 * plane;
        const v0 = v128.load(p), v1 = v128.load(p + st), v2 = v128.load(p + 2 * st);
        const v3 = v128.load(p + 3 * st), v4 = v128.load(p + 4 * st), v5 = v128.load(p + 5 * st);
        v128.store(p, bRow(0, v0, v1, v2, v3, v4, v5));
        v128.store(p + st, bRow(1, v0, v1, v2, v3, v4, v5));
        v128.store(p + 2 * st, bRow(2, v0, v1, v2, v3, v4, v5));
        v128.store(p + 3 * st, bRow(3, v0, v1, v2, v3, v4, v5));
        v128.store(p + 4 * st, bRow(4, v0, v1, v2, v3, v4, v5));
        v128.store(p + 5 * st, bRow(5, v0, v1, v2, v3, v4, v5));
      }
      // … then along each row r: (·) Bᵀ, added into dx where inside.
      for (let r = 0; r < 6; r++) {
        const h = h0 + r;
        if (h < 0 || h >= H) continue;
        const p = q + (<usize>(6 * r)) * plane;
        const v0 = v128.load(p), v1 = v128.load(p + plane), v2 = v128.load(p + 2 * plane);
        const v3 = v128.load(p + 3 * plane), v4 = v128.load(p + 4 * plane), v5 = v128.load(p + 5 * plane);
        const row = base + (<usize>(h * W)) * pix + c;
        addAt(row, w0, W, pix, bRow(0, v0, v1, v2, v3, v4, v5));
        addAt(row, w0 + 1, W, pix, bRow(1, v0, v1, v2, v3, v4, v5));
        addAt(row, w0 + 2, W, pix, bRow(2, v0, v1, v2, v3, v4, v5));
        addAt(row, w0 + 3, W, pix, bRow(3, v0, v1, v2, v3, v4, v5));
        addAt(row, w0 + 4, W, pix, bRow(4, v0, v1, v2, v3, v4, v5));
        addAt(row, w0 + 5, W, pix, bRow(5, v0, v1, v2, v3, v4, v5));
      }
    }
  }
}
