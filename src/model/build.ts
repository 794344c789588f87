/**
 * Builds the seed article's three Keras-style families as TensorFlow.js Sequential models, with
 * Keras defaults where TensorFlow.js differs (LSTM recurrent activation 'sigmoid', unit forget bias,
 * orthogonal recurrent kernel) and deterministic initialisation from the seed. `layerSummaries`
 * describes the built network completely enough to write the same model in Keras.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedLstm } from '../kernels/lstm_layer.js';
import { rng } from '../random.js';
import type { Candidate } from '../sweep/candidate.js';
import type { ModelSpec, Task } from '../sweep/schema.js';
import type { DataInfo } from '../data/types.js';
import type { LayerSummary } from '../results/document.js';
import { checkInputShape, convOutputSize, convPadding, poolOutputSize, poolPadding } from './params.js';

/** The output layer's activation for a task (as in the seed: sigmoid, softmax, or linear). */
export function outputActivation(task: Task): 'sigmoid' | 'softmax' | 'linear' {
  return task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear';
}

/** LSTM layers whose forget-gate bias we initialised to 1 (Keras' unit_forget_bias=True). */
const unitForgetBias = new WeakSet<tf.layers.Layer>();

/** A distinct, reproducible initializer seed for layer `index` of a model built with `seed`. */
function layerSeed(seed: number, index: number): number {
  return seed * 1000 + index;
}

/**
 * A seeded orthogonal matrix of shape [rows, cols] (Keras' Orthogonal initializer: QR of a standard
 * normal matrix, signs fixed by R's diagonal). Computed in float64 JavaScript: TensorFlow.js' own
 * initializer runs a slow QR out of tensor ops and warns on every LSTM wider than 22 units.
 */
export function orthogonalMatrix(rows: number, cols: number, seed: number): Float32Array {
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  const random = rng(seed);
  const normal = (): number => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  // Columns of an m × n matrix, orthonormalised by modified Gram–Schmidt (R's diagonal = the norms).
  const q: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = normal();
    for (const u of q) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += u[i]! * v[i]!;
      for (let i = 0; i < m; i++) v[i]! -= dot * u[i]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < m; i++) v[i]! /= norm;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // q is m × n (column j = q[j]); for rows < cols the result is its transpose.
      out[r * cols + c] = rows >= cols ? q[c]![r]! : q[r]![c]!;
    }
  }
  return out;
}

/** Build (not compile) the candidate's network; training supplies the loss and optimizer. */
export function buildModel(candidate: Pick<Candidate, 'family' | 'units'>, model: ModelSpec, info: DataInfo, seed: number): tf.Sequential {
  checkInputShape(candidate, info);
  const net = tf.sequential();
  let index = 0;
  const glorot = () => tf.initializers.glorotUniform({ seed: layerSeed(seed, index++) });
  const regularizer = () => (model.l2 > 0 ? tf.regularizers.l2({ l2: model.l2 }) : undefined);
  // The first layer carries the input shape.
  let inputShape: number[] | undefined = [...info.inputShape];
  const first = <T extends object>(args: T): T & { inputShape?: number[] } => {
    const withShape = inputShape ? { ...args, inputShape } : args;
    inputShape = undefined;
    return withShape;
  };
  const dense = (units: number, activation: string, hidden: boolean) =>
    net.add(
      tf.layers.dense(
        first({
          units,
          activation: activation as 'relu',
          kernelInitializer: glorot(),
          biasInitializer: 'zeros',
          kernelRegularizer: hidden ? regularizer() : undefined,
        }),
      ),
    );
  const dropout = () => {
    // Unseeded on purpose: TensorFlow.js reuses a seeded dropout mask for every batch.
    if (model.dropout > 0) net.add(tf.layers.dropout({ rate: model.dropout }));
  };

  switch (candidate.family) {
    case 'dense': {
      if (info.inputShape.length > 1) net.add(tf.layers.flatten(first({})));
      for (const units of candidate.units) {
        dense(units, model.activation, true);
        dropout();
      }
      break;
    }
    case 'cnn': {
      // Spatial size as it shrinks through the blocks: it decides each layer's padding.
      let [h, w] = [info.inputShape[0]!, info.inputShape[1]!];
      if (info.inputShape.length === 2) net.add(tf.layers.reshape(first({ targetShape: [h, w, 1] })));
      const { kernelSize: k, pooling, poolSize: p, denseHead } = model.cnn;
      for (const filters of candidate.units) {
        const padding = convPadding(h, w, k);
        net.add(
          tf.layers.conv2d(
            first({
              filters,
              kernelSize: [k, k],
              strides: [1, 1],
              padding,
              activation: model.activation as 'relu',
              kernelInitializer: glorot(),
              biasInitializer: 'zeros',
              kernelRegularizer: regularizer(),
            }),
          ),
        );
        [h, w] = [convOutputSize(h, k, padding), convOutputSize(w, k, padding)];
        if (pooling !== 'none') {
          const pp = poolPadding(h, w, p);
          const args = { poolSize: [p, p] as [number, number], strides: [p, p] as [number, number], padding: pp };
          net.add(pooling === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args));
          [h, w] = [poolOutputSize(h, p, pp), poolOutputSize(w, p, pp)];
        }
      }
      net.add(tf.layers.flatten());
      for (const units of denseHead) {
        dense(units, model.activation, true);
        dropout();
      }
      break;
    }
    case 'lstm': {
      const recurrent: { layer: tf.layers.Layer; units: number; seed: number }[] = [];
      candidate.units.forEach((units, i) => {
        // fusedLstm is tf.layers.lstm (same class, weights and serialisation) with the whole layer as
        // two wasm kernels per call instead of thousands of small ones (src/kernels/lstm_layer.ts).
        const layer = fusedLstm(
          first({
            units,
            // Keras defaults (TensorFlow.js defaults to hardSigmoid and no unit forget bias).
            activation: 'tanh',
            recurrentActivation: 'sigmoid',
            // Keras' unit_forget_bias is set below: TensorFlow.js' own unitForgetBias leaks 4 tensors per layer.
            returnSequences: i < candidate.units.length - 1,
            kernelInitializer: glorot(),
            recurrentInitializer: 'zeros',
            biasInitializer: 'zeros',
            kernelRegularizer: regularizer(),
          }),
        );
        recurrent.push({ layer, units, seed: layerSeed(seed, index++) });
        net.add(layer);
        dropout();
      });
      // Orthogonal recurrent kernels and a forget-gate bias of 1 (gate order i, f, c, o), as Keras does.
      for (const { layer, units, seed: s } of recurrent) {
        const [kernel] = layer.getWeights();
        const rk = tf.tensor2d(orthogonalMatrix(units, 4 * units, s), [units, 4 * units]);
        const b = new Float32Array(4 * units);
        b.fill(1, units, 2 * units);
        const bias = tf.tensor1d(b);
        layer.setWeights([kernel!, rk, bias]);
        tf.dispose([rk, bias]);
        unitForgetBias.add(layer);
      }
      break;
    }
  }
  dense(info.targetDim, outputActivation(info.task), false);
  return net;
}

