import { describe, expect, it } from 'vitest';
import { analyzeRun, recommendedTest } from '../src/results/analysis.js';
import { answerWords } from '../src/results/verdict.js';
import { baselineSentence, certaintySentence, testSentences } from '../src/report/answer.js';
import { accuracyBlocks, makeBaseline, makeDoc, makeFinal, makeSpec } from './fixtures/report/factory.js';

describe('a run analysed: one rule for every mark and the recommendation', () => {
  const spec = makeSpec();

  it('marks "≈ best" and recommends by the same test, and words it once', () => {
    const docs = [
      makeDoc({ depth: 3, width: 64, values: [0.86, 0.87, 0.85, 0.88, 0.86] }),
      makeDoc({ depth: 1, width: 16, values: [0.85, 0.87, 0.86, 0.87, 0.85] }),
      makeDoc({ depth: 1, width: 32, values: [0.7, 0.71, 0.69, 0.72, 0.7] }),
    ];
    const a = analyzeRun(docs, spec, { baseline: makeBaseline({ values: [0.57, 0.58, 0.575, 0.57, 0.575] }) });
    expect(a.best!.label).toBe('dense d3 w64');
    expect(a.recommended!.label).toBe('dense d1 w16');
    expect(a.ranked.filter((c) => c.approxBest).map((c) => c.label)).toEqual(['dense d3 w64', 'dense d1 w16']);
    expect(a.outcome).toBe('recommend');
    const w = answerWords(a);
    expect(w.headline).toBe('Use depth 1 and width 16: 1 hidden layer, 16 units (193 parameters).');
    expect(w.reason).toContain('is the smallest candidate as good as the best, dense d3 w64');
    expect(certaintySentence(a)).toContain('1 of the other 2 is as good as it ("≈ best": not significantly worse and within its standard error); the rest are significantly worse');
  });

  it('states the validation interval on the metric’s scale: never above 1', () => {
    const a = analyzeRun([makeDoc({ depth: 1, width: 16, values: [0.99, 1, 1] })], spec);
    expect(a.best!.summary.ci!.hi).toBeLessThanOrEqual(1);
  });

  it('compares every candidate with the baseline one-sided and calls a network at the baseline what it is', () => {
    const forecast = makeSpec({
      dataset: { key: 'datasets/co2.csv', task: 'forecast', target: 'c', time: 't', lookback: 12, unit: 'ppm' },
      model: { family: 'lstm', depth: [1, 2], width: [16, 32] },
      evaluation: { strategy: 'kfold', folds: 3 },
    });
    const baseline = makeBaseline({ metric: 'rmse', name: 'persistence', description: 'no change from the last step', values: [1.3, 1.4, 1.38], folds: 3 });
    const doc = (depth: number, width: number, values: number[]) => makeDoc({ family: 'lstm', depth, width, metric: 'rmse', values, folds: 3, params: depth * width * 100 });
    const a = analyzeRun([doc(1, 16, [1.2, 1.25, 1.22]), doc(1, 32, [1.31, 1.45, 1.3]), doc(2, 16, [1.3, 1.4, 1.38]), doc(2, 32, [1.4, 1.5, 1.42])], forecast, { baseline });
    expect(a.ranked.map((c) => [c.label, c.vsBaseline!.verdict])).toEqual([
      ['lstm d1 w16', 'beats'],
      ['lstm d1 w32', 'not-clearly-better'],
      ['lstm d2 w16', 'does-not-beat'],
      ['lstm d2 w32', 'does-not-beat'],
    ]);
    expect(a.recommended!.label).toBe('lstm d1 w16');
    expect(baselineSentence(a)).toContain('2 candidates score no better than it');
  });

  it('recommends no network when none beats the baseline, and says what to try', () => {
    const baseline = makeBaseline({ values: [0.86, 0.86, 0.86, 0.86, 0.86] });
    const a = analyzeRun([makeDoc({ depth: 2, width: 32, values: [0.85, 0.87, 0.86, 0.86, 0.87] }), makeDoc({ depth: 1, width: 8, values: [0.8, 0.81, 0.8, 0.82, 0.8] })], spec, { baseline });
    expect(a.outcome).toBe('baseline');
    expect(a.recommended).toBeNull();
    const w = answerWords(a);
    expect(w.headline).toBe('No network beats the baseline: use "majority class" (always "no" (57.4 % of training rows)).');
    expect(w.reason).toContain('better on average but not significantly');
    expect(w.next.length).toBeGreaterThan(1);
  });

  it('keeps failed candidates and non-finite trials out of the ranking', () => {
    const a = analyzeRun([makeDoc({ depth: 1, width: 8, values: [0.8, Number.NaN] }), makeDoc({ depth: 1, width: 16, values: [], status: 'failed' })], spec);
    expect(a.ranked).toEqual([]);
    expect(a.failed).toHaveLength(2);
    expect(a.outcome).toBe('none');
  });
});

describe('test scores: intervals that count the test rows', () => {
  const spec = makeSpec();

  it('gives the trial models an interval from the test rows plus retraining, never used for choosing', () => {
    const top = makeDoc({
      depth: 2,
      width: 64,
      values: [0.85, 0.86, 0.87],
      tests: [0.7, 0.72, 0.74],
      testBlocks: [accuracyBlocks(175, 250), accuracyBlocks(180, 250), accuracyBlocks(185, 250)],
    });
    const second = makeDoc({ depth: 1, width: 8, values: [0.8, 0.81, 0.82], tests: [0.9, 0.91, 0.92] });
    const a = analyzeRun([second, top], spec);
    expect(a.best!.label).toBe('dense d2 w64');
    const t = a.best!.test!;
    expect(t.score).toBeCloseTo(0.72, 12);
    expect(t.ci!.lo).toBeGreaterThan(0.6);
    expect(t.ci!.hi).toBeLessThan(0.82);
    // Older documents keep no per-row results: the score stands without an interval.
    expect(a.ranked[1]!.test!.ci).toBeNull();
  });

  it('quotes the final model with its own interval — about the model handed over — and says which is which', () => {
    const rec = makeDoc({ depth: 2, width: 64, values: [0.85, 0.86, 0.87], tests: [0.84, 0.85, 0.86], testBlocks: [accuracyBlocks(210, 250), accuracyBlocks(212, 250), accuracyBlocks(215, 250)] });
    const final = makeFinal({ candidateId: rec.candidate.id, test: 1, rows: 55, blocks: accuracyBlocks(55, 55) });
    const a = analyzeRun([rec], spec, { final });
    const rt = recommendedTest(a)!;
    expect(rt.source).toBe('final model');
    // 55 test rows all right: Wilson at t(0.975, 54) reaches down to about 0.93, not "1.000–1.000".
    expect(rt.ci!.lo).toBeCloseTo(0.932, 3);
    const text = testSentences(a).join(' ');
    expect(text).toContain('The final model — dense d2 w64 refit on all non-test rows, the model handed over — scores accuracy');
    expect(text).toContain('Its 3 trial models score accuracy');
    // A final model of another candidate (an older recommendation) is not quoted.
    const stale = makeFinal({ candidateId: 'dense-d9-w9-x', test: 0.1 });
    expect(recommendedTest(analyzeRun([rec], spec, { final: stale }))!.source).toBe('trial models');
  });
});
