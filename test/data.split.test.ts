import { describe, expect, it } from 'vitest';
import { datasetInfo } from '../src/data/info.js';
import { encodeNpz } from '../src/data/npy.js';
import { parseDataset } from '../src/data/parse.js';
import type { ParsedDataset } from '../src/data/dataset.js';
import { foldIndices, holdOutTest, materialise, splitDataset, targetRow } from '../src/data/split.js';
import { DataError } from '../src/errors.js';
import { datasetSchema, evaluationSchema, type EvaluationSpec } from '../src/sweep/schema.js';

const csv = (text: string) => new TextEncoder().encode(text);
const parse = (fields: Record<string, unknown>, text: string) => parseDataset(datasetSchema.parse({ key: 'd.csv', ...fields }), csv(text));
const evaluation = (fields: Record<string, unknown> = {}): EvaluationSpec => evaluationSchema.parse(fields);
const fold = (train: number[], val: number[]) => ({ train: Int32Array.from(train), val: Int32Array.from(val) });
const column = (x: Float32Array, width: number, c: number) => Array.from(x).filter((_, i) => i % width === c);

/** A binary dataset with `ones` rows of class 1 among n. */
function binary(n: number, ones: number): ParsedDataset {
  const rows = Array.from({ length: n }, (_, i) => `${i * 3},${i < ones ? 'yes' : 'no'}`);
  return parse({ task: 'binary', target: 'label' }, `x,label\n${rows.join('\n')}\n`);
}

