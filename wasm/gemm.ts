// AssemblyScript: matrix products and the row and column movements around them (see kernels.ts).

import { fma } from './common';

// ---------------------------------------------------------------------------------------------
// Matrix product: C[M, N] = A · B, N a multiple of 4. Element (i, k) of A is at
// a + 4·(i·sai + k·sak), so A may be a transposed view. B is [K, N] with row stride ldb; C has row
// stride ldc. C starts from C itself (accumulate = 1), from the bias row (bias ≠ 0), or from zero.
// A's elements are broadcast straight from memory (v128.load32_splat: one instruction on x64).

@inline function start(c: usize, bias: usize, accumulate: i32): v128 {
  if (accumulate) return v128.load(c);
  if (bias) return v128.load(bias);
  return f32x4.splat(0);
}


// Register tiles: 6 rows × 8 columns (12 accumulators: two fused multiply-adds issue per cycle
// and each takes ~4 cycles, so 8 accumulators leave the units idle; 12 do not, and with the two
// B vectors and one broadcast they still fit x64's 16 vector registers), then 4, 2 and 1 rows.

function tile6x8(K: i32, a: usize, sai: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, bias: usize): void {
  const rc = (<usize>ldc) << 2;
  const b16 = bias ? bias + 16 : 0;
  let c00 = start(c, bias, accumulate);
  let c01 = start(c + 16, b16, accumulate);
  let c10 = start(c + rc, bias, accumulate);
  let c11 = start(c + rc + 16, b16, accumulate);
  let c20 = start(c + 2 * rc, bias, accumulate);
  let c21 = start(c + 2 * rc + 16, b16, accumulate);
  let c30 = start(c + 3 * rc, bias, accumulate);
  let c31 = start(c + 3 * rc + 16, b16, accumulate);
  let c40 = start(c + 4 * rc, bias, accumulate);
  let c41 = start(c + 4 * rc + 16, b16, accumulate);
  let c50 = start(c + 5 * rc, bias, accumulate);
  let c51 = start(c + 5 * rc + 16, b16, accumulate);
  const ra = (<usize>sai) << 2;
  const ka = (<usize>sak) << 2;
  const kb = (<usize>ldb) << 2;
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let ai = v128.load32_splat(pa);
    c00 = fma(c00, ai, b0);
    c01 = fma(c01, ai, b1);
    ai = v128.load32_splat(pa + ra);
    c10 = fma(c10, ai, b0);
    c11 = fma(c11, ai, b1);
    ai = v128.load32_splat(pa + 2 * ra);
    c20 = fma(c20, ai, b0);
    c21 = fma(c21, ai, b1);
    ai = v128.load32_splat(pa + 3 * ra);
    c30 = fma(c30, ai, b0);
    c31 = fma(c31, ai, b1);
    ai = v128.load32_splat(pa + 4 * ra);
    c40 = fma(c40, ai, b0);
    c41 = fma(c41, ai, b1);
    ai = v128.load32_splat(pa + 5 * ra);
    c50 = fma(c50, ai, b0);
    c51 = fma(c51, ai, b1);
    pa += ka;
    pb += kb;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + rc, c10);
  v128.store(c + rc, c11, 16);
  v128.store(c + 2 * rc, c20);
  v128.store(c + 2 * rc, c21, 16);
  v128.store(c + 3 * rc, c30);
  v128.store(c + 3 * rc, c31, 16);
  v128.store(c + 4 * rc, c40);
  v128.store(c + 4 * rc, c41, 16);
  v128.store(c + 5 * rc, c50);
  v128.store(c + 5 * rc, c51, 16);
}

function tile4x8(K: i32, a: usize, sai: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, bias: usize): void {
  const rc = (<usize>ldc) << 2;
  const b16 = bias ? bias + 16 : 0;
  let c00 = start(c, bias, accumulate);
  let c01 = start(c + 16, b16, accumulate);
  let c10 = start(c + rc, bias, accumulate);
  let c11 = start(c + rc + 16, b16, accumulate);
  let c20 = start(c + 2 * rc, bias, accumulate);
  let c21 = start(c + 2 * rc + 16, b16, accumulate);
  let c30 = start(c + 3 * rc, bias, accumulate);
  let c31 = start(c + 3 * rc + 16, b16, accumulate);
  const ra = (<usize>sai) << 2;
  const ka = (<usize>sak) << 2;
  const kb = (<usize>ldb) << 2;
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa + ra);
    const a2 = v128.load32_splat(pa + 2 * ra);
    const a3 = v128.load32_splat(pa + 3 * ra);
    c00 = fma(c00, a0, b0);
    c01 = fma(c01, a0, b1);
    c10 = fma(c10, a1, b0);
    c11 = fma(c11, a1, b1);
    c20 = fma(c20, a2, b0);
    c21 = fma(c21, a2, b1);
    c30 = fma(c30, a3, b0);
    c31 = fma(c31, a3, b1);
    pa += ka;
    pb += kb;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + rc, c10);
  v128.store(c + rc, c11, 16);
  v128.store(c + 2 * rc, c20);
  v128.store(c + 2 * rc, c21, 16);
  v128.store(c + 3 * rc, c30);
  v128.store(c + 3 * rc, c31, 16);
}

