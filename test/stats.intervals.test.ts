import { describe, expect, it } from 'vitest';
import { blockMean, blockRows, modelTestInterval, toBlocks, trialInterval, trialModelsTestInterval, validationInterval, validationOverlap, wilson, type TrialPoint } from '../src/stats/index.js';
import { rng } from '../src/random.js';
import { fmtMeanSe } from '../src/format.js';

describe('Wilson score interval', () => {
  it('matches the textbook formula (scipy-computed: 80 of 100 → 0.71117 – 0.86663)', () => {
    const w = wilson(0.8, 100, 1.959963984540054);
    expect(w.lo).toBeCloseTo(0.7111708344068411, 10);
    expect(w.hi).toBeCloseTo(0.8666330666689676, 10);
  });

  it('gives 55 rows that are all right a lower bound near 0.93, not 1.000–1.000', () => {
    const w = wilson(1, 55, 1.959963984540054);
    expect(w.hi).toBe(1);
    expect(w.lo).toBeCloseTo(0.9347, 3);
  });

  it('starts at exactly 0 when no row is right, not at rounding noise (a report printed "6.94e-18 – 0.113")', () => {
    const w = wilson(0, 40, 1.959963984540054);
    expect(w.lo).toBe(0);
    expect(w.hi).toBeCloseTo(0.0876, 3);
  });
});

describe('an expected score from trial scores alone (trialInterval, the baseline’s)', () => {
  it('uses the Nadeau–Bengio variance and stays inside 0–1 for accuracy', () => {
    const values = [0.99, 1, 1];
    const i = trialInterval('accuracy', values, 0.25, 200)!;
    // Student's t would reach past 1 (0.9967 + 4.30 · 0.0044 = 1.016); Wilson at the effective rows cannot.
    expect(i.hi).toBeLessThanOrEqual(1);
    expect(i.lo).toBeGreaterThan(0.85);
    // se² = s² · (1/3 + 0.25): s² = 3.3333e-5.
    expect(i.se).toBeCloseTo(Math.sqrt((1 / 3 + 0.25) * 3.3333333e-5), 6);
  });

  it('keeps an rmse interval above 0 however wide', () => {
    const i = trialInterval('rmse', [0.2, 1.5, 0.4], 0.25, 200)!;
    expect(i.lo).toBeGreaterThan(0);
    expect(i.hi).toBeGreaterThan(1.5);
  });

  it('bounds accuracy by the distinct rows scored when trials agree exactly', () => {
    const i = trialInterval('accuracy', [1, 1, 1], 0.25, 55)!;
    expect(i.lo).toBeLessThan(0.95);
    expect(i.hi).toBe(1);
  });

  it('has none with one trial', () => {
    expect(trialInterval('accuracy', [0.9], 0.25, 100)).toBeNull();
  });

  it('gives trials that all score the same a standard error of exactly 0 (a report printed "0.47499999999999992 ± 0.000000000000000039")', () => {
    const i = trialInterval('accuracy', [0.475, 0.475, 0.475, 0.475, 0.475], 0, Infinity)!;
    expect(i.se).toBe(0);
    expect(fmtMeanSe(i.estimate, i.se)).toBe('0.475 ± 0');
  });
});

const Z = 1.959963984540054;
/** 5-fold on 200 development rows (40 validation rows a fold), `repeats` times with fresh shuffles. */
const kfold = (values: number[], repeats = 1): TrialPoint[] =>
  values.map((value, j) => ({ repeat: Math.floor(j / 5) % repeats, fold: j % 5, value, trainRows: 160, valRows: 40, split: `r${Math.floor(j / 5)}f${j % 5}` }));

