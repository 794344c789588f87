import { beforeAll, describe, expect, it } from 'vitest';
import type { DataInfo, SplitData } from '../src/data/types.js';
import { rng } from '../src/random.js';
import { expandCandidates } from '../src/search/candidates.js';
import { sweepSpecSchema, type SweepSpecInput } from '../src/sweep/schema.js';
import { selectBackend } from '../src/train/backend.js';
import { decodeCheckpoint, encodeCheckpoint, type CandidateCheckpoint } from '../src/train/checkpoint.js';
import { trainCandidateResumable, type ResumableArgs, type TrainProgress } from '../src/train/train.js';
import type { CandidateDoc } from '../src/results/document.js';
import { maxAbsDiff } from './helpers/backends.js';

/** Binary labels from a noisy linear rule on 4 features. */
function rows(n: number, seed: number) {
  const random = rng(seed);
  const x = new Float32Array(n * 4).map(() => random() * 2 - 1);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i * 4]! - x[i * 4 + 1]! + 0.5 * x[i * 4 + 2]! + 0.4 * (random() - 0.5) > 0 ? 1 : 0;
  return { n, x, y };
}

const info: DataInfo = { task: 'binary', inputShape: [4], targetDim: 1, rows: 420, droppedRows: 0 };
const splits = (repeat: number): SplitData[] => [{ fold: 0, repeat, train: rows(240, 10 + repeat), val: rows(80, 20 + repeat), test: rows(100, 30) }];

function setup(training: SweepSpecInput['training'], model: Partial<SweepSpecInput['model']> = {}) {
  const spec = sweepSpecSchema.parse({
    name: 'resume',
    dataset: { key: 'x.csv', task: 'binary', target: 'y' },
    model: { family: 'dense', depth: [2], width: [12], dropout: 0.25, ...model },
    training,
    evaluation: { repeats: 2 },
  });
  return { spec, candidate: expandCandidates(spec, 'v1')[0]! };
}

/** The last trial's kept weights, as onFinalModel sees them, and the document. */
async function run(args: Omit<ResumableArgs, 'onFinalModel'>): Promise<{ progress: TrainProgress; weights: Float32Array[] }> {
  let weights: Float32Array[] = [];
  const progress = await trainCandidateResumable({
    ...args,
    onFinalModel: async (m) => {
      weights = m.getWeights().map((w) => Float32Array.from(w.dataSync()));
    },
  });
  return { progress, weights };
}

/** Through bytes and back, as the store keeps it. */
const roundTrip = (c: CandidateCheckpoint) => decodeCheckpoint(encodeCheckpoint(c), 'test.ckpt');

function expectSameTraining(resumed: CandidateDoc, whole: CandidateDoc, tolerance: number): void {
  expect(resumed.trials).toHaveLength(whole.trials.length);
  resumed.trials.forEach((t, i) => {
    const w = whole.trials[i]!;
    expect(t.epochs.map((e) => e.epoch)).toEqual(w.epochs.map((e) => e.epoch));
    expect(
      maxAbsDiff(
        t.epochs.map((e) => e.loss),
        w.epochs.map((e) => e.loss),
      ),
    ).toBeLessThan(tolerance);
    expect(
      maxAbsDiff(
        t.epochs.map((e) => e.valLoss),
        w.epochs.map((e) => e.valLoss),
      ),
    ).toBeLessThan(tolerance);
    expect(t.bestEpoch).toBe(w.bestEpoch);
    expect(t.stoppedEarly).toBe(w.stoppedEarly);
    expect(Math.abs(t.valMetric - w.valMetric)).toBeLessThan(tolerance);
  });
}

