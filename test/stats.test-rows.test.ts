/**
 * Two models on the same test rows, compared row by row (src/stats/test-rows.ts): for accuracy with a
 * block per row it is McNemar's large-sample test with a t quantile; rows in time order are merged
 * into runs; layouts that do not line up are not compared.
 */
import { describe, expect, it } from 'vitest';
import { compareOnRows, pBetter, pWorse, toBlocks } from '../src/stats/index.js';
import { rng } from '../src/random.js';

/** 80 rows: the baseline right on rows 0–42 (43), the model on rows 0–19 and 43–52 (30). */
const baselineRows = Array.from({ length: 80 }, (_, i) => (i < 43 ? 1 : 0));
const modelRows = Array.from({ length: 80 }, (_, i) => (i < 20 || (i >= 43 && i < 53) ? 1 : 0));

describe('compareOnRows', () => {
  it('is the paired test of per-row differences: McNemar on discordant rows, for accuracy', () => {
    const c = compareOnRows('accuracy', toBlocks(modelRows, 'random'), toBlocks(baselineRows, 'random'), 80)!;
    // 10 rows only the model gets right, 23 only the baseline: mean difference (10 − 23) / 80.
    expect(c.meanDiff).toBeCloseTo(-13 / 80, 12);
    // Every row its own block: the variance is the differences' sample variance over n.
    const m = -13 / 80;
    expect(c.se ** 2).toBeCloseTo((33 - 80 * m * m) / (80 * 79), 12);
    expect(c.df).toBe(79);
    // McNemar's z, (b − c) / √(b + c), is within a few per cent of t.
    const z = (10 - 23) / Math.sqrt(33);
    expect(Math.abs(c.t / z - 1)).toBeLessThan(0.05);
    expect(pWorse(c, true)).toBeLessThan(0.05);
    expect(pBetter(c, true)).toBeGreaterThan(0.95);
  });

  it('finds no difference where the two agree on every row', () => {
    const c = compareOnRows('accuracy', toBlocks(baselineRows, 'random'), toBlocks(baselineRows, 'random'), 80)!;
    expect(c).toMatchObject({ meanDiff: 0, se: 0, t: 0, p: 1 });
    expect(pWorse(c, true)).toBe(1);
  });

  it('compares errors by their squares for rmse, lower being better', () => {
    const small = Array.from({ length: 60 }, (_, i) => ((i % 5) - 2) * 0.1);
    const large = small.map((e, i) => e * 3 + (i % 2 ? 0.5 : -0.5));
    const c = compareOnRows(
      'rmse',
      toBlocks(
        large.map((e) => e * e),
        'random',
      ),
      toBlocks(
        small.map((e) => e * e),
        'random',
      ),
      60,
    )!;
    expect(c.meanDiff).toBeGreaterThan(0);
    expect(pWorse(c, false)).toBeLessThan(0.001);
  });

  it('keeps neighbouring rows in time order together, and compares only layouts that line up', () => {
    const a = toBlocks(modelRows, 'time');
    const b = toBlocks(baselineRows, 'time');
    // 80 rows in runs of at least ∛80 ≈ 5 rows: 16 blocks.
    expect(compareOnRows('accuracy', a, b, 80)!.blocks).toBe(16);
    expect(compareOnRows('accuracy', a, toBlocks(baselineRows, 'random'), 80)).toBeNull();
    expect(compareOnRows('accuracy', toBlocks(modelRows.slice(0, 79), 'random'), toBlocks(baselineRows, 'random'), 80)).toBeNull();
  });

  it('calls a model worse than an equally good one about 5 % of the time: 1,000 simulated test splits of 80 rows', () => {
    // Both right with probability 0.6 on each row, correlated through the rows' difficulty (as real
    // models are: hard rows are hard for both), so the pairing matters.
    const random = rng(2026);
    let worse = 0;
    const splits = 1000;
    for (let s = 0; s < splits; s++) {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < 80; i++) {
        const p = random() < 0.5 ? 0.85 : 0.35;
        a.push(random() < p ? 1 : 0);
        b.push(random() < p ? 1 : 0);
      }
      const c = compareOnRows('accuracy', toBlocks(a, 'random'), toBlocks(b, 'random'), 80);
      if (c && pWorse(c, true) < 0.05) worse++;
    }
    expect(worse / splits).toBeGreaterThan(0.03);
    expect(worse / splits).toBeLessThan(0.07);
  });
});
