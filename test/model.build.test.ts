import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, layerSummaries, regularizationLosses } from '../src/model/build.js';
import { selectBackend } from '../src/train/backend.js';
import { info, model } from './helpers/model.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('layerSummaries', () => {
  it('records what Keras needs to rebuild the seed LSTM', () => {
    const spec = model({ family: 'lstm', dropout: 0.1 });
    const net = buildModel({ family: 'lstm', units: [64, 32] }, spec, info('forecast', [24, 4], 1), 7);
    try {
      const s = layerSummaries(net);
      expect(s.map((l) => l.type)).toEqual(['LSTM', 'Dropout', 'LSTM', 'Dropout', 'Dense']);
      expect(s[0]).toMatchObject({
        outputShape: [null, 24, 64],
        params: 17_664,
        config: { units: 64, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid', inputShape: [24, 4] },
      });
      expect(s[1]!.config).toEqual({ rate: 0.1 });
      expect(s[2]).toMatchObject({ outputShape: [null, 32], config: { units: 32, returnSequences: false } });
      expect(s[4]).toMatchObject({ outputShape: [null, 1], params: 33, config: { units: 1, activation: 'linear' } });
    } finally {
      net.dispose();
    }
  });

  it('records kernel size, padding, pooling and the L2 penalty of a CNN', () => {
    const spec = model({ family: 'cnn', l2: 0.001 });
    const net = buildModel({ family: 'cnn', units: [32, 64] }, spec, info('multiclass', [28, 28, 1], 10), 7);
    try {
      const s = layerSummaries(net);
      expect(s.map((l) => l.type)).toEqual(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
      expect(s[0]!.config).toMatchObject({ filters: 32, kernelSize: [3, 3], padding: 'valid', activation: 'relu', l2: 0.001, inputShape: [28, 28, 1] });
      expect(s[1]!.config).toMatchObject({ pooling: 'max', poolSize: [2, 2], padding: 'valid' });
      expect(s[4]!.outputShape).toEqual([null, 1600]);
      expect(s[5]!.config).toMatchObject({ units: 10, activation: 'softmax' });
      expect(s[5]!.config['l2']).toBeUndefined();
    } finally {
      net.dispose();
    }
  });

  it('initialises identically from the same seed and differently from another', () => {
    const spec = model({ family: 'lstm' });
    const data = info('forecast', [6, 2], 1);
    const weights = (seed: number) => {
      const net = buildModel({ family: 'lstm', units: [8] }, spec, data, seed);
      const values = net.getWeights().map((w) => Array.from(w.dataSync()));
      net.dispose();
      return values;
    };
    expect(weights(5)).toEqual(weights(5));
    expect(weights(5)[0]).not.toEqual(weights(6)[0]);
  });

  it('makes the LSTM recurrent kernel orthogonal', () => {
    const net = buildModel({ family: 'lstm', units: [8] }, model({ family: 'lstm' }), info('forecast', [6, 2], 1), 1);
    try {
      const rk = net.layers[0]!.getWeights()[1]!; // [8, 32]: rows orthonormal
      const gram = tf.tidy(() => tf.matMul(rk, rk, false, true).arraySync() as number[][]);
      gram.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 4)));
    } finally {
      net.dispose();
    }
  });
});

describe('buildModel', () => {
  it('initialises the LSTM forget-gate bias to 1, as Keras unit_forget_bias does', () => {
    const net = buildModel({ family: 'lstm', units: [3] }, model({ family: 'lstm' }), info('forecast', [4, 2], 1), 1);
    try {
      const bias = Array.from(net.layers[0]!.getWeights()[2]!.dataSync());
      expect(bias).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
      expect(layerSummaries(net)[0]!.config['unitForgetBias']).toBe(true);
    } finally {
      net.dispose();
    }
  });

  it('leaves no tensor behind once a model of each family is disposed', () => {
    const before = tf.memory().numTensors;
    const nets = [
      buildModel({ family: 'dense', units: [8, 4] }, model({ family: 'dense', dropout: 0.5, l2: 0.1 }), info('binary', [3, 2], 1), 1),
      buildModel({ family: 'cnn', units: [2, 2] }, model({ family: 'cnn', cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [4] } }), info('multiclass', [9, 9, 2], 3), 1),
      buildModel({ family: 'lstm', units: [30, 5] }, model({ family: 'lstm', dropout: 0.2, l2: 0.01 }), info('forecast', [4, 2], 2), 1),
    ];
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    for (const net of nets) net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('flattens a multi-dimensional input for a dense network', () => {
    const net = buildModel({ family: 'dense', units: [5] }, model({ family: 'dense' }), info('regression', [3, 2], 1), 1);
    try {
      expect(layerSummaries(net).map((l) => l.type)).toEqual(['Flatten', 'Dense', 'Dense']);
      expect(layerSummaries(net)[0]!.config).toEqual({ inputShape: [3, 2] });
    } finally {
      net.dispose();
    }
  });

  it('names the input shape when it does not fit the family', () => {
    expect(() => buildModel({ family: 'lstm', units: [4] }, model({ family: 'lstm' }), info('forecast', [12], 1), 1)).toThrow(/input shape \[12\]: lstm needs windows of shape \[steps, features\]/);
  });
});

describe('regularizationLosses', () => {
  for (const [family, shape] of [
    ['dense', [2]],
    ['cnn', [4, 4, 1]],
    ['lstm', [3, 2]],
  ] as const) {
    it(`${family}: is l2 × the sum of squared hidden kernel weights (the output layer is not penalised)`, () => {
      const net = buildModel({ family, units: [3] }, model({ family, l2: 0.5 }), info('forecast', [...shape], 1), 1);
      try {
        const losses = regularizationLosses(net);
        const kernel = net.layers[0]!.getWeights()[0]!;
        expect(losses).toHaveLength(1);
        expect(losses[0]!.dataSync()[0]).toBeCloseTo(0.5 * tf.sum(tf.square(kernel)).dataSync()[0]!, 5);
        tf.dispose(losses);
      } finally {
        net.dispose();
      }
    });
  }

  it('is empty without l2', () => {
    const net = buildModel({ family: 'dense', units: [3] }, model({ family: 'dense' }), info('binary', [2], 1), 1);
    expect(regularizationLosses(net)).toEqual([]);
    net.dispose();
  });
});
