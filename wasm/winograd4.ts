// AssemblyScript: Winograd F(4×4, 3×3) transforms for the forward pass (see kernels.ts and src/kernels/winograd.ts).

import { splat } from './common';

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
// 1-D transforms down the columns, written into the tile's own slots, then along the rows in place.

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
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const h0 = 4 * ((t / TW) % TH) - padTop;
    const w0 = 4 * (t % TW) - padLeft;
    const base = x + (<usize>(image * H)) * (<usize>W) * pix;
    const out = v + (<usize>i) * (36 * pix + 64);
    const inside = h0 >= 0 && h0 + 6 <= H && w0 >= 0 && w0 + 6 <= W;
    const row = (<usize>W) * pix;
    for (let c: usize = 0; c < pix; c += 16) {
      const p = base + c;
      const q = out + c;
      // Down each column s: Bᵀ d[·][s] into slots (r, s).
      for (let s = 0; s < 6; s++) {
        let d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128;
        if (inside) {
          const r0 = p + (<usize>(h0 * W + w0 + s)) * pix;
          d0 = v128.load(r0); d1 = v128.load(r0 + row); d2 = v128.load(r0 + 2 * row);
          d3 = v128.load(r0 + 3 * row); d4 = v128.load(r0 + 4 * row); d5 = v128.load(r0 + 5 * row);
        } else {
          d0 = at(p, h0, w0 + s, H, W, pix); d1 = at(p, h0 + 1, w0 + s, H, W, pix); d2 = at(p, h0 + 2, w0 + s, H, W, pix);
          d3 = at(p, h0 + 3, w0 + s, H, W, pix); d4 = at(p, h0 + 4, w0 + s, H, W, pix); d5 = at(p, h0 + 5, w0 + s, H, W, pix);
        }
        inputColumn(q + (<usize>s) * plane, 6 * plane, d0, d1, d2, d3, d4, d5);
      }
      // Along each row r: (·) B, in place.
      for (let r = 0; r < 6; r++) {
        const o = q + (<usize>(6 * r)) * plane;
        inputColumn(o, plane, v128.load(o), v128.load(o + plane), v128.load(o + 2 * plane), v128.load(o + 3 * plane), v128.load(o + 4 * plane), v128.load(o + 5 * plane));
      }
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

/** The four values of Aᵀ·(m0..m5). */
@inline function outputColumn(p: usize, stride: usize, m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128): void {
  const s = f32x4.add(m1, m2), d = f32x4.sub(m1, m2);
  const S = f32x4.add(m3, m4), D = f32x4.sub(m3, m4);
  v128.store(p, f32x4.add(f32x4.add(m0, s), S));
  v128.store(p + stride, f32x4.add(d, f32x4.mul(splat(2), D)));
  v128.store(p + 2 * stride, f32x4.add(s, f32x4.mul(splat(4), S)));
  v128.store(p + 3 * stride, f32x4.add(f32x4.add(d, f32x4.mul(splat(8), D)), m5));
}

/**
 * y [N, OH, OW, CO] = Aᵀ M A + bias (bias 0: none) for tiles t0 .. t0 + n, from M[i][ξ][co];
 * outputs beyond OH × OW are dropped. M is overwritten (the column pass runs in place).
 */
export function winograd4Output(m: usize, y: usize, bias: usize, t0: i32, n: i32, OH: i32, OW: i32, CO: i32, TH: i32, TW: i32): void {
  const pix = (<usize>CO) << 2;
  const plane = pix;
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const oh = 4 * ((t / TW) % TH);
    const ow = 4 * (t % TW);
    const rows = min(4, OH - oh);
    const cols = min(4, OW - ow);
    const y0 = y + (<usize>((image * OH + oh) * OW + ow)) * pix;
    for (let c: usize = 0; c < pix; c += 16) {
      const q = m + (<usize>i) * (36 * pix + 64) + c;
      // Down each column s: Aᵀ M[·][s] into slots (0..3, s) …
      for (let s = 0; s < 6; s++) {
        const p = q + (<usize>s) * plane;
        const st = 6 * plane;
        outputColumn(p, st, v128.load(p), v128.load(p + st), v128.load(p + 2 * st), v128.load(p + 3 * st), v128.load(p + 4 * st), v128.load(p + 5 * st));
      }
      // … then along rows 0..3: (·) A, into slots (r, 0..3), and out with the bias.
      const b = bias ? v128.load(bias + c) : splat(0);
      for (let r = 0; r < rows; r++) {
        const p = q + (<usize>(6 * r)) * plane;
        outputColumn(p, plane, v128.load(p), v128.load(p + plane), v128.load(p + 2 * plane), v128.load(p + 3 * plane), v128.load(p + 4 * plane), v128.load(p + 5 * plane));
        const to = y0 + (<usize>(r * OW)) * pix + c;
        for (let j = 0; j < cols; j++) v128.store(to + (<usize>j) * pix, f32x4.add(b, v128.load(p + (<usize>j) * plane)));
      }
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
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const oh = 4 * ((t / TW) % TH);
    const ow = 4 * (t % TW);
    const rows = min(4, OH - oh);
    const cols = min(4, OW - ow);
    const g0 = dy + (<usize>((image * OH + oh) * OW + ow)) * pix;
    const row = (<usize>OW) * pix;
    for (let c: usize = 0; c < pix; c += 16) {
      const q = dm + (<usize>i) * (36 * pix + 64) + c;
      // Down each column s < 4 of dy: A dy[·][s] into slots (0..5, s) …
      for (let s = 0; s < 4; s++) {
        const p = g0 + (<usize>s) * pix + c;
        const inside = s < cols;
        const y0 = inside ? v128.load(p) : splat(0);
        const y1 = inside && rows > 1 ? v128.load(p + row) : splat(0);
        const y2 = inside && rows > 2 ? v128.load(p + 2 * row) : splat(0);
        const y3 = inside && rows > 3 ? v128.load(p + 3 * row) : splat(0);
        outputGradColumn(q + (<usize>s) * plane, 6 * plane, y0, y1, y2, y3);
      }
      // … then along each row: (·) Aᵀ into slots (r, 0..5), in place.
      for (let r = 0; r < 6; r++) {
        const p = q + (<usize>(6 * r)) * plane;
        outputGradColumn(p, plane, v128.load(p), v128.load(p + plane), v128.load(p + 2 * plane), v128.load(p + 3 * plane));
      }
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

@inline function addAt(row: usize, w: i32, W: i32, pix: usize, g: v128): void {
  if (w < 0 || w >= W) return;
  const q = row + (<usize>w) * pix;
  v128.store(q, f32x4.add(v128.load(q), g));
}

/**
 * dx [N, H, W, C] += B dV Bᵀ of tiles t0 .. t0 + n at their 6×6 inputs inside the image (tiles
 * overlap, so they add), from dV[i][ξ][c] (overwritten: the column pass runs in place); with
 * `clear`, dx is zeroed first.
 */
export function winograd4InputGrad(dv: usize, dx: usize, clear: i32, N: i32, t0: i32, n: i32, H: i32, W: i32, C: i32, TH: i32, TW: i32, padTop: i32, padLeft: i32): void {
  const pix = (<usize>C) << 2;
  const plane = pix;
  if (clear) {
    const total = (<usize>(N * H * W)) * pix;
    for (let z: usize = 0; z < total; z += 16) v128.store(dx + z, splat(0));
  }
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const image = t / (TH * TW);
    const h0 = 4 * ((t / TW) % TH) - padTop;
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
