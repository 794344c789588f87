import { describe, expect, it } from 'vitest';
import { trialSeed } from '../src/random.js';

describe('trial seeds', () => {
  it('keep the spec seed for the first repeat and give neighbouring seeds no trial in common', () => {
    expect(trialSeed(42, 0)).toBe(42);
    const trials = (seed: number) => Array.from({ length: 10 }, (_, r) => trialSeed(seed, r));
    const seen = new Set<number>();
    for (let seed = 1; seed <= 50; seed++) for (const s of trials(seed)) seen.add(s);
    // 50 runs × 10 repeats: with seed + repeat they would share all but 59 seeds; mixed, none.
    expect(seen.size).toBe(500);
    for (const s of seen) expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
  });
});
