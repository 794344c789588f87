import { describe, expect, it } from 'vitest';
import { decide, paretoFront, type Contender } from '../src/stats/index.js';

/** A contender with J trials (fold j of repeat 0), 800 training and 200 validation rows each. */
function c(id: string, depth: number, width: number, params: number, values: number[]): Contender {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return {
    id,
    depth,
    width,
    params,
    mean,
    se: values.length > 1 ? sd * Math.sqrt(1 / values.length + 0.25) : null,
    points: values.map((value, fold) => ({ repeat: 0, fold, value, trainRows: 800, valRows: 200 })),
  };
}
const axes = { depth: [1, 2, 3], width: [8, 16, 32] };
const baseline = (v: number, n = 5) => ({ mean: v, points: Array.from({ length: n }, (_, fold) => ({ repeat: 0, fold, value: v })) });

describe('the decision rule: the smallest candidate not significantly worse than the best', () => {
  it('recommends the smallest ≈ best, and "≈ best" is the very predicate the recommendation uses', () => {
    const big = c('big', 3, 32, 3000, [0.86, 0.87, 0.85, 0.88, 0.86]);
    const mid = c('mid', 2, 16, 800, [0.85, 0.87, 0.86, 0.87, 0.85]); // not worse
    const tiny = c('tiny', 1, 8, 100, [0.7, 0.71, 0.69, 0.72, 0.7]); // far worse in every trial
    const d = decide([tiny, big, mid], { higherIsBetter: true, baseline: baseline(0.6), axes });
    expect(d.best!.contender.id).toBe('big');
    expect(d.ranked.map((j) => [j.contender.id, j.approxBest])).toEqual([
      ['big', true],
      ['mid', true],
      ['tiny', false],
    ]);
    expect(d.chosen!.contender.id).toBe('mid');
    expect(d.outcome).toBe('recommend');
    // Everything marked ≈ best that beats the baseline is at least as large as the choice.
    for (const j of d.ranked) if (j.approxBest && j.vsBaseline!.verdict === 'beats') expect(j.contender.params! >= d.chosen!.contender.params!).toBe(true);
  });

  it('says "all equivalent" when every candidate beats the baseline and none is worse than the best: the smallest', () => {
    const a = c('a', 1, 8, 100, [0.85, 0.87, 0.86, 0.86, 0.85]);
    const b = c('b', 2, 16, 800, [0.86, 0.86, 0.87, 0.85, 0.86]);
    const d = decide([a, b], { higherIsBetter: true, baseline: baseline(0.6), axes });
    expect(d.outcome).toBe('all-equivalent');
    expect(d.chosen!.contender.id).toBe('a');
    // The choice is at the smallest depth and width tried, both above 1: a smaller network may do as well.
    expect(d.edges).toEqual([{ axis: 'width', side: 'lower', values: [4, 2] }]);
  });

  it('answers "nothing beats the baseline" when no candidate beats it significantly — even when one is better on average', () => {
    const a = c('a', 1, 8, 100, [0.61, 0.59, 0.62, 0.6, 0.6]); // mean 0.604: better on average, not significantly
    const b = c('b', 2, 16, 800, [0.6, 0.6, 0.6, 0.6, 0.6]); // exactly the baseline
    const d = decide([a, b], { higherIsBetter: true, baseline: baseline(0.6), axes });
    expect(d.outcome).toBe('baseline');
    expect(d.chosen).toBeNull();
    expect(d.ranked.find((j) => j.contender.id === 'a')!.vsBaseline!.verdict).toBe('not-clearly-better');
    // Scoring exactly the baseline is not beating it.
    expect(d.ranked.find((j) => j.contender.id === 'b')!.vsBaseline!.verdict).toBe('does-not-beat');
  });

  it('says "undecided" when a smaller candidate trails by more than a standard error but cannot be told from the best, and how many trials would decide', () => {
    const best = c('best', 2, 16, 800, [0.9, 0.92]);
    const small = c('small', 1, 8, 100, [0.87, 0.87]); // trails by 0.04 in both trials: t = −3.27 on 1 df, one-sided p = 0.094
    const d = decide([best, small], { higherIsBetter: true, baseline: baseline(0.5, 2), axes });
    // Not significantly worse, but 0.04 is more than the best's standard error (0.012): not "≈ best".
    expect(d.ranked[1]!.approxBest).toBe(false);
    expect(d.ranked[1]!.undecided).toBe(true);
    expect(d.chosen!.contender.id).toBe('best');
    expect(d.outcome).toBe('undecided');
    expect(d.needed!.candidateId).toBe('small');
    expect(d.needed!.gap).toBeCloseTo(-0.04, 10);
    // t(0.95, 2) · 0.01414 · √(1/3 + 1/4) = 0.0315 ≤ 0.04: three trials would do.
    expect(d.needed!.trials).toBe(3);
  });

  it('says when no number of trials would do: the n_val/n_train floor of the corrected variance', () => {
    const best = c('best', 2, 16, 800, [0.9, 0.8, 0.95, 0.85, 0.92]);
    const small = c('small', 1, 8, 100, [0.84, 0.85, 0.8, 0.86, 0.84]); // trails by 0.046, noisily
    const d = decide([best, small], { higherIsBetter: true, baseline: baseline(0.5), axes });
    expect(d.outcome).toBe('undecided');
    // 1.645 · s_d · √0.25 = 0.063 > 0.046 however many trials: more rows are needed.
    expect(d.needed!.trials).toBeNull();
  });

  it('follows the metric direction: lower is better for errors', () => {
    const small = c('small', 1, 8, 100, [1.5, 1.6, 1.55, 1.5, 1.52]);
    const big = c('big', 3, 32, 3000, [1.0, 1.05, 1.02, 1.0, 1.01]);
    const d = decide([small, big], { higherIsBetter: false, baseline: baseline(2.0), axes });
    expect(d.best!.contender.id).toBe('big');
    expect(d.chosen!.contender.id).toBe('big');
    expect(d.outcome).toBe('recommend');
    // The choice is the largest depth and width tried: extend both.
    expect(d.edges).toEqual([
      { axis: 'depth', side: 'upper', values: [4, 5] },
      { axis: 'width', side: 'upper', values: [64, 128] },
    ]);
  });

  it('with one trial per candidate names the best and calls it a single draw', () => {
    const a = c('a', 1, 8, 100, [0.8]);
    const b = c('b', 2, 16, 800, [0.85]);
    const d = decide([a, b], { higherIsBetter: true, baseline: { mean: 0.6, points: [{ repeat: 0, fold: 0, value: 0.6 }] } });
    expect(d.outcome).toBe('single-draw');
    expect(d.chosen!.contender.id).toBe('b');
    expect(d.ranked[1]!.approxBest).toBeNull();
  });

  it('has no answer without candidates', () => {
    expect(decide([], { higherIsBetter: true }).outcome).toBe('none');
  });
});

describe('Pareto front', () => {
  const pt = (params: number | null, mean: number) => ({ params, mean });

  it('keeps the candidates no other beats on one axis while matching the other, in the metric’s direction', () => {
    const a = pt(100, 0.8);
    const b = pt(200, 0.85);
    const cc = pt(300, 0.84);
    const d = pt(400, 0.9);
    const e = pt(400, 0.88);
    const f = pt(null, 0.99);
    expect(paretoFront([d, cc, f, b, e, a], true)).toEqual([a, b, d]);
    expect(paretoFront([pt(100, 2), pt(200, 2.5), pt(300, 1.5)], false)).toEqual([pt(100, 2), pt(300, 1.5)]);
    expect(paretoFront([pt(100, 2), pt(100, 2)], false)).toHaveLength(1);
  });
});
