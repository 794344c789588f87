import { describe, expect, it } from 'vitest';
import { factorEffect, runEffects } from '../src/report/effects.js';
import { analyzeRun } from '../src/results/analysis.js';
import { makeDoc, makeSpec } from './fixtures/report/factory.js';

/**
 * A 2 × 2 grid, three folds each (800 training and 200 validation rows per fold): width moves
 * accuracy by about 0.1, depth by almost nothing.
 */
function grid() {
  const docs = [
    makeDoc({ depth: 1, width: 8, values: [0.7, 0.72, 0.74], folds: 3 }),
    makeDoc({ depth: 1, width: 16, values: [0.8, 0.82, 0.84], folds: 3 }),
    makeDoc({ depth: 2, width: 8, values: [0.71, 0.72, 0.73], folds: 3 }),
    makeDoc({ depth: 2, width: 16, values: [0.81, 0.81, 0.85], folds: 3 }),
  ];
  return analyzeRun(docs, makeSpec());
}

/** Two-sided p of Student's t with 2 degrees of freedom, in closed form: 1 − |t| / √(2 + t²). */
const pDf2 = (t: number) => 1 - Math.abs(t) / Math.sqrt(2 + t * t);

describe('the effect of depth and of width', () => {
  it('takes marginal means trial by trial and tests best against worst level, paired and corrected', () => {
    const a = grid();

    const width = factorEffect(a.ranked, 'width', true)!;

    // Width 8 per fold: (0.70+0.71)/2, (0.72+0.72)/2, (0.74+0.73)/2 = 0.705, 0.72, 0.735.
    // Width 16 per fold: 0.805, 0.815, 0.845.
    expect(width.paired).toBe(true);
    expect(width.balanced).toBe(true);
    expect(width.over).toEqual([1, 2]);
    expect(width.levels.map((l) => l.level)).toEqual([8, 16]);
    expect(width.levels[0]!.points.map((p) => p.value)).toEqual([0.705, 0.72, 0.735].map((v) => expect.closeTo(v, 12)));
    expect(width.best.level).toBe(16);
    expect(width.best.summary.mean).toBeCloseTo(0.821667, 6);
    expect(width.worst.summary.mean).toBeCloseTo(0.72, 12);
    expect(width.difference).toBeCloseTo(0.101667, 6);
    // Differences 0.10, 0.095, 0.11: sd 0.0076376; corrected se = sd · √(1/3 + 200/800) = 0.0058333.
    expect(width.test).toMatchObject({ kind: 'paired', pairs: 3, df: 2 });
    const t = 0.101667 / 0.0058333;
    expect(width.test!.t).toBeCloseTo(t, 2);
    expect(width.test!.p).toBeCloseTo(pDf2(t), 4);
    // Two levels: one pair, nothing to adjust.
    expect(width.pAdjusted).toBe(width.test!.p);
    expect(width.significant).toBe(true);

    const depth = factorEffect(a.ranked, 'depth', true)!;
    // Depth 1 per fold: 0.75, 0.77, 0.79; depth 2: 0.76, 0.765, 0.79. Differences 0.01, −0.005, 0.
    expect(depth.best.level).toBe(2);
    expect(depth.difference).toBeCloseTo(0.0016667, 6);
    expect(depth.test!.p).toBeCloseTo(pDf2(0.0016667 / 0.0058333), 3);
    expect(depth.significant).toBe(false);
  });

  it('says which one mattered in one sentence', () => {
    const e = runEffects(grid());

    expect(e.sentence).toMatch(
      /^Width mattered, depth did not: averaged over depths 1 and 2, accuracy is best at width 16 \(0\.822\) and worst at width 8 \(0\.720\), 0\.102 apart \(p = 0\.003\); averaged over widths 8 and 16, accuracy is best at depth 2 /,
    );
    expect(e.sentence).toMatch(/: within noise\)\.$/);
  });

  it('Bonferroni-adjusts the extremes of more than two levels', () => {
    const docs = [1, 2, 3].flatMap((depth) => [8, 16].map((width) => makeDoc({ depth, width, values: [0.8, 0.81, 0.79].map((v, i) => v + depth * 0.001 * (i + 1) + width / 1000), folds: 3 })));
    const depth = factorEffect(analyzeRun(docs, makeSpec()).ranked, 'depth', true)!;

    // Three levels: three pairs.
    expect(depth.pAdjusted).toBeCloseTo(Math.min(1, depth.test!.p * 3), 12);
  });

  it('averages each level over the partners every level shares, and says when there are none', () => {
    // Width 32 was trained only at depth 1: the depth effect leaves it out.
    const docs = [
      makeDoc({ depth: 1, width: 8, values: [0.7, 0.72], folds: 2 }),
      makeDoc({ depth: 2, width: 8, values: [0.74, 0.75], folds: 2 }),
      makeDoc({ depth: 1, width: 32, values: [0.95, 0.96], folds: 2 }),
    ];
    const depth = factorEffect(analyzeRun(docs, makeSpec()).ranked, 'depth', true)!;
    expect(depth.balanced).toBe(true);
    expect(depth.over).toEqual([8]);
    expect(depth.best.level).toBe(2);

    // A diagonal: no width at both depths.
    const diagonal = [makeDoc({ depth: 1, width: 8, values: [0.7, 0.72], folds: 2 }), makeDoc({ depth: 2, width: 16, values: [0.74, 0.75], folds: 2 })];
    const e = runEffects(analyzeRun(diagonal, makeSpec()));
    expect(e.depth!.balanced).toBe(false);
    expect(e.sentence).toContain('averaged over whichever widths each depth was trained with (unbalanced)');
  });

  it('puts the lowest error first for a lower-is-better metric', () => {
    const rmse = makeSpec({ dataset: { key: 'datasets/x.csv', task: 'regression', target: 'y' } });
    const docs = [makeDoc({ depth: 1, width: 8, metric: 'rmse', values: [2, 2.2, 2.1], folds: 3 }), makeDoc({ depth: 2, width: 8, metric: 'rmse', values: [1, 1.1, 1.2], folds: 3 })];
    const depth = factorEffect(analyzeRun(docs, rmse).ranked, 'depth', false)!;
    expect(depth.best.level).toBe(2);
    expect(depth.best.summary.mean).toBeCloseTo(1.1, 12);
    expect(depth.difference).toBeCloseTo(1, 12);
  });

  it('cannot test with one trial per candidate, and says nothing of a factor with one level', () => {
    const once = [
      makeDoc({ depth: 1, width: 8, values: [0.7] }),
      makeDoc({ depth: 1, width: 16, values: [0.8] }),
      makeDoc({ depth: 2, width: 8, values: [0.72] }),
      makeDoc({ depth: 2, width: 16, values: [0.79] }),
    ];
    const e = runEffects(analyzeRun(once, makeSpec()));
    expect(e.width!.test).toBeNull();
    expect(e.width!.significant).toBeNull();
    expect(e.sentence).toMatch(
      /^With one trial per candidate neither effect can be tested: averaged over depths 1 and 2, accuracy is best at width 16 \(0\.795\) and worst at width 8 \(0\.710\), 0\.0850 apart \(untested\)/,
    );

    const oneDepth = [makeDoc({ depth: 2, width: 8, values: [0.7, 0.71], folds: 2 }), makeDoc({ depth: 2, width: 16, values: [0.8, 0.82], folds: 2 })];
    expect(runEffects(analyzeRun(oneDepth, makeSpec())).sentence).toMatch(/^Only one depth \(2\) was trained, so the sweep says nothing about depth; width /);
    expect(runEffects(analyzeRun([], makeSpec()))).toEqual({ depth: null, width: null, sentence: null });
  });
});
