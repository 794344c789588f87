/**
 * The recommendation's held-out test score against the baseline's (src/results/analysis.ts
 * testVsBaseline) and its words (src/results/verdict.ts testWords): the answer leads with a warning
 * when the test is below the baseline, or cannot confirm a lead validation found; the recommendation
 * itself never changes. Crafted documents: the test rows' results are constructed row by row.
 */
import { describe, expect, it } from 'vitest';
import { analyzeRun, testVsBaseline } from '../src/results/analysis.js';
import { buildLeaderboard } from '../src/results/leaderboard-build.js';
import { answerWords } from '../src/results/verdict.js';
import { answerFor, testSentences } from '../src/report/answer.js';
import { toBlocks } from '../src/stats/index.js';
import { makeBaseline, makeDoc, makeFinal, makeSpec } from './fixtures/report/factory.js';

const spec = makeSpec();
/** Validation: the network at about 0.55, the baseline at about 0.45 on the same five trials — it beats it. */
const rec = makeDoc({ depth: 1, width: 8, values: [0.55, 0.56, 0.55, 0.54, 0.57] });
const validationBaseline = [0.45, 0.46, 0.44, 0.45, 0.46];

/** 0/1 per row: right on rows [from, to) of `n`. */
const rightOn = (n: number, ...ranges: [number, number][]) => Array.from({ length: n }, (_, i) => (ranges.some(([a, b]) => i >= a && i < b) ? 1 : 0));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The run with its final model right on `model` rows and the baseline on `baseline` rows of the same test split. */
function run(model: number[], baseline: number[], opts: { baselineBlocks?: boolean; finalBlocks?: boolean } = {}) {
  const final = makeFinal({ candidateId: rec.candidate.id, test: mean(model), rows: model.length, ...(opts.finalBlocks === false ? {} : { blocks: toBlocks(model, 'random') }) });
  const test = { metric: mean(baseline), rows: baseline.length, ...(opts.baselineBlocks === false ? {} : { blocks: toBlocks(baseline, 'random') }) };
  return analyzeRun([rec], spec, { final, baseline: makeBaseline({ values: validationBaseline, test }) });
}

