import { describe, expect, it } from 'vitest';
import { baselineDoc, baselineScore } from '../src/data/baseline.js';
import { parseDataset } from '../src/data/parse.js';
import { holdOutTest, splitDataset } from '../src/data/split.js';
import { baselineDocSchema } from '../src/results/baseline.js';
import { datasetSchema, sweepSpecSchema } from '../src/sweep/schema.js';

const data = (fields: Record<string, unknown>, text: string) => parseDataset(datasetSchema.parse({ key: 'd.csv', ...fields }), new TextEncoder().encode(text));

describe('majority class', () => {
  // Classes sort as ["no", "yes"]; rows 0–5: no, no, yes, no, yes, no.
  const p = data({ task: 'binary', target: 'label' }, 'x,label\n1,no\n2,no\n3,yes\n4,no\n5,yes\n6,no\n');

  it('predicts the training majority: accuracy is the share of validation rows in that class', () => {
    // Training rows 0–3: three "no", one "yes". Validation rows 4, 5: "yes", "no" → one of two right.
    expect(baselineScore(p, [0, 1, 2, 3], [4, 5], 'accuracy')).toEqual({ metric: 0.5, description: 'always "no" (75.0 % of training rows)' });
  });

  it('for the metric "loss", predicts the training class frequencies (binary cross-entropy)', () => {
    // P(yes) = 1/4: −(ln 0.25 + ln 0.75) / 2.
    const s = baselineScore(p, [0, 1, 2, 3], [4, 5], 'loss');
    expect(s.metric).toBeCloseTo((-Math.log(0.25) - Math.log(0.75)) / 2, 12);
    expect(s.description).toBe('the training class frequencies ("no" 75.0 %, "yes" 25.0 %)');
  });

  it('multiclass: categorical cross-entropy of the frequencies; ties go to the class listed first', () => {
    const m = data({ task: 'multiclass', target: 'k' }, 'x,k\n1,a\n2,a\n3,b\n4,c\n5,c\n6,a\n');
    // Training a, a, b, c: P = 0.5, 0.25, 0.25. Validation c, a.
    expect(baselineScore(m, [0, 1, 2, 3], [4, 5], 'loss').metric).toBeCloseTo((-Math.log(0.25) - Math.log(0.5)) / 2, 12);
    // Training rows 0 and 2 are "a" and "b", one each: "a" wins the tie. Validation c, c, a: one of three.
    expect(baselineScore(m, [0, 2], [3, 4, 5], 'accuracy').metric).toBeCloseTo(1 / 3, 12);
  });
});

describe('training mean', () => {
  const p = data({ task: 'regression', target: 'y', unit: 'mpg' }, 'x,y\n1,10\n2,20\n3,30\n4,40\n');

  it('predicts the training mean; errors in original units, loss on the standardised target', () => {
    // Training 10, 20, 30: mean 20, population variance 200/3. Validation 40: error 20.
    expect(baselineScore(p, [0, 1, 2], [3], 'rmse')).toEqual({ metric: 20, description: 'always 20 mpg, the mean of the training rows' });
    expect(baselineScore(p, [0, 1, 2], [3], 'mae').metric).toBe(20);
    expect(baselineScore(p, [0, 1, 2], [3], 'mse').metric).toBe(400);
    expect(baselineScore(p, [0, 1, 2], [3], 'loss').metric).toBeCloseTo(400 / (200 / 3), 12);
  });
});

describe('forecast: persistence and seasonal naive', () => {
  // v at step t is t²; window w reads steps w, w+1 and predicts step w+2 (lookback 2, horizon 1).
  const rows = Array.from({ length: 12 }, (_, t) => `${t},${t * t}`).join('\n');
  const p = data({ task: 'forecast', target: 'v', time: 't', lookback: 2 }, `t,v\n${rows}\n`);

  it('persistence predicts the last value in the window', () => {
    // Windows 3 and 4: 16 for 25, 25 for 36 — errors 9 and 11.
    expect(baselineScore(p, [0, 1, 2], [3, 4], 'rmse').metric).toBeCloseTo(Math.sqrt((81 + 121) / 2), 12);
    expect(baselineScore(p, [0, 1, 2], [3, 4], 'mae').metric).toBe(10);
  });

  it('a target that holds a change (dataset.targetIs "change"): no change in the level is a change of 0', () => {
    const change = data({ task: 'forecast', target: 'v', time: 't', lookback: 2, targetIs: 'change' }, `t,v\n${rows}\n`);
    // Windows 3 and 4 target steps 5 and 6: 25 and 36, predicted as 0.
    expect(baselineScore(change, [0, 1, 2], [3, 4], 'mae')).toEqual({ metric: 30.5, description: 'no change: a change of 0' });
  });

  it('seasonal naive predicts the value one season before the target, persistence where that is before the data', () => {
    // Season 3: window 3 predicts step 5 (25) with step 2 (4); window 4 step 6 (36) with step 3 (9).
    expect(baselineScore(p, [0, 1, 2], [3, 4], 'rmse', 3).metric).toBeCloseTo(Math.sqrt((21 ** 2 + 27 ** 2) / 2), 12);
    // Window 0 predicts step 2 from step −1: persistence instead, step 1 (1) for 4.
    expect(baselineScore(p, [1], [0], 'mae', 3).metric).toBe(3);
  });
});

describe('the baseline document', () => {
  const rows = Array.from({ length: 50 }, (_, i) => `${i * 3},${(i * 7) % 11}`).join('\n');
  const p = data({ task: 'regression', target: 'y' }, `x,y\n${rows}\n`);
  const spec = sweepSpecSchema.parse({
    name: 's',
    dataset: { key: 'd.csv', task: 'regression', target: 'y' },
    model: { family: 'dense', depth: [1], width: [2] },
    evaluation: { strategy: 'kfold', folds: 3, repeats: 2, metric: 'mae' },
  });

  it('scores every (repeat, fold) on the candidates’ own splits, and the test split with a fit on all development rows', () => {
    const doc = baselineDocSchema.parse(baselineDoc('run-1', p, spec));
    expect(doc).toMatchObject({ runId: 'run-1', name: 'training mean', metric: { name: 'mae', higherIsBetter: false } });
    const candidateSplits = [0, 1].flatMap((r) => splitDataset(p, spec.evaluation, spec.training.seed, r).map((s) => [r, s.fold, s.splitId]));
    expect(doc.trials.map((t) => [t.repeat, t.fold, t.split])).toEqual(candidateSplits);
    expect(doc.mean).toBeCloseTo(doc.trials.reduce((a, t) => a + t.valMetric, 0) / 6, 12);
    // By hand: the mean of y over the development rows, its mean absolute error on the test rows.
    const { dev, test } = holdOutTest(p, spec.evaluation, spec.training.seed);
    const y = (i: number) => (i * 7) % 11;
    const mean = Array.from(dev).reduce((a, i) => a + y(i), 0) / dev.length;
    const mae = Array.from(test).reduce((a, i) => a + Math.abs(mean - y(i)), 0) / test.length;
    expect(doc.test!.rows).toBe(10);
    expect(doc.test!.metric).toBeCloseTo(mae, 10);
  });

  it('has no test score when evaluation.test is 0', () => {
    const doc = baselineDoc('run-1', p, { ...spec, evaluation: { ...spec.evaluation, test: 0 } });
    expect(doc.test).toBeNull();
  });
});
