// AssemblyScript: the gates of an LSTM step, forward and backward (see kernels.ts).

import { splat } from './common';
import { sigmoid4, tanh4 } from './elementwise';

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