describe.each([
  { path: 'fused dense kernel (wasm)', backend: 'wasm', fusedDense: true },
  { path: 'tf.layers with the fused Adam kernel (wasm)', backend: 'wasm', fusedDense: false },
  { path: 'tf.layers with tf.train.adam (cpu)', backend: 'cpu', fusedDense: false },
])('a candidate resumed from checkpoints, $path', ({ backend, fusedDense }) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  const training = { epochs: 12, batchSize: 16, learningRate: 0.02, earlyStopping: { patience: 3, monitor: 'val_loss' as const } };

  it('ends with the weights and curves of an uninterrupted run with the same seed: budgets 2, 5, then all', async () => {
    const { spec, candidate } = setup(training);
    const base = { runId: 'r', spec, candidate, info, splits, backend, fusedDense };

    const whole = await run(base);
    const first = await run({ ...base, epochBudget: 2 });
    expect(first.progress.status).toBe('done');
    if (first.progress.status !== 'done') return;
    // A rung's document: every trial scored after 2 epochs, and a checkpoint to go on from.
    expect(first.progress.doc.trials.map((t) => t.epochs.length)).toEqual([2, 2]);
    expect(first.progress.checkpoint).not.toBeNull();
    const second = await run({ ...base, epochBudget: 5, resume: roundTrip(first.progress.checkpoint!) });
    if (second.progress.status !== 'done') throw new Error('paused without a deadline');
    const third = await run({ ...base, resume: roundTrip(second.progress.checkpoint!) });
    if (third.progress.status !== 'done' || whole.progress.status !== 'done') throw new Error('paused without a deadline');

    expectSameTraining(third.progress.doc, whole.progress.doc, 1e-5);
    expect(third.weights).toHaveLength(whole.weights.length);
    third.weights.forEach((w, i) => expect(maxAbsDiff(w, whole.weights[i]!)).toBeLessThan(1e-5));
    // Everything trained: nothing to go on from.
    expect(third.progress.checkpoint).toBeNull();
  });

  it('pauses at a deadline after at least one epoch, and the continued calls end where one call does', async () => {
    const { spec, candidate } = setup({ ...training, epochs: 6, earlyStopping: { enabled: false } });
    const base = { runId: 'r', spec, candidate, info, splits, backend, fusedDense };
    const whole = await run(base);

    // A deadline that has passed: each call trains exactly one epoch, then checkpoints.
    let resume: CandidateCheckpoint | undefined;
    let calls = 0;
    let last: Awaited<ReturnType<typeof run>> | undefined;
    for (; calls < 30; calls++) {
      last = await run({ ...base, deadline: performance.now() - 1, ...(resume ? { resume } : {}) });
      if (last.progress.status === 'done') break;
      resume = roundTrip(last.progress.checkpoint);
    }
    if (last?.progress.status !== 'done' || whole.progress.status !== 'done') throw new Error('never finished');

    expect(calls + 1).toBe(12); // 2 trials × 6 epochs, one epoch per call
    expectSameTraining(last.progress.doc, whole.progress.doc, 1e-5);
    last.weights.forEach((w, i) => expect(maxAbsDiff(w, whole.weights[i]!)).toBeLessThan(1e-5));
    expect(last.progress.doc.timing.wallSeconds).toBeGreaterThan(0);
  });
});

describe('a checkpoint written by the fused kernel', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('resumes on the unfused path (the Adam moments are stored per weight, in tf.AdamOptimizer order)', async () => {
    const { spec, candidate } = setup({ epochs: 6, batchSize: 16, learningRate: 0.02, earlyStopping: { enabled: false } }, { dropout: 0 });
    const base = { runId: 'r', spec, candidate, info, splits, backend: 'wasm' };
    const whole = await run({ ...base, fusedDense: false });
    const first = await run({ ...base, fusedDense: true, epochBudget: 3 });
    if (first.progress.status !== 'done') throw new Error('paused without a deadline');
    const rest = await run({ ...base, fusedDense: false, resume: roundTrip(first.progress.checkpoint!) });
    if (rest.progress.status !== 'done' || whole.progress.status !== 'done') throw new Error('paused without a deadline');

    // The two paths agree to float32 rounding (test/kernels.dense-epoch.test.ts), not bit for bit.
    expectSameTraining(rest.progress.doc, whole.progress.doc, 1e-3);
    rest.weights.forEach((w, i) => expect(maxAbsDiff(w, whole.weights[i]!)).toBeLessThan(1e-3));
  });
});

describe('the checkpoint format', () => {
  it('round-trips float arrays at any offset and refuses bytes that are not a checkpoint', () => {
    const checkpoint: CandidateCheckpoint = {
      schema: 'layerbench.checkpoint.v1',
      runId: 'r',
      candidateId: 'c',
      startedAt: '2026-01-01T00:00:00.000Z',
      backend: 'cpu',
      parameterCount: 3,
      layers: [],
      trials: [
        {
          repeat: 0,
          fold: 0,
          epoch: 1,
          finished: false,
          epochs: [{ epoch: 1, loss: 0.5, metric: 0.7, valLoss: 0.6, valMetric: 0.65 }],
          earlyStopping: { best: 0.6, bestEpoch: 1, wait: 0, stoppedEarly: false },
          random: 123456789,
          fitSeconds: 0.1,
          inferenceMsPerSample: null,
          weights: [Float32Array.of(1.5, -2), Float32Array.of(3)],
          weightShapes: [[1, 2], [1]],
          best: null,
          optimizer: { iterations: 4, slots: [Float32Array.of(0.25)], slotShapes: [[1]] },
          record: null,
        },
      ],
      totals: { wallSeconds: 1, tasks: 1, taskSeconds: 1.2, cpuSeconds: 1.1, peakTensorBytes: 10, peakRssBytes: 20 },
      savedModel: null,
    };
    const bytes = encodeCheckpoint(checkpoint);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);

    const back = decodeCheckpoint(shifted.subarray(3), 'x.ckpt');

    expect(back).toEqual(checkpoint);
    expect(back.trials[0]!.weights![0]).toBeInstanceOf(Float32Array);
    expect(() => decodeCheckpoint(new TextEncoder().encode('{"schema":1}'), 'x.ckpt')).toThrow(/x\.ckpt: not a layerbench\.checkpoint\.v1 checkpoint/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 20), 'x.ckpt')).toThrow(/truncated|x\.ckpt/);
  });
});