describe('statistics come from the training rows only', () => {
  // Rows 0–3 train, rows 4–5 validate; the validation rows are far away from the training ones and
  // carry a category ("hail") the training rows never show.
  const p = parse({ task: 'regression', target: 'y' }, 'temp,weather,y\n1,sun,10\n2,rain,20\n3,sun,30\n4,sun,40\n100,hail,1000\n200,rain,2000\n');
  const split = materialise(p, fold([0, 1, 2, 3], [4, 5]));
  const trainMean = 2.5;
  const trainStd = Math.sqrt(1.25); // population std of 1, 2, 3, 4

  it('standardises numeric features with the training mean and std', () => {
    expect(datasetInfo(p).featureNames).toEqual(['temp', 'weather=hail', 'weather=rain', 'weather=sun']);
    const temp = column(split.val.x, 4, 0);
    expect(temp[0]).toBeCloseTo((100 - trainMean) / trainStd, 5);
    expect(temp[1]).toBeCloseTo((200 - trainMean) / trainStd, 5);
    expect(column(split.train.x, 4, 0)).toEqual(Array.from(Float32Array.from([1, 2, 3, 4], (v) => (v - trainMean) / trainStd)));
  });

  it('encodes a category unseen in training as all zeros, keeping the width fixed', () => {
    expect(Array.from(split.val.x)).toHaveLength(2 * 4);
    expect(Array.from(split.val.x.subarray(1, 4))).toEqual([0, 0, 0]); // hail → nothing
    expect(Array.from(split.val.x.subarray(5, 8))).toEqual([0, 1, 0]); // rain
    // Training the other way round, hail is known and encodes.
    const other = materialise(p, fold([2, 3, 4, 5], [0, 1]));
    expect(Array.from(other.train.x.subarray(9, 12))).toEqual([1, 0, 0]);
  });

  it('standardises regression targets with the training statistics and reports their scale', () => {
    const yStd = Math.sqrt(125); // population std of 10, 20, 30, 40
    expect(split.targetScale).toEqual([yStd]);
    expect(split.val.y[0]).toBeCloseTo((1000 - 25) / yStd, 4);
  });

  it('holds through splitDataset: training features have mean 0 and std 1 in every fold', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i * i},${i}`).join('\n');
    const q = parse({ task: 'regression', target: 'y' }, `x,y\n${rows}\n`);
    for (const s of splitDataset(q, evaluation({ strategy: 'kfold', folds: 5 }), 7, 0)) {
      const xs = Array.from(s.train.x);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      expect(mean).toBeCloseTo(0, 5);
      expect(std).toBeCloseTo(1, 5);
    }
  });
});

describe('holdout and k-fold splits', () => {
  it('stratified holdout keeps the class ratio', () => {
    const p = binary(100, 30);
    const [s] = splitDataset(p, evaluation({ validationSplit: 0.2, test: 0 }), 1, 0);
    expect(s!.val.n).toBe(20);
    expect(s!.train.n).toBe(80);
    // "no" sorts first: class 1 is "yes", 30 of 100.
    expect(Array.from(s!.val.y).filter((y) => y === 1)).toHaveLength(6);
    expect(Array.from(s!.train.y).filter((y) => y === 1)).toHaveLength(24);
  });

  it('stratified k-fold keeps the class ratio in every fold and validates each row once', () => {
    const p = binary(100, 30);
    const folds = foldIndices(p, evaluation({ strategy: 'kfold', folds: 5, test: 0 }), 3, 0);
    const seen = new Set<number>();
    for (const f of folds) {
      expect(f.val.length).toBe(20);
      expect(Array.from(f.val).filter((i) => i < 30)).toHaveLength(6);
      expect(f.train.length + f.val.length).toBe(100);
      expect(Array.from(f.train).some((i) => f.val.includes(i))).toBe(false);
      f.val.forEach((i) => seen.add(i));
    }
    expect(seen.size).toBe(100);
  });

  it('the same seed and repeat give the same split, another repeat another shuffle', () => {
    const p = binary(40, 20);
    const e = evaluation();
    expect(foldIndices(p, e, 5, 0)).toEqual(foldIndices(p, e, 5, 0));
    expect(foldIndices(p, e, 5, 1)[0]!.val).not.toEqual(foldIndices(p, e, 5, 0)[0]!.val);
  });

  it('refuses more folds than rows, counting the rows left after the test split', () => {
    expect(() => foldIndices(binary(4, 2), evaluation({ strategy: 'kfold', folds: 5, test: 0 }), 0, 0)).toThrow(DataError);
    expect(() => foldIndices(binary(4, 2), evaluation({ strategy: 'kfold', folds: 5, test: 0 }), 0, 0)).toThrow('d.csv: 4 rows are fewer than evaluation.folds (5)');
    expect(() => foldIndices(binary(5, 2), evaluation({ strategy: 'kfold', folds: 5 }), 0, 0)).toThrow('d.csv: 4 rows (after holding out 1 for the test split) are fewer than evaluation.folds (5)');
  });

  it('leaves image pixels as parsed (uint8 scaled to [0, 1], not standardised)', () => {
    const x = Uint8Array.from({ length: 10 * 4 }, (_, i) => i % 256);
    const npz = encodeNpz({ x: { data: x, shape: [10, 2, 2], dtype: 'u1' }, y: { data: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], shape: [10], dtype: 'u1' } });
    const p = parseDataset(datasetSchema.parse({ key: 'd.npz', format: 'npz', task: 'binary' }), npz);
    const s = materialise(p, fold([3, 4, 5, 6, 7, 8, 9], [0, 1, 2]));
    expect(Array.from(s.val.x.subarray(4, 8))).toEqual(Array.from(Float32Array.from([4, 5, 6, 7], (v) => v / 255)));
    expect(s.targetScale).toBeUndefined();
  });
});

describe('forecast splits', () => {
  // 40 days of a rising series; window w sees days w, w+1, w+2 and predicts day w+4 (horizon 2).
  const days = Array.from({ length: 40 }, (_, i) => `2024-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')},${i * 2},${i % 3}`);
  const p = parse({ task: 'forecast', target: 'v', time: 'd', lookback: 3, horizon: 2 }, `d,v,w\n${[...days].reverse().join('\n')}\n`);
  if (p.kind !== 'series') throw new Error(p.kind);

  it('never validates on a target time before a training target time', () => {
    for (const strategy of ['holdout', 'kfold'] as const) {
      for (const f of foldIndices(p, evaluation({ strategy, folds: 4, test: 0 }), 1, 0)) {
        const lastTrain = Math.max(...Array.from(f.train, (w) => p.time[targetRow(p, w)]!));
        const firstVal = Math.min(...Array.from(f.val, (w) => p.time[targetRow(p, w)]!));
        expect(lastTrain).toBeLessThan(firstVal);
      }
    }
  });

  it('k-fold expands the training window like TimeSeriesSplit, and repeats do not change it', () => {
    const e = evaluation({ strategy: 'kfold', folds: 4, test: 0 });
    const folds = foldIndices(p, e, 1, 0);
    // 36 windows, blocks of floor(36 / 5) = 7: fold i trains on [0, 8 + 7i) and validates the next 7.
    expect(folds.map((f) => [f.train.length, f.val[0], f.val.length])).toEqual([
      [8, 8, 7],
      [15, 15, 7],
      [22, 22, 7],
      [29, 29, 7],
    ]);
    expect(foldIndices(p, e, 99, 3)).toEqual(folds);
  });

  it('holdout validates the last windows', () => {
    const [f] = foldIndices(p, evaluation({ validationSplit: 0.25, test: 0 }), 0, 0);
    expect(Array.from(f!.val)).toEqual([27, 28, 29, 30, 31, 32, 33, 34, 35]);
  });

  it('standardises with statistics of the training period only', () => {
    // Training windows 0–7 have targets up to day 7 + 3 - 1 + 2 = 11: the period is days 0–11, v = 0, 2, …, 22.
    const s = materialise(p, fold([0, 1, 2, 3, 4, 5, 6, 7], [8, 9]));
    const mean = 11;
    const std = Math.sqrt(Array.from({ length: 12 }, (_, i) => (i * 2 - mean) ** 2).reduce((a, b) => a + b) / 12);
    expect(s.targetScale![0]).toBeCloseTo(std, 10);
    expect(s.val.y[0]).toBeCloseTo((12 * 2 - mean) / std, 5); // window 8 predicts day 12
    expect(s.val.x[0]).toBeCloseTo((8 * 2 - mean) / std, 5); // its first step is day 8, feature v
    expect(s.train.x.length).toBe(8 * 3 * 2);
    expect(s.val.n).toBe(2);
  });
});

