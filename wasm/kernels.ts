// AssemblyScript (not TypeScript): layerbench's SIMD kernels. `npm run build:wasm` compiles this file
// into src/kernels/simd_module.ts; test/kernels.simd-build.test.ts rebuilds it and compares.
//
// The module imports the tfjs wasm backend's memory: every pointer is a byte offset into that heap
// (a tensor's memoryOffset), so kernels work on tensors in place, without copies. The module has no
// data segments, no allocator and no stack in memory: it never writes outside the buffers it is given.
//
// Matrices are row-major float32. A "row stride" is in floats.

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

/**
 * acc + a·b. Built twice (wasm/build.ts): with relaxed SIMD this is one fused multiply-add where the
 * CPU has one (x64 FMA3, arm64), otherwise a multiply and an add.
 */
@inline function fma(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
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
// Activations, by code: 0 linear, 1 relu, 2 tanh, 3 sigmoid, 4 elu, 5 selu, 6 swish (x·sigmoid x),
// as in TensorFlow.js, four lanes at a time. exp is computed here (Cody–Waite range reduction and
// Cephes' degree-5 polynomial, relative error < 2e-7), tanh as a rational function (Eigen's
// float tanh: degree 13 over degree 6, ~1 ulp), both with fused multiply-adds in the relaxed build:
// AssemblyScript's Mathf.exp would bring a lookup table as a data segment, written into the tfjs
// heap when the module is instantiated, and would be scalar.

const SELU_SCALE: f32 = 1.0507009873554804934193349852946;
const SELU_ALPHA: f32 = 1.6732632423543772848170429916717;

@inline function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/**
 * e^x, lane-wise, for x clamped to [-87.3, 88.3] (2^n stays a normal float). n = round(x·log2 e)
 * comes from adding 1.5·2^23, which leaves n in the low mantissa bits; shifted into the exponent
 * field and biased, those bits are 2^n.
 */
function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, splat(-87.3)), splat(88.3));
  const shifted = fma(splat(12582912.0), x, splat(1.44269504088896341));
  const n = f32x4.sub(shifted, splat(12582912.0));
  let r = fma(x, n, splat(-0.693359375));
  r = fma(r, n, splat(2.12194440e-4));
  let p = splat(1.9875691500e-4);
  p = fma(splat(1.3981999507e-3), p, r);
  p = fma(splat(8.3334519073e-3), p, r);
  p = fma(splat(4.1665795894e-2), p, r);
  p = fma(splat(1.6666665459e-1), p, r);
  p = fma(splat(5.0000001201e-1), p, r);
  p = fma(f32x4.add(r, splat(1)), p, f32x4.mul(r, r));
  const scale = i32x4.add(i32x4.shl(shifted, 23), i32x4.splat(127 << 23));
  return f32x4.mul(p, scale);
}

@inline function sigmoid4(z: v128): v128 {
  return f32x4.div(splat(1), f32x4.add(splat(1), exp4(f32x4.neg(z))));
}

/** tanh, lane-wise: x·P(x²)/Q(x²) on x clamped to ±7.905 (beyond, tanh rounds to ±1). */
function tanh4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, splat(-7.90531110763549805)), splat(7.90531110763549805));
  const x2 = f32x4.mul(x, x);
  let p = splat(-2.76076847742355e-16);
  p = fma(splat(2.00018790482477e-13), p, x2);
  p = fma(splat(-8.60467152213735e-11), p, x2);
  p = fma(splat(5.12229709037114e-8), p, x2);
  p = fma(splat(1.48572235717979e-5), p, x2);
  p = fma(splat(6.37261928875436e-4), p, x2);
  p = fma(splat(4.89352455891786e-3), p, x2);
  let q = splat(1.19825839466702e-6);
  q = fma(splat(1.18534705686654e-4), q, x2);
  q = fma(splat(2.26843463243900e-3), q, x2);
  q = fma(splat(4.89352518554385e-3), q, x2);
  return f32x4.div(f32x4.mul(x, p), q);
}

