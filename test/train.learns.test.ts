import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { DataInfo, SplitData } from '../src/data/types.js';
import { candidateDocSchema } from '../src/results/document.js';
import { rng } from '../src/random.js';
import { expandCandidates } from '../src/search/candidates.js';
import { sweepSpecSchema, type SweepSpecInput } from '../src/sweep/schema.js';
import { missingTrainingKernels } from '../src/train/backend.js';
import { trainCandidate } from '../src/train/train.js';

const random = rng(2024);
const gauss = () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());

function setup(input: SweepSpecInput, info: DataInfo, split: SplitData) {
  const spec = sweepSpecSchema.parse(input);
  const [candidate] = expandCandidates(spec, 'test-v1');
  return { runId: 'run-test', spec, candidate: candidate!, info, splits: () => [split] };
}

/** Binary labels from a linear rule on 4 standard-normal features. */
function linearRule(n: number) {
  const x = new Float32Array(n * 4);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = gauss();
    y[i] = x[i * 4]! + x[i * 4 + 1]! - x[i * 4 + 2]! > 0 ? 1 : 0;
  }
  return { n, x, y };
}

/** 8×8 images whose class (0–3) is the one bright quadrant. */
function quadrants(n: number) {
  const x = new Float32Array(n * 64);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    y[i] = c;
    for (let r = 0; r < 8; r++) {
      for (let col = 0; col < 8; col++) {
        const q = (r < 4 ? 0 : 2) + (col < 4 ? 0 : 1);
        x[i * 64 + r * 8 + col] = (q === c ? 0.8 : 0) + 0.3 * random();
      }
    }
  }
  return { n, x, y };
}

describe('trainCandidate learns', () => {
  it('dense: a binary linear rule to ≥ 0.8 validation accuracy', async () => {
    const info: DataInfo = { task: 'binary', inputShape: [4], targetDim: 1, rows: 600, droppedRows: 0 };
    const args = setup(
      {
        name: 'learns-dense',
        dataset: { key: 'x.csv', task: 'binary', target: 'y' },
        model: { family: 'dense', depth: [1], width: [16] },
        training: { epochs: 8, batchSize: 32, learningRate: 0.02 },
      },
      info,
      { fold: 0, repeat: 0, train: linearRule(400), val: linearRule(200) },
    );
    const doc = await trainCandidate(args);

    expect(candidateDocSchema.parse(doc)).toEqual(doc);
    expect(doc.status).toBe('succeeded');
    expect(doc.metric.name).toBe('accuracy');
    expect(doc.metric.mean).toBeGreaterThanOrEqual(0.8);
    expect(doc.parameterCount).toBe(4 * 16 + 16 + 17);
    const trial = doc.trials[0]!;
    expect(trial.epochs[0]!.epoch).toBe(1);
    expect(trial.valMetric).toBe(trial.epochs[trial.bestEpoch - 1]!.valMetric);
    expect(trial.trainMetric).toBeGreaterThanOrEqual(0.8);
    expect(trial.samplesPerSecond).toBeGreaterThan(0);
    expect(doc.timing.inferenceMsPerSample).toBeGreaterThan(0);
    expect(doc.memory.peakTensorBytes).toBeGreaterThan(0);
  });

  it('cnn: which quadrant is bright, to ≥ 0.8 validation accuracy over 4 classes', async () => {
    const info: DataInfo = { task: 'multiclass', inputShape: [8, 8, 1], targetDim: 4, classes: ['a', 'b', 'c', 'd'], rows: 280, droppedRows: 0 };
    const args = setup(
      {
        name: 'learns-cnn',
        dataset: { key: 'x.npz', format: 'npz', task: 'multiclass' },
        model: { family: 'cnn', depth: [1], width: [4] },
        training: { epochs: 12, batchSize: 16, learningRate: 0.02 },
      },
      info,
      { fold: 0, repeat: 0, train: quadrants(200), val: quadrants(80) },
    );
    const doc = await trainCandidate(args);

    expect(doc.status).toBe('succeeded');
    expect(doc.metric.mean).toBeGreaterThanOrEqual(0.8);
    expect(doc.data?.classes).toEqual(['a', 'b', 'c', 'd']);
    // The backend that trained it is recorded, with the reason when wasm could not train a CNN.
    const missing = missingTrainingKernels('cnn', 'wasm');
    expect(doc.backend).toBe(missing.length > 0 ? `cpu (wasm lacks ${missing.join(', ')})` : 'wasm');
    // ...and the selected backend is back in place afterwards.
    expect(tf.getBackend()).toBe('wasm');
  });

  it('lstm: a noisy sine one step ahead, rmse in original units well below the target std', async () => {
    const lookback = 12;
    const amplitude = 5; // original units; the targets handed to training are standardised
    const series = Array.from({ length: 360 }, (_, t) => amplitude * Math.sin(t * 0.3) + 0.1 * gauss());
    const mu = series.reduce((a, b) => a + b, 0) / series.length;
    const sd = Math.sqrt(series.reduce((a, b) => a + (b - mu) ** 2, 0) / series.length);
    const z = series.map((v) => (v - mu) / sd);
    const windows = (from: number, to: number) => {
      const n = to - from;
      const x = new Float32Array(n * lookback);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < lookback; k++) x[i * lookback + k] = z[from + i + k]!;
        y[i] = z[from + i + lookback]!;
      }
      return { n, x, y };
    };
    const info: DataInfo = { task: 'forecast', inputShape: [lookback, 1], targetDim: 1, rows: 348, droppedRows: 0 };
    const args = setup(
      {
        name: 'learns-lstm',
        dataset: { key: 's.csv', task: 'forecast', target: 'v', time: 't', lookback },
        model: { family: 'lstm', depth: [1], width: [8] },
        training: { epochs: 8, batchSize: 16, learningRate: 0.02 },
      },
      info,
      { fold: 0, repeat: 0, train: windows(0, 240), val: windows(240, 348), targetScale: [sd] },
    );
    const doc = await trainCandidate(args);

    expect(doc.status).toBe('succeeded');
    expect(doc.metric.name).toBe('rmse');
    // Predicting the mean would score sd (≈ 3.5 here); a one-step sine forecast should be far better.
    expect(doc.metric.mean).toBeLessThan(0.25 * sd);
    expect(doc.backend).toBe('wasm');
  });
});
