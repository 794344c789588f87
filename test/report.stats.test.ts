import { describe, expect, it } from 'vitest';
import {
  analyzeRun,
  baselineMark,
  baselineSentence,
  certaintySentence,
  compareTrials,
  comparisonName,
  pairedTest,
  pairTrials,
  paretoFront,
  recommendedTest,
  studentTCdf,
  summarize,
  tQuantile,
  welchTest,
} from '../src/report/stats.js';
import { makeBaseline, makeDoc, makeFinal, makeSpec } from './fixtures/report/factory.js';

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

describe('paired comparisons (Nadeau–Bengio corrected resampled t-test)', () => {
  // Five folds that differ a lot in difficulty; B beats A in four of five folds by 0.01–0.03.
  const a = [0.7, 0.8, 0.75, 0.85, 0.78];
  const b = [0.72, 0.81, 0.78, 0.85, 0.8];
  const points = (xs: number[]) => xs.map((value, fold) => ({ repeat: 0, fold, value, trainRows: 800, valRows: 200 }));

  it('pairs trials by (repeat, fold) and corrects the variance by 1/J + n_val/n_train', () => {
    const r = pairedTest(points(a), points(b))!;
    // d = a − b = −0.02, −0.01, −0.03, 0, −0.02: mean −0.016, s_d = √(0.00052 / 4) = 0.0114018.
    expect(r.kind).toBe('paired');
    expect(r.pairs).toBe(5);
    expect(r.meanDiff).toBeCloseTo(-0.016, 12);
    expect(r.sdDiff).toBeCloseTo(0.011401754250991391, 12);
    // n_val / n_train = 200 / 800; se = 0.0114018 · √(1/5 + 1/4) = 0.0076485; t = −2.0919 on 4 df.
    expect(r.rowRatio).toBe(0.25);
    expect(r.se).toBeCloseTo(0.007648529270389184, 12);
    expect(r.t).toBeCloseTo(-2.091905441473963, 9);
    expect(r.df).toBe(4);
    expect(r.p).toBeCloseTo(0.10460522928410206, 8); // scipy: 2 · t.sf(2.0919, 4)
  });

  it('sees through fold difficulty that Welch’s unpaired test cannot (0.640 unpaired vs 0.105 paired)', () => {
    const welch = welchTest(summarize(a), summarize(b))!;
    expect(welch.p).toBeCloseTo(0.6397361741019141, 8); // scipy.stats.ttest_ind(a, b, equal_var=False)
    const paired = compareTrials(points(a), points(b))!;
    expect(paired.kind).toBe('paired');
    expect(paired.p).toBeCloseTo(0.1046, 4);
  });

  it('falls back to Welch only when fewer than two trials pair up, and says so', () => {
    const other = b.map((value, i) => ({ repeat: 1, fold: i, value })); // another repeat: no shared split
    expect(pairedTest(points(a), other)).toBeNull();
    const r = compareTrials(points(a), other)!;
    expect(r.kind).toBe('welch');
    expect(r.p).toBeCloseTo(0.6397361741019141, 8);
    expect(comparisonName(r)).toBe("Welch's t-test (trials could not be paired)");
    expect(compareTrials(points([0.8]), points([0.7]))).toBeNull();
  });

  it('pairs only trials whose split fingerprints agree, where both have one', () => {
    const fp = (xs: ReturnType<typeof points>, tag: string) => xs.map((p) => ({ ...p, split: `${tag}${p.fold}` }));
    expect(pairTrials(fp(points(a), 's'), fp(points(b), 's'))).toHaveLength(5);
    // The same (repeat, fold) over other samples (another data version, another seed): no pair.
    expect(pairTrials(fp(points(a), 's'), fp(points(b), 'other'))).toHaveLength(0);
    expect(compareTrials(fp(points(a), 's'), fp(points(b), 'other'))!.kind).toBe('welch');
    // An older document without fingerprints pairs by (repeat, fold) alone.
    expect(pairTrials(fp(points(a), 's'), points(b))).toHaveLength(5);
  });

  it('pairs only the shared trials, whatever their order', () => {
    const shuffled = points(b).reverse().slice(0, 4); // fold 0 missing
    expect(pairTrials(points(a), shuffled).map(([x, y]) => [x.fold, y.fold])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
    expect(pairedTest(points(a), shuffled)!.pairs).toBe(4);
  });

  it('decides "≈ best" in a run from the paired test', () => {
    const run = analyzeRun([makeDoc({ depth: 1, width: 16, values: a }), makeDoc({ depth: 2, width: 32, values: b })], makeSpec());
    expect(run.best!.label).toBe('dense d2 w32');
    const other = run.ranked[1]!;
    expect(other.vsBest!.kind).toBe('paired');
    expect(other.vsBest!.p).toBeCloseTo(0.1046, 4);
    expect(other.indistinguishable).toBe(true);
    expect(certaintySentence(run)).toBe(
      'The best mean accuracy is 0.792 ± 0.021 (mean ± standard error; 95 % CI 0.733 – 0.851, n = 5 trials). ' +
        'The other candidate is statistically indistinguishable from it (paired t-test on the same folds and repeats, Nadeau–Bengio corrected, p ≥ 0.05).',
    );
  });
});

describe('the one-standard-error recommendation', () => {
  const spec = makeSpec();

  it('picks the smallest candidate within one standard error of the best — the standard error it states — and says why', () => {
    // Best: d3 w64, mean 0.842, values ±0.01 spread → se = std/√5.
    const best = makeDoc({ depth: 3, width: 64, values: [0.832, 0.837, 0.842, 0.847, 0.852] });
    const close = makeDoc({ depth: 1, width: 16, values: [0.835, 0.83, 0.845, 0.84, 0.85] }); // 0.840
    const mid = makeDoc({ depth: 2, width: 32, values: [0.836, 0.833, 0.846, 0.843, 0.847] }); // 0.841
    const far = makeDoc({ depth: 1, width: 32, values: [0.8, 0.805, 0.81, 0.815, 0.82] }); // 0.810
    const a = analyzeRun([far, mid, best, close], spec);
    const se = a.best!.summary.se!;
    // Deviations ±0.01, ±0.005, 0: Σd² = 0.00025, s = √(0.00025 / 4) = 0.0079, se = s / √5 = 0.0035355.
    expect(se).toBeCloseTo(Math.sqrt(0.00025 / 4) / Math.sqrt(5), 12);
    expect(a.ranked.map((c) => c.label)).toEqual(['dense d3 w64', 'dense d2 w32', 'dense d1 w16', 'dense d1 w32']);
    expect(a.ranked.map((c) => c.withinOneSe)).toEqual([true, true, true, false]);
    expect(a.recommended!.candidate.label).toBe('dense d1 w16');
    expect(a.recommended!.rule).toBe('one-standard-error');
    // 10→16→1: 16·10+16 + 16+1 = 193 params; d3 w64: 704 + 4160 + 4160 + 65 = 9,089. The "(0.0035)" is the
    // best's "± 0.0035": the rule uses the standard error the report states.
    expect(a.recommended!.reason).toBe(
      'dense d1 w16 (193 params) is within one standard error (0.0035) of the best, dense d3 w64 (9,089 params, accuracy 0.8420 ± 0.0035); ' +
        'choose it: 47× fewer parameters for a difference the data cannot resolve.',
    );
    // Paired: d1 w16 − best = 0.003, −0.007, 0.003, −0.007, −0.002 → p = 0.583; d1 w32 is 0.032 lower in every fold.
    expect(a.ranked.find((c) => c.label === 'dense d1 w16')!.vsBest!.p).toBeCloseTo(0.5830903790087464, 8);
    expect(a.ranked.find((c) => c.label === 'dense d1 w16')!.indistinguishable).toBe(true);
    expect(a.ranked.find((c) => c.label === 'dense d1 w32')!.indistinguishable).toBe(false);
  });

  it('does not choose a candidate within one standard error that the paired test finds worse in every trial', () => {
    // Best d3 w64: 0.842 ± 0.0035. d1 w16 trails it by exactly 0.002 in each of the 5 folds: within one
    // standard error, but resolved by the paired test (p ≈ 0); d2 w32 is within and indistinguishable.
    const best = makeDoc({ depth: 3, width: 64, values: [0.832, 0.837, 0.842, 0.847, 0.852] });
    const trailing = makeDoc({ depth: 1, width: 16, values: [0.83, 0.835, 0.84, 0.845, 0.85] });
    const mid = makeDoc({ depth: 2, width: 32, values: [0.836, 0.833, 0.846, 0.843, 0.847] });
    const a = analyzeRun([best, trailing, mid], spec);
    const t = a.ranked.find((c) => c.label === 'dense d1 w16')!;
    expect(t.withinOneSe).toBe(true);
    expect(t.indistinguishable).toBe(false);
    expect(a.recommended!.candidate.label).toBe('dense d2 w32');
  });

  it('says what a standard error of 0 means instead of hiding behind it (mnist: two trials, same accuracy)', () => {
    const best = makeDoc({ family: 'cnn', depth: 2, width: 16, params: 12_810, values: [0.934375, 0.934375], folds: 1 });
    const small = makeDoc({ family: 'cnn', depth: 2, width: 8, params: 5_258, values: [0.92375, 0.90625], folds: 1 });
    const a = analyzeRun([small, best], spec);
    expect(a.recommended!.candidate.label).toBe('cnn d2 w16');
    expect(a.recommended!.reason).toBe(
      'cnn d2 w16 (12,810 params, accuracy 0.9344 ± 0) is the best; its 2 trials scored exactly the same, so its standard error is 0 and no other candidate ' +
        'is within one standard error of it; choose it, though the paired test cannot tell the smaller cnn d2 w8 (5,258 params) from it (p = 0.322) — ' +
        'more repeats (evaluation.repeats) would let the rule weigh it.',
    );
  });

  it('recommends the best when it is also the smallest', () => {
    const small = makeDoc({ depth: 1, width: 16, values: [0.9, 0.91, 0.92] });
    const big = makeDoc({ depth: 3, width: 64, values: [0.89, 0.9, 0.91] });
    const a = analyzeRun([big, small], spec);
    expect(a.best!.label).toBe('dense d1 w16');
    expect(a.recommended!.candidate.label).toBe('dense d1 w16');
    expect(a.recommended!.reason).toContain('is both the best and the smallest network in the sweep');
  });

  it('recommends the best when no smaller candidate comes within one standard error, in plain words', () => {
    const best = makeDoc({ depth: 2, width: 64, values: [0.9, 0.901, 0.902] });
    const small = makeDoc({ depth: 1, width: 16, values: [0.85, 0.86, 0.87] });
    const a = analyzeRun([small, best], spec);
    expect(a.recommended!.candidate.label).toBe('dense d2 w64');
    // Not "none of the 1 smaller candidate".
    expect(a.recommended!.reason).toBe(
      'dense d2 w64 (4,929 params, accuracy 0.90100 ± 0.00058) is the best, and the one smaller candidate is not within one standard error (0.00058) of it; choose it.',
    );
    const smaller = makeDoc({ depth: 1, width: 8, values: [0.8, 0.81, 0.82] });
    expect(analyzeRun([small, smaller, best], spec).recommended!.reason).toContain('none of the 2 smaller candidates is within one standard error (0.00058)');
  });

  it('follows the metric direction and puts the unit on every error: rmse in mpg, lower is better', () => {
    const regression = makeSpec({ dataset: { key: 'datasets/x.csv', task: 'regression', target: 'y', unit: 'mpg' } });
    const best = makeDoc({ depth: 3, width: 64, metric: 'rmse', values: [1.0, 1.1, 1.2] }); // mean 1.1, se = 0.1/√3
    const near = makeDoc({ depth: 1, width: 16, metric: 'rmse', values: [1.1, 1.15, 1.2] }); // 1.15: within 0.0577
    const worse = makeDoc({ depth: 1, width: 8, metric: 'rmse', values: [1.3, 1.4, 1.5] }); // 1.4
    const a = analyzeRun([worse, near, best], regression);
    expect(a.metric).toBe('rmse');
    expect(a.unit).toBe('mpg');
    expect(a.higherIsBetter).toBe(false);
    expect(a.ranked.map((c) => c.label)).toEqual(['dense d3 w64', 'dense d1 w16', 'dense d1 w8']);
    expect(a.best!.summary.se).toBeCloseTo(0.1 / Math.sqrt(3), 12);
    expect(a.recommended!.candidate.label).toBe('dense d1 w16');
    expect(a.recommended!.reason).toContain('within one standard error (0.058 mpg) of the best, dense d3 w64 (9,089 params, rmse 1.100 ± 0.058 mpg)');
    // The smallest (d1 w8) is not chosen: it is 0.3 worse, far beyond one standard error.
    expect(a.ranked[2]!.withinOneSe).toBe(false);
  });

  it('with one trial per candidate, recommends the best and says there is no interval', () => {
    const a = analyzeRun([makeDoc({ depth: 1, width: 16, values: [0.8] }), makeDoc({ depth: 2, width: 32, values: [0.85] })], spec);
    expect(a.recommended!.rule).toBe('best-only');
    expect(a.recommended!.candidate.label).toBe('dense d2 w32');
    expect(a.recommended!.reason).toContain('each candidate was trained once, so there is no standard error and no interval');
    expect(a.recommended!.reason).not.toContain('within one standard error');
    expect(certaintySentence(a)).toBe('Each candidate was trained once, so there is no standard error and no interval: treat the ranking as a single draw.');
    expect(a.ranked[1]!.indistinguishable).toBeNull();
    expect(a.ranked[0]!.summary.ci).toBeNull();
  });

  it('keeps failed candidates, and candidates with a non-finite trial, out of the ranking', () => {
    const failed = makeDoc({ depth: 1, width: 16, values: [], status: 'failed' });
    const nan = makeDoc({ depth: 3, width: 16, values: [0.8, Number.NaN] });
    expect(analyzeRun([failed, nan, makeDoc({ depth: 2, width: 16, values: [0.7, 0.8] })], spec).failed).toEqual([failed, nan]);
    const none = analyzeRun([failed], spec);
    expect(none.recommended).toBeNull();
    expect(none.noRecommendation).toBeNull();
    expect(none.ranked).toEqual([]);
  });
});

describe('the baseline on the same trials', () => {
  const spec = makeSpec();
  const best = [0.832, 0.837, 0.842, 0.847, 0.852];

  it('compares every candidate with the baseline trial by trial', () => {
    const baseline = makeBaseline({ values: [0.57, 0.58, 0.575, 0.57, 0.575] });
    const a = analyzeRun([makeDoc({ depth: 2, width: 32, values: best })], spec, { baseline });
    const vs = a.ranked[0]!.vsBaseline!;
    // d = 0.262, 0.257, 0.267, 0.277, 0.277: mean 0.268, s_d = 0.0089443, se = s_d · √0.45 = 0.0060, t = 44.67.
    expect(vs.difference).toBeCloseTo(0.268, 12);
    expect(vs.test!.se).toBeCloseTo(0.006, 12);
    expect(vs.test!.p).toBeCloseTo(1.502336685776424e-6, 12);
    expect(vs.verdict).toBe('beats');
    expect(a.baseline!.summary.mean).toBeCloseTo(0.574, 12);
    expect(baselineSentence(a)).toBe(
      'The baseline "majority class" — always "no" (57.4 % of training rows) — scores accuracy 0.5740 ± 0.0019 on the same splits. ' +
        'The only candidate beats it significantly (paired test on the same trials, p < 0.05).',
    );
  });

  it('marks the candidates that do not beat it and never recommends them', () => {
    // A forecast: persistence "no change" has rmse 1.36 ppm; two of four networks are worse.
    const forecast = makeSpec({
      dataset: { key: 'datasets/co2.csv', task: 'forecast', target: 'c', time: 't', lookback: 12, unit: 'ppm' },
      model: { family: 'lstm', depth: [1, 2], width: [16, 32] },
      evaluation: { strategy: 'kfold', folds: 3 },
    });
    const baseline = makeBaseline({ metric: 'rmse', name: 'persistence', description: 'no change from the last step', values: [1.3, 1.4, 1.38], folds: 3 });
    const doc = (depth: number, width: number, values: number[]) => makeDoc({ family: 'lstm', depth, width, metric: 'rmse', values, folds: 3, params: depth * width * 100 });
    const docs = [doc(1, 16, [1.2, 1.25, 1.22]), doc(1, 32, [1.31, 1.45, 1.3]), doc(2, 16, [1.5, 1.6, 1.45]), doc(2, 32, [1.4, 1.5, 1.42])];
    const a = analyzeRun(docs, forecast, { baseline });
    expect(a.ranked.map((c) => [c.label, c.vsBaseline!.verdict])).toEqual([
      ['lstm d1 w16', 'beats'],
      ['lstm d1 w32', 'not-clearly-better'],
      ['lstm d2 w32', 'does-not-beat'],
      ['lstm d2 w16', 'does-not-beat'],
    ]);
    expect(baselineMark(a.ranked[3]!)).toEqual({ short: 'below baseline', title: 'not better than the baseline on the same trials' });
    expect(baselineMark(a.ranked[0]!)).toBeNull();
    expect(a.recommended!.candidate.label).toBe('lstm d1 w16');
    expect(baselineSentence(a)).toBe(
      'The baseline "persistence" — no change from the last step — scores rmse 1.360 ± 0.031 ppm on the same splits. ' +
        '1 of 4 candidates beats it significantly (paired test on the same trials, p < 0.05). 1 candidate is better on average but not clearly (p ≥ 0.05). 2 candidates do not beat it.',
    );
  });

  it('recommends no network when none beats the baseline, and says so', () => {
    const baseline = makeBaseline({ values: [0.86, 0.86, 0.86, 0.86, 0.86] });
    const a = analyzeRun([makeDoc({ depth: 2, width: 32, values: best }), makeDoc({ depth: 1, width: 8, values: [0.8, 0.81, 0.8, 0.82, 0.8] })], spec, { baseline });
    expect(a.recommended).toBeNull();
    expect(a.noRecommendation).toBe(
      'No network beats the baseline: "majority class" — always "no" (57.4 % of training rows) — scores accuracy 0.8600 ± 0 on the same splits, ' +
        'and even the best network, dense d2 w32 (1,441 params, accuracy 0.8420 ± 0.0035), does no better. Use the baseline, or revisit the features, the target or the training settings.',
    );
    expect(baselineSentence(a)).toContain('None of the 2 candidates beats it.');
  });
});

describe('test scores — never used for choosing', () => {
  const spec = makeSpec();

  it('summarises each candidate’s trial test scores and never lets them change the ranking', () => {
    const top = makeDoc({ depth: 2, width: 64, values: [0.85, 0.86, 0.87], tests: [0.7, 0.72, 0.74] });
    const second = makeDoc({ depth: 1, width: 8, values: [0.8, 0.81, 0.82], tests: [0.9, 0.91, 0.92] });
    const a = analyzeRun([second, top], spec);
    expect(a.best!.label).toBe('dense d2 w64');
    expect(a.best!.test!.mean).toBeCloseTo(0.72, 12);
    expect(a.best!.test!.n).toBe(3);
    expect(a.best!.test!.rows).toBe(250);
    // t(0.975, 2) · 0.02 / √3 = 4.3027 × 0.011547 = 0.049683.
    expect(a.best!.test!.ci!.hi).toBeCloseTo(0.72 + 0.049683, 5);
    expect(analyzeRun([makeDoc({ depth: 1, width: 8, values: [0.8] })], spec).best!.test).toBeNull();
  });

  it('quotes the final model for the recommendation when it exists and checks it against the validation interval', () => {
    const rec = makeDoc({ depth: 2, width: 64, values: [0.85, 0.86, 0.87], tests: [0.84, 0.85, 0.86] });
    const trials = recommendedTest(analyzeRun([rec], spec))!;
    expect(trials).toMatchObject({ source: 'trial models', n: 3, outside: false, worse: true });
    expect(trials.score).toBeCloseTo(0.85, 12);
    // Validation 0.86 ± t(0.975, 2) · 0.0057735 = 0.86 ± 0.02484: 0.80 falls outside, below.
    const final = makeFinal({ candidateId: rec.candidate.id, test: 0.8, rows: 300 });
    const fin = recommendedTest(analyzeRun([rec], spec, { final }))!;
    expect(fin).toMatchObject({ source: 'final model', score: 0.8, ci: null, rows: 300, outside: true, worse: true });
    expect(fin.validationCi!.lo).toBeCloseTo(0.86 - 0.024841, 5);
    // Trials that agree exactly give a zero-width interval: nothing to check the test score against.
    const same = makeDoc({ depth: 2, width: 64, values: [0.86, 0.86], tests: [0.9, 0.91] });
    expect(recommendedTest(analyzeRun([same], spec))!.outside).toBeNull();
    // A final model of another candidate (an older recommendation) is not quoted.
    const stale = makeFinal({ candidateId: 'dense-d9-w9-x', test: 0.1 });
    expect(recommendedTest(analyzeRun([rec], spec, { final: stale }))!.source).toBe('trial models');
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
