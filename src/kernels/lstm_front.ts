/**
 * A stack of LSTM layers as the front of a fused training epoch (epoch.ts): each layer's forward
 * and backward pass over the whole sequence (lstm_passes.ts), with optional dropout after a layer
 * (the epoch's seeded masks). Every layer but the last returns sequences; the last hands its final
 * output, [B, U], to the dense head.
 */
import { CACHE_SLOTS, lstmBackward, lstmForward, lstmScratch, type LstmShape } from './lstm_passes.js';
import type { SimdKernels } from './simd.js';

export interface LstmLayerPlan {
  kind: 'lstm';
  /** Features per step (the input's, or the previous layer's units) and units (a multiple of 4). */
  inputs: number;
  units: number;
  returnSequences: boolean;
  /** Dropout rate after this layer (0: none). */
  dropout: number;
  /** L2 factor on the kernel (0: none). */
  l2: number;
  /** Float offsets into params (and m, v, gradient) of W [inputs, 4U], R [U, 4U] and the bias [4U]. */
  kernelAt: number;
  recurrentAt: number;
  biasAt: number;
}

interface LayerScratch {
  out: number;
  cache: number;
  /** Gradient with respect to `out` (before the dropout mask). */
  dOut: number;
  dropped: number;
  mask: number;
}

export interface LstmFrontScratch {
  layers: LayerScratch[];
  /** Shared by the passes of every layer. */
  passes: number;
}

const shape = (p: LstmLayerPlan, B: number, T: number): LstmShape => ({ B, T, F: p.inputs, U: p.units, returnSequences: p.returnSequences });

export function lstmFrontScratch(layers: readonly LstmLayerPlan[], batch: number, steps: number, take: (floats: number) => number): LstmFrontScratch {
  let passes = 0;
  const out = layers.map((p) => {
    const size = batch * (p.returnSequences ? steps : 1) * p.units;
    const { forward, backward } = lstmScratch(shape(p, batch, steps));
    passes = Math.max(passes, forward, backward);
    return {
      out: take(size),
      cache: take(steps * batch * CACHE_SLOTS * p.units),
      dOut: take(size),
      dropped: p.dropout > 0 ? take(size) : -1,
      mask: p.dropout > 0 ? take(size) : -1,
    };
  });
  return { layers: out, passes: take(passes) };
}

type At = (floats: number) => number;

const outSize = (p: LstmLayerPlan, B: number, T: number): number => B * (p.returnSequences ? T : 1) * p.units;

/** The front's output for B samples of x ([B, T, F] at byte address x): byte address of [B, U]. */
export function lstmFrontForward(
  k: SimdKernels,
  layers: readonly LstmLayerPlan[],
  s: LstmFrontScratch,
  f: At,
  B: number,
  T: number,
  x: number,
  params: number,
  evaluate: boolean,
  seed: { value: number },
): number {
  let input = x;
  layers.forEach((p, l) => {
    const at = s.layers[l]!;
    lstmForward(k, shape(p, B, T), input, params + 4 * p.kernelAt, params + 4 * p.recurrentAt, params + 4 * p.biasAt, f(at.out), f(at.cache), f(s.passes));
    input = f(at.out);
    if (p.dropout > 0 && !evaluate) {
      seed.value = k.dropout(f(at.out), f(at.dropped), f(at.mask), outSize(p, B, T), p.dropout, seed.value) >>> 0;
      input = f(at.dropped);
    }
  });
  return input;
}

/** Byte address where the head writes the gradient with respect to the front's output. */
export function lstmFrontOutputGradient(layers: readonly LstmLayerPlan[], s: LstmFrontScratch, f: At): number {
  return f(s.layers[layers.length - 1]!.dOut);
}

/** Every layer's gradients into `grad` (the flat layout's byte address), from the last layer's dOut. */
export function lstmFrontBackward(k: SimdKernels, layers: readonly LstmLayerPlan[], s: LstmFrontScratch, f: At, B: number, T: number, x: number, params: number, grad: number): void {
  for (let l = layers.length - 1; l >= 0; l--) {
    const p = layers[l]!;
    const at = s.layers[l]!;
    if (p.dropout > 0) k.multiply(f(at.dOut), f(at.mask), outSize(p, B, T));
    const below = l > 0 ? s.layers[l - 1]! : undefined;
    const input = below === undefined ? x : layers[l - 1]!.dropout > 0 ? f(below.dropped) : f(below.out);
    const grads = { kernel: grad + 4 * p.kernelAt, recurrent: grad + 4 * p.recurrentAt, bias: grad + 4 * p.biasAt, x: below === undefined ? 0 : f(below.dOut) };
    lstmBackward(k, shape(p, B, T), f(at.dOut), input, params + 4 * p.kernelAt, params + 4 * p.recurrentAt, f(at.cache), grads, f(s.passes));
  }
}
