import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, studentTCdf, studentTTwoSided, tQuantile } from '../src/stats/index.js';

describe('Student t and the normal (stdlib underneath)', () => {
  it('matches the printed two-sided 95 % table', () => {
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [4, 2.776],
      [9, 2.262],
      [29, 2.045],
    ];
    for (const [df, t] of table) expect(tQuantile(0.975, df)).toBeCloseTo(t, 3);
    expect(tQuantile(0.975, Infinity)).toBeCloseTo(1.959964, 6);
  });

  it('agrees with scipy.stats.t to nine digits, fractional degrees of freedom included, and inverts its CDF', () => {
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(tQuantile(0.025, 9)).toBeCloseTo(-2.262157162798205, 9);
    expect(studentTCdf(tQuantile(0.9, 3.5), 3.5)).toBeCloseTo(0.9, 10);
    expect(studentTTwoSided(2.091905441473963, 4)).toBeCloseTo(0.10460522928410206, 8);
  });

  it('keeps tiny two-sided p-values precise and takes df = Infinity as the normal', () => {
    // scipy: 2 * t.sf(40, 3) = 3.438068078915854e-05
    expect(studentTTwoSided(40, 3)).toBeCloseTo(3.438068078915854e-5, 14);
    expect(studentTCdf(1.96, Infinity)).toBeCloseTo(normalCdf(1.96), 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
  });

  it('refuses what has no meaning', () => {
    expect(() => tQuantile(1, 3)).toThrow(RangeError);
    expect(() => tQuantile(0.5, 0)).toThrow(RangeError);
  });
});
