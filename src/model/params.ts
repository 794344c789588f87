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

/**
 * The network's size by the Keras formulas: its parameters, and the multiply-accumulates one sample's
 * forward pass costs (a Dense layer's are its weights; a Conv2D's, its weights at every output
 * position; an LSTM's, its weights at every timestep). Training time grows with the latter.
 */
export function networkSize(candidate: Pick<Candidate, 'family' | 'units'>, model: ModelSpec, info: DataInfo): { params: number; macs: number } {
  const out = info.targetDim;
  let params = 0;
  let macs = 0;
  const add = (p: number, repeats = 1) => {
    params += p;
    macs += p * repeats;
  };
  switch (candidate.family) {
    case 'dense': {
      let inputs = product(info.inputShape);
      for (const units of candidate.units) {
        add(denseParams(inputs, units));
        inputs = units;
      }
      add(denseParams(inputs, out));
      break;
    }
    case 'cnn': {
      let [h, w, c] = [info.inputShape[0]!, info.inputShape[1]!, info.inputShape[2] ?? 1];
      const { kernelSize: k, pooling, poolSize: p, denseHead } = model.cnn;
      for (const filters of candidate.units) {
        const pad = convPadding(h, w, k);
        [h, w] = [convOutputSize(h, k, pad), convOutputSize(w, k, pad)];
        add(conv2dParams(k, k, c, filters), h * w);
        c = filters;
        if (pooling !== 'none') {
          const pp = poolPadding(h, w, p);
          [h, w] = [poolOutputSize(h, p, pp), poolOutputSize(w, p, pp)];
        }
      }
      let inputs = h * w * c;
      for (const units of denseHead) {
        add(denseParams(inputs, units));
        inputs = units;
      }
      add(denseParams(inputs, out));
      break;
    }
    case 'lstm': {
      const steps = info.inputShape.length > 1 ? info.inputShape[0]! : 1;
      let inputs = info.inputShape[info.inputShape.length - 1]!;
      for (const units of candidate.units) {
        add(lstmParams(inputs, units), steps);
        inputs = units;
      }
      add(denseParams(inputs, out));
      break;
    }
  }
  return { params, macs };
}

/** The parameter count Keras would report for the candidate's network. */
export function expectedParamCount(candidate: Pick<Candidate, 'family' | 'units'>, model: ModelSpec, info: DataInfo): number {
  return networkSize(candidate, model, info).params;
}