function tile2x8(K: i32, a: usize, sai: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, bias: usize): void {
  const rc = (<usize>ldc) << 2;
  const b16 = bias ? bias + 16 : 0;
  let c00 = start(c, bias, accumulate);
  let c01 = start(c + 16, b16, accumulate);
  let c10 = start(c + rc, bias, accumulate);
  let c11 = start(c + rc + 16, b16, accumulate);
  const ra = (<usize>sai) << 2;
  const ka = (<usize>sak) << 2;
  const kb = (<usize>ldb) << 2;
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa + ra);
    c00 = fma(c00, a0, b0);
    c01 = fma(c01, a0, b1);
    c10 = fma(c10, a1, b0);
    c11 = fma(c11, a1, b1);
    pa += ka;
    pb += kb;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + rc, c10);
  v128.store(c + rc, c11, 16);
}

function tile1x8(K: i32, a: usize, sak: i32, b: usize, ldb: i32, c: usize, accumulate: i32, bias: usize): void {
  let c0 = start(c, bias, accumulate);
  let c1 = start(c + 16, bias ? bias + 16 : 0, accumulate);
  const ka = (<usize>sak) << 2;
  const kb = (<usize>ldb) << 2;
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const a0 = v128.load32_splat(pa);
    c0 = fma(c0, a0, v128.load(pb));
    c1 = fma(c1, a0, v128.load(pb, 16));
    pa += ka;
    pb += kb;
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

function tile4x4(K: i32, a: usize, sai: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, bias: usize): void {
  const rc = (<usize>ldc) << 2;
  let c0 = start(c, bias, accumulate);
  let c1 = start(c + rc, bias, accumulate);
  let c2 = start(c + 2 * rc, bias, accumulate);
  let c3 = start(c + 3 * rc, bias, accumulate);
  const ra = (<usize>sai) << 2;
  const ka = (<usize>sak) << 2;
  const kb = (<usize>ldb) << 2;
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    c0 = fma(c0, v128.load32_splat(pa), b0);
    c1 = fma(c1, v128.load32_splat(pa + ra), b0);
    c2 = fma(c2, v128.load32_splat(pa + 2 * ra), b0);
    c3 = fma(c3, v128.load32_splat(pa + 3 * ra), b0);
    pa += ka;
    pb += kb;
  }
  v128.store(c, c0);
  v128.store(c + rc, c1);
  v128.store(c + 2 * rc, c2);
  v128.store(c + 3 * rc, c3);
}

function tile1x4(K: i32, a: usize, sak: i32, b: usize, ldb: i32, c: usize, accumulate: i32, bias: usize): void {
  let c0 = start(c, bias, accumulate);
  const ka = (<usize>sak) << 2;
  const kb = (<usize>ldb) << 2;
  let pa = a;
  let pb = b;
  for (let k = 0; k < K; k++) {
    c0 = fma(c0, v128.load32_splat(pa), v128.load(pb));
    pa += ka;
    pb += kb;
  }
  v128.store(c, c0);
}

/** Rows of A per block: a block (≤ 64 rows of K floats) stays in L2 while every column panel of B passes. */
const ROW_BLOCK = 64;

/** Rows i0 .. i1 of one 8-column panel: 6-row tiles, then 4, 2 and 1 (8 left over: two 4-row tiles). */
function panel8(i0: i32, i1: i32, K: i32, a: usize, sai: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, bias: usize): void {
  const ra = (<usize>sai) << 2;
  const rc = (<usize>ldc) << 2;
  let pa = a + (<usize>i0) * ra;
  let pc = c + (<usize>i0) * rc;
  let left = i1 - i0;
  while (left >= 6 && left != 8) {
    tile6x8(K, pa, sai, sak, b, ldb, pc, ldc, accumulate, bias);
    pa += 6 * ra;
    pc += 6 * rc;
    left -= 6;
  }
  while (left >= 4) {
    tile4x8(K, pa, sai, sak, b, ldb, pc, ldc, accumulate, bias);
    pa += 4 * ra;
    pc += 4 * rc;
    left -= 4;
  }
  if (left >= 2) {
    tile2x8(K, pa, sai, sak, b, ldb, pc, ldc, accumulate, bias);
    pa += 2 * ra;
    pc += 2 * rc;
    left -= 2;
  }
  if (left == 1) tile1x8(K, pa, sak, b, ldb, pc, accumulate, bias);
}

