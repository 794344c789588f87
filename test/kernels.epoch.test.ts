import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../src/model/build.js';
import { rng } from '../src/random.js';
import type { Candidate } from '../src/sweep/candidate.js';
import { sweepSpecSchema, type SweepSpec } from '../src/sweep/schema.js';
import type { DataInfo, SplitData } from '../src/data/types.js';
import { selectBackend } from '../src/train/backend.js';
import { fusedTrainer } from '../src/train/fused-trainer.js';
import { TRAIN_EPOCH } from '../src/kernels/index.js';
import { trainCandidate } from '../src/train/train.js';
import { maxAbs, useWasmKernels } from './helpers/backends.js';

interface Case {
  name: string;
  family?: 'dense' | 'lstm' | 'cnn';
  cnn?: { kernelSize: number; pooling: 'max' | 'avg' | 'none'; poolSize: number; denseHead: number[] };
  task: DataInfo['task'];
  inputShape: number[];
  targetDim: number;
  units: number[];
  activation: string;
  l2?: number;
  dropout?: number;
  metric: string;
  batchSize: number;
}

function setup(c: Case, rows = 150): { spec: SweepSpec; candidate: Candidate; info: DataInfo; split: SplitData } {
  const spec = sweepSpecSchema.parse({
    name: `fused-${c.name}`,
    dataset:
      c.task === 'multiclass' || c.family === 'cnn'
        ? { key: 'datasets/x.npz', format: 'npz', task: c.task, inputs: 'x', target: 'y' }
        : c.task === 'forecast'
          ? { key: 'datasets/x.csv', task: c.task, target: 'y', time: 't', lookback: c.inputShape[0] }
          : { key: 'datasets/x.csv', task: c.task, target: 'y' },
    model: { family: c.family ?? 'dense', depth: [c.units.length], width: [c.units[0]], activation: c.activation, l2: c.l2 ?? 0, dropout: c.dropout ?? 0, ...(c.cnn ? { cnn: c.cnn } : {}) },
    training: { epochs: 4, batchSize: c.batchSize, optimizer: 'adam', learningRate: 0.01, earlyStopping: { enabled: false }, seed: 3 },
    evaluation: { strategy: 'holdout', validationSplit: 0.2, repeats: 1, metric: c.metric },
  });
  const candidate: Candidate = {
    id: `fused-${c.name}`,
    sweep: spec.name,
    family: c.family ?? 'dense',
    depth: c.units.length,
    width: c.units[0]!,
    units: c.units,
    metric: c.metric,
    datasetVersion: 'test',
    seed: 3,
  };
  const features = c.inputShape.reduce((a, b) => a * b, 1);
  const random = rng(99);
  const set = (n: number) => {
    const x = Float32Array.from({ length: n * features }, () => random() * 2 - 1);
    const y = new Float32Array(n * (c.task === 'multiclass' ? 1 : c.targetDim));
    for (let r = 0; r < n; r++) {
      const s = x[r * features]! + 0.5 * x[r * features + 1]! - x[r * features + 2]!;
      for (let j = 0; j < (c.task === 'multiclass' ? 1 : c.targetDim); j++) {
        y[r * c.targetDim + j] = c.task === 'binary' ? (s + 0.3 * j > 0 ? 1 : 0) : c.task === 'multiclass' ? (s < -0.4 ? 0 : s < 0.4 ? 1 : 2) : s * (j + 1) + 0.1 * random();
      }
    }
    return { n, x, y };
  };
  const info: DataInfo = { task: c.task, inputShape: c.inputShape, targetDim: c.targetDim, rows, droppedRows: 0 };
  const split: SplitData = { fold: 0, repeat: 0, train: set(rows), val: set(40), ...(c.task === 'regression' || c.task === 'forecast' ? { targetScale: Array(c.targetDim).fill(2.5) } : {}) };
  return { spec, candidate, info, split };
}

async function train(c: Case, fusedDense: boolean) {
  const { spec, candidate, info, split } = setup(c);
  let weights: Float32Array[] = [];
  const doc = await trainCandidate({
    runId: 'test',
    spec,
    candidate,
    info,
    splits: () => [split],
    backend: 'wasm',
    fusedDense,
    onFinalModel: async (m) => {
      weights = m.getWeights().map((w) => w.dataSync() as Float32Array);
    },
  });
  return { doc, weights };
}

