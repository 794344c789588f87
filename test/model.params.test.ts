import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, layerSummaries } from '../src/model/build.js';
import { selectBackend } from '../src/train/backend.js';
import { conv2dParams, denseParams, expectedParamCount, lstmParams, networkSize } from '../src/model/params.js';
import type { DataInfo } from '../src/data/types.js';
import type { ModelSpec } from '../src/sweep/schema.js';
import { info, model } from './helpers/model.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('Keras parameter formulas', () => {
  it('counts a Dense layer as inputs × units + units', () => {
    expect(denseParams(10, 16)).toBe(176);
    expect(denseParams(16, 1)).toBe(17);
  });

  it('counts the seed MLP 10→64→64→1 as 4,929', () => {
    expect(denseParams(10, 64) + denseParams(64, 64) + denseParams(64, 1)).toBe(4929);
    const mlp = model({ family: 'dense' });
    expect(expectedParamCount({ family: 'dense', units: [64, 64] }, mlp, info('binary', [10], 1))).toBe(4929);
  });

  it('counts the seed CNN as 320 + 18,496 + 16,010 = 34,826', () => {
    expect(conv2dParams(3, 3, 1, 32)).toBe(320);
    expect(conv2dParams(3, 3, 32, 64)).toBe(18_496);
    expect(denseParams(5 * 5 * 64, 10)).toBe(16_010);
    const cnn = model({ family: 'cnn' });
    expect(expectedParamCount({ family: 'cnn', units: [32, 64] }, cnn, info('multiclass', [28, 28, 1], 10))).toBe(34_826);
  });

  it('counts the seed LSTM as 17,664 + 12,416 + 33', () => {
    expect(lstmParams(4, 64)).toBe(17_664);
    expect(lstmParams(64, 32)).toBe(12_416);
    expect(denseParams(32, 1)).toBe(33);
    const lstm = model({ family: 'lstm' });
    expect(expectedParamCount({ family: 'lstm', units: [64, 32] }, lstm, info('forecast', [24, 4], 1))).toBe(30_113);
  });
});

describe('built networks match the formulas', () => {
  const cases: { name: string; units: number[]; spec: ModelSpec; data: DataInfo; expected: number }[] = [
    { name: 'seed MLP', units: [64, 64], spec: model({ family: 'dense', dropout: 0.2, l2: 0.01 }), data: info('binary', [10], 1), expected: 4929 },
    { name: 'seed CNN', units: [32, 64], spec: model({ family: 'cnn' }), data: info('multiclass', [28, 28, 1], 10), expected: 34_826 },
    { name: 'seed LSTM', units: [64, 32], spec: model({ family: 'lstm' }), data: info('forecast', [24, 4], 1), expected: 30_113 },
  ];
  for (const c of cases) {
    it(`${c.name}: countParams() = expectedParamCount = ${c.expected}`, () => {
      const net = buildModel({ family: c.spec.family, units: c.units }, c.spec, c.data, 1);
      try {
        expect(expectedParamCount({ family: c.spec.family, units: c.units }, c.spec, c.data)).toBe(c.expected);
        expect(net.countParams()).toBe(c.expected);
        const summaries = layerSummaries(net);
        expect(summaries.reduce((a, l) => a + l.params, 0)).toBe(c.expected);
      } finally {
        net.dispose();
      }
    });
  }

  it('a CNN deeper than the image allows switches to same padding and the count still agrees', () => {
    const spec = model({ family: 'cnn', cnn: { kernelSize: 3, pooling: 'avg', poolSize: 2, denseHead: [8] } });
    const units = [4, 8, 8, 8];
    const data = info('binary', [8, 8], 1);
    const net = buildModel({ family: 'cnn', units }, spec, data, 3);
    try {
      const summaries = layerSummaries(net);
      const convs = summaries.filter((l) => l.type === 'Conv2D').map((l) => l.config['padding']);
      // 8 → conv 6 → pool 3 → conv 1 → pool(same) 1 → conv(same) 1 → ...
      expect(convs).toEqual(['valid', 'valid', 'same', 'same']);
      expect(net.countParams()).toBe(expectedParamCount({ family: 'cnn', units }, spec, data));
    } finally {
      net.dispose();
    }
  });
});

describe('networkSize', () => {
  it('counts a forward pass: weights once for Dense, at every output position for Conv2D, every step for LSTM', () => {
    expect(networkSize({ family: 'dense', units: [16] }, model({ family: 'dense' }), info('binary', [10], 1))).toEqual({ params: 176 + 17, macs: 176 + 17 });
    // 8×8×1 → conv 3×3×4 'valid' → 6×6×4 → max pool 2 → 3×3×4 = 36 → Dense 10.
    expect(networkSize({ family: 'cnn', units: [4] }, model({ family: 'cnn' }), info('multiclass', [8, 8, 1], 10))).toEqual({ params: 40 + 370, macs: 40 * 36 + 370 });
    // 24 steps of 4 features → LSTM 8 → Dense 1.
    expect(networkSize({ family: 'lstm', units: [8] }, model({ family: 'lstm' }), info('forecast', [24, 4], 1))).toEqual({ params: 416 + 9, macs: 416 * 24 + 9 });
  });
});
