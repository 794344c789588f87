/**
 * An independent numeric check: layerbench's kernels against PyTorch. The fixtures in
 * test/fixtures/pytorch/ were made by PyTorch (make.py beside them, which says how PyTorch's
 * layouts map onto Keras'): each seed model's initial weights, one batch, the loss and every
 * gradient there, the loss before each of 5 Adam steps and the weights after them. The models here
 * are the ones layerbench builds (src/model/build.ts) with PyTorch's weights loaded; on wasm they run
 * layerbench's SIMD kernels (dense matrix products, the fused LSTM layers, the convolutions and
 * their gradients, the fused Adam, and the fused dense epoch), and the cpu backend runs the same
 * checks as the reference. Torch is not needed: the fixtures are committed.
 *
 * Tolerances (float32 throughout, sums in other orders): the loss at PyTorch's weights within 1e-5
 * relative, after Adam steps within 1e-4; each gradient within 2e-5 of its largest element; after
 * 5 Adam steps each weight within 1e-5 of its largest element plus 5e-5 (Adam moves a weight by up
 * to the learning rate, 0.005, per step whatever its gradient's size, so a wrong sign in a tiny
 * gradient shows at that scale). The largest errors seen were 15–20× inside these bounds.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fusedAdam } from '../src/kernels/index.js';
import { buildModel } from '../src/model/build.js';
import { sweepSpecSchema } from '../src/sweep/schema.js';
import type { DataInfo } from '../src/data/types.js';
import { fusedTrainer } from '../src/train/fused-trainer.js';
import { useWasmKernels } from './helpers/backends.js';

interface FixtureArray {
  shape: number[];
  data: string;
}

interface Fixture {
  model: 'mlp' | 'cnn' | 'lstm';
  task: 'regression' | 'multiclass';
  inputShape: number[];
  x: FixtureArray;
  y: FixtureArray;
  adam: { learningRate: number; beta1: number; beta2: number; epsilon: number };
  steps: number;
  losses: number[];
  finalLoss: number;
  weights: { name: string; initial: FixtureArray; gradient: FixtureArray; final: FixtureArray }[];
}

const DIR = join(import.meta.dirname, 'fixtures', 'pytorch');

function load(name: Fixture['model']): Fixture {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Fixture;
}

function floats(a: FixtureArray): Float32Array {
  const bytes = Buffer.from(a.data, 'base64');
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  expect(out.length).toBe(a.shape.reduce((p, q) => p * q, 1));
  return out;
}

/** The seed model as layerbench builds it, with the fixture's initial weights. */
function seedModel(f: Fixture): tf.Sequential {
  const family = f.model === 'mlp' ? 'dense' : f.model;
  const units = { mlp: [64, 64], cnn: [32, 64], lstm: [64, 32] }[f.model];
  const model = {
    dense: { family: 'dense', depth: [2], width: [64] },
    cnn: { family: 'cnn', depth: [2], width: [32], widthPattern: 'doubling', cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [] } },
    lstm: { family: 'lstm', depth: [2], width: [64], widthPattern: 'halving', activation: 'tanh' },
  }[family];
  const spec = sweepSpecSchema.parse({
    name: `pytorch-${f.model}`,
    dataset: {
      mlp: { key: 'd.csv', task: 'regression', target: 'y' },
      cnn: { key: 'd.npz', format: 'npz', task: 'multiclass', inputs: 'x', target: 'y' },
      lstm: { key: 'd.csv', task: 'forecast', target: 'y', time: 't', lookback: 24 },
    }[f.model],
    model,
  });
  const info: DataInfo = { task: spec.dataset.task, inputShape: f.inputShape, targetDim: f.task === 'multiclass' ? 10 : 1, rows: 0, droppedRows: 0 };
  const net = buildModel({ family: spec.model.family, units }, spec.model, info, 1);
  expect(net.trainableWeights.map((w) => w.shape)).toEqual(f.weights.map((w) => w.initial.shape));
  net.setWeights(f.weights.map((w) => tf.tensor(floats(w.initial), w.initial.shape)));
  return net;
}

function batch(f: Fixture): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.tensor(floats(f.x), [f.x.shape[0]!, ...f.inputShape]);
  const labels = floats(f.y);
  const y = f.task === 'multiclass' ? tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), 10).toFloat() : tf.tensor(labels, f.y.shape);
  return { x, y };
}