const cases: Case[] = [
  { name: 'regression', task: 'regression', inputShape: [10], targetDim: 2, units: [16, 9], activation: 'relu', metric: 'rmse', batchSize: 32 },
  { name: 'binary-l2', task: 'binary', inputShape: [5], targetDim: 1, units: [7], activation: 'tanh', l2: 0.01, metric: 'accuracy', batchSize: 16 },
  { name: 'multiclass-flatten', task: 'multiclass', inputShape: [2, 3], targetDim: 3, units: [12, 5, 6], activation: 'selu', metric: 'accuracy', batchSize: 20 },
  { name: 'swish-mae', task: 'regression', inputShape: [3], targetDim: 1, units: [8], activation: 'swish', metric: 'mae', batchSize: 64 },
  { name: 'lstm-stacked', family: 'lstm', task: 'forecast', inputShape: [6, 3], targetDim: 1, units: [8, 4], activation: 'tanh', metric: 'rmse', batchSize: 16 },
  { name: 'lstm-l2-two-targets', family: 'lstm', task: 'forecast', inputShape: [5, 4], targetDim: 2, units: [12], activation: 'tanh', l2: 0.01, metric: 'mae', batchSize: 32 },
  {
    name: 'cnn-max-pooling',
    family: 'cnn',
    task: 'multiclass',
    inputShape: [9, 9, 1],
    targetDim: 3,
    units: [4, 8],
    activation: 'relu',
    metric: 'accuracy',
    batchSize: 16,
    cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [] },
  },
  {
    name: 'cnn-reshape-avg-l2-head',
    family: 'cnn',
    task: 'binary',
    inputShape: [6, 7],
    targetDim: 1,
    units: [4],
    activation: 'tanh',
    l2: 0.01,
    metric: 'accuracy',
    batchSize: 16,
    cnn: { kernelSize: 3, pooling: 'avg', poolSize: 2, denseHead: [6] },
  },
  {
    name: 'cnn-3-channels-no-pooling',
    family: 'cnn',
    task: 'multiclass',
    inputShape: [5, 5, 3],
    targetDim: 3,
    units: [8, 4],
    activation: 'elu',
    metric: 'accuracy',
    batchSize: 20,
    cnn: { kernelSize: 2, pooling: 'none', poolSize: 2, denseHead: [] },
  },
  {
    name: 'cnn-same-padding',
    family: 'cnn',
    task: 'multiclass',
    inputShape: [4, 4, 2],
    targetDim: 3,
    units: [4, 4],
    activation: 'relu',
    metric: 'accuracy',
    batchSize: 16,
    cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [] },
  },
  // Three input channels under 2×2 max pooling and relu: the first layer is one convPoolCodes
  // call forward and one convPoolFilterGrad call backward (8 channels: one 8-channel group).
  {
    name: 'cnn-3-channels-conv-pool',
    family: 'cnn',
    task: 'multiclass',
    inputShape: [10, 9, 3],
    targetDim: 3,
    units: [8],
    activation: 'relu',
    metric: 'accuracy',
    batchSize: 16,
    cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [] },
  },
  // 32 input channels: the second layer's filter gradient comes from the pooling's codes
  // (maxPoolFilterGrad), on Winograd's path (3×3) and on im2col's (5×5).
  {
    name: 'cnn-32-channels-3x3',
    family: 'cnn',
    task: 'multiclass',
    inputShape: [12, 11, 1],
    targetDim: 3,
    units: [32, 32],
    activation: 'relu',
    metric: 'accuracy',
    batchSize: 16,
    cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [] },
  },
  {
    name: 'cnn-32-channels-5x5',
    family: 'cnn',
    task: 'multiclass',
    inputShape: [18, 18, 1],
    targetDim: 3,
    units: [32, 32],
    activation: 'relu',
    metric: 'accuracy',
    batchSize: 16,
    cnn: { kernelSize: 5, pooling: 'max', poolSize: 2, denseHead: [] },
  },
];

