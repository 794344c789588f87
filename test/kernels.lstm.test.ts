import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fusedLstm, LSTM_BACKWARD, LSTM_FORWARD, type FusedLstm } from '../src/kernels/index.js';
import { expectClose, onBackend, useWasmKernels } from './helpers/backends.js';

const T = 7;
const F = 3;

function sequences(n: number): tf.Tensor3D {
  return tf.tensor3d(
    Array.from({ length: n * T * F }, (_, i) => Math.sin(i * 0.37) + 0.2 * Math.cos(i * 1.3)),
    [n, T, F],
  );
}

/** Keras-style stacked LSTM (sigmoid gates) built with `make`, weights set to fixed values. */
function stacked(make: (args: Parameters<typeof tf.layers.lstm>[0]) => tf.layers.Layer, units: [number, number]): tf.Sequential {
  const model = tf.sequential();
  model.add(make({ units: units[0], returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, F] }));
  model.add(make({ units: units[1], recurrentActivation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.setWeights(
    model.getWeights().map((w, k) =>
      tf.tensor(
        Array.from({ length: w.size }, (_, i) => 0.4 * Math.sin(i * 0.91 + k)),
        w.shape,
      ),
    ),
  );
  return model;
}

function lossAndGrads(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): { loss: number; grads: Float32Array[]; out: Float32Array } {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(model.apply(x) as tf.Tensor, y)) as tf.Scalar);
    return {
      loss: value.dataSync()[0]!,
      grads: model.trainableWeights.map((w) => grads[w.name]!.dataSync() as Float32Array),
      out: (model.apply(x) as tf.Tensor).dataSync() as Float32Array,
    };
  });
}

describe('fusedLstm: a whole LSTM layer per wasm kernel', () => {
  useWasmKernels('wasm');

  it("gives tf.layers.lstm's outputs, loss and every gradient (stacked, both return modes)", async () => {
    await tf.setBackend('wasm');
    const x = sequences(5);
    const y = tf.tensor2d([0.1, -0.3, 0.5, 0.2, -0.1], [5, 1]);
    const reference = lossAndGrads(stacked(tf.layers.lstm, [6, 4]), x, y);
    const model = stacked(fusedLstm, [6, 4]);
    const profile = await tf.profile(() => {
      lossAndGrads(model, x, y);
    });
    const fused = lossAndGrads(model, x, y);
    expect((model.layers[0] as FusedLstm).lastCallFused).toBe(true);
    expect(profile.kernels.filter((k) => k.name === LSTM_FORWARD).length).toBeGreaterThanOrEqual(2);
    expect(profile.kernels.filter((k) => k.name === LSTM_BACKWARD)).toHaveLength(2);
    expectClose(fused.out, reference.out, 1e-4);
    expect(fused.loss).toBeCloseTo(reference.loss, 5);
    fused.grads.forEach((g, i) => expectClose(g, reference.grads[i]!, 1e-3));
  });

  it.each([3, 8])('SIMD path: the input gradient with %i features (in fours on the SIMD product, else XNNPACK) equals the cpu backend', async (features) => {
    const x = tf.tensor3d(
      Array.from({ length: 5 * T * features }, (_, i) => Math.sin(i * 0.37) + 0.2 * Math.cos(i * 1.3)),
      [5, T, features],
    );
    const dx = (make: typeof tf.layers.lstm) => {
      const layer = make({ units: 8, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, features] });
      const model = tf.sequential({ layers: [layer] });
      model.setWeights(
        model.getWeights().map((w, k) =>
          tf.tensor(
            Array.from({ length: w.size }, (_, i) => 0.4 * Math.sin(i * 0.91 + k)),
            w.shape,
          ),
        ),
      );
      const dy = tf.tensor3d(
        Array.from({ length: 5 * T * 8 }, (_, i) => Math.cos(i * 0.53)),
        [5, T, 8],
      );
      return tf
        .grad((a: tf.Tensor) => tf.sum(tf.mul(model.apply(a) as tf.Tensor, dy)))(x)
        .dataSync() as Float32Array;
    };
    const cpu = await onBackend('cpu', () => dx(tf.layers.lstm));
    const wasm = await onBackend('wasm', () => dx(fusedLstm));
    expectClose(wasm, cpu, 1e-5);
  });

  it('SIMD path (units a multiple of 4): outputs and every gradient within 1e-5 of tf.layers.lstm on the cpu backend', async () => {
    const x = sequences(5);
    const y = tf.tensor2d([0.1, -0.3, 0.5, 0.2, -0.1], [5, 1]);
    const cpu = await onBackend('cpu', () => lossAndGrads(stacked(tf.layers.lstm, [8, 12]), x, y));
    const wasm = await onBackend('wasm', () => lossAndGrads(stacked(fusedLstm, [8, 12]), x, y));
    expectClose(wasm.out, cpu.out, 1e-5);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 6);
    wasm.grads.forEach((g, i) => expectClose(g, cpu.grads[i]!, 1e-5));
  });

  it('matches the cpu backend, where it falls back to tf.layers.lstm itself', async () => {
    const x = sequences(4);
    const y = tf.tensor2d([0.3, -0.2, 0.1, 0.4], [4, 1]);
    const model = stacked(fusedLstm, [5, 3]);
    const cpu = await onBackend('cpu', () => lossAndGrads(model, x, y));
    expect((model.layers[0] as FusedLstm).lastCallFused).toBe(false);
    const wasm = await onBackend('wasm', () => lossAndGrads(model, x, y));
    expect((model.layers[0] as FusedLstm).lastCallFused).toBe(true);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 5);
    wasm.grads.forEach((g, i) => expectClose(g, cpu.grads[i]!, 1e-3));
  });

  it('is an LSTM to everything else: class name, config, saved topology', () => {
    const fused = fusedLstm({ units: 8, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, F] });
    const plain = tf.layers.lstm({ units: 8, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, F] });
    expect(fused.getClassName()).toBe('LSTM');
    const { name: _a, ...fusedConfig } = fused.getConfig();
    const { name: _b, ...plainConfig } = plain.getConfig();
    expect(fusedConfig).toEqual(plainConfig);
  });

  it('falls back where fusing does not apply (hardSigmoid gates) with the same results', async () => {
    await tf.setBackend('wasm');
    const layer = fusedLstm({ units: 4, inputShape: [T, F] }); // tfjs default: hardSigmoid
    const model = tf.sequential({ layers: [layer] });
    const plain = tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [T, F] })] });
    plain.setWeights(model.getWeights());
    const x = sequences(2);
    const out = model.predict(x) as tf.Tensor;
    expect(layer.lastCallFused).toBe(false);
    expect(out.shape).toEqual([2, 4]);
    expectClose(out.dataSync() as Float32Array, (plain.predict(x) as tf.Tensor).dataSync() as Float32Array, 1e-6);
  });

  it('trains: loss falls with Adam on wasm, and no tensor leaks per step', async () => {
    await tf.setBackend('wasm');
    const x = sequences(32);
    const y = tf.mean(x.slice([0, T - 2, 0], [32, 2, 1]), 1);
    const model = stacked(fusedLstm, [8, 4]);
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const before = tf.memory().numTensors;
    const history = await model.fit(x, y, { epochs: 15, batchSize: 8, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    const loss = history.history.loss as number[];
    expect(loss.at(-1)).toBeLessThan(0.5 * loss[0]!);
  });
});