@inline function activate4(kind: i32, z: v128): v128 {
  switch (kind) {
    case 1: return f32x4.max(z, splat(0));
    case 2: return tanh4(z);
    case 3: return sigmoid4(z);
    case 4: return v128.bitselect(z, f32x4.sub(exp4(z), splat(1)), f32x4.gt(z, splat(0)));
    case 5: return f32x4.mul(splat(SELU_SCALE), v128.bitselect(z, f32x4.mul(splat(SELU_ALPHA), f32x4.sub(exp4(z), splat(1))), f32x4.gt(z, splat(0))));
    case 6: return f32x4.mul(z, sigmoid4(z));
    default: return z;
  }
}

/** Derivative of activation `kind` at pre-activation z with output h. */
@inline function derivative4(kind: i32, z: v128, h: v128): v128 {
  switch (kind) {
    case 1: return v128.and(splat(1), f32x4.gt(z, splat(0)));
    case 2: return f32x4.sub(splat(1), f32x4.mul(h, h));
    case 3: return f32x4.mul(h, f32x4.sub(splat(1), h));
    case 4: return v128.bitselect(splat(1), f32x4.add(h, splat(1)), f32x4.gt(z, splat(0)));
    case 5: return v128.bitselect(splat(SELU_SCALE), f32x4.add(h, splat(SELU_SCALE * SELU_ALPHA)), f32x4.gt(z, splat(0)));
    case 6: {
      const s = sigmoid4(z);
      return f32x4.add(s, f32x4.mul(f32x4.mul(z, s), f32x4.sub(splat(1), s)));
    }
    default: return splat(1);
  }
}

/** h = f(z) for M rows of N real columns padded to ld floats (ld a multiple of 4); h's padding is set to 0. */
export function activate(kind: i32, z: usize, h: usize, M: i32, N: i32, ld: i32): void {
  const n = M * ld;
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(h + o, activate4(kind, v128.load(z + o)));
  }
  if (N == ld) return;
  for (let r = 0; r < M; r++) {
    for (let j = N; j < ld; j++) store<f32>(h + ((<usize>(r * ld + j)) << 2), 0);
  }
}

/** g ← g ⊙ f′(z) over n floats, n a multiple of 4 (the gradient through activation `kind`; h is its output). */
export function activationGrad(kind: i32, z: usize, h: usize, g: usize, n: i32): void {
  if (kind == 0) return;
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(g + o, f32x4.mul(v128.load(g + o), derivative4(kind, v128.load(z + o), v128.load(h + o))));
  }
}

// ---------------------------------------------------------------------------------------------
// Dropout: mask[i] = 1/keep where u ≥ rate, else 0 (u uniform in [0, 1), as tf.dropout draws it);
// dst = src ⊙ mask; n a multiple of 4. u comes from four xorshift32 streams, one per lane, all
// derived from `seed`; returns the seed for the next call.

export function dropout(src: usize, dst: usize, mask: usize, n: i32, rate: f32, seed: u32): u32 {
  const s0: u32 = seed == 0 ? <u32>0x9e3779b9 : seed;
  let s = i32x4(s0, s0 ^ 0x6a09e667, s0 ^ 0xbb67ae85, s0 ^ 0x3c6ef372);
  s = v128.or(s, i32x4.splat(1)); // no lane may be 0
  const scale = splat(1 / (1 - rate));
  const vrate = splat(rate);
  const unit = splat(<f32>1.0 / <f32>16777216.0);
  for (let i = 0; i < n; i += 4) {
    s = v128.xor(s, i32x4.shl(s, 13));
    s = v128.xor(s, i32x4.shr_u(s, 17));
    s = v128.xor(s, i32x4.shl(s, 5));
    const u = f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(s, 8)), unit);
    const m = v128.and(scale, f32x4.ge(u, vrate));
    const o = (<usize>i) << 2;
    v128.store(mask + o, m);
    v128.store(dst + o, f32x4.mul(v128.load(src + o), m));
  }
  return i32x4.extract_lane(s, 0) ^ i32x4.extract_lane(s, 3);
}

