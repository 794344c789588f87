import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { adamStep, avgPoolBackprop, poolGeometry, SIMD_ACTIVATIONS, simdKernels, type SimdKernels } from '../src/kernels/index.js';
import { heapOffset } from '../src/kernels/simd.js';
import { expectClose, onBackend, useWasmKernels } from './helpers/backends.js';

function values(n: number, seed: number, spread = 1): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = spread * (Math.sin(seed + i * 0.377) + 0.1 * ((i * 7) % 5));
  return v;
}

/** Run `f` with the SIMD kernels and wasm-heap tensors made from `arrays`; returns their contents afterwards. */
async function onHeap(arrays: Float32Array[], f: (k: SimdKernels, at: number[]) => void): Promise<Float32Array[]> {
  return onBackend('wasm', () => {
    const backend = tf.backend() as BackendWasm;
    const tensors = arrays.map((a) => tf.tensor1d(a));
    f(
      simdKernels(backend),
      tensors.map((t) => heapOffset(backend, t)),
    );
    const out = tensors.map((t) => t.dataSync() as Float32Array);
    tf.dispose(tensors);
    return out;
  });
}

const cpu = <T extends tf.TensorContainer>(f: () => T): Promise<T> =>
  onBackend('cpu', () => {
    // The cpu backend's first use prints a banner recommending tfjs-node.
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
    return tf.tidy(f);
  });

