/**
 * Which networks the fused training epoch (src/kernels/epoch.ts) can train, and the flat layout of
 * their parameters. A network qualifies when it is, in order, optionally one of
 *  - a stack of LSTM layers (tanh/sigmoid, with bias, units in fours, no dropout inside the cell,
 *    nothing stateful, reversed or masked; each optionally followed by Dropout; all but the last
 *    returning sequences), or
 *  - a stack of channels-last Conv2D layers (with bias, filters in fours, an activation the SIMD
 *    kernels have; each optionally followed by max or average pooling; after an optional Reshape
 *    of [height, width] images), then a Flatten,
 * then a stack of Dense layers (optionally after a Flatten as the first layer; each hidden one
 * optionally followed by Dropout), the output activation the task's. Kernels may carry an L2 penalty.
 *
 * Parameters are packed in the order of the model's trainable weights; a Dense layer's units are
 * padded to ld, a multiple of 4 (its kernel is [inputs, ld], its input rows the previous layer's
 * padded width), with zeros that training leaves at zero.
 */
import type * as tf from '@tensorflow/tfjs';
import { convGeometry } from '../kernels/conv_geometry.js';
import type { ConvLayerPlan, DenseLayerPlan, LstmLayerPlan } from '../kernels/epoch.js';
import { poolGeometry } from '../kernels/pool_grad.js';
import { SIMD_ACTIVATIONS, type SimdActivation } from '../kernels/simd.js';
import type { Task } from '../sweep/schema.js';

/** One trainable weight in the flat layout: rows × cols values stored with row stride ld from float `at`. */
export interface PackedVariable {
  shape: number[];
  at: number;
  rows: number;
  cols: number;
  ld: number;
}

export interface PackedLayer {
  layer: tf.layers.Layer;
  variables: PackedVariable[];
}

export interface FusedNetwork {
  /** Per sample, as the model takes it. */
  inputShape: number[];
  front?: { kind: 'lstm'; layers: LstmLayerPlan[] } | { kind: 'conv'; layers: ConvLayerPlan[] };
  head: DenseLayerPlan[];
  layers: PackedLayer[];
  paramCount: number;
}

const up4 = (n: number): number => Math.ceil(n / 4) * 4;

type Config = tf.serialization.ConfigDict;

/** The L2 factor of a kernel regulariser, or why it is not one the kernel implements. */
function l2Of(reg: unknown): number | string {
  if (reg == null) return 0;
  const r = reg as { className?: string; config?: { l1?: number; l2?: number } };
  if (r.className !== 'L1L2' || (r.config?.l1 ?? 0) !== 0) return 'a kernel regulariser other than L2';
  return r.config?.l2 ?? 0;
}

function lstmProblem(c: Config): string | undefined {
  if (c['activation'] !== 'tanh' || c['recurrentActivation'] !== 'sigmoid') return 'an LSTM layer with activations other than tanh and sigmoid';
  if (c['useBias'] === false) return 'an LSTM layer without bias';
  if ((c['units'] as number) % 4 !== 0) return 'an LSTM layer whose units are not a multiple of 4';
  if ((c['dropout'] as number) > 0 || (c['recurrentDropout'] as number) > 0) return 'dropout inside an LSTM cell';
  if (c['stateful'] || c['goBackwards'] || c['returnState']) return 'a stateful, reversed or state-returning LSTM layer';
  if (c['recurrentRegularizer'] || c['biasRegularizer'] || c['activityRegularizer']) return 'an LSTM layer with a recurrent, bias or activity regulariser';
  if (c['kernelConstraint'] || c['recurrentConstraint'] || c['biasConstraint']) return 'an LSTM layer with a constraint';
  return undefined;
}

function convProblem(c: Config): string | undefined {
  if (c['dataFormat'] !== 'channelsLast') return 'a channels-first convolution';
  if (c['useBias'] === false) return 'a convolution without bias';
  if (!(String(c['activation']) in SIMD_ACTIVATIONS)) return `the activation ${String(c['activation'])}`;
  if ((c['filters'] as number) % 4 !== 0) return 'a convolution whose filters are not a multiple of 4';
  if (c['biasRegularizer'] || c['activityRegularizer'] || c['kernelConstraint'] || c['biasConstraint']) return 'a convolution with a bias/activity regulariser or a constraint';
  return undefined;
}

type Pair = number | [number, number];

