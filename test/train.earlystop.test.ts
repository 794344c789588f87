import { beforeAll, describe, expect, it } from 'vitest';
import type { DataInfo, SplitData } from '../src/data/types.js';
import { rng } from '../src/random.js';
import { expandCandidates } from '../src/search/candidates.js';
import { sweepSpecSchema, type SweepSpecInput } from '../src/sweep/schema.js';
import { selectBackend } from '../src/train/backend.js';
import { trainCandidate, type EpochEvent } from '../src/train/train.js';

/** Binary labels from a linear rule on 3 features: accuracy saturates within a few epochs. */
function linearRule(n: number, seed: number) {
  const random = rng(seed);
  const x = new Float32Array(n * 3).map(() => random() * 2 - 1);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i * 3]! - x[i * 3 + 1]! + 0.5 * x[i * 3 + 2]! > 0 ? 1 : 0;
  return { n, x, y };
}

const info: DataInfo = { task: 'binary', inputShape: [3], targetDim: 1, rows: 300, droppedRows: 0 };
const split: SplitData = { fold: 0, repeat: 0, train: linearRule(200, 1), val: linearRule(100, 2) };

function run(training: SweepSpecInput['training'], onEpoch?: (e: EpochEvent) => void) {
  const spec = sweepSpecSchema.parse({
    name: 'earlystop',
    dataset: { key: 'x.csv', task: 'binary', target: 'y' },
    model: { family: 'dense', depth: [1], width: [8] },
    training,
    evaluation: { repeats: 1 },
  });
  return trainCandidate({ runId: 'r', spec, candidate: expandCandidates(spec, 'v1')[0]!, info, splits: () => [split], onEpoch });
}

beforeAll(async () => {
  await selectBackend();
});

describe('early stopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    const events: EpochEvent[] = [];
    const doc = await run({ epochs: 60, batchSize: 16, learningRate: 0.05, earlyStopping: { monitor: 'val_metric', patience: 2, restoreBestWeights: true } }, (e) => events.push(e));
    const trial = doc.trials[0]!;
    const values = trial.epochs.map((e) => e.valMetric);

    expect(trial.stoppedEarly).toBe(true);
    expect(trial.epochs.length).toBeLessThan(60);
    // The best epoch is the first one reaching the best accuracy, and `patience` epochs followed it.
    expect(trial.bestEpoch).toBe(values.indexOf(Math.max(...values)) + 1);
    expect(trial.epochs.length).toBe(trial.bestEpoch + 2);
    // Evaluated again after the restore, the kept weights score exactly what they scored then.
    expect(trial.valMetric).toBe(values[trial.bestEpoch - 1]);
    expect(trial.valLoss).toBe(trial.epochs[trial.bestEpoch - 1]!.valLoss);
    expect(events.map((e) => e.epoch)).toEqual(trial.epochs.map((e) => e.epoch));
    expect(events[0]).toMatchObject({ repeat: 0, fold: 0, epochs: 60 });
  });

  it('runs every epoch and keeps the last weights when disabled, deterministically from the seed', async () => {
    const training = { epochs: 4, batchSize: 16, learningRate: 0.05, earlyStopping: { enabled: false } };
    const first = await run(training);
    const again = await run(training);
    const trial = first.trials[0]!;

    expect(trial.epochs).toHaveLength(4);
    expect(trial.stoppedEarly).toBe(false);
    expect(trial.bestEpoch).toBe(4);
    expect(trial.valMetric).toBe(trial.epochs[3]!.valMetric);
    expect(again.trials[0]!.epochs).toEqual(trial.epochs);
  });

  it('is reproducible with dropout too: the same candidate gives the same curves', async () => {
    const withDropout = (dropout: number) => {
      const spec = sweepSpecSchema.parse({
        name: 'dropout',
        dataset: { key: 'x.csv', task: 'binary', target: 'y' },
        model: { family: 'dense', depth: [2], width: [16], dropout },
        training: { epochs: 3, batchSize: 16, learningRate: 0.05, earlyStopping: { enabled: false } },
      });
      return trainCandidate({ runId: 'r', spec, candidate: expandCandidates(spec, 'v1')[0]!, info, splits: () => [split] });
    };
    const first = await withDropout(0.5);
    const again = await withDropout(0.5);
    expect(again.trials[0]!.epochs).toEqual(first.trials[0]!.epochs);
    // Dropout is really on: the same network without it trains to another loss.
    const none = await withDropout(0);
    expect(none.trials[0]!.epochs[0]!.loss).not.toBe(first.trials[0]!.epochs[0]!.loss);
  });
});