/** x ← x ⊙ y over n floats (n a multiple of 4). */
export function multiply(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
}

// ---------------------------------------------------------------------------------------------
// Adam (TensorFlow.js' formula): with g ← g + decay·x (an L2 penalty's gradient),
// m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², x ← x − lr · (m / c1) / (√(v / c2) + ε), where
// c1 = 1 − β1^t and c2 = 1 − β2^t. n a multiple of 4.

export function adam(x: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32, c1: f32, c2: f32, decay: f32): void {
  const vb1 = f32x4.splat(b1);
  const vb1c = f32x4.splat(1 - b1);
  const vb2 = f32x4.splat(b2);
  const vb2c = f32x4.splat(1 - b2);
  const vlr = f32x4.splat(lr);
  const veps = f32x4.splat(eps);
  const vc1 = f32x4.splat(c1);
  const vc2 = f32x4.splat(c2);
  const vdecay = f32x4.splat(decay);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    const xi = v128.load(x + o);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(vdecay, xi));
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vb1c, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(vb2c, gi), gi));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const step = f32x4.div(f32x4.div(mi, vc1), f32x4.add(f32x4.sqrt(f32x4.div(vi, vc2)), veps));
    v128.store(x + o, f32x4.sub(xi, f32x4.mul(vlr, step)));
  }
}

/** Σ x[i]² over n floats, in float64. */
export function sumSquares(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + ((<usize>i) << 2));
    s += v * v;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// LSTM steps (Keras gate order i, f, g, o; sigmoid and tanh), U a multiple of 4. The cache holds, per
// sample, 7 rows of U floats: i, f, g, o, c, tanh c, h.

/**
 * Forward gates of one step for B samples. z + b·ldz holds sample b's x·W + h·U (4U floats); bias
 * is added here. c [B, U] is the cell state (read unless `first`, then written); h [B, U] receives
 * the output, and so does out + b·ldo unless out is 0; the step's cache is written unless cache is 0.
 */
export function lstmForwardStep(B: i32, U: i32, z: usize, ldz: i32, bias: usize, c: usize, first: i32, cache: usize, h: usize, out: usize, ldo: i32): void {
  const u4 = (<usize>U) << 2;
  for (let b = 0; b < B; b++) {
    const zb = z + ((<usize>(b * ldz)) << 2);
    const slot = cache + (<usize>(b * 7)) * u4;
    const cb = c + (<usize>b) * u4;
    const hb = h + (<usize>b) * u4;
    const ob = out + ((<usize>(b * ldo)) << 2);
    for (let u = 0; u < U; u += 4) {
      const o4 = (<usize>u) << 2;
      const gi = sigmoid4(f32x4.add(v128.load(zb + o4), v128.load(bias + o4)));
      const gf = sigmoid4(f32x4.add(v128.load(zb + u4 + o4), v128.load(bias + u4 + o4)));
      const gg = tanh4(f32x4.add(v128.load(zb + 2 * u4 + o4), v128.load(bias + 2 * u4 + o4)));
      const go = sigmoid4(f32x4.add(v128.load(zb + 3 * u4 + o4), v128.load(bias + 3 * u4 + o4)));
      const cPrev = first ? splat(0) : v128.load(cb + o4);
      const cn = f32x4.add(f32x4.mul(gf, cPrev), f32x4.mul(gi, gg));
      const tc = tanh4(cn);
      const hn = f32x4.mul(go, tc);
      v128.store(cb + o4, cn);
      v128.store(hb + o4, hn);
      if (cache) {
        v128.store(slot + o4, gi);
        v128.store(slot + u4 + o4, gf);
        v128.store(slot + 2 * u4 + o4, gg);
        v128.store(slot + 3 * u4 + o4, go);
        v128.store(slot + 4 * u4 + o4, cn);
        v128.store(slot + 5 * u4 + o4, tc);
        v128.store(slot + 6 * u4 + o4, hn);
      }
      if (out) v128.store(ob + o4, hn);
    }
  }
}

