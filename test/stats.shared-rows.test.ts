import { describe, expect, it } from 'vitest';
import { pairedTest, sharedRowsDifferenceVariance, sharedRowsVariance, toBlocks, type TrialPoint } from '../src/stats/index.js';
import { rng } from '../src/random.js';

/** Per-row 0/1 results of a model right on each row with probability p, from a seeded stream. */
function rows(n: number, p: number, seed: number): number[] {
  const random = rng(seed);
  return Array.from({ length: n }, () => (random() < p ? 1 : 0));
}

/** Three repeats over one split (the same 200 validation rows): values differ only by training noise. */
function repeatsOverOneSplit(base: number[], flips: number, seed: number): TrialPoint[] {
  return [0, 1, 2].map((repeat) => {
    const r = [...base];
    const random = rng(seed + repeat);
    for (let k = 0; k < flips; k++) r[Math.floor(random() * r.length)] = 1 - r[Math.floor(random() * r.length)]!;
    return { repeat, fold: 0, value: r.reduce((a, b) => a + b, 0) / r.length, trainRows: 800, valRows: r.length, split: 'one-split', blocks: toBlocks(r, 'random') };
  });
}

describe('trials that share their validation rows', () => {
  const a = repeatsOverOneSplit(rows(200, 0.8, 1), 3, 10);
  const b = repeatsOverOneSplit(rows(200, 0.75, 2), 3, 20);

  it('add the sampling error of those rows, which their spread cannot show', () => {
    // Three repeats over one split: the spread is training noise; 200 rows at p ≈ 0.8 have a
    // binomial variance of about 0.8 · 0.2 / 200 = 0.0008 that the mean keeps however many repeats.
    expect(sharedRowsVariance('accuracy', a).variance).toBeGreaterThan(0.0005);
    expect(sharedRowsVariance('accuracy', a).variance).toBeLessThan(0.0012);
    const plain = pairedTest(a, b)!;
    const counted = pairedTest(a, b, 'accuracy')!;
    expect(counted.se).toBeGreaterThan(plain.se * 2);
    expect(counted.p).toBeGreaterThan(plain.p);
    expect(
      sharedRowsDifferenceVariance(
        'accuracy',
        a.map((x, i) => [x, b[i]!]),
      ),
    ).toBeGreaterThan(0);
  });

  it('add nothing when every trial has its own split (the spread already holds the rows’ sampling error)', () => {
    const own = a.map((p, i) => ({ ...p, split: `split-${i}` }));
    expect(sharedRowsVariance('accuracy', own).variance).toBe(0);
    expect(
      pairedTest(
        own,
        b.map((p, i) => ({ ...p, split: `split-${i}` })),
        'accuracy',
      )!.se,
    ).toBeCloseTo(
      pairedTest(
        own,
        b.map((p, i) => ({ ...p, split: `split-${i}` })),
      )!.se,
      12,
    );
  });

  it('add nothing for older documents without per-row results', () => {
    expect(
      sharedRowsVariance(
        'accuracy',
        a.map(({ blocks: _b, ...p }) => p),
      ).variance,
    ).toBe(0);
  });
});
