import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataInfo, SplitData } from '../src/data/types.js';
import { CandidateError } from '../src/errors.js';
import { candidateDocSchema, type CandidateDoc } from '../src/results/document.js';
import { rng } from '../src/random.js';
import { expandCandidates } from '../src/search/candidates.js';
import { sweepSpecSchema, type SweepSpecInput } from '../src/sweep/schema.js';
import { selectBackend } from '../src/train/backend.js';
import { failedDoc, trainCandidate, type TrainArgs } from '../src/train/train.js';
import { trialSeed } from '../src/random.js';

const random = rng(7);

/** A regression set: y = sum of features (then standardised, scale 2), 40 train and 16 validation rows. */
function regression(n: number, features: number) {
  const x = new Float32Array(n * features).map(() => random() * 2 - 1);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < features; j++) y[i]! += x[i * features + j]! / 2;
  return { n, x, y };
}

function args(input: Partial<SweepSpecInput>, folds = 1): TrainArgs {
  const spec = sweepSpecSchema.parse({
    name: 'memory',
    dataset: { key: 'x.csv', task: 'regression', target: 'y' },
    model: { family: 'dense', depth: [1], width: [4] },
    training: { epochs: 2, batchSize: 8 },
    ...input,
    // One repeat unless a variant asks for more: this test is about tensors, not spreads.
    evaluation: { repeats: 1, ...input.evaluation },
  });
  const info: DataInfo = { task: 'regression', inputShape: [3], targetDim: 1, rows: 56, droppedRows: 0 };
  const splits = (repeat: number): SplitData[] => Array.from({ length: folds }, (_, fold) => ({ fold, repeat, train: regression(40, 3), val: regression(16, 3), targetScale: [2] }));
  return { runId: 'run-memory', spec, candidate: expandCandidates(spec, 'v1')[0]!, info, splits };
}

beforeAll(async () => {
  await selectBackend();
});

describe('tensors are all released', () => {
  it('after 20 candidates, one failing with a NaN loss', async () => {
    const variants: Partial<SweepSpecInput>[] = [
      {},
      { model: { family: 'dense', depth: [2], width: [8], dropout: 0.3 } },
      { model: { family: 'dense', depth: [3], width: [8], widthPattern: 'halving', l2: 0.01 } },
      { training: { epochs: 2, batchSize: 8, optimizer: 'sgd', learningRate: 0.01 } },
      { training: { epochs: 2, batchSize: 8, optimizer: 'rmsprop' } },
      { training: { epochs: 2, batchSize: 8, optimizer: 'adagrad' } },
      { training: { epochs: 2, batchSize: 64, earlyStopping: { enabled: false } } },
      { training: { epochs: 2, batchSize: 8, earlyStopping: { restoreBestWeights: false } } },
      { training: { epochs: 2, batchSize: 8, earlyStopping: { monitor: 'val_metric', patience: 0 } } },
      { evaluation: { metric: 'mae' } },
      { evaluation: { metric: 'mse', repeats: 2 } },
      { evaluation: { metric: 'loss' } },
      { model: { family: 'dense', depth: [1], width: [4], activation: 'tanh' } },
      { model: { family: 'dense', depth: [1], width: [4], activation: 'elu' } },
      { model: { family: 'dense', depth: [1], width: [4], activation: 'selu' } },
      { model: { family: 'dense', depth: [1], width: [4], activation: 'swish' } },
      { model: { family: 'dense', depth: [1], width: [4], activation: 'sigmoid' } },
      { evaluation: { strategy: 'kfold', folds: 3 } },
      { training: { epochs: 1, batchSize: 8, seed: 3 } },
    ];
    const nan: Partial<SweepSpecInput> = { training: { epochs: 2, batchSize: 8, optimizer: 'sgd', learningRate: 1e6 } };
    // Let the backend allocate whatever it keeps for good (e.g. on first use) before the baseline.
    await trainCandidate(args({}));
    const baseline = tf.memory().numTensors;

    const docs: CandidateDoc[] = [];
    let failure: unknown;
    for (const [i, v] of [...variants.slice(0, 10), nan, ...variants.slice(10)].entries()) {
      const a = args(v, v.evaluation?.strategy === 'kfold' ? 3 : 1);
      try {
        docs.push(await trainCandidate(a));
      } catch (err) {
        failure = err;
        docs.push(failedDoc(a, err));
      }
      expect(tf.memory().numTensors, `after candidate ${i}`).toBe(baseline);
    }

    expect(docs).toHaveLength(20);
    expect(failure).toBeInstanceOf(CandidateError);
    expect((failure as Error).message).toMatch(/^loss became (NaN|infinite) at epoch \d+ \(learning rate 1000000 may be too high\)$/);
    const failed = docs.filter((d) => d.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toEqual({ kind: 'candidate', code: 'E_CANDIDATE', message: (failure as Error).message });
    expect(failed[0]!.layers.length).toBeGreaterThan(0);
    for (const d of docs) expect(candidateDocSchema.parse(d)).toEqual(d);

    const twoRepeats = docs.find((d) => d.metric.name === 'mse' && d.trials.length === 2)!;
    const [a, b] = twoRepeats.metric.values as [number, number];
    expect(twoRepeats.trials.map((t) => t.seed)).toEqual([42, trialSeed(42, 1)]);
    expect(twoRepeats.metric.mean).toBeCloseTo((a + b) / 2, 10);
    expect(twoRepeats.metric.std).toBeCloseTo(Math.abs(a - b) / Math.SQRT2, 10);
    const kfold = docs.find((d) => d.trials.length === 3)!;
    expect(kfold.trials.map((t) => t.fold)).toEqual([0, 1, 2]);
  });
});