describe('fused training epoch (LayerbenchEpoch) of dense, LSTM and CNN networks against the unfused path', () => {
  useWasmKernels('wasm');

  it.each(cases)('$name: every epoch and the trained weights match tf.layers + Adam on wasm', async (c) => {
    let fused!: Awaited<ReturnType<typeof train>>;
    const profile = await tf.profile(async () => {
      fused = await train(c, true);
    });
    const unfused = await train(c, false);
    // One kernel per epoch (4) and one per evaluation (4 epochs + kept, train; no test split here).
    expect(profile.kernels.filter((k) => k.name === TRAIN_EPOCH)).toHaveLength(4 + 4 + 2);
    const [a, b] = [fused.doc.trials[0]!.epochs, unfused.doc.trials[0]!.epochs];
    expect(a).toHaveLength(b.length);
    a.forEach((e, i) => {
      expect(e.loss).toBeCloseTo(b[i]!.loss, 4);
      expect(e.metric).toBeCloseTo(b[i]!.metric, 4);
      expect(e.valLoss).toBeCloseTo(b[i]!.valLoss, 4);
    });
    expect(fused.weights).toHaveLength(unfused.weights.length);
    // 4 epochs of Adam steps apart in float32 rounding only.
    fused.weights.forEach((w, i) => {
      let diff = 0;
      w.forEach((v, j) => (diff = Math.max(diff, Math.abs(v - unfused.weights[i]![j]!))));
      expect(diff).toBeLessThan(1e-3 * Math.max(1, maxAbs(unfused.weights[i]!)));
    });
  });

  const dropouts: Case[] = [
    { name: 'dense', task: 'binary', inputShape: [6], targetDim: 1, units: [32, 16], activation: 'relu', dropout: 0.3, metric: 'accuracy', batchSize: 16 },
    { name: 'lstm', family: 'lstm', task: 'forecast', inputShape: [6, 2], targetDim: 1, units: [8, 8], activation: 'tanh', dropout: 0.3, metric: 'rmse', batchSize: 16 },
    {
      name: 'cnn',
      family: 'cnn',
      task: 'multiclass',
      inputShape: [8, 8, 1],
      targetDim: 3,
      units: [4],
      activation: 'relu',
      dropout: 0.3,
      metric: 'accuracy',
      batchSize: 16,
      cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [8] },
    },
  ];

  it.each(dropouts)('dropout ($name): deterministic for the same candidate, and it learns', async (c) => {
    const first = await train(c, true);
    const second = await train(c, true);
    expect(second.doc.trials[0]!.epochs).toEqual(first.doc.trials[0]!.epochs);
    expect(second.weights).toEqual(first.weights);
    const epochs = first.doc.trials[0]!.epochs;
    expect(epochs.at(-1)!.loss).toBeLessThan(epochs[0]!.loss);
  });

  it('says why it cannot apply, and the caller trains unfused', async () => {
    await selectBackend('wasm');
    const { spec, info } = setup(cases[0]!);
    const model = buildModel({ family: 'dense', units: [4] }, spec.model, info, 1);
    const options = { task: info.task, metric: 'rmse' as const, learningRate: 0.01, batchSize: 8 };
    expect(fusedTrainer(model, 10, 2, { ...options, optimizer: 'sgd' })).toBe('the sgd optimizer');
    expect(fusedTrainer(model, 10, 2, { ...options, task: 'binary', optimizer: 'adam' })).toMatch(/output activation \(linear\)/);
    const lstm = buildModel({ family: 'lstm', units: [6] }, { ...spec.model, family: 'lstm' }, { ...info, task: 'forecast', inputShape: [5, 2] }, 1);
    expect(fusedTrainer(lstm, 10, 2, { ...options, task: 'forecast', optimizer: 'adam' })).toBe('an LSTM layer whose units are not a multiple of 4');
    await tf.setBackend('cpu');
    expect(fusedTrainer(model, 10, 2, { ...options, optimizer: 'adam' })).toBe('the cpu backend');
    await tf.setBackend('wasm');
    const trainer = fusedTrainer(model, 10, 2, { ...options, optimizer: 'adam' });
    expect(typeof trainer).toBe('object');
    if (typeof trainer === 'object') trainer.dispose();
    model.dispose();
    lstm.dispose();
  });
});
