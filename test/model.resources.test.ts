/**
 * The resource model against what tfjs measures: each candidate trains on the wasm backend inside
 * tf.profile, whose peakBytes is the most tensor memory held at once; the estimate must cover that
 * peak without being more than twice it (plus the estimate's fixed 1 MiB), for every family and for
 * small and large batches.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataInfo, SplitData } from '../src/data/types.js';
import { checkMemoryBudget, DEFAULT_MEMORY_BUDGET, estimateResources, formatBytes, trainMemoryBudget, WASM_HEAP_BYTES } from '../src/model/params.js';
import { readHandlerEnvironment } from '../functions/shared/environment.js';
import { SpecError } from '../src/errors.js';
import { rng } from '../src/random.js';
import { expandCandidates } from '../src/search/candidates.js';
import { sweepSpecSchema, type SweepSpecInput } from '../src/sweep/schema.js';
import { selectBackend } from '../src/train/backend.js';
import { trainCandidate } from '../src/train/train.js';

interface Case {
  name: string;
  task: 'regression' | 'multiclass' | 'forecast';
  shape: number[];
  classes?: number;
  rows: [train: number, val: number];
  model: SweepSpecInput['model'];
  batchSize: number;
}

const CASES: Case[] = [
  { name: 'dense 512-512-512, batch 16', task: 'regression', shape: [10], rows: [512, 16], model: { family: 'dense', depth: [3], width: [512] }, batchSize: 16 },
  { name: 'dense 512-512-512, batch 512', task: 'regression', shape: [10], rows: [512, 16], model: { family: 'dense', depth: [3], width: [512] }, batchSize: 512 },
  { name: 'dense 16 on 200 features (data-bound)', task: 'regression', shape: [200], rows: [2000, 500], model: { family: 'dense', depth: [1], width: [16] }, batchSize: 32 },
  {
    name: 'cnn 32-64 (seed), batch 32',
    task: 'multiclass',
    shape: [28, 28, 1],
    classes: 10,
    rows: [256, 64],
    model: { family: 'cnn', depth: [2], width: [32], widthPattern: 'doubling' },
    batchSize: 32,
  },
  { name: 'cnn 64, batch 128', task: 'multiclass', shape: [28, 28, 1], classes: 10, rows: [256, 16], model: { family: 'cnn', depth: [1], width: [64] }, batchSize: 128 },
  // 256 validation rows: the inference probe predicts them in one 256-row batch, the evaluation batch
  // the estimate bounds (training itself keeps less than that on the fused path).
  { name: 'lstm 64-32 (seed), batch 32', task: 'forecast', shape: [24, 4], rows: [256, 256], model: { family: 'lstm', depth: [2], width: [64], widthPattern: 'halving' }, batchSize: 32 },
  { name: 'lstm 128, batch 512', task: 'forecast', shape: [12, 2], rows: [1024, 16], model: { family: 'lstm', depth: [1], width: [128] }, batchSize: 512 },
];

const random = rng(11);

function setup(c: Case) {
  const dataset =
    c.task === 'forecast'
      ? { key: 'x.csv', task: 'forecast', target: 'y', time: 't', lookback: c.shape[0] }
      : c.task === 'multiclass'
        ? { key: 'x.npz', task: 'multiclass' }
        : { key: 'x.csv', task: 'regression', target: 'y' };
  const spec = sweepSpecSchema.parse({ name: 'resources', dataset, model: c.model, training: { epochs: 1, batchSize: c.batchSize } });
  const size = c.shape.reduce((a, b) => a * b, 1);
  const arrays = (n: number) => ({
    n,
    x: new Float32Array(n * size).map(() => random()),
    y: new Float32Array(n).map((_, i) => (c.classes ? i % c.classes : random())),
  });
  const info: DataInfo = {
    task: c.task,
    inputShape: c.shape,
    targetDim: c.classes ?? 1,
    rows: c.rows[0] + c.rows[1],
    droppedRows: 0,
    ...(c.classes ? { classes: Array.from({ length: c.classes }, (_, i) => String(i)) } : {}),
  };
  const splits = (repeat: number): SplitData[] => [{ fold: 0, repeat, train: arrays(c.rows[0]), val: arrays(c.rows[1]), ...(c.classes ? {} : { targetScale: [1] }) }];
  return { spec, info, splits, candidate: expandCandidates(spec, 'v1')[0]! };
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('estimateResources against the peak tfjs measures (wasm)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { spec, info, splits, candidate } = setup(c);
    const before = tf.memory().numBytes;

    const profile = await tf.profile(async () => {
      await trainCandidate({ runId: 'resources', spec, candidate, info, splits });
      return [];
    });
    const measured = profile.peakBytes - before;
    const estimate = estimateResources(candidate, spec, info).memory.total;

    expect(estimate, `estimate ${formatBytes(estimate)}, measured ${formatBytes(measured)}`).toBeGreaterThanOrEqual(measured);
    expect(estimate, `estimate ${formatBytes(estimate)}, measured ${formatBytes(measured)}`).toBeLessThanOrEqual(2 * measured + 2 ** 20);
  });
});

describe('checkMemoryBudget', () => {
  const { spec, info } = setup(CASES[0]!);
  const candidate = (depth: number, width: number) => ({ family: 'dense' as const, depth, width, units: Array<number>(depth).fill(width) });

  it('lets through candidates within the budget', () => {
    expect(() => checkMemoryBudget([candidate(3, 512), candidate(8, 1024)], spec, info)).not.toThrow();
  });

  it('refuses the largest candidate over the budget, naming it, its memory and the budget', () => {
    const err = (() => {
      try {
        checkMemoryBudget([candidate(1, 4), candidate(64, 4096), candidate(32, 4096)], spec, info);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toMatch(
      /^model: depth 64 × width 4096 needs about \d+(\.\d)? GiB to train \(weights 3\.9 GiB, gradients 3\.9 GiB, optimizer 15\.8 GiB, best-weights copy 3\.9 GiB\), more than a worker's 4\.0 GiB \(the wasm backend's heap; --max-memory sets another\) \(2 of 3 candidates are over it\); drop it from model\.depth or model\.width$/,
    );
    expect(WASM_HEAP_BYTES).toBe(2 ** 32 - 2 ** 16);
  });

  it('says how wide a doubling pattern gets, even past any integer', () => {
    const cnn = sweepSpecSchema.parse({ name: 'c', dataset: { key: 'd.npz', task: 'multiclass' }, model: { family: 'cnn', depth: [64], width: [4096], widthPattern: 'doubling' } });
    const [c] = expandCandidates(cnn, 'v1');
    expect(() => checkMemoryBudget([c!], cnn, { task: 'multiclass', inputShape: [28, 28, 1], targetDim: 10, rows: 100, droppedRows: 0 })).toThrow(
      /^model: depth 64 × width 4096, doubling to 3\.8e\+22 filters needs about .*; drop it from model\.depth or model\.width$/,
    );
  });

  it('uses the budget it is given', () => {
    expect(() => checkMemoryBudget([candidate(3, 512)], spec, info, { bytes: 8 * 2 ** 20, source: '--max-memory' })).toThrow(/more than a worker's 8\.0 MiB \(--max-memory\)/);
  });

  it("in the cloud, is the Train function's memory: a candidate that fits the wasm heap but not 2,048 MB is refused before training", () => {
    const env = readHandlerEnvironment({ LAYERBENCH_BUCKET: 'a-bucket', LAYERBENCH_TRAIN_MEMORY_MB: '2048' });
    expect(env.trainMemoryMb).toBe(2048);
    const budget = trainMemoryBudget(env.trainMemoryMb!);
    expect(budget).toEqual({ bytes: 2048 * 2 ** 20, source: "the Train function's memory (2048 MB, stack context trainMemory)" });
    const big = candidate(8, 4096); // ~2.3 GiB to train: over 2 GiB, under the heap
    expect(() => checkMemoryBudget([big], spec, info)).not.toThrow();
    expect(() => checkMemoryBudget([big], spec, info, budget)).toThrow(/more than a worker's 2\.0 GiB \(the Train function's memory \(2048 MB, stack context trainMemory\)\)/);
    // A function with more memory than the heap is held to the heap.
    expect(trainMemoryBudget(10_240)).toBe(DEFAULT_MEMORY_BUDGET);
    expect(() => readHandlerEnvironment({ LAYERBENCH_BUCKET: 'a-bucket', LAYERBENCH_TRAIN_MEMORY_MB: 'lots' })).toThrow(/^LAYERBENCH_TRAIN_MEMORY_MB: "lots" must be an integer ≥ 1$/);
  });
});