export function gemm(
  M: i32, N: i32, K: i32,
  a: usize, sai: i32, sak: i32,
  b: usize, ldb: i32,
  c: usize, ldc: i32,
  accumulate: i32, bias: usize,
): void {
  // Row blocks outside, column panels inside them, row tiles innermost: a panel of B (K × 8
  // floats) stays in L1 across a block's rows, and the block of A in L2 across the panels.
  for (let i0 = 0; i0 < M; i0 += ROW_BLOCK) {
    const i1 = min(M, i0 + ROW_BLOCK);
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      const o = (<usize>j) << 2;
      panel8(i0, i1, K, a, sai, sak, b + o, ldb, c + o, ldc, accumulate, bias ? bias + o : 0);
    }
    if (j < N) {
      const o = (<usize>j) << 2;
      const bj = b + o;
      const biasj = bias ? bias + o : 0;
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        tile4x4(K, a + ((<usize>(i * sai)) << 2), sai, sak, bj, ldb, c + ((<usize>(i * ldc)) << 2) + o, ldc, accumulate, biasj);
      }
      for (; i < i1; i++) {
        tile1x4(K, a + ((<usize>(i * sai)) << 2), sak, bj, ldb, c + ((<usize>(i * ldc)) << 2) + o, accumulate, biasj);
      }
    }
  }
}

/** dst[c, r] = src[r, c] for a rows × cols matrix (row strides: cols for src, ldd for dst). */
export function transpose(src: usize, rows: i32, cols: i32, dst: usize, ldd: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = src + ((<usize>(r * cols)) << 2);
    for (let c = 0; c < cols; c++) {
      store<f32>(dst + ((<usize>(c * ldd + r)) << 2), load<f32>(s + ((<usize>c) << 2)));
    }
  }
}

/** out[j] = Σ_i x[i, j] over M rows of N floats (N a multiple of 4). */
export function columnSums(x: usize, M: i32, N: i32, out: usize): void {
  for (let j = 0; j < N; j += 4) {
    const o = (<usize>j) << 2;
    let acc = f32x4.splat(0);
    let p = x + o;
    const step = (<usize>N) << 2;
    for (let i = 0; i < M; i++) {
      acc = f32x4.add(acc, v128.load(p));
      p += step;
    }
    v128.store(out + o, acc);
  }
}

/** Copies rows order[first .. first + count) of src (rowFloats floats each) to consecutive rows of dst. */
export function gatherRows(src: usize, rowFloats: i32, order: usize, first: i32, count: i32, dst: usize): void {
  // A loop rather than memory.copy: rows are short, and memory.copy costs a call into the runtime.
  const bytes = (<usize>rowFloats) << 2;
  const vec = bytes & ~(<usize>15);
  for (let r = 0; r < count; r++) {
    const from = src + (<usize>load<i32>(order + ((<usize>(first + r)) << 2))) * bytes;
    const to = dst + (<usize>r) * bytes;
    let o: usize = 0;
    for (; o < vec; o += 16) v128.store(to + o, v128.load(from + o));
    for (; o < bytes; o += 4) store<f32>(to + o, load<f32>(from + o));
  }
}

// ---------------------------------------------------------------------------------------------
// Column sums in float64 (a bias gradient over tens of thousands of rows): out[j] = Σ_i x[i, j],
// M rows of N floats, N a multiple of 4; strips of 16 columns (a cache line) at a time.

@inline function high(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 2, 3, 0, 1);
}

export function columnSums64(x: usize, M: i32, N: i32, out: usize): void {
  const row = (<usize>N) << 2;
  let j = 0;
  for (; j + 16 <= N; j += 16) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let a4 = f64x2.splat(0), a5 = f64x2.splat(0), a6 = f64x2.splat(0), a7 = f64x2.splat(0);
    let p = x + ((<usize>j) << 2);
    for (let i = 0; i < M; i++) {
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      const v2 = v128.load(p, 32);
      const v3 = v128.load(p, 48);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(high(v0)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v1));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(high(v1)));
      a4 = f64x2.add(a4, f64x2.promote_low_f32x4(v2));
      a5 = f64x2.add(a5, f64x2.promote_low_f32x4(high(v2)));
      a6 = f64x2.add(a6, f64x2.promote_low_f32x4(v3));
      a7 = f64x2.add(a7, f64x2.promote_low_f32x4(high(v3)));
      p += row;
    }
    const o = out + ((<usize>j) << 2);
    v128.store(o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(a0), f32x4.demote_f64x2_zero(a1), 0, 1, 4, 5));
    v128.store(o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(a2), f32x4.demote_f64x2_zero(a3), 0, 1, 4, 5), 16);
    v128.store(o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(a4), f32x4.demote_f64x2_zero(a5), 0, 1, 4, 5), 32);
    v128.store(o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(a6), f32x4.demote_f64x2_zero(a7), 0, 1, 4, 5), 48);
  }
  for (; j < N; j += 4) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
    let p = x + ((<usize>j) << 2);
    for (let i = 0; i < M; i++) {
      const v = v128.load(p);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(high(v)));
      p += row;
    }
    v128.store(out + ((<usize>j) << 2), v128.shuffle<f32>(f32x4.demote_f64x2_zero(a0), f32x4.demote_f64x2_zero(a1), 0, 1, 4, 5));
  }
}