describe('the held-out test split', () => {
  it('is the same samples for every repeat and fold, and no trial trains or validates on them', () => {
    const p = binary(100, 30);
    for (const e of [evaluation({ repeats: 3 }), evaluation({ strategy: 'kfold', folds: 4, repeats: 3 })]) {
      const { test, dev } = holdOutTest(p, e, 11);
      expect(test.length).toBe(20);
      for (let repeat = 0; repeat < 3; repeat++) {
        expect(holdOutTest(p, e, 11).test).toEqual(test);
        for (const f of foldIndices(p, e, 11, repeat)) {
          const used = new Set([...f.train, ...f.val]);
          expect(Array.from(test).some((i) => used.has(i))).toBe(false);
          if (e.strategy === 'holdout') expect(used.size).toBe(dev.length);
        }
      }
    }
  });

  it('is stratified for classification and another seed draws other rows', () => {
    const p = binary(100, 30);
    const { test } = holdOutTest(p, evaluation({ test: 0.2 }), 11);
    expect(Array.from(test).filter((i) => i < 30)).toHaveLength(6); // rows 0–29 are "yes"
    expect(holdOutTest(p, evaluation({ test: 0.2 }), 12).test).not.toEqual(test);
  });

  it('is the last windows in time for a forecast: every test target comes after every development target', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${i % 7}`).join('\n');
    const p = parse({ task: 'forecast', target: 'v', time: 't', lookback: 3, horizon: 2 }, `t,v\n${rows}\n`);
    if (p.kind !== 'series') throw new Error(p.kind);
    const { test, dev, rule } = holdOutTest(p, evaluation({ test: 0.25 }), 0);
    // 46 windows; a quarter (11.5) rounds to the last 12.
    expect(Array.from(test)).toEqual([34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45]);
    expect(dev.length).toBe(34);
    expect(rule).toBe('the last 25 % of windows in time');
    expect(targetRow(p, dev.at(-1)!)).toBeLessThan(targetRow(p, test[0]!));
  });

  it('is off with evaluation.test 0', () => {
    const { test, dev, rule } = holdOutTest(binary(10, 5), evaluation({ test: 0 }), 0);
    expect([test.length, dev.length, rule]).toEqual([0, 10, 'none']);
    expect(splitDataset(binary(10, 5), evaluation({ test: 0 }), 0, 0)[0]!.test).toBeUndefined();
  });

  it('every candidate sees the same samples for the same (repeat, fold): splits depend on data, evaluation, seed and repeat only', () => {
    const p = binary(60, 20);
    const e = evaluation({ strategy: 'kfold', folds: 3, repeats: 2 });
    const ids = (repeat: number) => splitDataset(p, e, 42, repeat).map((s) => s.splitId);
    expect(ids(0)).toEqual(ids(0));
    expect(new Set([...ids(0), ...ids(1)]).size).toBe(6);
  });
});

describe('too little data is an error naming the numbers', () => {
  const rejection = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      return (e as Error).message;
    }
    throw new Error('expected a DataError');
  };

  it('a 1-row regression and a 2-row binary table', () => {
    const one = parse({ task: 'regression', target: 'y' }, 'x,y\n1,2\n');
    expect(rejection(() => foldIndices(one, evaluation(), 0, 0))).toBe(
      'd.csv: 1 rows are too few: the test split (evaluation.test 0.2) holds out 1, leaving 0 for training and validation (at least 2 are needed)',
    );
    expect(rejection(() => foldIndices(one, evaluation({ test: 0 }), 0, 0))).toBe('d.csv: 1 rows; a holdout split needs at least 2');
    expect(rejection(() => foldIndices(binary(2, 1), evaluation(), 0, 0))).toMatch(/^d\.csv: 2 rows are too few: the test split/);
  });

  it('fewer rows of a class than folds', () => {
    expect(rejection(() => foldIndices(binary(40, 4), evaluation({ strategy: 'kfold', folds: 5 }), 0, 0))).toBe(
      'd.csv: class "yes" has 3 rows after the test split, fewer than evaluation.folds (5); use fewer folds or a holdout split',
    );
    // One row of a class: in the singular.
    expect(rejection(() => foldIndices(binary(40, 1), evaluation({ strategy: 'kfold', folds: 5, test: 0 }), 0, 0))).toBe(
      'd.csv: class "yes" has 1 row, fewer than evaluation.folds (5); use fewer folds or a holdout split',
    );
  });

  it('more folds than forecast windows', () => {
    const rows = Array.from({ length: 12 }, (_, i) => `${i},${i}`).join('\n');
    const p = parse({ task: 'forecast', target: 'v', time: 't', lookback: 3 }, `t,v\n${rows}\n`);
    expect(rejection(() => foldIndices(p, evaluation({ strategy: 'kfold', folds: 8 }), 0, 0))).toBe(
      'd.csv: 7 windows (after holding out 2 for the test split) are too few for evaluation.folds 8 (time-ordered folds need at least 9)',
    );
  });
});