/**
 * Backward gates of one step for B samples: dh [B, U] (0: none) is the gradient from step t+1,
 * dy + b·ldy (0: none) the one from the layer's output; cache and cachePrev are the step's and the
 * previous step's cache (cachePrev 0 at t = 0). dc [B, U] carries the cell gradient (taken as 0
 * when `last`). Writes sample b's 4U gate gradients at dz + b·ldz.
 */
export function lstmBackwardStep(B: i32, U: i32, dh: usize, dy: usize, ldy: i32, cache: usize, cachePrev: usize, dc: usize, last: i32, dz: usize, ldz: i32): void {
  const u4 = (<usize>U) << 2;
  const one = splat(1);
  for (let b = 0; b < B; b++) {
    const slot = cache + (<usize>(b * 7)) * u4;
    const prev = cachePrev + (<usize>(b * 7)) * u4;
    const dcb = dc + (<usize>b) * u4;
    const dhb = dh + (<usize>b) * u4;
    const dyb = dy + ((<usize>(b * ldy)) << 2);
    const dzb = dz + ((<usize>(b * ldz)) << 2);
    for (let u = 0; u < U; u += 4) {
      const o4 = (<usize>u) << 2;
      let dH = dh ? v128.load(dhb + o4) : splat(0);
      if (dy) dH = f32x4.add(dH, v128.load(dyb + o4));
      const gi = v128.load(slot + o4);
      const gf = v128.load(slot + u4 + o4);
      const gg = v128.load(slot + 2 * u4 + o4);
      const go = v128.load(slot + 3 * u4 + o4);
      const tc = v128.load(slot + 5 * u4 + o4);
      const cPrev = cachePrev ? v128.load(prev + 4 * u4 + o4) : splat(0);
      const carried = last ? splat(0) : v128.load(dcb + o4);
      const dC = f32x4.add(carried, f32x4.mul(f32x4.mul(dH, go), f32x4.sub(one, f32x4.mul(tc, tc))));
      v128.store(dcb + o4, f32x4.mul(dC, gf));
      v128.store(dzb + o4, f32x4.mul(f32x4.mul(dC, gg), f32x4.mul(gi, f32x4.sub(one, gi))));
      v128.store(dzb + u4 + o4, f32x4.mul(f32x4.mul(dC, cPrev), f32x4.mul(gf, f32x4.sub(one, gf))));
      v128.store(dzb + 2 * u4 + o4, f32x4.mul(f32x4.mul(dC, gi), f32x4.sub(one, f32x4.mul(gg, gg))));
      v128.store(dzb + 3 * u4 + o4, f32x4.mul(f32x4.mul(dH, tc), f32x4.mul(go, f32x4.sub(one, go))));
    }
  }
}

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
  const total = (<usize>(N * H)) * rowBytes;
  for (let z: usize = 0; z < total; z += 16) v128.store(dx + z, splat(0));
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
// Convolution data movement, NHWC: im2col writes rows of cols [N·OH·OW, fh·fw·C] (each output
// pixel's patch, taps in filter order, zeros where a tap falls into the padding); col2im adds such a
// matrix back into dx (zeroed here), the input gradient's scatter.

@inline function copyRun(to: usize, from: usize, bytes: usize, vec: usize): void {
  let o: usize = 0;
  for (; o < vec; o += 16) v128.store(to + o, v128.load(from + o));
  for (; o < bytes; o += 4) store<f32>(to + o, load<f32>(from + o));
}

@inline function addRun(to: usize, from: usize, bytes: usize, vec: usize): void {
  let o: usize = 0;
  for (; o < vec; o += 16) v128.store(to + o, f32x4.add(v128.load(to + o), v128.load(from + o)));
  for (; o < bytes; o += 4) store<f32>(to + o, load<f32>(to + o) + load<f32>(from + o));
}