describe('a candidate’s validation interval (validationInterval)', () => {
  it('counts each validation row once across disjoint folds: 5 folds of 40 rows weigh as 200 rows', () => {
    expect(validationOverlap(kfold([0.7, 0.7, 0.7, 0.7, 0.7]))).toBeCloseTo(1 / 200, 12);
    // Fold scores spread no more than 40 binomial rows each would: the variance is the 200 rows' binomial one, z not t(4).
    const spread = [0.65, 0.75, 0.7, 0.775, 0.625];
    const i = validationInterval('accuracy', kfold(spread))!;
    expect(i.df).toBe(Infinity);
    expect(i.se).toBeCloseTo(Math.sqrt((0.7 * 0.3) / 200), 12);
    const w = wilson(0.7, 200, Z);
    expect(i.lo).toBeCloseTo(w.lo, 12);
    expect(i.hi).toBeCloseTo(w.hi, 12);
  });

  it('weighs repeated holdout splits by their expected overlap, as Nadeau–Bengio’s correction does', () => {
    // 3 random holdouts of 40 of 200 rows (q = 0.2): Σw² = (1 − q + Jq) / (J n_val) = 1.4 / 120.
    const points: TrialPoint[] = [0, 1, 2].map((repeat) => ({ repeat, fold: 0, value: 0.7, trainRows: 160, valRows: 40, split: `h${repeat}` }));
    expect(validationOverlap(points)).toBeCloseTo(1.4 / 120, 12);
  });

  it('does not count the same validation rows twice when repeats keep the split (time order: only the seed changes)', () => {
    const same: TrialPoint[] = [0, 1, 2].map((repeat) => ({ repeat, fold: 0, value: 0.7, trainRows: 160, valRows: 40, split: 'last-rows' }));
    expect(validationOverlap(same)).toBeCloseTo(1 / 40, 12);
    const i = validationInterval('accuracy', same)!;
    const w = wilson(0.7, 40, Z);
    expect(i.lo).toBeCloseTo(w.lo, 12);
    // Time-ordered folds kept in every repeat: different folds never share rows.
    const folds: TrialPoint[] = [0, 1].flatMap((repeat) => [0, 1].map((fold) => ({ repeat, fold, value: 0.7, trainRows: 100 + fold * 40, valRows: 40, split: `f${fold}` })));
    // Each trial shares its rows with itself and its twin in the other repeat: 80 distinct rows, Σw² = 1/80.
    expect(validationOverlap(folds)).toBeCloseTo(1 / 80, 12);
  });

  it('widens with a spread beyond the rows’ own, with fewer degrees of freedom', () => {
    const calm = validationInterval('accuracy', kfold([0.65, 0.75, 0.7, 0.775, 0.625]))!;
    const wild = validationInterval('accuracy', kfold([0.5, 0.9, 0.7, 0.95, 0.45]))!;
    expect(wild.hi - wild.lo).toBeGreaterThan(calm.hi - calm.lo);
    expect(wild.df).toBeGreaterThan(4);
    expect(wild.df).toBeLessThan(Infinity);
    expect(wild.hi).toBeLessThanOrEqual(1);
  });

  it('gives 5 folds that are all right a lower bound from the 200 rows behind them', () => {
    const i = validationInterval('accuracy', kfold([1, 1, 1, 1, 1]))!;
    expect(i.hi).toBe(1);
    expect(i.lo).toBeCloseTo(wilson(1, 200, Z).lo, 12);
  });

  it('is the Nadeau–Bengio interval for errors, and for documents without row counts', () => {
    const values = [0.9, 1.3, 1.1, 1.0, 1.2];
    const i = validationInterval('rmse', kfold(values))!;
    const plain = trialInterval('rmse', values, 0.25, 200)!;
    expect(i.lo).toBeCloseTo(plain.lo, 12);
    expect(i.hi).toBeCloseTo(plain.hi, 12);
    const bare = validationInterval(
      'accuracy',
      [0.8, 0.9].map((value, repeat) => ({ repeat, fold: 0, value })),
    )!;
    expect(bare.df).toBe(1);
  });
});

