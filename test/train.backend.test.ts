import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { DataInfo } from '../src/data/types.js';
import { SpecError } from '../src/errors.js';
import { expandCandidates } from '../src/search/candidates.js';
import { sweepSpecSchema } from '../src/sweep/schema.js';
import { backendUnavailableReason, currentBackend, missingTrainingKernels, selectBackend, trainingBackend } from '../src/train/backend.js';
import { trainCandidate } from '../src/train/train.js';

// Tests in this file share the module's selection state and run in order.
describe('selectBackend', () => {
  it('falls back past tfjs-node (not installed here) to wasm, and says why', async () => {
    expect(await selectBackend()).toBe('wasm');
    expect(currentBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(backendUnavailableReason('tensorflow')).toMatch(/@tensorflow\/tfjs-node is not installed or cannot load/);
  });

  it('is idempotent', async () => {
    expect(await selectBackend()).toBe('wasm');
    expect(await selectBackend('wasm')).toBe('wasm');
  });

  it('rejects an unknown preference, naming it', async () => {
    await expect(selectBackend('gpu')).rejects.toThrow(SpecError);
    await expect(selectBackend('gpu')).rejects.toThrow('backend: unknown backend "gpu"; use one of tensorflow, wasm, cpu');
  });

  it('rejects an explicit preference that is unavailable', async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow(/^backend: tensorflow is not available: @tensorflow\/tfjs-node/);
    expect(currentBackend()).toBe('wasm');
  });

  it('honours an explicit cpu, and a candidate records the backend that trained it', async () => {
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');

    const spec = sweepSpecSchema.parse({
      name: 'backend',
      dataset: { key: 'x.csv', task: 'regression', target: 'y' },
      model: { family: 'dense', depth: [1], width: [2] },
      training: { epochs: 1, batchSize: 4 },
    });
    const info: DataInfo = { task: 'regression', inputShape: [1], targetDim: 1, rows: 12, droppedRows: 0 };
    const set = (n: number) => ({ n, x: new Float32Array(n).map((_, i) => i / n), y: new Float32Array(n).map((_, i) => i / n) });
    const doc = await trainCandidate({
      runId: 'r',
      spec,
      candidate: expandCandidates(spec, 'v1')[0]!,
      info,
      splits: () => [{ fold: 0, repeat: 0, train: set(8), val: set(4) }],
      backend: 'cpu',
    });
    expect(doc.backend).toBe('cpu');
  });
});

describe('trainingBackend', () => {
  it('keeps a CNN on wasm once src/kernels registered Conv2DBackpropFilter', async () => {
    await selectBackend('wasm'); // registers src/kernels' wasm kernels
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(missingTrainingKernels('cnn', 'wasm')).toEqual([]);
    expect(await trainingBackend('cnn')).toMatchObject({ name: 'wasm', label: 'wasm' });
  });

  it('moves a CNN to cpu when the wasm registry lacks a gradient kernel, and says which', async () => {
    const saved = tf.getKernel('Conv2DBackpropFilter', 'wasm')!;
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
    try {
      expect(missingTrainingKernels('cnn', 'wasm')).toEqual(['Conv2DBackpropFilter']);
      const cnn = await trainingBackend('cnn');
      expect(cnn).toMatchObject({ name: 'cpu', label: 'cpu (wasm lacks Conv2DBackpropFilter)' });
      expect(tf.getBackend()).toBe('cpu');
      await cnn.restore();
      expect(tf.getBackend()).toBe('wasm');
      // Dense and LSTM networks need no kernel wasm lacks.
      expect(await trainingBackend('dense')).toMatchObject({ name: 'wasm', label: 'wasm' });
      expect(missingTrainingKernels('lstm', 'wasm')).toEqual([]);
    } finally {
      tf.registerKernel(saved);
    }
  });
});