/** The network's plan and layout for the fused epoch, or why it cannot take that path. */
export function fusedNetwork(model: tf.LayersModel, task: Task): FusedNetwork | string {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const inputShape = (model.inputs[0]!.shape.slice(1) as (number | null)[]).map((d) => d ?? NaN);
  if (inputShape.some((d) => !Number.isInteger(d))) return 'an input shape with unknown dimensions';
  const packed: PackedLayer[] = [];
  const lstm: LstmLayerPlan[] = [];
  const conv: ConvLayerPlan[] = [];
  /** [H, W, C] of the images, then of each convolutional block's output; undefined once flattened. */
  let spatial = inputShape.length === 3 ? (inputShape as [number, number, number]) : undefined;
  let previous = '';
  const head: DenseLayerPlan[] = [];
  /** Each head layer's activation, by name. */
  const activations: string[] = [];
  let at = 0;
  const place = (shape: number[], ld = shape.at(-1)!, rows = shape.slice(0, -1).reduce((a, b) => a * b, 1), storedRows = rows): PackedVariable => {
    const v = { shape, at, rows, cols: shape.at(-1)!, ld };
    at += storedRows * ld;
    return v;
  };
  let inputs = inputShape.reduce((a, b) => a * b, 1);
  for (const [i, layer] of layers.entries()) {
    const c = layer.getConfig();
    const name = layer.getClassName();
    const before = previous;
    previous = name;
    if (name === 'Reshape') {
      const target = c['targetShape'] as number[];
      if (i !== 0 || inputShape.length !== 2 || target.length !== 3 || target[0] !== inputShape[0] || target[1] !== inputShape[1] || target[2] !== 1) {
        return 'a Reshape layer other than [height, width] → [height, width, 1] first';
      }
      spatial = [target[0]!, target[1]!, 1];
      continue;
    }
    if (name === 'Conv2D') {
      if (!spatial || head.length > 0 || lstm.length > 0) return 'a convolution after a Dense, Flatten or LSTM layer';
      const [H, W, C] = spatial;
      const problem = convProblem(c);
      if (problem) return problem;
      const l2 = l2Of(c['kernelRegularizer']);
      if (typeof l2 === 'string') return l2;
      const [fh, fw] = c['kernelSize'] as [number, number];
      const filters = c['filters'] as number;
      const g = convGeometry([1, H, W, C], [fh, fw, C, filters], c['strides'] as Pair, c['dilationRate'] as Pair, c['padding'] as 'same' | 'valid', undefined, 'NHWC', 'Conv2D');
      const [kernel, bias] = [place([fh, fw, C, filters]), place([filters])];
      conv.push({
        kind: 'conv',
        ...{ inH: H, inW: W, inC: C, outH: g.outHeight, outW: g.outWidth, outC: filters, fh, fw, sh: g.strideHeight, sw: g.strideWidth },
        ...{ dh: g.dilationHeight, dw: g.dilationWidth, padTop: g.padTop, padLeft: g.padLeft },
        activation: SIMD_ACTIVATIONS[String(c['activation']) as SimdActivation],
        l2,
        kernelAt: kernel.at,
        biasAt: bias.at,
      });
      packed.push({ layer, variables: [kernel, bias] });
      spatial = [g.outHeight, g.outWidth, filters];
      continue;
    }
    if (name === 'MaxPooling2D' || name === 'AveragePooling2D') {
      if (before !== 'Conv2D' || !spatial) return 'a pooling layer that is not right after a convolution';
      if (c['dataFormat'] !== 'channelsLast') return 'channels-first pooling';
      const [H, W, C] = spatial;
      const g = poolGeometry([1, H, W, C], c['poolSize'] as Pair, c['strides'] as Pair, c['padding'] as 'same' | 'valid', undefined);
      conv.at(-1)!.pool = {
        kind: name === 'MaxPooling2D' ? 'max' : 'avg',
        outH: g.outHeight,
        outW: g.outWidth,
        fh: g.filterHeight,
        fw: g.filterWidth,
        sh: g.strideHeight,
        sw: g.strideWidth,
        padTop: g.padTop,
        padLeft: g.padLeft,
      };
      spatial = [g.outHeight, g.outWidth, C];
      continue;
    }
    if (name === 'LSTM') {
      if (head.length > 0) return 'an LSTM layer after a Dense layer';
      if (i !== lstm.length + lstm.filter((p) => p.dropout > 0).length) return 'an LSTM layer after another layer';
      const problem = lstmProblem(c);
      if (problem) return problem;
      const l2 = l2Of(c['kernelRegularizer']);
      if (typeof l2 === 'string') return l2;
      const units = c['units'] as number;
      const F = lstm.length === 0 ? inputShape.at(-1)! : lstm.at(-1)!.units;
      if (lstm.length === 0 && inputShape.length !== 2) return 'an LSTM layer on inputs that are not [steps, features]';
      if (lstm.length > 0 && !lstm.at(-1)!.returnSequences) return 'an LSTM layer after one that returns only its last output';
      const [kernel, recurrent, bias] = [place([F, 4 * units]), place([units, 4 * units]), place([4 * units])];
      lstm.push({ kind: 'lstm', inputs: F, units, returnSequences: c['returnSequences'] === true, dropout: 0, l2, kernelAt: kernel.at, recurrentAt: recurrent.at, biasAt: bias.at });
      packed.push({ layer, variables: [kernel, recurrent, bias] });
      inputs = units;
      continue;
    }
    switch (name) {
      case 'Flatten':
        if (conv.length > 0 && spatial) {
          inputs = spatial.reduce((a, b) => a * b, 1);
          spatial = undefined;
        } else if (i !== 0) return 'a Flatten layer after the first, other than after convolutions';
        break;
      case 'Dense': {
        if (c['useBias'] === false) return 'a Dense layer without bias';
        if (c['biasRegularizer'] || c['activityRegularizer'] || c['kernelConstraint'] || c['biasConstraint']) {
          return 'a Dense layer with a bias/activity regulariser or a constraint';
        }
        const l2 = l2Of(c['kernelRegularizer']);
        if (typeof l2 === 'string') return l2;
        if (lstm.length > 0 && lstm.at(-1)!.returnSequences) return 'a Dense layer on a sequence';
        if (conv.length > 0 && spatial) return 'a Dense layer on images';
        const [kernel] = layer.getWeights();
        const rows = head.length > 0 ? head.at(-1)!.units : lstm.length > 0 ? lstm.at(-1)!.units : inputs;
        if (kernel?.rank !== 2 || kernel.shape[0] !== rows) return 'a Dense layer on inputs of rank > 2';
        const units = c['units'] as number;
        const ld = up4(units);
        const k = place([kernel.shape[0]!, units], ld, kernel.shape[0]!, inputs);
        const b = place([units], ld);
        head.push({ inputs, units, ld, activation: 0, dropout: 0, l2, kernelAt: k.at, biasAt: b.at });
        activations.push(String(c['activation']));
        packed.push({ layer, variables: [k, b] });
        inputs = ld;
        break;
      }
      case 'Dropout': {
        const prev = head.at(-1) ?? (head.length === 0 ? lstm.at(-1) : undefined);
        if (!prev || prev.dropout > 0 || c['noiseShape'] != null || c['seed'] != null) return 'a Dropout layer that is not right after a Dense or LSTM layer';
        prev.dropout = c['rate'] as number;
        break;
      }
      default:
        return `a ${name} layer`;
    }
  }
  const last = head.at(-1);
  if (!last) return 'no Dense layer';
  if (last.dropout > 0) return 'dropout after the output layer';
  const want = task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear';
  if (activations.at(-1) !== want) return `an output activation (${activations.at(-1)}) other than ${want} for ${task}`;
  const hidden = activations.slice(0, -1).find((a) => !(a in SIMD_ACTIVATIONS));
  if (hidden !== undefined) return `the activation ${hidden}`;
  head.slice(0, -1).forEach((p, i) => (p.activation = SIMD_ACTIVATIONS[activations[i] as SimdActivation]));
  const front = lstm.length > 0 ? { front: { kind: 'lstm' as const, layers: lstm } } : conv.length > 0 ? { front: { kind: 'conv' as const, layers: conv } } : {};
  return { inputShape, ...front, head, layers: packed, paramCount: at };
}

