// AssemblyScript: element-wise kernels — activations and their gradients, dropout, Adam (see kernels.ts).

import { fma, splat } from './common';

// ---------------------------------------------------------------------------------------------
// Activations, by code: 0 linear, 1 relu, 2 tanh, 3 sigmoid, 4 elu, 5 selu, 6 swish (x·sigmoid x),
// as in TensorFlow.js, four lanes at a time. exp is computed here (Cody–Waite range reduction and
// Cephes' degree-5 polynomial, relative error < 2e-7), tanh as a rational function (Eigen's
// float tanh: degree 13 over degree 6, ~1 ulp), both with fused multiply-adds in the relaxed build:
// AssemblyScript's Mathf.exp would bring a lookup table as a data segment, written into the tfjs
// heap when the module is instantiated, and would be scalar.

const SELU_SCALE: f32 = 1.0507009873554804934193349852946;
const SELU_ALPHA: f32 = 1.6732632423543772848170429916717;

/**
 * e^x, lane-wise, for x clamped to [-87.3, 88.3] (2^n stays a normal float). n = round(x·log2 e)
 * comes from adding 1.5·2^23, which leaves n in the low mantissa bits; shifted into the exponent
 * field and biased, those bits are 2^n.
 */
export function exp4(x: v128): v128 {
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

@inline export function sigmoid4(z: v128): v128 {
  return f32x4.div(splat(1), f32x4.add(splat(1), exp4(f32x4.neg(z))));
}

/** tanh, lane-wise: x·P(x²)/Q(x²) on x clamped to ±7.905 (beyond, tanh rounds to ±1). */
export function tanh4(x: v128): v128 {
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
