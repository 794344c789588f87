import { describe, expect, it } from 'vitest';
import { compareTrials, comparisonName, pairedTest, pairTrials, pBetter, pWorse, summarize, welchTest } from '../src/stats/index.js';

describe('summarize', () => {
  it('computes mean, sample std, standard error and the 95 % interval by hand', () => {
    // Deviations −0.04, −0.02, 0, 0.02, 0.04: Σd² = 0.004, s² = 0.001.
    const s = summarize([0.8, 0.82, 0.84, 0.86, 0.88]);
    expect(s.mean).toBeCloseTo(0.84, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(0.001), 12);
    expect(s.se).toBeCloseTo(Math.sqrt(0.001) / Math.sqrt(5), 12);
    expect(s.tCritical).toBeCloseTo(2.7764451, 6);
    expect(s.ci!.lo).toBeCloseTo(0.84 - 0.0392649, 6);
  });

  it('has no spread and no interval with one value', () => {
    expect(summarize([0.9])).toEqual({ n: 1, mean: 0.9, std: null, se: null, tCritical: null, ci: null });
  });
});

describe('Welch t-test', () => {
  it('matches scipy.stats.ttest_ind(equal_var=False)', () => {
    const r = welchTest(summarize([1, 2, 3, 4, 5]), summarize([2, 4, 6, 8, 10]))!;
    expect(r.t).toBeCloseTo(-1.8973665961010275, 10);
    expect(r.df).toBeCloseTo(5.882352941176471, 10);
    expect(r.p).toBeCloseTo(0.10753119493062728, 8);
  });

  it('cannot test a single value, and handles zero spread', () => {
    expect(welchTest(summarize([1]), summarize([1, 2]))).toBeNull();
    expect(welchTest(summarize([1, 1]), summarize([1, 1]))!.p).toBe(1);
    expect(welchTest(summarize([1, 1]), summarize([2, 2]))!.p).toBe(0);
  });
});

describe('paired comparisons (Nadeau–Bengio corrected resampled t-test)', () => {
  // Five folds that differ a lot in difficulty; b beats a in four of five folds by 0.01–0.03.
  const a = [0.7, 0.8, 0.75, 0.85, 0.78];
  const b = [0.72, 0.81, 0.78, 0.85, 0.8];
  const points = (xs: number[]) => xs.map((value, fold) => ({ repeat: 0, fold, value, trainRows: 800, valRows: 200 }));

  it('pairs trials by (repeat, fold) and corrects the variance by 1/J + n_val/n_train', () => {
    const r = pairedTest(points(a), points(b))!;
    // d = −0.02, −0.01, −0.03, 0, −0.02: mean −0.016, s_d = 0.0114018; se = s_d · √(1/5 + 1/4) = 0.0076485.
    expect(r.pairs).toBe(5);
    expect(r.meanDiff).toBeCloseTo(-0.016, 12);
    expect(r.rowRatio).toBe(0.25);
    expect(r.se).toBeCloseTo(0.007648529270389184, 12);
    expect(r.t).toBeCloseTo(-2.091905441473963, 9);
    expect(r.p).toBeCloseTo(0.10460522928410206, 8);
  });

  it('gives one-sided p-values in the metric’s direction: a is worse when higher is better', () => {
    const r = pairedTest(points(a), points(b))!;
    // scipy: t.cdf(−2.0919, 4) = 0.0523026
    expect(pWorse(r, true)).toBeCloseTo(0.05230261464205103, 8);
    expect(pBetter(r, true)).toBeCloseTo(1 - 0.05230261464205103, 8);
    // Lower is better (an error): the same differences say a is better.
    expect(pBetter(r, false)).toBeCloseTo(0.05230261464205103, 8);
    const same = pairedTest(points(a), points(a))!;
    expect(pWorse(same, true)).toBe(1);
  });

  it('sees through fold difficulty that Welch’s unpaired test cannot (0.640 unpaired vs 0.105 paired)', () => {
    expect(welchTest(summarize(a), summarize(b))!.p).toBeCloseTo(0.6397361741019141, 8);
    expect(compareTrials(points(a), points(b))!.p).toBeCloseTo(0.1046, 4);
  });

  it('falls back to Welch only when fewer than two trials pair up, and says so', () => {
    const other = b.map((value, i) => ({ repeat: 1, fold: i, value }));
    expect(pairedTest(points(a), other)).toBeNull();
    const r = compareTrials(points(a), other)!;
    expect(r.kind).toBe('welch');
    expect(comparisonName(r)).toBe("Welch's t-test (trials could not be paired)");
    expect(compareTrials(points([0.8]), points([0.7]))).toBeNull();
  });

  it('pairs only trials whose split fingerprints agree, whatever their order', () => {
    const fp = (xs: ReturnType<typeof points>, tag: string) => xs.map((p) => ({ ...p, split: `${tag}${p.fold}` }));
    expect(pairTrials(fp(points(a), 's'), fp(points(b), 's'))).toHaveLength(5);
    expect(pairTrials(fp(points(a), 's'), fp(points(b), 'other'))).toHaveLength(0);
    expect(pairTrials(fp(points(a), 's'), points(b))).toHaveLength(5);
    const shuffled = points(b).reverse().slice(0, 4);
    expect(pairTrials(points(a), shuffled).map(([x, y]) => [x.fold, y.fold])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
  });
});