describe('the held-out test against the baseline', () => {
  it('says, first, that the validation result did not hold when the final model scores below the baseline on the same rows', () => {
    // The trial's numbers: 30 of 80 test rows right against the baseline's 43, 23 rows only the baseline gets right.
    const a = run(rightOn(80, [0, 20], [43, 53]), rightOn(80, [0, 43]));
    expect(a.recommended!.vsBaseline!.verdict).toBe('beats');
    expect(testVsBaseline(a)).toMatchObject({ verdict: 'worse', test: 'paired', score: 0.375, baseline: 0.5375, rows: 80 });
    expect(testVsBaseline(a)!.pWorse).toBeLessThan(0.05);
    const words = answerWords(a);
    expect(words.warnings).toEqual([
      expect.stringMatching(
        /^On the 80 held-out test rows the recommended network \(dense d1 w8, the final model\) scored accuracy 0\.375, below the baseline's 0\.53[78] \(one-sided paired test on the same rows, p = 0\.0[01]\d\): the validation result did not hold; treat the recommendation as unproven\.$/,
      ),
    ]);
    // The recommendation stands: the test is shown, never used for choosing.
    expect(a.recommended!.id).toBe(analyzeRun([rec], spec, { baseline: makeBaseline({ values: validationBaseline }) }).recommended!.id);
    expect(words.headline).toBe('Use depth 1 and width 8: 1 hidden layer, 8 units (97 parameters).');
    expect(answerFor(a).warnings).toEqual(words.warnings);
    const lb = buildLeaderboard({ runId: 'run-1', sweep: spec, dataset: { key: 'datasets/x.csv', version: 'v1' }, candidates: [rec.candidate] }, [rec], [], '2026-12-07T00:00:00Z', {
      final: a.final,
      baseline: makeBaseline({ values: validationBaseline, test: { metric: 0.5375, rows: 80, blocks: toBlocks(rightOn(80, [0, 43]), 'random') } }),
    });
    expect(lb.answer.warnings).toEqual(words.warnings);
    expect(lb.recommended!.testVsBaseline).toMatchObject({ verdict: 'worse', test: 'paired', source: 'final model', metric: 0.375, baseline: 0.5375, rows: 80 });
    // The baseline's per-row results stay in baseline.json: the leaderboard keeps its score.
    expect(lb.baseline!.test).toEqual({ metric: 0.5375, rows: 80 });
  });

  it('says the test set cannot confirm the lead, with its size, when the rows cannot tell the two apart', () => {
    // 42 against 40 of 80, with 22 rows only the model and 20 only the baseline gets right.
    const a = run(rightOn(80, [0, 20], [40, 62]), rightOn(80, [0, 40]));
    expect(testVsBaseline(a)).toMatchObject({ verdict: 'not-better', test: 'paired' });
    expect(answerWords(a).warnings).toEqual([
      expect.stringMatching(
        /^On the 80 held-out test rows the recommended network \(dense d1 w8, the final model\) scored accuracy 0\.525 against the baseline's 0\.500 — ahead, but not significantly \(one-sided paired test on the same rows, p = 0\.\d+\): the test set cannot confirm that it beats the baseline, as validation found; 80 rows are too few to tell them apart\.$/,
      ),
    ]);
  });

  it('says nothing at the top when the test upholds the lead, and says so among the test scores', () => {
    const a = run(rightOn(80, [0, 70]), rightOn(80, [0, 40]));
    expect(testVsBaseline(a)).toMatchObject({ verdict: 'better', test: 'paired' });
    expect(answerWords(a).warnings).toEqual([]);
    expect(testSentences(a).join(' ')).toMatch(
      /On the same 80 test rows it beats the baseline's 0\.500 \(one-sided paired test on the same rows, p < 0\.001\): the test upholds its lead over the baseline\./,
    );
  });

  it('falls back to the model’s interval when the baseline kept no per-row results, and to the scores alone when neither did', () => {
    const byInterval = run(rightOn(80, [0, 20], [43, 53]), rightOn(80, [0, 43]), { baselineBlocks: false });
    expect(testVsBaseline(byInterval)).toMatchObject({ verdict: 'worse', test: 'interval', pWorse: null });
    // 30 of 80: Wilson's interval reaches up to about 0.49, below the baseline's 0.5375.
    expect(testVsBaseline(byInterval)!.ci!.hi).toBeLessThan(0.5);
    expect(answerWords(byInterval).warnings[0]).toMatch(/its 95 % interval, 0\.\d+ – 0\.\d+, lies wholly below the baseline's score\): the validation result did not hold/);

    const untested = run(rightOn(80, [0, 20], [43, 53]), rightOn(80, [0, 43]), { baselineBlocks: false, finalBlocks: false });
    expect(testVsBaseline(untested)).toMatchObject({ verdict: 'worse', test: 'none' });
    expect(answerWords(untested).warnings[0]).toMatch(/\(not tested: these documents keep no per-row test results\): the validation result is not confirmed; treat the recommendation as unproven\.$/);
    // Ahead on the scores alone, with nothing to test it: nothing is claimed either way.
    expect(testVsBaseline(run(rightOn(80, [0, 50]), rightOn(80, [0, 43]), { baselineBlocks: false, finalBlocks: false }))).toBeNull();
  });

  it('has nothing to compare without a recommendation or a baseline test score', () => {
    const none = analyzeRun([rec], spec, { baseline: makeBaseline({ values: [0.6, 0.6, 0.6, 0.6, 0.6], test: { metric: 0.6, rows: 80 } }) });
    expect(none.outcome).toBe('baseline');
    expect(testVsBaseline(none)).toBeNull();
    expect(answerWords(none).warnings).toEqual([]);
    const noTest = analyzeRun([rec], spec, { final: makeFinal({ candidateId: rec.candidate.id, test: 0.3, rows: 80 }), baseline: makeBaseline({ values: validationBaseline }) });
    expect(testVsBaseline(noTest)).toBeNull();
  });
});