export function im2col(
  x: usize, cols: usize, m0: i32, count: i32,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32,
): void {
  // Rows m0 .. m0 + count of the patch matrix (output pixels in NHWC order), written from cols on.
  const bytes = (<usize>C) << 2;
  const vec = bytes & ~(<usize>15);
  // With dw = 1 a filter row's taps are fw·C consecutive floats of x: one run where all are inside.
  const rowBytes = bytes * <usize>fw;
  const rowVec = rowBytes & ~(<usize>15);
  let p = cols;
  let n = m0 / (OH * OW);
  let oh = (m0 / OW) % OH;
  let ow = m0 % OW;
  for (let m = 0; m < count; m++) {
    const iw0 = ow * sw - padLeft;
    const inside = dw == 1 && iw0 >= 0 && iw0 + fw <= W;
    for (let kh = 0; kh < fh; kh++) {
      const ih = oh * sh + kh * dh - padTop;
      if (ih < 0 || ih >= H) {
        for (let o: usize = 0; o < rowBytes; o += 4) store<f32>(p + o, 0);
        p += rowBytes;
        continue;
      }
      const xrow = x + (<usize>((n * H + ih) * W)) * bytes;
      if (inside) {
        copyRun(p, xrow + (<usize>iw0) * bytes, rowBytes, rowVec);
        p += rowBytes;
        continue;
      }
      for (let kw = 0; kw < fw; kw++) {
        const iw = iw0 + kw * dw;
        if (iw < 0 || iw >= W) {
          for (let o: usize = 0; o < bytes; o += 4) store<f32>(p + o, 0);
        } else {
          copyRun(p, xrow + (<usize>iw) * bytes, bytes, vec);
        }
        p += bytes;
      }
    }
    if (++ow == OW) {
      ow = 0;
      if (++oh == OH) {
        oh = 0;
        n++;
      }
    }
  }
}

export function col2im(
  cols: usize, dx: usize, m0: i32, count: i32, clear: i32,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32,
): void {
  // Adds rows m0 .. m0 + count of the patch matrix (read from cols on) into dx, zeroed first if `clear`.
  const bytes = (<usize>C) << 2;
  const vec = bytes & ~(<usize>15);
  if (clear) {
    const total = (<usize>(N * H * W)) * bytes;
    const totalVec = total & ~(<usize>15);
    let z: usize = 0;
    for (; z < totalVec; z += 16) v128.store(dx + z, splat(0));
    for (; z < total; z += 4) store<f32>(dx + z, 0);
  }
  const rowBytes = bytes * <usize>fw;
  const rowVec = rowBytes & ~(<usize>15);
  let p = cols;
  let n = m0 / (OH * OW);
  let oh = (m0 / OW) % OH;
  let ow = m0 % OW;
  for (let m = 0; m < count; m++) {
    const iw0 = ow * sw - padLeft;
    const inside = dw == 1 && iw0 >= 0 && iw0 + fw <= W;
    for (let kh = 0; kh < fh; kh++) {
      const ih = oh * sh + kh * dh - padTop;
      if (ih < 0 || ih >= H) {
        p += rowBytes;
        continue;
      }
      const dxrow = dx + (<usize>((n * H + ih) * W)) * bytes;
      if (inside) {
        addRun(dxrow + (<usize>iw0) * bytes, p, rowBytes, rowVec);
        p += rowBytes;
        continue;
      }
      for (let kw = 0; kw < fw; kw++) {
        const iw = iw0 + kw * dw;
        if (iw >= 0 && iw < W) addRun(dxrow + (<usize>iw) * bytes, p, bytes, vec);
        p += bytes;
      }
    }
    if (++ow == OW) {
      ow = 0;
      if (++oh == OH) {
        oh = 0;
        n++;
      }
    }
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

/** The tile row (within its image) of tile t. */
@inline function tileRow(t: i32, TH: i32, TW: i32): i32 {
  return (t / TW) % TH;
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
  if (clear) {
    const total = (<usize>(N * H * W)) * pix;
    for (let z: usize = 0; z < total; z += 16) v128.store(dx + z, splat(0));
  }
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

@inline function addAt(row: usize, w: i32, W: i32, pix: usize, g: v128): void {
  if (w < 0 || w >= W) return;
  const q = row + (<usize>w) * pix;
  v128.store(q, f32x4.add(v128.load(q), g));
}
