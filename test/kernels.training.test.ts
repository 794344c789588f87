import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fusedLstm } from '../src/kernels/index.js';
import { expectClose, onCpuAndWasm, useWasmKernels } from './helpers/backends.js';

/** 12×12 images of one bar, horizontal (class 0) or vertical (class 1), at varying positions. */
function bars(n: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const size = 12;
  const pixels = new Float32Array(n * size * size);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const vertical = i % 2;
    const at = 2 + ((i * 5) % 8);
    labels[i] = vertical;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const onBar = vertical ? c === at || c === at + 1 : r === at || r === at + 1;
        pixels[(i * size + r) * size + c] = (onBar ? 1 : 0) + 0.05 * Math.sin(i * 31 + r * 7 + c * 3);
      }
    }
  }
  return { x: tf.tensor4d(pixels, [n, size, size, 1]), y: tf.tensor1d(labels) };
}

function seedCnn(pooling: 'max' | 'avg', padding: 'valid' | 'same', strides: number): tf.Sequential {
  const pool = () => (pooling === 'max' ? tf.layers.maxPooling2d({ poolSize: 2 }) : tf.layers.averagePooling2d({ poolSize: 2 }));
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      filters: 8,
      kernelSize: 3,
      strides,
      padding,
      activation: 'relu',
      inputShape: [12, 12, 1],
      kernelInitializer: init(1),
    }),
  );
  model.add(pool());
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }));
  if (strides === 1) model.add(pool());
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(3) }));
  return model;
}

/** Loss and gradients of every trainable weight, on the current backend. */
function lossAndGrads(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(y, 'int32'), 2), model.apply(x) as tf.Tensor));
    return {
      loss: value.dataSync()[0],
      grads: model.trainableWeights.map((w) => grads[w.originalName].dataSync() as Float32Array),
    };
  });
}

describe('training on the wasm backend with layerbench kernels', () => {
  useWasmKernels('wasm');

  it.each([
    ['max', 'valid', 1],
    ['avg', 'valid', 1],
    ['max', 'same', 2],
  ] as const)('a %s-pooling CNN (%s padding, stride %d) has the same gradients on wasm as on cpu', async (pooling, padding, strides) => {
    const { x, y } = bars(16);
    const model = seedCnn(pooling, padding, strides);
    const { cpu, wasm } = await onCpuAndWasm(() => lossAndGrads(model, x, y));
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    wasm.grads.forEach((g, i) => expectClose(g, cpu.grads[i]!, 1e-3));
  });

  it('a small CNN learns on wasm: loss falls over a few epochs', async () => {
    await tf.setBackend('wasm');
    const { x, y } = bars(64);
    const model = seedCnn('max', 'valid', 1);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 8, batchSize: 16, shuffle: false, verbose: 0 });
    const loss = history.history.loss as number[];
    expect(tf.getBackend()).toBe('wasm');
    expect(loss[loss.length - 1]).toBeLessThan(0.5 * loss[0]);
    expect((history.history.acc as number[]).at(-1)).toBeGreaterThan(0.9);
  });

  it('an MLP with dropout and L2 and a stacked LSTM 16→8 train on wasm', async () => {
    await tf.setBackend('wasm');
    const n = 64;
    const xs = tf.tensor2d(
      Array.from({ length: n * 10 }, (_, i) => Math.sin(i * 0.37)),
      [n, 10],
    );
    const ys = tf.sum(xs.slice([0, 0], [n, 3]), 1, true);
    const mlp = tf.sequential();
    mlp.add(tf.layers.dense({ units: 32, activation: 'relu', inputShape: [10], kernelRegularizer: tf.regularizers.l2({ l2: 1e-4 }) }));
    mlp.add(tf.layers.dropout({ rate: 0.1 }));
    mlp.add(tf.layers.dense({ units: 1 }));
    mlp.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const mlpLoss = (await mlp.fit(xs, ys, { epochs: 10, batchSize: 16, verbose: 0 })).history.loss as number[];
    expect(mlpLoss.at(-1)).toBeLessThan(0.5 * mlpLoss[0]);

    const windows = tf.tensor3d(
      Array.from({ length: n * 6 * 2 }, (_, i) => Math.sin(i * 0.21)),
      [n, 6, 2],
    );
    const next = tf.mean(windows.slice([0, 4, 0], [n, 2, 1]), 1);
    const lstm = tf.sequential();
    // Our fused layer, as src/model/build.ts makes it (sigmoid gates, as Keras): one kernel per layer and pass.
    const first = fusedLstm({ units: 16, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [6, 2] });
    lstm.add(first);
    lstm.add(fusedLstm({ units: 8, recurrentActivation: 'sigmoid' }));
    lstm.add(tf.layers.dense({ units: 1 }));
    lstm.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    const lstmLoss = (await lstm.fit(windows, next, { epochs: 10, batchSize: 16, verbose: 0 })).history.loss as number[];
    expect(lstmLoss.at(-1)).toBeLessThan(0.5 * lstmLoss[0]);
    expect(first.lastCallFused).toBe(true);
  });
});