/**
 * The network's regularisation penalties (one scalar per regularised kernel). A Sequential model's own
 * `calculateLosses()` returns none, and an LSTM keeps its penalty on its cell, so we collect them here.
 */
export function regularizationLosses(model: tf.LayersModel): tf.Scalar[] {
  return model.layers.flatMap((layer) => {
    const cell = (layer as { cell?: tf.layers.Layer }).cell;
    return [...layer.calculateLosses(), ...(cell ? cell.calculateLosses() : [])];
  });
}

/** A layer's Keras class name as our summary records it. */
function layerType(layer: tf.layers.Layer): string {
  return layer.getClassName();
}

function l2Of(config: tf.serialization.ConfigDict): number | undefined {
  const reg = config['kernelRegularizer'] as { config?: { l2?: number } } | null | undefined;
  const l2 = reg?.config?.l2;
  return typeof l2 === 'number' && l2 > 0 ? l2 : undefined;
}

/** The Keras-relevant settings of one layer. */
function layerConfig(layer: tf.layers.Layer, isFirst: boolean): Record<string, unknown> {
  const c = layer.getConfig();
  const out: Record<string, unknown> = {};
  const copy = (...keys: string[]) => {
    for (const k of keys) if (c[k] !== undefined && c[k] !== null) out[k] = c[k];
  };
  switch (layer.getClassName()) {
    case 'Dense':
      copy('units', 'activation', 'useBias');
      break;
    case 'Conv2D':
      copy('filters', 'kernelSize', 'strides', 'padding', 'activation', 'useBias');
      break;
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      copy('poolSize', 'strides', 'padding');
      out['pooling'] = layer.getClassName() === 'MaxPooling2D' ? 'max' : 'avg';
      break;
    case 'LSTM':
      copy('units', 'activation', 'recurrentActivation', 'returnSequences', 'useBias');
      out['unitForgetBias'] = c['unitForgetBias'] === true || unitForgetBias.has(layer);
      break;
    case 'Dropout':
      copy('rate');
      break;
    case 'Reshape':
      copy('targetShape');
      break;
    default:
      break;
  }
  const l2 = l2Of(c);
  if (l2 !== undefined) out['l2'] = l2;
  if (isFirst) {
    const batchInputShape = c['batchInputShape'] as (number | null)[] | undefined;
    if (batchInputShape) out['inputShape'] = batchInputShape.slice(1);
  }
  return out;
}

/** Per-layer type, output shape (batch dimension null, as Keras prints it), parameters and settings. */
export function layerSummaries(model: tf.LayersModel): LayerSummary[] {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  return layers.map((layer, i) => ({
    type: layerType(layer),
    outputShape: [...(layer.outputShape as (number | null)[])],
    params: layer.countParams(),
    config: layerConfig(layer, i === 0),
  }));
}
