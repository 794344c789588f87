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

/** Zeroes `bytes` bytes from p (a multiple of 16). */
@inline export function zeroBytes(p: usize, bytes: usize): void {
  for (let z: usize = 0; z < bytes; z += 16) v128.store(p + z, splat(0));
}

/** Adds g to the pixel at column w of an image row (pixels `pix` bytes apart) when w is inside [0, W). */
@inline export function addAt(row: usize, w: i32, W: i32, pix: usize, g: v128): void {
  if (w < 0 || w >= W) return;
  const q = row + (<usize>w) * pix;
  v128.store(q, f32x4.add(v128.load(q), g));
}

/** The tile row (within its image) of tile t, for tiles numbered image by image, row by row. */
@inline export function tileRow(t: i32, TH: i32, TW: i32): i32 {
  return (t / TW) % TH;
}
