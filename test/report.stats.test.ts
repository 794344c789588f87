import { describe, expect, it } from 'vitest';
import {
  analyzeRun,
  paretoFront,
  studentTCdf,
  summarize,
  tQuantile,
  welchTest,
} from '../src/report/stats.js';
import { makeDoc, makeSpec } from './fixtures/report/factory.js';

describe('Student t quantile', () => {
  it('matches the printed table (two-sided 95 %)', () => {
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [4, 2.776],
      [9, 2.262],
      [29, 2.045],
    ];
    for (const [df, t] of table) expect(tQuantile(0.975, df)).toBeCloseTo(t, 3);
    expect(tQuantile(0.975, Infinity)).toBeCloseTo(1.96, 3);
  });

  it('agrees with scipy.stats.t.ppf to nine digits and inverts the CDF', () => {
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(tQuantile(0.025, 9)).toBeCloseTo(-2.262157162798205, 9);
    expect(studentTCdf(tQuantile(0.9, 3.5), 3.5)).toBeCloseTo(0.9, 10);
    expect(tQuantile(0.5, 7)).toBe(0);
  });
});

describe('summarize', () => {
  it('computes mean, sample std, standard error and the 95 % interval by hand', () => {
    // Deviations −0.04, −0.02, 0, 0.02, 0.04: Σd² = 0.004, s² = 0.004 / 4 = 0.001.
    const s = summarize([0.8, 0.82, 0.84, 0.86, 0.88]);
    expect(s.n).toBe(5);
    expect(s.mean).toBeCloseTo(0.84, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(0.001), 12);
    expect(s.se).toBeCloseTo(Math.sqrt(0.001) / Math.sqrt(5), 12);
    // t(0.975, 4) · se = 2.7764451 × 0.0141421 = 0.0392649
    expect(s.tCritical).toBeCloseTo(2.7764451, 6);
    expect(s.ci!.lo).toBeCloseTo(0.84 - 0.0392649, 6);
    expect(s.ci!.hi).toBeCloseTo(0.84 + 0.0392649, 6);
  });

  it('has no spread and no interval with one trial', () => {
    const s = summarize([0.9]);
    expect(s).toEqual({ n: 1, mean: 0.9, std: null, se: null, tCritical: null, ci: null });
  });

  it('uses n − 1 degrees of freedom: two trials give t(0.975, 1) = 12.706', () => {
    const s = summarize([1, 3]);
    expect(s.std).toBeCloseTo(Math.SQRT2, 12);
    expect(s.ci!.hi - s.mean).toBeCloseTo(12.7062047 * (Math.SQRT2 / Math.SQRT2), 6);
  });
});

describe('Welch t-test', () => {
  it('matches scipy.stats.ttest_ind(equal_var=False)', () => {
    const r = welchTest(summarize([1, 2, 3, 4, 5]), summarize([2, 4, 6, 8, 10]))!;
    expect(r.t).toBeCloseTo(-1.8973665961010275, 10);
    expect(r.df).toBeCloseTo(5.882352941176471, 10);
    expect(r.p).toBeCloseTo(0.10753119493062728, 8);
  });

  it('cannot test a single trial, and handles zero spread', () => {
    expect(welchTest(summarize([1]), summarize([1, 2]))).toBeNull();
    expect(welchTest(summarize([1, 1]), summarize([1, 1]))!.p).toBe(1);
    expect(welchTest(summarize([1, 1]), summarize([2, 2]))!.p).toBe(0);
  });
});