describe('test rows in blocks', () => {
  it('keeps every row of a small split and up to 128 blocks of a large one', () => {
    expect(toBlocks([1, 0, 1], 'random')).toEqual({ order: 'random', size: 1, sums: [1, 0, 1] });
    const big = toBlocks(
      Array.from({ length: 1000 }, (_, i) => i % 2),
      'random',
    );
    expect(big.sums).toHaveLength(128);
    expect(big.sums.reduce((a, b) => a + b, 0)).toBe(500);
    expect(blockRows(big, 1000).reduce((a, b) => a + b, 0)).toBe(1000);
    const time = toBlocks(
      Array.from({ length: 1000 }, () => 1),
      'time',
    );
    expect(blockRows(time, 1000).reduce((a, b) => a + b, 0)).toBe(1000);
    expect(time.sums[0]).toBe(8);
  });

  it('estimates the variance of a mean over blocks as the binomial one for rows', () => {
    const rows = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 0 : 1)); // p = 0.75
    const b = toBlocks(rows, 'random', 400);
    const m = blockMean(b.sums, blockRows(b, 400));
    expect(m.mean).toBe(0.75);
    // Σ(x − p)² / n² · n/(n − 1) = p(1 − p)/(n − 1)
    expect(m.variance).toBeCloseTo((0.75 * 0.25) / 399, 12);
  });

  it('gives a variance from heavy-tailed rows fewer degrees of freedom (the blocks’ kurtosis), so the interval widens', () => {
    // Normal-looking values: κ ≈ 3, ν ≈ B − 1.
    const random = rng(11);
    const normal = Array.from({ length: 50 }, () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random()));
    const calm = blockMean(normal, Array(50).fill(1));
    expect(calm.df).toBeGreaterThan(30);
    expect(calm.df).toBeLessThanOrEqual(49);
    // Squared errors where one row in 50 is far off (an extrapolation): κ ≈ 47, ν ≈ 2.
    const sq = Array.from({ length: 50 }, (_, i) => (i === 0 ? 40 : 0.5 + (i % 5) * 0.1));
    const wild = blockMean(sq, Array(50).fill(1));
    expect(wild.df).toBeLessThan(4);
    const i = modelTestInterval('mse', toBlocks(sq, 'random'), 50)!;
    expect(i.df).toBeCloseTo(wild.df, 12);
    expect(i.hi / i.estimate).toBeGreaterThan(Math.exp((2.01 * Math.sqrt(wild.variance)) / wild.mean));
  });

  it('gives the final model an interval for its own score that counts the test rows (55 rows all right)', () => {
    const i = modelTestInterval('accuracy', toBlocks(Array(55).fill(1), 'random'), 55)!;
    expect(i.estimate).toBe(1);
    expect(i.lo).toBeCloseTo(0.934, 2);
  });

  it('keeps an rmse test interval above 0 and around the root of the mean squared error', () => {
    const random = rng(7);
    const sq = Array.from({ length: 60 }, () => (random() - 0.5) ** 2 * 12); // errors with variance 1
    const i = modelTestInterval('rmse', toBlocks(sq, 'random'), 60)!;
    expect(i.estimate).toBeCloseTo(Math.sqrt(sq.reduce((a, b) => a + b, 0) / 60), 6);
    expect(i.lo).toBeGreaterThan(0);
    expect(i.lo).toBeLessThan(i.estimate);
    expect(i.hi).toBeGreaterThan(i.estimate);
  });

  it('merges rows in time order into runs of ∛n so that correlated neighbours count once', () => {
    // Errors that come in runs of 10: a block per row would see 200 independent rows; runs see far fewer.
    const sq = Array.from({ length: 200 }, (_, i) => (Math.floor(i / 10) % 2 === 0 ? 0.1 : 3));
    const random = modelTestInterval('mse', toBlocks(sq, 'random'), 200)!;
    const time = modelTestInterval('mse', toBlocks(sq, 'time'), 200)!;
    expect(time.hi - time.lo).toBeGreaterThan(random.hi - random.lo);
  });

  it('adds the trial models’ retraining spread to the test rows’ sampling error', () => {
    const models = [0.8, 0.84, 0.88].map((p) =>
      toBlocks(
        Array.from({ length: 300 }, (_, i) => (i < p * 300 ? 1 : 0)),
        'random',
      ),
    );
    const combined = trialModelsTestInterval('accuracy', models, 300, 0.25)!;
    const one = modelTestInterval('accuracy', models[1]!, 300)!;
    expect(combined.estimate).toBeCloseTo(0.84, 12);
    expect(combined.hi - combined.lo).toBeGreaterThan(one.hi - one.lo);
    expect(combined.hi).toBeLessThanOrEqual(1);
    // Blocks of different layouts (different test splits) do not combine.
    expect(trialModelsTestInterval('accuracy', [models[0]!, toBlocks([1, 0], 'random')], 300, 0.25)).toBeNull();
  });
});

describe('accuracy near 1 on the test split', () => {
  it('keeps Wilson’s interval with B − 1 degrees of freedom (a 0/1 row’s kurtosis is the binomial’s own shape)', () => {
    const rows = Array.from({ length: 100 }, (_, i) => (i < 2 ? 0 : 1)); // 98 of 100 right
    const i = modelTestInterval('accuracy', toBlocks(rows, 'random'), 100)!;
    expect(i.df).toBe(99);
    // The between-row variance is p(1 − p)/(n − 1): Wilson at 99 effective rows, t(99).
    const w = wilson(0.98, 99, 1.9842169515086827);
    expect(i.lo).toBeCloseTo(w.lo, 6);
    expect(i.hi).toBeCloseTo(w.hi, 6);
  });
});
