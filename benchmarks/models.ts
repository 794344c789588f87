/**
 * The seed article's three reference models, as layerbench sweeps of one candidate each, with
 * synthetic data of the right shape. Throughput does not depend on the values, only on the shapes.
 */
import type { Candidate } from '../src/sweep/candidate.js';
import { sweepSpecSchema, type SweepSpec } from '../src/sweep/schema.js';
import type { DataInfo, SplitData } from '../src/data/types.js';
import { rng } from '../src/random.js';

export const MODEL_NAMES = ['mlp', 'cnn', 'lstm'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface ReferenceModel {
  name: ModelName;
  /** What the seed's Keras code builds. */
  description: string;
  spec: SweepSpec;
  candidate: Candidate;
  info: DataInfo;
}

/**
 * PyTorch 1.13 (Debian python3-torch) on OpenBLAS, one thread, batch 32, Adam, on the same models, as
 * the anchor now runs it (glibc keeping freed memory, the CNN in channels_last): medians of 5 fresh
 * processes on the project's 2-core machine at load 1.4–2.6 on 2026-12-07
 * (results/2026-12-07-session6-quiet.md; this host runs a process at one of two speeds, so single
 * processes spread by up to 1.7×). Context only: the bench measures its own anchor in the same run
 * (benchmarks/anchor.ts), prints its BLAS, and compares with that.
 */
export const QUIET_PYTORCH_REFERENCE: Record<ModelName, number> = { mlp: 69_000, cnn: 4_300, lstm: 2_800 };
/** Goals as ratios to PyTorch (OpenBLAS, one thread) measured in the same run (issue 20). */
export const RATIO_GOALS: Record<ModelName, number> = { mlp: 5, cnn: 2, lstm: 1.5 };

const BATCH = 32;

function reference(name: ModelName): ReferenceModel {
  const base = {
    name: `bench-${name}`,
    training: {
      epochs: 1,
      batchSize: BATCH,
      optimizer: 'adam',
      learningRate: 0.001,
      earlyStopping: { enabled: false },
      seed: 1,
    },
    evaluation: { strategy: 'holdout', validationSplit: 0.2, repeats: 1 },
  };
  const build = (
    model: Record<string, unknown>,
    dataset: Record<string, unknown>,
    info: Omit<DataInfo, 'rows' | 'droppedRows'>,
    units: number[],
    metric: string,
    description: string,
  ): ReferenceModel => {
    const spec = sweepSpecSchema.parse({ ...base, model, dataset, evaluation: { ...base.evaluation, metric } });
    const family = spec.model.family;
    const candidate: Candidate = {
      id: `bench-${name}`,
      sweep: spec.name,
      family,
      depth: units.length,
      width: units[0]!,
      units,
      metric,
      datasetVersion: 'synthetic',
      seed: 1,
    };
    return { name, description, spec, candidate, info: { ...info, rows: 0, droppedRows: 0 } };
  };
  switch (name) {
    case 'mlp':
      return build(
        { family: 'dense', depth: [2], width: [64] },
        { key: 'datasets/synthetic.csv', task: 'regression', target: 'y' },
        { task: 'regression', inputShape: [10], targetDim: 1 },
        [64, 64],
        'rmse',
        'Dense 10→64→64→1 (ReLU), MSE, Adam',
      );
    case 'cnn':
      return build(
        { family: 'cnn', depth: [2], width: [32], widthPattern: 'doubling', cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [] } },
        { key: 'datasets/synthetic.npz', format: 'npz', task: 'multiclass', inputs: 'x', target: 'y' },
        { task: 'multiclass', inputShape: [28, 28, 1], targetDim: 10 },
        [32, 64],
        'accuracy',
        'Conv32 3×3 → MaxPool 2 → Conv64 3×3 → MaxPool 2 → Dense 10 softmax on 28×28×1, cross-entropy, Adam',
      );
    case 'lstm':
      return build(
        { family: 'lstm', depth: [2], width: [64], widthPattern: 'halving', activation: 'tanh' },
        { key: 'datasets/synthetic.csv', task: 'forecast', target: 'y', time: 't', lookback: 24 },
        { task: 'forecast', inputShape: [24, 4], targetDim: 1 },
        [64, 32],
        'rmse',
        'LSTM 64 (sequences) → LSTM 32 → Dense 1 on 24×4 windows, MSE, Adam',
      );
  }
}

export function referenceModel(name: ModelName): ReferenceModel {
  return reference(name);
}

/** Seeded synthetic rows for a model: n training rows, `valRows` validation rows. */
export function syntheticSplit(model: ReferenceModel, n: number, valRows: number): SplitData {
  const random = rng(12345);
  const features = model.info.inputShape.reduce((a, b) => a * b, 1);
  const set = (rows: number) => {
    const x = new Float32Array(rows * features);
    for (let i = 0; i < x.length; i++) x[i] = random() * 2 - 1;
    const y = new Float32Array(rows * (model.info.task === 'multiclass' ? 1 : model.info.targetDim));
    for (let i = 0; i < y.length; i++) y[i] = model.info.task === 'multiclass' ? Math.floor(random() * model.info.targetDim) : random() * 2 - 1;
    return { n: rows, x, y };
  };
  return { fold: 0, repeat: 0, train: set(n), val: set(valRows), ...(model.info.task === 'multiclass' ? {} : { targetScale: [1] }) };
}