/** The batch loss as layerbench trains with it (src/train/train.ts). */
function loss(f: Fixture, y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  return f.task === 'multiclass' ? (tf.mean(tf.metrics.categoricalCrossentropy(y, p)) as tf.Scalar) : (tf.mean(tf.squaredDifference(p, y)) as tf.Scalar);
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Largest |ours − theirs| over an array as a fraction of the tolerance (relative · max |theirs| + absolute): < 1 passes. */
function worst(ours: ArrayLike<number>, theirs: ArrayLike<number>, relative: number, absolute: number): number {
  expect(ours.length).toBe(theirs.length);
  const tolerance = relative * maxAbs(theirs) + absolute;
  let m = 0;
  for (let i = 0; i < ours.length; i++) m = Math.max(m, Math.abs(ours[i]! - theirs[i]!) / tolerance);
  return m;
}

function expectLoss(ours: number, theirs: number, tol = 1e-5): void {
  expect(Math.abs(ours - theirs)).toBeLessThan(tol * Math.abs(theirs));
}

function expectFinalWeights(f: Fixture, weights: Float32Array[]): void {
  f.weights.forEach((w, i) => {
    expect(worst(weights[i]!, floats(w.final), 1e-5, 5e-5), `${w.name} after ${f.steps} steps`).toBeLessThan(1);
  });
}

/** Loss and gradients at the initial weights, then `steps` steps of layerbench's Adam; the losses before each step and the weights after. */
function trainUnfused(f: Fixture): { loss: number; grads: Float32Array[]; losses: number[]; finalLoss: number; weights: Float32Array[] } {
  const net = seedModel(f);
  const { x, y } = batch(f);
  const objective = () => loss(f, y, net.apply(x, { training: true }) as tf.Tensor);
  const { value, grads } = tf.variableGrads(objective);
  const first = { loss: value.dataSync()[0]!, grads: net.trainableWeights.map((w) => grads[w.originalName]!.dataSync() as Float32Array) };
  tf.dispose([value, ...Object.values(grads)]);
  const opt = fusedAdam(f.adam.learningRate, f.adam.beta1, f.adam.beta2, f.adam.epsilon);
  const losses: number[] = [];
  for (let s = 0; s < f.steps; s++) {
    const cost = opt.minimize(objective, true)!;
    losses.push(cost.dataSync()[0]!);
    cost.dispose();
  }
  const finalLoss = tf.tidy(() => objective().dataSync()[0]!);
  const weights = net.getWeights().map((w) => w.dataSync() as Float32Array);
  opt.dispose();
  net.dispose();
  tf.dispose([x, y]);
  return { ...first, losses, finalLoss, weights };
}

// The cpu backend is the reference that shows the fixtures' layouts are read right; it trains the
// CNN too slowly for this lane (~35 s), and its convolutions are checked against the cpu backend
// kernel by kernel in test/kernels.conv2d.test.ts and test/kernels.conv-backprop.test.ts.
const runs = [
  ['wasm', ['mlp', 'cnn', 'lstm']],
  ['cpu', ['mlp', 'lstm']],
] as const;

describe.each(runs)('layerbench on %s against PyTorch (test/fixtures/pytorch)', (backend, models) => {
  useWasmKernels(backend === 'wasm' ? 'wasm' : undefined);

  it.each(models)('%s: loss and gradients at PyTorch’s weights, then 5 Adam steps', async (name) => {
    await tf.setBackend(backend);
    const f = load(name);
    const run = trainUnfused(f);
    expectLoss(run.loss, f.losses[0]!);
    f.weights.forEach((w, i) => {
      expect(worst(run.grads[i]!, floats(w.gradient), 2e-5, 0), `gradient of ${w.name}`).toBeLessThan(1);
    });
    run.losses.forEach((l, s) => expectLoss(l, f.losses[s]!, s === 0 ? 1e-5 : 1e-4));
    expectLoss(run.finalLoss, f.finalLoss, 1e-4);
    expectFinalWeights(f, run.weights);
  });
});

describe('the fused training epoch (LayerbenchEpoch) against PyTorch', () => {
  useWasmKernels('wasm');

  it.each(['mlp', 'cnn', 'lstm'] as const)('%s: the loss of each of 5 one-batch epochs and the weights after them', async (name) => {
    const f = load(name);
    const net = seedModel(f);
    const { x, y } = batch(f);
    const rows = f.x.shape[0]!;
    const features = f.inputShape.reduce((a, b) => a * b, 1);
    const task = { mlp: 'regression', cnn: 'multiclass', lstm: 'forecast' } as const;
    const trainer = fusedTrainer(net, features, y.shape[1]!, { task: task[name], metric: name === 'cnn' ? 'accuracy' : 'rmse', optimizer: 'adam', batchSize: rows, ...f.adam });
    if (typeof trainer === 'string') throw new Error(`the fused path does not apply: ${trainer}`);
    const order = Int32Array.from({ length: rows }, (_, i) => i);
    for (let s = 0; s < f.steps; s++) {
      const sums = trainer.epoch(x, y, order);
      expectLoss(sums.dataSync()[0]! / rows, f.losses[s]!, s === 0 ? 1e-5 : 1e-4);
      sums.dispose();
    }
    expectLoss((await trainer.evaluate(x, y)).lossMean, f.finalLoss, 1e-4);
    trainer.syncModel();
    expectFinalWeights(
      f,
      net.getWeights().map((w) => w.dataSync() as Float32Array),
    );
    trainer.dispose();
    net.dispose();
    tf.dispose([x, y]);
  });
});
