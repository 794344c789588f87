/**
 * Keras parameter counts and output-shape rules as pure functions. `buildModel` uses the shape rules
 * (so the Keras code generator can replicate them from the recorded `padding`), and tests compare
 * `expectedParamCount` with what TensorFlow.js counts for the built network.
 */
import type { Candidate } from '../search/candidates.js';
import type { ModelSpec } from '../spec/schema.js';
import type { DataInfo } from '../data/types.js';

export type Padding = 'valid' | 'same';

/** Dense(units) on `inputs` features: a weight per input and unit, plus a bias per unit. */
export function denseParams(inputs: number, units: number): number {
  return inputs * units + units;
}

/** Conv2D(filters, (kh, kw)) on `channels` input channels. */
export function conv2dParams(kh: number, kw: number, channels: number, filters: number): number {
  return kh * kw * channels * filters + filters;
}

/** LSTM(units) on `inputs` features per step: four gates, each with input, recurrent and bias weights. */
export function lstmParams(inputs: number, units: number): number {
  return 4 * (units * (inputs + units) + units);
}

/**
 * Keras' default convolution padding is 'valid'; we switch to 'same' only when 'valid' would leave
 * nothing (the input is smaller than the kernel), so deep sweeps on small images still build.
 */
export function convPadding(height: number, width: number, kernel: number): Padding {
  return height < kernel || width < kernel ? 'same' : 'valid';
}

export function convOutputSize(size: number, kernel: number, padding: Padding): number {
  return padding === 'same' ? size : size - kernel + 1;
}

/** Pooling (stride = pool size, as in Keras) follows the same rule: 'same' only if 'valid' would be empty. */
export function poolPadding(height: number, width: number, pool: number): Padding {
  return height < pool || width < pool ? 'same' : 'valid';
}

export function poolOutputSize(size: number, pool: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / pool) : Math.floor((size - pool) / pool) + 1;
}

const product = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

/** The whole network's parameter count by the formulas above, output layer included. */
export function expectedParamCount(candidate: Pick<Candidate, 'family' | 'units'>, model: ModelSpec, info: DataInfo): number {
  const out = info.targetDim;
  switch (candidate.family) {
    case 'dense': {
      let inputs = product(info.inputShape);
      let total = 0;
      for (const units of candidate.units) {
        total += denseParams(inputs, units);
        inputs = units;
      }
      return total + denseParams(inputs, out);
    }
    case 'cnn': {
      let [h, w, c] = [info.inputShape[0]!, info.inputShape[1]!, info.inputShape[2] ?? 1];
      const { kernelSize: k, pooling, poolSize: p, denseHead } = model.cnn;
      let total = 0;
      for (const filters of candidate.units) {
        total += conv2dParams(k, k, c, filters);
        const pad = convPadding(h, w, k);
        [h, w, c] = [convOutputSize(h, k, pad), convOutputSize(w, k, pad), filters];
        if (pooling !== 'none') {
          const pp = poolPadding(h, w, p);
          [h, w] = [poolOutputSize(h, p, pp), poolOutputSize(w, p, pp)];
        }
      }
      let inputs = h * w * c;
      for (const units of denseHead) {
        total += denseParams(inputs, units);
        inputs = units;
      }
      return total + denseParams(inputs, out);
    }
    case 'lstm': {
      let inputs = info.inputShape[info.inputShape.length - 1]!;
      let total = 0;
      for (const units of candidate.units) {
        total += lstmParams(inputs, units);
        inputs = units;
      }
      return total + denseParams(inputs, out);
    }
  }
}