describe('SIMD kernels (wasm/kernels.ts) against the cpu backend', () => {
  useWasmKernels();

  // [M, N (multiple of 4), K]: rows in tiles of 6, 4, 2 and 1 (8 left: 4 + 4), row blocks of 64,
  // a 4-column tail, K = 1.
  const shapes: [number, number, number][] = [
    [32, 64, 10],
    [7, 12, 5],
    [5, 4, 33],
    [1, 8, 1],
    [13, 20, 64],
    [8, 16, 7],
    [3, 8, 9],
    [2, 8, 5],
    [70, 24, 17],
  ];

  it.each(shapes)('gemm %i×%i (K %i) plus bias equals matMul + bias', async (M, N, K) => {
    const a = values(M * K, 1);
    const b = values(K * N, 2);
    const bias = values(N, 3);
    const want = await cpu(() => tf.add(tf.matMul(tf.tensor2d(a, [M, K]), tf.tensor2d(b, [K, N])), tf.tensor1d(bias)).dataSync());
    const [, , , c] = await onHeap([a, b, bias, new Float32Array(M * N)], (k, [pa, pb, pbias, pc]) => k.gemm(M, N, K, pa!, K, 1, pb!, N, pc!, N, 0, pbias!));
    expectClose(c!, want, 1e-5);
  });

  it.each(shapes)('gemm with a transposed, strided A (%i×%i, K %i) equals matMul(Aᵀ, B) accumulated onto C', async (M, N, K) => {
    // A is stored [K, M + 3] (row stride M + 3): element (i, k) of the product's A is stored at [k, i].
    const lda = M + 3;
    const stored = values(K * lda, 4);
    const b = values(K * N, 5);
    const c0 = values(M * N, 6);
    const want = await cpu(() => {
      const aT = tf.slice(tf.tensor2d(stored, [K, lda]), [0, 0], [K, M]);
      return tf.add(tf.matMul(aT, tf.tensor2d(b, [K, N]), true, false), tf.tensor2d(c0, [M, N])).dataSync();
    });
    const [, , c] = await onHeap([stored, b, c0], (k, [pa, pb, pc]) => k.gemm(M, N, K, pa!, 1, lda, pb!, N, pc!, N, 1, 0));
    expectClose(c!, want, 1e-5);
  });

  it('transpose and columnSums', async () => {
    const x = values(9 * 12, 7);
    const [, t, sums] = await onHeap([x, new Float32Array(12 * 9), new Float32Array(12)], (k, [px, pt, ps]) => {
      k.transpose(px!, 9, 12, pt!, 9);
      k.columnSums(px!, 9, 12, ps!);
    });
    const want = await cpu(() => [tf.transpose(tf.tensor2d(x, [9, 12])).dataSync(), tf.sum(tf.tensor2d(x, [9, 12]), 0).dataSync()]);
    expectClose(t!, want[0]!, 1e-7);
    expectClose(sums!, want[1]!, 1e-6);
  });

  const activations = Object.keys(SIMD_ACTIVATIONS).filter((a) => a !== 'linear') as (keyof typeof SIMD_ACTIVATIONS)[];

  it.each(activations)('%s: values and gradients over [-12, 12] (3 real columns padded to 4)', async (name) => {
    const M = 50;
    const z = new Float32Array(M * 4);
    for (let r = 0; r < M; r++) for (let j = 0; j < 3; j++) z[r * 4 + j] = -12 + (24 * (r * 3 + j)) / (M * 3 - 1);
    const real = Float32Array.from({ length: M * 3 }, (_, i) => z[Math.floor(i / 3) * 4 + (i % 3)]!);
    const dy = values(M * 3, 8);
    const { y, dz } = await cpu(() => {
      const f = (t: tf.Tensor) => tf.layers.activation({ activation: name }).apply(t) as tf.Tensor;
      const zt = tf.tensor2d(real, [M, 3]);
      const [value, grad] = [f(zt), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), tf.tensor2d(dy, [M, 3]))))(zt)];
      return { y: value.dataSync(), dz: grad.dataSync() };
    });
    const g = new Float32Array(M * 4);
    for (let i = 0; i < M * 3; i++) g[Math.floor(i / 3) * 4 + (i % 3)] = dy[i]!;
    const [, h, grad] = await onHeap([z, new Float32Array(M * 4), g], (k, [pz, ph, pg]) => {
      k.activate(SIMD_ACTIVATIONS[name], pz!, ph!, M, 3, 4);
      k.activationGrad(SIMD_ACTIVATIONS[name], pz!, ph!, pg!, M * 4);
    });
    const unpad = (a: Float32Array) => Float32Array.from({ length: M * 3 }, (_, i) => a[Math.floor(i / 3) * 4 + (i % 3)]!);
    expectClose(unpad(h!), y, 1e-5);
    expectClose(unpad(grad!), dz, 1e-5);
    for (let r = 0; r < M; r++) expect(h![r * 4 + 3]).toBe(0);
  });

  it('adam follows adamStep (with an L2 term folded into the gradient)', async () => {
    const n = 36;
    const [x, g, m, v] = [values(n, 9), values(n, 10), values(n, 11, 0.1), values(n, 12, 0.1).map(Math.abs)];
    const attrs = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 3 };
    const decay = 0.02;
    const want = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
    adamStep(
      x,
      g.map((gi, i) => gi + decay * x[i]!),
      m,
      v,
      attrs,
      want[0],
      want[1],
      want[2],
    );
    const [xs, , ms, vs] = await onHeap([x, g, m, v], (k, [px, pg, pm, pv]) => k.adam(px!, pg!, pm!, pv!, n, 0.01, 0.9, 0.999, 1e-7, 1 - 0.9 ** 3, 1 - 0.999 ** 3, decay));
    expectClose(xs!, want[0], 1e-6);
    expectClose(ms!, want[1], 1e-6);
    expectClose(vs!, want[2], 1e-6);
  });

  it('dropout keeps 1 − rate of the units, scaled by 1/(1 − rate), the same for the same seed', async () => {
    const n = 4000;
    const x = values(n, 13);
    const run = () => onHeap([x, new Float32Array(n), new Float32Array(n)], (k, [px, pd, pm]) => k.dropout(px!, pd!, pm!, n, 0.25, 12345));
    const [, dropped, mask] = await run();
    const [, again] = await run();
    expect(again).toEqual(dropped);
    const kept = mask!.filter((m) => m !== 0);
    expect(kept.every((m) => Math.abs(m - 1 / 0.75) < 1e-6)).toBe(true);
    expect(Math.abs(kept.length / n - 0.75)).toBeLessThan(0.03);
    dropped!.forEach((d, i) => expect(d).toBeCloseTo(x[i]! * mask![i]!, 6));
  });

  // [N, H, W, C], pool size, strides, padding: windows that tile, overlap, and run into 'same' padding.
  const pools: [number[], number, number, 'valid' | 'same'][] = [
    [[2, 6, 7, 4], 2, 2, 'valid'],
    [[1, 7, 5, 8], 3, 2, 'same'],
    [[2, 5, 5, 4], 2, 1, 'same'],
  ];

  it.each(pools)('pool (max and average) and avgPoolGrad on %j, size %i, stride %i, %s padding, equal the cpu backend', async (shape, size, stride, pad) => {
    const [N, H, W, C] = shape as [number, number, number, number];
    const x = values(N * H * W * C, 14);
    const want = await cpu(() => {
      const xt = tf.tensor4d(x, [N, H, W, C]);
      const max = tf.maxPool(xt, size, stride, pad);
      const avg = tf.avgPool(xt, size, stride, pad);
      return { max: max.dataSync(), avg: avg.dataSync() };
    });
    const g = poolGeometry([N, H, W, C], size, stride, pad, undefined);
    const dy = values(N * g.outHeight * g.outWidth * C, 15);
    // The average's gradient: each window's dy shared among its in-bounds inputs, as the JS
    // avgPoolBackprop computes it (checked against finite differences in kernels.pool-grad.test.ts).
    const dx = new Float32Array(x.length);
    avgPoolBackprop(dy, g, dx);
    const geometry = [N, H, W, C, g.outHeight, g.outWidth, size, size, stride, stride, g.padTop, g.padLeft] as const;
    const out = N * g.outHeight * g.outWidth * C;
    const [, max, avg, , grad] = await onHeap([x, new Float32Array(out), new Float32Array(out), dy, new Float32Array(x.length)], (k, [px, pmax, pavg, pdy, pdx]) => {
      k.pool(0, px!, pmax!, ...geometry);
      k.pool(1, px!, pavg!, ...geometry);
      k.avgPoolGrad(pdy!, pdx!, ...geometry);
    });
    expectClose(max!, want.max, 1e-6);
    expectClose(avg!, want.avg, 1e-6);
    expectClose(grad!, dx, 1e-6);
  });

  // [N, H, W, C, CO, fh, fw]: the seed's first layer in small (one channel, 3×3, conv outputs of odd
  // width so the pooling drops a column), three channels with an 8-channel group and a 4-channel
  // tail, 2×2 filters, and 5×5 ones (the filter gradient's taps in chunks of 9, 9 and 7).
  const firstLayers: [number, number, number, number, number, number, number][] = [
    [2, 10, 9, 1, 32, 3, 3],
    [2, 9, 8, 3, 12, 3, 3],
    [1, 8, 8, 2, 8, 2, 2],
    [2, 12, 11, 1, 4, 5, 5],
  ];

  it.each(firstLayers)('convPoolCodes and convPoolFilterGrad on [%i, %i, %i, %i] → %i channels (%i×%i) equal im2col, gemm and maxPoolCodes, and patchesᵀ·dz', async (N, H, W, C, CO, fh, fw) => {
    const [OH, OW] = [H - fh + 1, W - fw + 1];
    const [PH, PW] = [OH >> 1, OW >> 1];
    const [M, K, pooled] = [N * OH * OW, fh * fw * C, N * PH * PW * CO];
    const x = values(N * H * W * C, 16);
    const w = values(K * CO, 17, 0.3);
    const bias = values(CO, 18, 0.1);
    // The pooled gradient after relu's: zero where relu stopped it, so some windows have none.
    const dp = values(pooled, 19).map((v) => (v > 0.2 ? v : 0));
    const geometry = [N, H, W, C, OH, OW, fh, fw, 1, 1, 1, 1, 0, 0] as const;
    const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, pooled);
    const [, , , , , , refY, refCodes, refDw, y, codes, dw] = await onHeap(
      [
        x,
        w,
        bias,
        dp,
        new Float32Array(M * K),
        new Float32Array(M * CO),
        new Float32Array(pooled),
        new Float32Array(Math.ceil(pooled / 4)),
        new Float32Array(K * CO),
        new Float32Array(pooled),
        new Float32Array(Math.ceil(pooled / 4)),
        new Float32Array(K * CO).fill(Number.NaN),
      ],
      (k, [px, pw, pb, pdp, pcols, pz, pRefY, pRefCodes, pRefDw, py, pcodes, pdw]) => {
        // The reference path: the patch matrix, its product with the filter plus the bias, the pooling with codes …
        k.im2col(px!, pcols!, 0, M, ...geometry);
        k.gemm(M, CO, K, pcols!, K, 1, pw!, CO, pz!, CO, 0, pb!);
        k.maxPoolCodes(pz!, pRefY!, pRefCodes!, N, OH, OW, CO, PH, PW);
        // … and backward the pooling's gradient into dz (z's buffer), then patchesᵀ·dz.
        k.maxPoolGradCodes(pRefCodes!, pdp!, pz!, N, OH, OW, CO, PH, PW);
        k.gemm(K, CO, M, pcols!, 1, K, pz!, CO, pRefDw!, CO, 0, 0);
        k.convPoolCodes(px!, pw!, pb!, py!, pcodes!, N, H, W, C, CO, PH, PW, fh, fw);
        k.convPoolFilterGrad(px!, pcodes!, pdp!, pdw!, N, H, W, C, CO, PH, PW, fh, fw);
      },
    );
    // The same fused multiply-adds in the same order: bit for bit.
    expect(y).toEqual(refY);
    expect(bytes(codes!)).toEqual(bytes(refCodes!));
    // The same terms summed in another order.
    expectClose(dw!, refDw!, 1e-5);
  });

  // [N, OH, OW, CO]: the seed's second layer in small (11×11: the pooling drops the last row and
  // column, the last tile row and column hold one window), and 8×10 (a tile column half outside).
  const pooledTiles: [number, number, number, number][] = [
    [2, 11, 11, 8],
    [1, 8, 10, 4],
  ];

  it.each(pooledTiles)('winograd4OutputGradPool on [%i, %i, %i, %i] equals maxPoolGradCodes then winograd4OutputGrad', async (N, OH, OW, CO) => {
    const [TH, TW] = [Math.ceil(OH / 4), Math.ceil(OW / 4)];
    const T = N * TH * TW;
    const [PH, PW] = [OH >> 1, OW >> 1];
    const tile = 36 * CO + 16;
    const pooled = N * PH * PW * CO;
    const dp = values(pooled, 22).map((v) => Math.max(v, 0));
    // Codes in every position (0..3).
    const codes = Uint8Array.from({ length: pooled }, (_, i) => (i * 7 + (i >> 3)) % 4);
    const codeFloats = new Float32Array(Math.ceil(pooled / 4));
    new Uint8Array(codeFloats.buffer).set(codes);
    const [, , , refDm, dm] = await onHeap([dp, codeFloats, new Float32Array(N * OH * OW * CO), new Float32Array(T * tile), new Float32Array(T * tile)], (k, [pdp, pcodes, pdz, pRefDm, pdm]) => {
      // The reference: dz from the codes, then its transform.
      k.maxPoolGradCodes(pcodes!, pdp!, pdz!, N, OH, OW, CO, PH, PW);
      k.winograd4OutputGrad(pdz!, pRefDm!, 0, T, OH, OW, CO, TH, TW);
      k.winograd4OutputGradPool(pdp!, pcodes!, pdm!, 0, T, OH, OW, CO, TH, TW, PH, PW);
    });
    // The same arithmetic in the same order: bit for bit (each tile's padding untouched by both).
    expect(dm).toEqual(refDm);
  });
});