/**
 * Per-variable arrays (in the order of the model's trainable weights) in the flat layout; the
 * padding stays 0.
 */
export function packArrays(layers: readonly PackedLayer[], size: number, arrays: readonly ArrayLike<number>[]): Float32Array {
  const values = new Float32Array(size);
  layers
    .flatMap((l) => l.variables)
    .forEach((v, i) => {
      const a = arrays[i]!;
      if (a.length !== v.rows * v.cols) throw new Error(`weight ${i}: expected ${v.rows * v.cols} values, got ${a.length}`);
      const src = a instanceof Float32Array ? a : Float32Array.from(a);
      if (v.ld === v.cols) values.set(src, v.at);
      else for (let r = 0; r < v.rows; r++) values.set(src.subarray(r * v.cols, (r + 1) * v.cols), v.at + r * v.ld);
    });
  return values;
}

/** The inverse of packArrays. */
export function unpackArrays(layers: readonly PackedLayer[], values: Float32Array): Float32Array[] {
  return layers
    .flatMap((l) => l.variables)
    .map((v) => {
      if (v.ld === v.cols) return values.slice(v.at, v.at + v.rows * v.cols);
      const out = new Float32Array(v.rows * v.cols);
      for (let r = 0; r < v.rows; r++) out.set(values.subarray(v.at + r * v.ld, v.at + r * v.ld + v.cols), r * v.cols);
      return out;
    });
}

/** The model's current weights in the flat layout. */
export function packWeights(net: FusedNetwork): Float32Array {
  return packArrays(
    net.layers,
    net.paramCount,
    net.layers.flatMap((l) => l.layer.getWeights().map((w) => w.dataSync() as Float32Array)),
  );
}