describe('the one-standard-error recommendation', () => {
  const spec = makeSpec();

  it('picks the smallest candidate within one standard error of the best, and says why', () => {
    // Best: d3 w64, mean 0.842, values ±0.01 spread → se = std/√5.
    const best = makeDoc({ depth: 3, width: 64, values: [0.832, 0.837, 0.842, 0.847, 0.852] });
    const close = makeDoc({ depth: 1, width: 16, values: [0.83, 0.835, 0.84, 0.845, 0.85] }); // 0.840
    const mid = makeDoc({ depth: 2, width: 32, values: [0.831, 0.836, 0.841, 0.846, 0.851] }); // 0.841
    const far = makeDoc({ depth: 1, width: 32, values: [0.8, 0.805, 0.81, 0.815, 0.82] }); // 0.810
    const a = analyzeRun([far, mid, best, close], spec);
    const se = a.best!.summary.se!;
    // Deviations ±0.01, ±0.005, 0: Σd² = 0.00025, s = √(0.00025 / 4) = 0.0079, se = s / √5 = 0.0035.
    expect(se).toBeCloseTo(Math.sqrt(0.00025 / 4) / Math.sqrt(5), 12);
    expect(a.ranked.map((c) => c.label)).toEqual(['dense d3 w64', 'dense d2 w32', 'dense d1 w16', 'dense d1 w32']);
    expect(a.ranked.map((c) => c.withinOneSe)).toEqual([true, true, true, false]);
    expect(a.recommended!.candidate.label).toBe('dense d1 w16');
    expect(a.recommended!.rule).toBe('one-standard-error');
    // 10→16→1: 16·10+16 + 16+1 = 193 params; d3 w64: 704 + 4160 + 4160 + 65 = 9,089.
    expect(a.recommended!.reason).toBe(
      'dense d1 w16 (193 params) is within one standard error (0.004) of the best, dense d3 w64 (9,089 params, accuracy 0.842 ± 0.004); ' +
        'choose it: 47× fewer parameters for a difference the data cannot resolve.',
    );
    expect(a.ranked.find((c) => c.label === 'dense d1 w32')!.indistinguishable).toBe(false);
    expect(a.ranked.find((c) => c.label === 'dense d1 w16')!.indistinguishable).toBe(true);
  });

  it('recommends the best when it is also the smallest', () => {
    const small = makeDoc({ depth: 1, width: 16, values: [0.9, 0.91, 0.92] });
    const big = makeDoc({ depth: 3, width: 64, values: [0.89, 0.9, 0.91] });
    const a = analyzeRun([big, small], spec);
    expect(a.best!.label).toBe('dense d1 w16');
    expect(a.recommended!.candidate.label).toBe('dense d1 w16');
    expect(a.recommended!.reason).toContain('is both the best and the smallest network in the sweep');
  });

  it('recommends the best when no smaller candidate comes within one standard error', () => {
    const best = makeDoc({ depth: 2, width: 64, values: [0.9, 0.901, 0.902] });
    const small = makeDoc({ depth: 1, width: 16, values: [0.85, 0.86, 0.87] });
    const a = analyzeRun([small, best], spec);
    expect(a.recommended!.candidate.label).toBe('dense d2 w64');
    expect(a.recommended!.reason).toContain('none of the 1 smaller candidate comes within one standard error');
  });

  it('follows the metric direction: rmse, lower is better', () => {
    const regression = makeSpec({ dataset: { key: 'datasets/x.csv', task: 'regression', target: 'y' } });
    const best = makeDoc({ depth: 3, width: 64, metric: 'rmse', values: [1.0, 1.1, 1.2] }); // mean 1.1, se = 0.1/√3
    const near = makeDoc({ depth: 1, width: 16, metric: 'rmse', values: [1.1, 1.15, 1.2] }); // 1.15: within 0.0577
    const worse = makeDoc({ depth: 1, width: 8, metric: 'rmse', values: [1.3, 1.4, 1.5] }); // 1.4
    const a = analyzeRun([worse, near, best], regression);
    expect(a.metric).toBe('rmse');
    expect(a.higherIsBetter).toBe(false);
    expect(a.ranked.map((c) => c.label)).toEqual(['dense d3 w64', 'dense d1 w16', 'dense d1 w8']);
    expect(a.best!.summary.se).toBeCloseTo(0.1 / Math.sqrt(3), 12);
    expect(a.recommended!.candidate.label).toBe('dense d1 w16');
    // The smallest (d1 w8) is not chosen: it is 0.3 worse, far beyond one standard error.
    expect(a.ranked[2]!.withinOneSe).toBe(false);
  });

  it('with one trial per candidate, recommends the best and says the ranking has no noise estimate', () => {
    const a = analyzeRun([makeDoc({ depth: 1, width: 16, values: [0.8] }), makeDoc({ depth: 2, width: 32, values: [0.85] })], spec);
    expect(a.recommended!.rule).toBe('best-only');
    expect(a.recommended!.candidate.label).toBe('dense d2 w32');
    expect(a.recommended!.reason).toContain('no standard error');
    expect(a.ranked[1]!.indistinguishable).toBeNull();
    expect(a.ranked[0]!.summary.ci).toBeNull();
  });

  it('keeps failed candidates out of the ranking and has no recommendation when all failed', () => {
    const failed = makeDoc({ depth: 1, width: 16, values: [], status: 'failed' });
    expect(analyzeRun([failed, makeDoc({ depth: 2, width: 16, values: [0.7, 0.8] })], spec).failed).toEqual([failed]);
    const none = analyzeRun([failed], spec);
    expect(none.recommended).toBeNull();
    expect(none.ranked).toEqual([]);
  });
});

describe('Pareto front', () => {
  const pt = (params: number | null, mean: number) => ({ params, summary: { mean } });

  it('keeps the candidates no other beats on one axis while matching the other (higher is better)', () => {
    const a = pt(100, 0.8);
    const b = pt(200, 0.85);
    const c = pt(300, 0.84); // dominated by b: more params, lower metric
    const d = pt(400, 0.9);
    const e = pt(400, 0.88); // dominated by d: same params, lower metric
    const f = pt(null, 0.99); // no parameter count: cannot be placed
    expect(paretoFront([d, c, f, b, e, a], true)).toEqual([a, b, d]);
  });

  it('uses the metric direction (lower is better)', () => {
    const a = pt(100, 2.0);
    const b = pt(200, 2.5); // dominated by a: bigger and worse
    const c = pt(300, 1.5);
    expect(paretoFront([a, b, c], false)).toEqual([a, c]);
  });

  it('marks the front in the run analysis', () => {
    const docs = [
      makeDoc({ depth: 1, width: 16, values: [0.8, 0.81] }),
      makeDoc({ depth: 1, width: 64, values: [0.79, 0.8] }),
      makeDoc({ depth: 2, width: 64, values: [0.85, 0.86] }),
    ];
    const a = analyzeRun(docs, makeSpec());
    expect(a.pareto.map((c) => c.label)).toEqual(['dense d1 w16', 'dense d2 w64']);
    expect(a.ranked.find((c) => c.label === 'dense d1 w64')!.pareto).toBe(false);
  });
});
