// AssemblyScript: helpers the kernels share (see kernels.ts).

/** Four lanes of x. */
@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/**
 * acc + a·b. Built twice (wasm/build.ts): with relaxed SIMD this is one fused multiply-add where the
 * CPU has one (x64 FMA3, arm64), otherwise a multiply and an add.
 */
@inline export function fma(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
